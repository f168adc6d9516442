// What a dead-letter topic holds (README "Dead letters"): one JSON record per delivery refused after admission,
// and one per replay of it. An entry carries what replay needs to submit the delivery again through the same
// accept step (body as received, content type and encoding, kept headers, query, route) and what an operator
// needs to see why it was refused (the problem with its per-document errors). Never a secret: only the
// binding's keepHeaders, idFromHeader and deduplicate header are kept, which the catalog check keeps free of
// credentials and signatures (src/catalog/captures.ts), and the query is the one without its token.
import { isUtf8 } from 'node:buffer';
import type { Binding, DeadLetterPolicy } from '../catalog/model.js';
import type { DocumentProblem, TributaryError } from '../errors.js';
import type { Settlement } from '../ingest/front-door.js';
import type { OutboundRecord } from '../kafka/record.js';

/** Bytes as received: UTF-8 text when they are, else base64 (and always base64 when Content-Encoding is set). */
export interface EncodedBytes {
  encoding: 'utf8' | 'base64';
  data: string;
  /** Length of the bytes as received, before any cut. */
  bytes: number;
  /** True when only the first maxBodyBytes were kept: such an entry cannot be replayed. */
  truncated: boolean;
}

export interface RejectedEntry {
  kind: 'rejected';
  version: 1;
  /** UUIDv7 of the entry: what a replay names (`_meta.replayOf`), and what its marker points at. */
  id: string;
  capture: string;
  binding: string;
  transport: string;
  /** The path the delivery was sent to, without its query. */
  route: string;
  requestId: string;
  receivedAt: string;
  contentType?: string;
  contentEncoding?: string;
  /** WebSocket frames: sent as a binary message. */
  binary?: boolean;
  headers: Record<string, string>;
  query?: Record<string, string | string[]>;
  /** A body or a frame. */
  body?: EncodedBytes;
  /** A produce request's record values (a Kafka-protocol listener). */
  records?: EncodedBytes[];
  problem: { code: string; status: number; detail: string; documents?: DocumentProblem[] };
}

/** Written after a replay accepted the entry: a later replay skips it, so an entry is produced once. */
export interface ReplayedMarker {
  kind: 'replayed';
  version: 1;
  id: string;
  /** The RejectedEntry's id. */
  entry: string;
  capture: string;
  binding: string;
  at: string;
  published: number;
}

export type DeadLetterRecord = RejectedEntry | ReplayedMarker;

/** The request headers an entry keeps: those `_meta` and duplicate checks read on replay, never secrets. */
export function keptHeaderNames(binding: Binding): string[] {
  const names = [...binding.keepHeaders];
  if (binding.idFromHeader !== undefined) names.push(binding.idFromHeader);
  if (binding.deduplicate?.header !== undefined) names.push(binding.deduplicate.header);
  return [...new Set(names)];
}

export function encodeBytes(raw: Buffer, maxBytes: number, encoded = false): EncodedBytes {
  const truncated = raw.length > maxBytes;
  const kept = truncated ? raw.subarray(0, maxBytes) : raw;
  // A cut inside a multi-byte character makes the text invalid UTF-8: then it is base64 like any binary body.
  const text = !encoded && isUtf8(kept);
  return {
    encoding: text ? 'utf8' : 'base64',
    data: kept.toString(text ? 'utf8' : 'base64'),
    bytes: raw.length,
    truncated,
  };
}

export function decodeBytes(encoded: EncodedBytes): Buffer {
  return Buffer.from(encoded.data, encoded.encoding);
}

/** The entry for a refused settlement (its `error` and `raw` set). */
export function rejectedEntry(
  settlement: Settlement,
  error: TributaryError,
  policy: Pick<DeadLetterPolicy, 'maxBodyBytes'>,
  id: string,
): RejectedEntry {
  const { admission, binding, payload, raw } = settlement;
  const headers: Record<string, string> = {};
  for (const name of keptHeaderNames(binding)) {
    const value = admission.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const entry: RejectedEntry = {
    kind: 'rejected',
    version: 1,
    id,
    capture: binding.capture,
    binding: binding.name,
    transport: admission.transport,
    route: admission.route,
    requestId: admission.requestId,
    receivedAt: payload.receivedAt.toISOString(),
    headers,
    problem: { code: error.code, status: error.status, detail: error.message },
  };
  if (error.documents !== undefined) entry.problem.documents = error.documents;
  if (admission.query !== undefined && Object.keys(admission.query).length > 0) entry.query = admission.query;
  if (payload.kind === 'body') {
    if (payload.contentType !== undefined) entry.contentType = payload.contentType;
    const encoding = payload.contentEncoding;
    if (encoding !== undefined) entry.contentEncoding = encoding;
    const encoded = encoding !== undefined && encoding.toLowerCase() !== 'identity';
    entry.body = encodeBytes(raw as Buffer, policy.maxBodyBytes, encoded);
  } else if (payload.kind === 'frame') {
    entry.binary = payload.binary;
    entry.body = encodeBytes(raw as Buffer, policy.maxBodyBytes);
  } else {
    // The bound covers the request, not each value: a produce request of 1,000 values stays maxBodyBytes.
    let left = policy.maxBodyBytes;
    entry.records = (raw as readonly Buffer[]).map((value) => {
      const kept = encodeBytes(value, left);
      left = Math.max(0, left - value.length);
      return kept;
    });
  }
  return entry;
}

export function deadLetterRecord(
  topic: string,
  record: DeadLetterRecord,
  requestId?: string,
): OutboundRecord {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'tributary-capture': record.capture,
    'tributary-binding': record.binding,
    'tributary-dead-letter': record.kind,
  };
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  // Keyed by binding: one binding's entries and markers keep their order within a partition.
  return { topic, key: `${record.capture}/${record.binding}`, value: JSON.stringify(record), headers };
}

/** A dead-letter record read back, or undefined for anything else on the topic. */
export function parseDeadLetterRecord(value: string | null): DeadLetterRecord | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Partial<DeadLetterRecord>;
  if (record.version !== 1 || typeof record.id !== 'string') return undefined;
  if (record.kind === 'rejected' && typeof record.problem === 'object') return record as RejectedEntry;
  if (record.kind === 'replayed' && typeof record.entry === 'string') return record as ReplayedMarker;
  return undefined;
}
