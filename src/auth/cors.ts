// Browser POSTs to a binding: CORS (https://fetch.spec.whatwg.org/#http-cors-protocol) from the binding's
// allowedOrigins, answered by @fastify/cors with a per-request delegator that looks the binding up by path.
// CORS only stops a browser from *reading* an answer: a "simple" cross-origin POST (form or text/plain body) is
// sent without a preflight, so a request from an origin that is not allowed is also refused outright (403), or
// any web page could write into a binding that needs no token.
import type { FastifyCorsOptions, FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import type { Binding } from '../catalog/model.js';
import { ERRORS, TributaryError } from '../errors.js';
import { type BindingMatch, pathOf } from '../ingest/router.js';

/** `['*']` allows any origin, including the opaque `null` of sandboxed pages; undefined allows none. */
export function originAllowed(allowed: readonly string[] | undefined, origin: string): boolean {
  return allowed !== undefined && (allowed.includes('*') || allowed.includes(origin));
}

/** Server-to-server senders send no Origin; browsers always do on cross-origin requests. */
export function checkOrigin(binding: Pick<Binding, 'allowedOrigins'>, origin: string | undefined): void {
  if (origin === undefined || originAllowed(binding.allowedOrigins, origin)) return;
  throw new TributaryError(
    ERRORS.AUTH_ORIGIN_NOT_ALLOWED,
    "this origin is not in the binding's allowedOrigins",
  );
}

const DISABLED: FastifyCorsOptions = { origin: false };

/** CORS answer for one binding: exact origin echoed (or `*`), POST only, preflights cached for ten minutes. */
export function corsOptions(binding: Binding | undefined, origin: string | undefined): FastifyCorsOptions {
  if (binding === undefined || origin === undefined || !originAllowed(binding.allowedOrigins, origin))
    return DISABLED;
  return {
    origin: binding.allowedOrigins!.includes('*') ? '*' : origin,
    methods: ['POST'],
    // Tokens travel in Authorization, never in cookies: no credentials mode.
    credentials: false,
    exposedHeaders: ['retry-after'],
    maxAge: 600,
    // A plain OPTIONS from an allowed origin gets the CORS headers instead of a text/plain 400.
    strictPreflight: false,
  };
}

export function corsDelegator(
  match: (path: string) => BindingMatch | undefined,
): FastifyCorsOptionsDelegateCallback {
  return (request, callback) => {
    // Webhook senders send no Origin: skip the route lookup on that hot path.
    if (request.headers.origin === undefined) return callback(null, DISABLED);
    callback(null, corsOptions(match(pathOf(request.url))?.binding, request.headers.origin));
  };
}
