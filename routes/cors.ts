// Browser POSTs to a binding: CORS (https://fetch.spec.whatwg.org/#http-cors-protocol) from the binding's
// allowedOrigins, answered by @fastify/cors with a per-request delegator that looks the binding up by path.
// Which origins may write is decided by src/auth/origins.ts (the front door refuses the others with 403); this
// only says which answer headers a browser gets.
import type { FastifyCorsOptions, FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import { originAllowed } from '../src/auth/origins.js';
import type { Binding } from '../src/catalog/model.js';
import { type BindingMatch, pathOf } from '../src/ingest/router.js';

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
