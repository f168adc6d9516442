// Request headers that carry credentials or signatures. Keeping them in `_meta.headers` would copy secrets
// into Kafka, where every consumer can read them (Estuary's connector keeps signature headers by default:
// a known gap), so the catalog check refuses them and logging redacts them.
// Lower-case: HTTP header names are case-insensitive (RFC 9110 §5.1) and Node lower-cases them.
import { SIGNATURE_SCHEMES } from './signatures.js';

/** Credentials that are not signatures. */
const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'cookie',
  'proxy-authorization',
  'set-cookie',
  // Browsers can't set Authorization on a WebSocket upgrade, so tokens travel as a subprotocol.
  'sec-websocket-protocol',
];

/** The credentials, then every signature scheme's headers, each once: derived, so a new scheme is covered. */
export const SECRET_HEADERS: readonly string[] = [
  ...new Set([...CREDENTIAL_HEADERS, ...[...SIGNATURE_SCHEMES.values()].flatMap((scheme) => scheme.headers)]),
];

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.includes(name.toLowerCase());
}
