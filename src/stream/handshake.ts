// What a WebSocket handshake must offer and what the server answers with (RFC 6455 §4.2.2, §11.3.4).
import { ERRORS, TributaryError } from '../errors.js';

/** The one protocol the gateway speaks; README "WebSocket protocol". */
export const STREAM_PROTOCOL = 'tributary.v1';

/** `Sec-WebSocket-Protocol` may be repeated or comma separated; Node joins repeated headers with ', '. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * A client that offers no subprotocol gets tributary.v1 all the same. One that offers some must offer
 * tributary.v1: the server may only select an offered protocol, and a browser or ws client that offered
 * protocols fails the connection when none is selected. Offering only `bearer.<token>` would leave the token as
 * the only candidate, and the token is never echoed.
 */
export function checkProtocols(offered: readonly string[]): void {
  if (offered.length === 0 || offered.includes(STREAM_PROTOCOL)) return;
  throw new TributaryError(
    ERRORS.STREAM_UNSUPPORTED_PROTOCOL,
    `offer the '${STREAM_PROTOCOL}' subprotocol (a token goes alongside it as 'bearer.<token>')`,
  );
}

/** ws `handleProtocols`: select tributary.v1, never whatever came first (that may be `bearer.<token>`). */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false;
}
