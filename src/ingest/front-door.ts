// The one front door every transport calls (README "Binding options per transport"). A transport turns its
// wire format into an AdmitRequest and a Payload, and the door's answers back into its own; everything between
// is here, in one order, for every transport:
//
//   admit   (per request, handshake or producer connection, before any payload byte is read)
//           route -> origin -> token -> options this transport cannot honour (src/ingest/options.ts) ->
//           request-level signature (its headers are there) -> query keys -> declared size -> rate limit
//   accept  (per request body, frame or produce request; one settle each)
//           signature over the raw bytes -> sender handshakes -> decode -> validate -> deduplicate ->
//           _meta / key / record (with x-request-id and W3C trace context) -> in-flight capacity -> produce
//
// The door knows no transport: no Fastify, no ws, no sockets. Refusals are TributaryErrors with a code; a
// transport maps them onto its own answers (problem+json, a `rejected` frame, a Kafka error code).
// Observers see every refusal in one place: `refused` for those before the payload is trusted (never with a
// body: a stranger must not fill a dead-letter topic), `settled` once per payload after that, with the raw bytes.
import { checkOrigin } from '../auth/origins.js';
import { headerValue, type RequestHeaders, signatureChallenge } from '../auth/signature.js';
import { type Credential, checkToken, queryWithoutToken } from '../auth/tokens.js';
import type { Binding } from '../catalog/model.js';
import { decodeBody } from '../decode/body.js';
import { decodeForm } from '../decode/form.js';
import { decodeFrame } from '../decode/frame.js';
import type { Document } from '../decode/json.js';
import { decodeRecords } from '../decode/records.js';
import { checkQueryKeys, type RequestMeta, requestMeta } from '../document/meta.js';
import { ERRORS, TributaryError } from '../errors.js';
import type { Capacity } from '../ops/capacity.js';
import { recordHeaders } from '../ops/trace.js';
import { type DeliveryClaim, type DeliveryLedger, deliveryIds, type WarnLog } from './duplicates.js';
import { isGithubPing, slackHandshakeAnswer } from './handshakes.js';
import { refusalsFor, type Transport } from './options.js';
import { type PreparedDocuments, prepareDocuments, type Sink, validateDocuments } from './pipeline.js';
import type { BindingMatch, BindingRouter } from './router.js';

/** Who wants to write where, as a transport learned it before reading any payload. */
export interface AdmitRequest {
  transport: Transport;
  /** The binding's address: the HTTP path without its query (a Kafka listener maps its topic to this path). */
  route: string;
  /** A browser's Origin; undefined from non-browser clients. */
  origin: string | undefined;
  /** The credential presented: a bearer token (header, query, subprotocol), a SASL password or SCRAM proof. */
  token: Credential | undefined;
  /** Request-level headers (the handshake's for a stream); `{}` for transports without headers. */
  headers: RequestHeaders;
  /** The parsed query string, token included (it is dropped here); undefined without one. */
  query: Record<string, unknown> | undefined;
  /** Content-Length when the transport knows it before reading: over the limit is refused at once. */
  declaredBytes?: number | undefined;
  /** Correlates logs, answers and records (X-Request-Id, or one the transport made). */
  requestId: string;
}

/** What admission established; a stream keeps it for all of its frames. */
export interface Admission {
  readonly transport: Transport;
  readonly route: string;
  readonly match: BindingMatch;
  readonly requestId: string;
  /** Kept (in memory only) so a stream can be re-admitted when the catalog changes. */
  readonly origin: string | undefined;
  readonly token: Credential | undefined;
  readonly headers: RequestHeaders;
  /** The query without the token: what `_meta.query` shows. */
  readonly query: Record<string, string | string[]> | undefined;
  /** `_meta` parts every document shares: kept headers, query, path parameters, the sender's delivery id. */
  readonly meta: RequestMeta;
  /** Headers every record of this admission carries: x-request-id, traceparent, tracestate. */
  readonly recordHeaders: Record<string, string>;
  /**
   * A dead-letter entry submitted again (src/dead-letter/replay.ts): its signature was verified when it was first
   * received (entries are only written after that), so it is not checked again. Never set by a transport.
   */
  readonly replayOf?: string;
}

/** One unit of work, answered once: an HTTP body, a WebSocket message, or a produce request's record values. */
export type Payload =
  | {
      kind: 'body';
      /** The bytes as received, before Content-Encoding is undone: what a signature covers. */
      raw: Buffer;
      contentType: string | undefined;
      contentEncoding: string | undefined;
      /** The request target as received, for schemes that sign the URL (Twilio). */
      url: string;
      receivedAt: Date;
      /** Epoch ms by which Kafka must have acknowledged; default: requestTimeoutMs from the hand-off. */
      deadline?: number;
    }
  | { kind: 'frame'; raw: Buffer; binary: boolean; receivedAt: Date; deadline?: number }
  | { kind: 'records'; values: Buffer[]; receivedAt: Date; deadline?: number };

export interface Accepted {
  /** Documents Kafka acknowledged (acks=all). */
  published: number;
  webhookIds: string[];
  /** Documents dropped as already delivered (bindings with `deduplicate`). */
  duplicates: number;
  /** Documents the payload held (published + duplicates), 0 for a sender handshake. */
  documents: number;
  /** A sender handshake (GitHub ping, Slack url_verification): answer this as is; nothing was produced. */
  handshake?: object;
}

/** How a stream or listener follows one accept: frame order and backpressure are theirs, not the door's. */
export interface AcceptControl {
  /**
   * The in-flight bound is full: resolves when the payload may try again (the caller stops reading meanwhile:
   * TCP backpressure), rejects with a TributaryError when the caller gives up (shutdown, close).
   */
  whenRoom(): Promise<void>;
  /** The records were handed to the sink, in order: the next payload of the connection may follow. */
  handedOff(documents: number): void;
}

/** Every refusal in one place, for metrics and (issue 16) a dead-letter writer. */
export interface IngestObserver {
  /**
   * Refused before the payload was trusted: admission, or a body whose signature failed. Never given the bytes:
   * unauthenticated refusals are counted, not kept.
   */
  refused(refusal: {
    transport: Transport;
    binding: Binding | undefined;
    error: TributaryError;
    receivedBytes: number;
  }): void;
  /** Once per payload after that: accepted (`error` undefined), or refused with everything a writer needs. */
  settled(settlement: Settlement): void;
}

export interface Settlement {
  readonly admission: Admission;
  readonly binding: Binding;
  /** The payload as received (its kind, content type, raw bytes or values), for a rejection; see `raw`. */
  readonly payload: Payload;
  /** The bytes as received; undefined for an accepted payload (let go once prepared). */
  readonly raw: Buffer | readonly Buffer[] | undefined;
  readonly receivedBytes: number;
  /** Accepted: produced; refused: decoded (0 when decoding failed). */
  readonly documents: number;
  readonly acceptedBytes: number;
  readonly error: TributaryError | undefined;
}

export interface DoorLimits {
  /** Bytes of a body as sent (TRIBUTARY_BODY_LIMIT): a larger declared Content-Length is refused at admission. */
  bodyLimit: number;
  maxDecodedBytes: number;
  maxDocuments: number;
  maxDepth: number;
  maxRecordBytes: number;
  requestTimeoutMs: number;
}

export interface FrontDoorDeps {
  /** Read on every admission, so a reloaded catalog takes effect at once. */
  router: () => BindingRouter;
  sink: Sink;
  capacity: Capacity;
  deliveries: DeliveryLedger;
  limits: DoorLimits;
  /** TRIBUTARY_PUBLIC_URL, for schemes that sign the public URL. */
  publicUrl: string | undefined;
  /** A binding's request budget (`rateLimit`; src/ops/overload.ts): throws 429 TRIB_RATE_LIMITED when spent. */
  rateGate?: (binding: Binding) => Promise<void>;
  observer?: IngestObserver;
  /** Where duplicate-store warnings go. */
  log: WarnLog;
}

export class FrontDoor {
  constructor(private readonly deps: FrontDoorDeps) {}

  router(): BindingRouter {
    return this.deps.router();
  }

  /** Throws a coded TributaryError (and tells the observer) when the client may not write there this way. */
  async admit(request: AdmitRequest): Promise<Admission> {
    const match = this.deps.router().match(request.route);
    try {
      if (match === undefined) {
        throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, `no binding at ${request.route}`);
      }
      const admission = this.check(request, match);
      if (match.binding.rateLimit !== undefined && this.deps.rateGate !== undefined) {
        await this.deps.rateGate(match.binding);
      }
      return admission;
    } catch (err) {
      this.deps.observer?.refused({
        transport: request.transport,
        binding: match?.binding,
        error: err as TributaryError,
        receivedBytes: 0,
      });
      throw err;
    }
  }

  /**
   * A stream's catalog changed: the same request admitted again against the binding now at its route. Throws
   * (the stream closes 1008) when it may no longer write there.
   */
  readmit(admission: Admission): Admission {
    const request: AdmitRequest = {
      transport: admission.transport,
      route: admission.route,
      origin: admission.origin,
      token: admission.token,
      headers: admission.headers,
      query: admission.query,
      requestId: admission.requestId,
    };
    const match = this.deps.router().match(admission.route);
    if (match === undefined) throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, 'the binding was removed');
    return this.check(request, match);
  }

  /**
   * The checks of admit that need no I/O, also run when a stream's catalog changes: throws when the request
   * may no longer write to `match`.
   */
  check(request: AdmitRequest, match: BindingMatch): Admission {
    const { binding } = match;
    checkOrigin(binding.allowedOrigins, request.origin);
    checkToken(binding.tokens, request.token);
    for (const refusal of refusalsFor(binding, request.transport)) {
      if (refusal.header !== undefined && headerValue(request.headers, refusal.header) === undefined)
        continue;
      throw new TributaryError(refusal.spec, refusal.detail);
    }
    const signature = binding.signature;
    // Request-level: without any of its headers no body can verify, so the body is never read.
    if (
      signature !== undefined &&
      !signature.signatureHeaders.some((h) => request.headers[h] !== undefined)
    ) {
      throw new TributaryError(
        ERRORS.AUTH_SIGNATURE_MISSING,
        `the ${signature.signatureHeaders[0]} header is required`,
        { challenge: signatureChallenge(signature) },
      );
    }
    // On the query as parsed, before any copy: copying it would turn the key into a prototype change.
    checkQueryKeys(request.query);
    if (request.declaredBytes !== undefined && request.declaredBytes > this.deps.limits.bodyLimit) {
      throw new TributaryError(
        ERRORS.DECODE_BODY_TOO_LARGE,
        `body exceeds ${this.deps.limits.bodyLimit} bytes`,
      );
    }
    const query = queryWithoutToken(request.query);
    return {
      transport: request.transport,
      route: request.route,
      match,
      requestId: request.requestId,
      origin: request.origin,
      token: request.token,
      headers: request.headers,
      query,
      meta: requestMeta(binding, { headers: request.headers, query, pathParams: match.pathParams }),
      recordHeaders: recordHeaders(request.requestId, request.headers),
    };
  }

  /**
   * Everything that happens to one payload; resolves once Kafka acknowledged every document, or throws a coded
   * TributaryError, and tells the observer exactly once either way. Takes ownership of `payload`.
   */
  async accept(admission: Admission, payload: Payload, control?: AcceptControl): Promise<Accepted> {
    const { binding } = admission.match;
    const receivedBytes = payloadBytes(payload);
    // Signatures cover the bytes as sent: checked before anything decodes them, and a failure is an admission
    // refusal (no body kept).
    if (payload.kind === 'body' && binding.signature !== undefined && admission.replayOf === undefined) {
      try {
        binding.signature.verify({
          body: payload.raw,
          headers: admission.headers,
          url: payload.url,
          publicUrl: this.deps.publicUrl,
          now: payload.receivedAt.getTime() / 1000,
        });
      } catch (err) {
        const error = withChallenge(err, binding);
        this.deps.observer?.refused({ transport: admission.transport, binding, error, receivedBytes });
        throw error;
      }
    }
    let decoded = 0;
    let prepared: PreparedDocuments | undefined;
    let raw: Buffer | readonly Buffer[] | undefined =
      payload.kind === 'records' ? payload.values : payload.raw;
    try {
      if (payload.kind === 'body' && isGithubPing(binding, admission.headers)) {
        return this.settled(admission, payload, raw, receivedBytes, undefined, {
          published: 0,
          webhookIds: [],
          duplicates: 0,
          documents: 0,
          handshake: { published: 0, webhookIds: [], ping: true },
        });
      }
      let docs = payload.kind === 'body' ? await this.decodeBody(payload) : this.decodeSync(payload);
      decoded = docs.length;
      const handshake = payload.kind === 'body' ? slackHandshakeAnswer(binding, docs) : undefined;
      if (handshake !== undefined) {
        return this.settled(admission, payload, raw, receivedBytes, undefined, {
          published: 0,
          webhookIds: [],
          duplicates: 0,
          documents: 0,
          handshake,
        });
      }
      validateDocuments(binding, docs);
      let claim: DeliveryClaim | undefined;
      let ids: Array<string | undefined> | undefined;
      const deadline = payload.deadline ?? Date.now() + this.deps.limits.requestTimeoutMs;
      if (binding.deduplicate !== undefined) {
        claim = await this.deps.deliveries.claim(
          binding,
          binding.deduplicate,
          deliveryIds(binding.deduplicate, admission.headers, docs),
          deadline,
          this.deps.log,
        );
        const fresh: number[] = [];
        for (let i = 0; i < docs.length; i++) if (!claim.duplicate[i]) fresh.push(i);
        if (fresh.length < docs.length) {
          ids = fresh.map((i) => claim!.ids[i]);
          docs = fresh.map((i) => docs[i]!);
        } else ids = claim.ids;
      }
      try {
        const duplicates = decoded - docs.length;
        if (docs.length === 0) {
          await claim?.settle(true);
          control?.handedOff(0);
          return this.settled(admission, payload, raw, receivedBytes, undefined, {
            published: 0,
            webhookIds: [],
            duplicates,
            documents: decoded,
          });
        }
        const shared = { ...admission.meta, receivedAt: payload.receivedAt.toISOString() };
        prepared = prepareDocuments(
          binding,
          docs,
          shared,
          this.deps.limits.maxRecordBytes,
          admission.recordHeaders,
          ids,
        );
        // Prepared: the raw bytes and parsed documents are no longer needed, so a payload waiting for capacity or
        // Kafka costs its records only. `docs` is captured by a closure above, so it would otherwise live until the
        // acknowledgement: 100 parsed documents per frame promoted to old space (issue 17: live heap after a full
        // GC 37 -> 25-29 MB, CPU per document -9% in bench/batch-ab.mjs with a 100 ms acknowledgement).
        raw = undefined;
        docs = [];
        if (payload.kind === 'records') payload.values = [];
        else payload.raw = EMPTY;
        const count = prepared.records.length;
        // No await when there is room: a frame reaches the sink in the same turn it arrived in.
        if (!this.deps.capacity.tryAcquire(count, prepared.bytes))
          await this.waitForRoom(count, prepared.bytes, control);
        try {
          // A stream's frame gets its full budget from the moment it reaches the sink, not from its arrival.
          const produced = this.deps.sink.produce(
            prepared.records,
            payload.deadline ?? Date.now() + this.deps.limits.requestTimeoutMs,
          );
          control?.handedOff(count);
          await produced;
        } finally {
          this.deps.capacity.release(count, prepared.bytes);
        }
        // Recorded as delivered before the answer leaves: a sender retrying the moment it sees the answer must
        // be told "duplicate", not "in progress".
        await claim?.settle(true);
        return this.settled(
          admission,
          payload,
          undefined,
          receivedBytes,
          undefined,
          {
            published: count,
            webhookIds: prepared.webhookIds,
            duplicates,
            documents: decoded,
          },
          prepared.bytes,
        );
      } catch (err) {
        await claim?.settle(false);
        throw err;
      }
    } catch (err) {
      const error = err instanceof TributaryError ? err : internal(err);
      this.deps.observer?.settled({
        admission,
        binding,
        payload,
        raw,
        receivedBytes,
        documents: decoded,
        acceptedBytes: 0,
        error,
      });
      throw err;
    }
  }

  private settled(
    admission: Admission,
    payload: Payload,
    raw: Buffer | readonly Buffer[] | undefined,
    receivedBytes: number,
    error: undefined,
    accepted: Accepted,
    acceptedBytes = 0,
  ): Accepted {
    this.deps.observer?.settled({
      admission,
      binding: admission.match.binding,
      payload,
      raw,
      receivedBytes,
      documents: accepted.published,
      acceptedBytes,
      error,
    });
    return accepted;
  }

  private decodeBody(payload: Extract<Payload, { kind: 'body' }>): Promise<Document[]> {
    const { limits } = this.deps;
    return decodeBody(
      payload.raw,
      { contentType: payload.contentType, contentEncoding: payload.contentEncoding },
      limits,
      decodeForm,
    );
  }

  private decodeSync(payload: Exclude<Payload, { kind: 'body' }>): Document[] {
    const { limits } = this.deps;
    if (payload.kind === 'frame') return decodeFrame(payload.raw, payload.binary, limits);
    return decodeRecords(payload.values, limits);
  }

  /** No room in the in-flight bound: refused at once (503) for requests, waited for by streams and listeners. */
  private async waitForRoom(
    documents: number,
    bytes: number,
    control: AcceptControl | undefined,
  ): Promise<void> {
    const capacity = this.deps.capacity;
    if (control === undefined) {
      throw new TributaryError(ERRORS.OVERLOADED, 'too many documents in flight; retry shortly');
    }
    do await control.whenRoom();
    while (!capacity.tryAcquire(documents, bytes));
  }
}

const EMPTY = Buffer.alloc(0);

function payloadBytes(payload: Payload): number {
  if (payload.kind !== 'records') return payload.raw.length;
  let bytes = 0;
  for (const value of payload.values) bytes += value.length;
  return bytes;
}

/** A 401 must say what to send (RFC 9110 §11.6.1): the binding's signature scheme and its headers. */
function withChallenge(err: unknown, binding: Binding): TributaryError {
  if (!(err instanceof TributaryError)) return internal(err);
  if (err.status !== 401 || err.challenge !== undefined || binding.signature === undefined) return err;
  return new TributaryError(err.spec, err.message, {
    cause: err.cause,
    challenge: signatureChallenge(binding.signature),
  });
}

function internal(err: unknown): TributaryError {
  return new TributaryError(ERRORS.INTERNAL, 'internal error', { cause: err });
}
