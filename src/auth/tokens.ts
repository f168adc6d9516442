// Bearer tokens (RFC 6750) per capture, several at once so they can be rotated without downtime.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ERRORS, TributaryError } from '../errors.js';
import { type ScramCredentials, scramCredentials } from './scram.js';

/** What a binding requires. `tokens` undefined: open (no token configured). */
export interface TokenPolicy {
  /** SHA-256 digests of the accepted tokens; only digests are kept in memory after load. */
  tokens: Buffer[] | undefined;
  /** The same tokens' SCRAM keys (src/auth/scram.ts), index for index, for SASL on the Kafka listener. */
  scram?: ScramCredentials[];
}

/**
 * A token the client proved it holds without sending it (SASL SCRAM on the Kafka listener): its SHA-256 digest,
 * which checkToken compares like a presented token's.
 */
export class ProvenToken {
  constructor(readonly digest: Buffer) {}
}

/** A presented bearer token or SASL PLAIN password, or a SCRAM proof of one. */
export type Credential = string | ProvenToken;

/** An empty list opens a binding whose capture requires tokens (`tokens: []`). */
export function tokenPolicy(tokens: Buffer[] | undefined): TokenPolicy {
  if (tokens === undefined || tokens.length === 0) return { tokens: undefined };
  return { tokens: tokens.map(tokenDigest), scram: tokens.map(scramCredentials) };
}

export function tokenDigest(value: Buffer | string): Buffer {
  return createHash('sha256').update(value).digest();
}

const BEARER = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

/**
 * The token a client presented: `Authorization: Bearer <t>` (services), else a `token` query parameter (senders
 * that only let users paste a URL, and browsers). WebSocket clients may also offer `bearer.<t>` as a subprotocol.
 */
export function presentedToken(
  authorization: string | undefined,
  query: Record<string, unknown> | undefined,
  subprotocols?: readonly string[],
): string | undefined {
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization);
    if (match !== null) return match[1];
  }
  const fromQuery = query?.['token'];
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  for (const protocol of subprotocols ?? []) {
    if (protocol.startsWith('bearer.') && protocol.length > 7) return protocol.slice(7);
  }
  return undefined;
}

/** RFC 6750 §3: a 401 for a missing token names the Bearer scheme (RFC 9110 §11.6.1 requires a challenge). */
export const BEARER_CHALLENGE = 'Bearer realm="tributary"';

/** Throws 401 when a token is required and none was presented, 403 when it matches none. */
export function checkToken(policy: TokenPolicy, presented: Credential | undefined): void {
  if (policy.tokens === undefined) return;
  if (presented === undefined) {
    throw new TributaryError(ERRORS.AUTH_MISSING_TOKEN, 'this binding requires a bearer token', {
      challenge: BEARER_CHALLENGE,
    });
  }
  // Constant-time: both sides are fixed-length digests, and every configured token is compared, so neither the
  // token's length nor which rotation slot matched shows in the timing.
  const given = presented instanceof ProvenToken ? presented.digest : tokenDigest(presented);
  let ok = false;
  for (const token of policy.tokens) ok = timingSafeEqual(given, token) || ok;
  if (!ok) throw new TributaryError(ERRORS.AUTH_BAD_TOKEN, 'the token is not valid for this binding');
}

/** The handshake's query without the credential, for `_meta.query`: a token must never reach Kafka. */
export function queryWithoutToken(
  query: Record<string, unknown> | undefined,
): Record<string, string | string[]> | undefined {
  if (query === undefined) return undefined;
  let kept: Record<string, string | string[]> | undefined;
  for (const [name, value] of Object.entries(query)) {
    if (name === 'token' || (typeof value !== 'string' && !Array.isArray(value))) continue;
    kept ??= {};
    kept[name] = value as string | string[];
  }
  return kept;
}
