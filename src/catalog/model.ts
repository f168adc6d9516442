// The typed, checked model a catalog file becomes. Everything downstream of src/catalog reads only this.
import type { SignatureVerifier } from '../auth/signature.js';
import type { TokenPolicy } from '../auth/tokens.js';
import type { DocumentValidator } from '../validate/document-validator.js';
import type { RateLimit } from './rate-limit.js';

/** Where in which file a catalog entry was declared, for messages like `captures.acmeCo/hooks.bindings[1].target`. */
export interface Location {
  file: string;
  path: string;
  /** The path's keys and indexes from the file's root (`path` is their display form). */
  steps?: ReadonlyArray<string | number>;
  /** 1-based line and column in `file`, set when the problem is reported (src/catalog/positions.ts). */
  line?: number;
  column?: number;
}

/** The delivery id of a binding: a request header (one delivery per request) or a pointer into each document. */
export interface DeduplicatePolicy {
  header?: string;
  pointer?: string;
  windowSeconds: number;
}

/** Where a binding's deliveries refused after admission are kept (`deadLetter`; src/dead-letter/). */
export interface DeadLetterPolicy {
  topic: string;
  /** Bytes of the body kept; a longer body is cut and the entry marked truncated. */
  maxBodyBytes: number;
  /** Entries per second per binding (token bucket, bursts up to this); more are dropped and counted. */
  maxPerSecond: number;
  /** Entry bytes per second per binding; more are dropped and counted. */
  maxBytesPerSecond: number;
}

export interface Collection {
  name: string;
  /** The schema as declared (inline or loaded from its file), `$ref`s left as they are. */
  schema: Record<string, unknown> | boolean;
  /** Shared by every collection whose schema is byte-for-byte the same: compiled once. */
  validate: DocumentValidator;
  /** Composite key, JSON pointers into the stamped document (may point into `/_meta`). */
  key: string[];
  topic: string;
  location: Location;
}

/** Options of `endpoint.ingest`, kept open so later features (auth, CORS, signatures) add fields. */
export interface IngestEndpoint {
  [option: string]: unknown;
}

export interface Capture {
  name: string;
  endpoint: IngestEndpoint;
  bindings: Binding[];
  location: Location;
}

export interface Binding {
  /** Name of the capture that holds it. */
  capture: string;
  /** `resource.name`, unique within the capture. */
  name: string;
  collection: Collection;
  /** URL path template: `resource.path` or `/<capture>/<name>`; `{param}` segments bind path parameters. */
  path: string;
  /** Lower-case header whose value becomes `_meta.webhookId` (e.g. `x-github-delivery`); generated otherwise. */
  idFromHeader?: string;
  /** Lower-case request headers copied to `_meta.headers`; secrets are never kept whatever this says. */
  keepHeaders: string[];
  /** Who may write: the binding's `resource.tokens`, else its capture's `endpoint.ingest.tokens`. */
  tokens: TokenPolicy;
  /** Browser origins allowed to POST (CORS) and to open WebSockets; `['*']` any; undefined none. */
  allowedOrigins: string[] | undefined;
  /** Requests per window for this binding (`resource.rateLimit`, else the capture's); undefined: unlimited. */
  rateLimit?: RateLimit;
  /** Webhook signature checked on the raw body: `resource.signature`, else `endpoint.ingest.signature`. */
  signature?: SignatureVerifier;
  /** Duplicate suppression (`resource.deduplicate`): where the delivery id is and how long it is remembered. */
  deduplicate?: DeduplicatePolicy;
  /** Dead-letter topic for refusals after admission: `resource.deadLetter`, else the capture's. */
  deadLetter?: DeadLetterPolicy;
  /** The binding's `resource` object as written, for options a later stage reads. */
  resource: Record<string, unknown>;
  location: Location;
}

export interface Catalog {
  /** Absolute path of the root catalog file. */
  file: string;
  collections: Map<string, Collection>;
  /** Push captures only (endpoint.ingest). */
  captures: Map<string, Capture>;
  /** Every served binding, in declaration order. */
  bindings: Binding[];
}

export interface CatalogProblem {
  location: Location;
  message: string;
}
