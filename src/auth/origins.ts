// Origin allow-lists for browser clients, one check for every transport. CORS does not protect WebSockets (a page
// on any site may open one and the browser sends its cookies along: Cross-Site WebSocket Hijacking, CWE-1385),
// and CORS only stops a page from *reading* an answer: a "simple" cross-origin POST (form or text/plain body) is
// sent without a preflight. So the server checks Origin itself, on every request and handshake, against an
// explicit list: no wildcard patterns, no substring matching (OWASP).
import { ERRORS, TributaryError } from '../errors.js';

/** `['*']` allows any origin, including the opaque `null` of sandboxed pages; undefined allows none. */
export function originAllowed(allowed: readonly string[] | undefined, origin: string): boolean {
  return allowed !== undefined && (allowed.includes('*') || allowed.includes(origin));
}

/**
 * Throws 403 unless `origin` may use a binding whose allow-list is `allowed`. A request without Origin comes from
 * a non-browser client (browsers always send it on cross-origin requests and WebSocket handshakes, and page
 * script cannot change it); such clients are governed by tokens alone.
 */
export function checkOrigin(allowed: readonly string[] | undefined, origin: string | undefined): void {
  if (origin === undefined || originAllowed(allowed, origin)) return;
  // `null` (sandboxed frames, file: pages) is an opaque origin: it only passes `*`.
  throw new TributaryError(
    ERRORS.AUTH_ORIGIN_NOT_ALLOWED,
    `origin '${origin.slice(0, 200)}' is not in the binding's allowedOrigins`,
  );
}
