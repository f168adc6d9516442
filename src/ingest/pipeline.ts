// The per-document stages of accept (src/ingest/front-door.ts): validate, then `_meta` / key / record.
// Every document of a request is validated before any is produced: one bad document rejects them all.
import type { Binding, Collection } from '../catalog/model.js';
import type { Document } from '../decode/json.js';
import { rawTextOf, spliceMeta } from '../decode/raw-text.js';
import { compileKey, type KeyExtractor } from '../document/key.js';
import { MetaTemplate, type SharedMeta, stampMeta } from '../document/meta.js';
import { type DocumentProblem, ERRORS, TributaryError } from '../errors.js';
import type { OutboundRecord } from '../kafka/record.js';

export interface Sink {
  /** Resolves once Kafka acknowledged every record with acks=all; rejects with a TributaryError otherwise. */
  produce(records: OutboundRecord[], deadline: number): Promise<void>;
}

export interface PreparedDocuments {
  records: OutboundRecord[];
  webhookIds: string[];
  bytes: number;
}

/** Per-document details in one answer are capped: 10,000 bad documents must not make a 10 MB error body. */
const MAX_REPORTED_PROBLEMS = 100;

const keyExtractors = new WeakMap<Collection, KeyExtractor>();

function keyOf(collection: Collection): KeyExtractor {
  let extract = keyExtractors.get(collection);
  if (extract === undefined) {
    extract = compileKey(collection.key);
    keyExtractors.set(collection, extract);
  }
  return extract;
}

export function validateDocuments(binding: Binding, docs: readonly Document[]): void {
  const problems: DocumentProblem[] = [];
  let invalid = 0;
  let reservedMeta = false;
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index]!;
    const failures = binding.collection.validate(doc);
    const hasMeta = Object.hasOwn(doc, '_meta');
    if (failures === null && !hasMeta) continue;
    invalid++;
    if (hasMeta) {
      reservedMeta = true;
      if (problems.length < MAX_REPORTED_PROBLEMS) {
        problems.push({
          index,
          pointer: '/_meta',
          keyword: 'reserved',
          message: '_meta is added by the gateway',
        });
      }
    }
    for (const f of failures ?? []) {
      if (problems.length >= MAX_REPORTED_PROBLEMS) break;
      problems.push({ index, pointer: f.pointer, keyword: f.keyword, message: f.message });
    }
  }
  if (invalid === 0) return;
  const spec =
    reservedMeta && problems.every((p) => p.keyword === 'reserved')
      ? ERRORS.VALIDATE_RESERVED_META
      : ERRORS.VALIDATE_SCHEMA;
  const more =
    problems.length >= MAX_REPORTED_PROBLEMS ? ` (first ${MAX_REPORTED_PROBLEMS} problems listed)` : '';
  throw new TributaryError(
    spec,
    `${invalid} of ${docs.length} document(s) do not match collection '${binding.collection.name}'${more}`,
    { documents: problems },
  );
}

/**
 * Adds `_meta`, extracts the key and serializes each document once. Mutates the freshly parsed documents.
 * `deliveryIds` (deduplicated bindings) go into each record's tributary-delivery-id header, so consumers can
 * deduplicate exactly.
 */
export function prepareDocuments(
  binding: Binding,
  docs: Document[],
  shared: SharedMeta,
  maxRecordBytes: number,
  extraHeaders: Record<string, string> | undefined,
  deliveryIds?: ReadonlyArray<string | undefined>,
): PreparedDocuments {
  const extractKey = keyOf(binding.collection);
  const topic = binding.collection.topic;
  const records: OutboundRecord[] = new Array(docs.length);
  const webhookIds: string[] = new Array(docs.length);
  const template = new MetaTemplate(shared);
  const { capture, name } = binding;
  // Built once per payload rather than spread into every record's headers.
  const extra = extraHeaders === undefined ? [] : Object.entries(extraHeaders);
  let bytes = 0;
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index]!;
    const meta = stampMeta(shared, index, docs.length);
    doc._meta = meta;
    const key = extractKey(doc, index);
    // The sender's own text with _meta spliced in; a document without one (form bodies) is serialized.
    const raw = rawTextOf(doc);
    const value = raw === undefined ? JSON.stringify(doc) : spliceMeta(raw, template.json(meta));
    // A UTF-16 length times 3 bounds the UTF-8 size, so most documents skip the byte count.
    if (value.length * 3 > maxRecordBytes && Buffer.byteLength(value) > maxRecordBytes) {
      throw new TributaryError(
        ERRORS.KAFKA_RECORD_TOO_LARGE,
        `document ${index} is larger than ${maxRecordBytes} bytes`,
        {
          documents: [{ index, pointer: '', message: `larger than ${maxRecordBytes} bytes` }],
        },
      );
    }
    bytes += value.length;
    webhookIds[index] = meta.webhookId;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'tributary-capture': capture,
      'tributary-binding': name,
      'tributary-uuid': meta.uuid,
      'tributary-webhook-id': meta.webhookId,
    };
    for (let i = 0; i < extra.length; i++) headers[extra[i]![0]] = extra[i]![1];
    const deliveryId = deliveryIds?.[index];
    if (deliveryId !== undefined) headers['tributary-delivery-id'] = deliveryId;
    records[index] = { topic, key, value, headers };
  }
  return { records, webhookIds, bytes };
}
