// Origin allow-lists for browser clients. CORS does not protect WebSockets (a page on any site may open one and
// the browser sends its cookies along: Cross-Site WebSocket Hijacking, CWE-1385), so the server checks Origin
// itself on every handshake, against an explicit list: no wildcard patterns, no substring matching (OWASP).
import { ERRORS, TributaryError } from '../errors.js';

/**
 * Throws 403 unless `origin` may use a binding whose allow-list is `allowed` (`['*']` any; undefined none).
 * A request without Origin comes from a non-browser client (browsers always send it on WebSocket handshakes, and
 * page script cannot change it); such clients are governed by tokens alone.
 */
export function checkOrigin(allowed: readonly string[] | undefined, origin: string | undefined): void {
  if (origin === undefined) return;
  if (allowed !== undefined && (allowed.includes('*') || allowed.includes(origin))) return;
  // `null` (sandboxed frames, file: pages) is an opaque origin: it only passes `*`.
  throw new TributaryError(
    ERRORS.AUTH_ORIGIN_NOT_ALLOWED,
    `origin '${origin.slice(0, 200)}' is not allowed for this binding`,
  );
}
