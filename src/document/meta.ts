// `_meta`: the one field the gateway adds to every document. Everything else reaches Kafka as the sender sent it.
import { createHash, randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Binding } from '../catalog/model.js';
import { ERRORS, TributaryError } from '../errors.js';

// uuid's v7() takes 16 fresh bytes from crypto.getRandomValues on every call, a trip into C++ per document that
// the bench profile put at 3% (one document per POST) to 4.7% (NDJSON of 100) of the gateway's CPU. The bytes
// are drawn 4 KiB at a time instead, each used once, and handed to v7 with the same monotonic state uuid keeps
// itself (RFC 9562 §6.2 method 1: a counter seeded from random bits, incremented within one millisecond), so
// ids stay unique and time-ordered within the process exactly as before.
const RANDOM_POOL = new Uint8Array(4096);
let poolOffset = RANDOM_POOL.length;
const v7State = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

export function nextUuid(): string {
  if (poolOffset + 16 > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  const random = RANDOM_POOL.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  const now = Date.now();
  if (now > v7State.msecs) {
    v7State.msecs = now;
    v7State.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    v7State.seq = (v7State.seq + 1) | 0;
    if (v7State.seq === 0) v7State.msecs++;
  }
  return uuidv7({ random, msecs: v7State.msecs, seq: v7State.seq });
}

export interface Meta {
  /** UUIDv7 (RFC 9562): time-ordered, so consumers can sort by it and see the receive time. */
  uuid: string;
  /** ISO 8601 time the gateway received the request. */
  receivedAt: string;
  /** The sender's delivery id (from the binding's idFromHeader), suffixed `/<index>` in multi-document bodies. */
  webhookId: string;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
  pathParams?: Record<string, string>;
  /** Set on documents `tributary replay` produced: the id of the dead-letter entry they came from. */
  replayOf?: string;
}

export interface RequestFacts {
  receivedAt: Date;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[]> | undefined;
  pathParams: Record<string, string> | undefined;
}

/** The parts of `_meta` every document of one request shares, computed once per request. */
export interface SharedMeta {
  receivedAt: string;
  deliveryId: string | undefined;
  headers: Record<string, string> | undefined;
  query: Record<string, string | string[]> | undefined;
  pathParams: Record<string, string> | undefined;
  /** A replayed dead-letter entry's id (src/dead-letter/replay.ts): uuids then derive from it, see stampMeta. */
  replayOf?: string;
}

/**
 * `?__proto__=x` parses to an own `__proto__` key: copied as is it reaches Kafka inside `_meta.query` and poisons
 * a consumer that merges the document (found by fuzzing, issue 7); copied by assignment it sets the prototype of
 * the copy (`?__proto__=a&__proto__=b` makes it an array). Refused like the same key in a body. The routes call
 * this on the parsed query, before any copy: the webhook hook before the body is read, the WebSocket route on
 * the handshake (one HTTP answer instead of one per frame).
 */
export function checkQueryKeys(query: object | undefined): void {
  if (query !== undefined && Object.hasOwn(query, '__proto__')) {
    throw new TributaryError(ERRORS.DECODE_FORBIDDEN_KEY, "query parameter '__proto__' is refused");
  }
}

export function shareMeta(binding: Binding, facts: RequestFacts): SharedMeta {
  const request = requestMeta(binding, facts);
  return { ...request, receivedAt: facts.receivedAt.toISOString() };
}

/** What every document of one request (or every frame of one stream) shares, whenever it is received. */
export type RequestMeta = Omit<SharedMeta, 'receivedAt'>;

/** Computed once per request, or once per WebSocket connection for all of its frames. */
export function requestMeta(binding: Binding, facts: Omit<RequestFacts, 'receivedAt'>): RequestMeta {
  checkQueryKeys(facts.query);
  let headers: Record<string, string> | undefined;
  for (const name of binding.keepHeaders) {
    const value = facts.headers[name];
    if (value === undefined) continue;
    headers ??= {};
    // Repeated headers are joined as RFC 9110 §5.3 allows, instead of silently keeping the first.
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const idHeader = binding.idFromHeader === undefined ? undefined : facts.headers[binding.idFromHeader];
  const deliveryId = Array.isArray(idHeader) ? idHeader[0] : idHeader;
  return {
    deliveryId: deliveryId === '' ? undefined : deliveryId,
    headers,
    query: facts.query !== undefined && Object.keys(facts.query).length > 0 ? facts.query : undefined,
    pathParams:
      facts.pathParams !== undefined && Object.keys(facts.pathParams).length > 0
        ? facts.pathParams
        : undefined,
  };
}

/**
 * `_meta` as JSON from a template built once per payload (issue 17): the shared parts (receivedAt, headers, query,
 * path parameters, replayOf) are serialized once, and each document adds only its uuid and webhook id. Byte for byte what
 * JSON.stringify(meta) gives for the same Meta (same key order), without a stringify per document.
 */
export class MetaTemplate {
  private readonly head: string;
  private readonly tail: string;

  constructor(readonly shared: SharedMeta) {
    this.head = `","receivedAt":${JSON.stringify(shared.receivedAt)},"webhookId":`;
    let tail = '';
    if (shared.headers !== undefined) tail += `,"headers":${JSON.stringify(shared.headers)}`;
    if (shared.query !== undefined) tail += `,"query":${JSON.stringify(shared.query)}`;
    if (shared.pathParams !== undefined) tail += `,"pathParams":${JSON.stringify(shared.pathParams)}`;
    if (shared.replayOf !== undefined) tail += `,"replayOf":${JSON.stringify(shared.replayOf)}`;
    this.tail = `${tail}}`;
  }

  /** The JSON of `meta`, which stampMeta made from this template's shared parts. */
  json(meta: Meta): string {
    // A UUID is hex and dashes: nothing to escape. The webhook id may come from a sender's header.
    const webhookId = meta.webhookId === meta.uuid ? `"${meta.uuid}"` : JSON.stringify(meta.webhookId);
    return `{"uuid":"${meta.uuid}${this.head}${webhookId}${this.tail}`;
  }
}

/**
 * The uuid of document `index` of a replayed entry: the same on every replay of it (its bits are a hash of the
 * entry id and index, its time the original receipt), so a consumer that deduplicates on `_meta.uuid` keeps one
 * copy even if a replay ran twice.
 */
export function replayUuid(entryId: string, index: number, receivedAt: string): string {
  const random = createHash('sha256').update(`${entryId}/${index}`).digest().subarray(0, 16);
  const seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  return uuidv7({ random, msecs: Date.parse(receivedAt), seq });
}

export function stampMeta(shared: SharedMeta, index: number, count: number): Meta {
  const uuid =
    shared.replayOf === undefined ? nextUuid() : replayUuid(shared.replayOf, index, shared.receivedAt);
  let webhookId: string;
  if (shared.deliveryId === undefined) webhookId = uuid;
  else webhookId = count === 1 ? shared.deliveryId : `${shared.deliveryId}/${index}`;
  const meta: Meta = { uuid, receivedAt: shared.receivedAt, webhookId };
  if (shared.headers !== undefined) meta.headers = shared.headers;
  if (shared.query !== undefined) meta.query = shared.query;
  if (shared.pathParams !== undefined) meta.pathParams = shared.pathParams;
  if (shared.replayOf !== undefined) meta.replayOf = shared.replayOf;
  return meta;
}
