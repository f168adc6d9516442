// Every error the gateway answers with: a stable code, an HTTP status, and whether the sender may retry.
// Codes are API: clients branch on them. docs/errors.md lists each one (test/errors.test.ts keeps them in step).

export interface ErrorSpec {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  /** True when the same request can succeed later (answered 503/429 with Retry-After). */
  readonly retryable: boolean;
}

function spec(code: string, status: number, title: string, retryable = false): ErrorSpec {
  return Object.freeze({ code, status, title, retryable });
}

export const ERRORS = {
  // routing
  ROUTE_NOT_FOUND: spec('TRIB_ROUTE_NOT_FOUND', 404, 'No binding is served at this path'),
  ROUTE_METHOD_NOT_ALLOWED: spec('TRIB_ROUTE_METHOD_NOT_ALLOWED', 405, 'Method not allowed on a binding'),
  // auth
  AUTH_MISSING_TOKEN: spec('TRIB_AUTH_MISSING_TOKEN', 401, 'A bearer token is required'),
  AUTH_BAD_TOKEN: spec('TRIB_AUTH_BAD_TOKEN', 403, 'The token is not valid for this binding'),
  AUTH_SIGNATURE_MISSING: spec('TRIB_AUTH_SIGNATURE_MISSING', 401, 'A signature header is missing'),
  AUTH_SIGNATURE_MALFORMED: spec('TRIB_AUTH_SIGNATURE_MALFORMED', 401, 'A signature header is malformed'),
  AUTH_SIGNATURE_MISMATCH: spec(
    'TRIB_AUTH_SIGNATURE_MISMATCH',
    401,
    "The signature matches none of the binding's secrets",
  ),
  AUTH_SIGNATURE_STALE: spec(
    'TRIB_AUTH_SIGNATURE_STALE',
    401,
    'The signed timestamp is outside the tolerance',
  ),
  AUTH_ORIGIN_NOT_ALLOWED: spec(
    'TRIB_AUTH_ORIGIN_NOT_ALLOWED',
    403,
    'This origin may not write to the binding',
  ),
  // admission: an option of the binding that this transport cannot honour (src/ingest/options.ts)
  ADMIT_TRANSPORT_REFUSED: spec(
    'TRIB_ADMIT_TRANSPORT_REFUSED',
    403,
    'This binding cannot be written over this transport',
  ),
  // decode
  DECODE_BODY_TOO_LARGE: spec('TRIB_DECODE_BODY_TOO_LARGE', 413, 'Request body exceeds the limit'),
  DECODE_UNSUPPORTED_MEDIA_TYPE: spec('TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Content-Type'),
  DECODE_UNSUPPORTED_ENCODING: spec('TRIB_DECODE_UNSUPPORTED_ENCODING', 415, 'Unsupported Content-Encoding'),
  DECODE_BAD_COMPRESSION: spec('TRIB_DECODE_BAD_COMPRESSION', 400, 'Compressed body is corrupt'),
  DECODE_INVALID_UTF8: spec('TRIB_DECODE_INVALID_UTF8', 400, 'Body is not valid UTF-8'),
  DECODE_EMPTY_BODY: spec('TRIB_DECODE_EMPTY_BODY', 400, 'Request body is empty'),
  DECODE_INVALID_JSON: spec('TRIB_DECODE_INVALID_JSON', 400, 'Malformed JSON'),
  DECODE_NOT_AN_OBJECT: spec('TRIB_DECODE_NOT_AN_OBJECT', 400, 'A document must be a JSON object'),
  DECODE_FORBIDDEN_KEY: spec(
    'TRIB_DECODE_FORBIDDEN_KEY',
    400,
    'Forbidden property name (__proto__ or constructor)',
  ),
  DECODE_INVALID_FORM: spec('TRIB_DECODE_INVALID_FORM', 400, 'Malformed form body'),
  DECODE_TOO_MANY_DOCUMENTS: spec('TRIB_DECODE_TOO_MANY_DOCUMENTS', 413, 'Too many documents in one request'),
  DECODE_TOO_DEEP: spec('TRIB_DECODE_TOO_DEEP', 400, 'JSON nested deeper than the limit'),
  DECODE_NUMBER_OUT_OF_RANGE: spec(
    'TRIB_DECODE_NUMBER_OUT_OF_RANGE',
    400,
    'A JSON number does not fit a 64-bit float',
  ),
  // validate
  VALIDATE_SCHEMA: spec('TRIB_VALIDATE_SCHEMA', 400, 'Documents do not match the collection schema'),
  VALIDATE_RESERVED_META: spec(
    'TRIB_VALIDATE_RESERVED_META',
    400,
    'Documents may not carry _meta: the gateway owns it',
  ),
  // document
  DOCUMENT_KEY_INVALID: spec('TRIB_DOCUMENT_KEY_INVALID', 400, 'A collection key is missing or not a scalar'),
  // kafka
  KAFKA_UNAVAILABLE: spec('TRIB_KAFKA_UNAVAILABLE', 503, 'Kafka is unavailable', true),
  KAFKA_TIMEOUT: spec('TRIB_KAFKA_TIMEOUT', 503, 'Kafka did not acknowledge in time', true),
  KAFKA_RECORD_TOO_LARGE: spec('TRIB_KAFKA_RECORD_TOO_LARGE', 413, 'A document is larger than Kafka accepts'),
  // Kafka's ACLs deny the gateway's principal WRITE (or DESCRIBE) on the topic: an operator must grant it, so the
  // gateway does not retry, and the answer is not a 503 that senders would retry for ever (Confluent's REST
  // proxy answers the same case 403 too).
  KAFKA_NOT_AUTHORIZED: spec(
    'TRIB_KAFKA_NOT_AUTHORIZED',
    403,
    "Kafka's ACLs do not let the gateway write to this collection's topic",
  ),
  // duplicates
  DELIVERY_IN_PROGRESS: spec(
    'TRIB_DELIVERY_IN_PROGRESS',
    503,
    'The same delivery is being processed by another request',
    true,
  ),
  // ops
  OVERLOADED: spec('TRIB_OVERLOADED', 503, 'The gateway is at capacity', true),
  RATE_LIMITED: spec('TRIB_RATE_LIMITED', 429, "The binding's rate limit is reached", true),
  UNDER_PRESSURE: spec(
    'TRIB_UNDER_PRESSURE',
    503,
    'The gateway is under pressure (event loop or memory)',
    true,
  ),
  SHUTTING_DOWN: spec('TRIB_SHUTTING_DOWN', 503, 'The gateway is shutting down', true),
  REQUEST_TIMEOUT: spec('TRIB_REQUEST_TIMEOUT', 408, 'The request body arrived too slowly'),
  BAD_REQUEST: spec('TRIB_BAD_REQUEST', 400, 'Malformed HTTP request'),
  HEADERS_TOO_LARGE: spec('TRIB_HEADERS_TOO_LARGE', 431, 'Request headers exceed the limit'),
  INTERNAL: spec('TRIB_INTERNAL', 500, 'Internal error'),
  // stream (WebSocket)
  STREAM_UNSUPPORTED_PROTOCOL: spec(
    'TRIB_STREAM_UNSUPPORTED_PROTOCOL',
    400,
    'The WebSocket client must offer the tributary.v1 subprotocol',
  ),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof ERRORS;

/** One failure inside a multi-document request: which document and why. */
export interface DocumentProblem {
  /** 0-based position of the document in the request (array index or NDJSON line order). */
  index: number;
  /** JSON pointer into that document. */
  pointer: string;
  message: string;
  keyword?: string;
}

export class TributaryError extends Error {
  readonly spec: ErrorSpec;
  readonly documents: DocumentProblem[] | undefined;
  /** Seconds the client should wait before retrying (retryable errors only). */
  readonly retryAfter: number | undefined;
  /** RFC 9110 §11.6.1 challenge for a 401 (`WWW-Authenticate`): what credentials the binding wants. */
  readonly challenge: string | undefined;
  /** Extra answer headers a transport may send along (rate-limit state on a 429). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    spec: ErrorSpec,
    detail?: string,
    opts: {
      cause?: unknown;
      documents?: DocumentProblem[];
      retryAfter?: number;
      challenge?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail ?? spec.title, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TributaryError';
    this.spec = spec;
    this.documents = opts.documents;
    this.retryAfter = opts.retryAfter ?? (spec.retryable ? 1 : undefined);
    this.challenge = opts.challenge;
    this.headers = opts.headers;
  }

  get code(): string {
    return this.spec.code;
  }
  get status(): number {
    return this.spec.status;
  }
  get retryable(): boolean {
    return this.spec.retryable;
  }
}

/** RFC 9457 problem details, as sent in `application/problem+json` bodies and WebSocket answers. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  retryable: boolean;
  instance?: string;
  documents?: DocumentProblem[];
}

export function toProblem(err: TributaryError, instance?: string): Problem {
  const problem: Problem = {
    type: `urn:tributary:error:${err.code}`,
    title: err.spec.title,
    status: err.status,
    code: err.code,
    detail: err.message,
    retryable: err.retryable,
  };
  if (instance !== undefined) problem.instance = instance;
  if (err.documents !== undefined) problem.documents = err.documents;
  return problem;
}

export function allErrorSpecs(): ErrorSpec[] {
  return Object.values(ERRORS);
}
