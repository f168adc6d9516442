// Produce (API key 0) requests and responses, v0-v11 (ProduceRequest.json / ProduceResponse.json). Records are
// read with @platformatic/kafka's readRecordsBatch (record batch v2: CRC-framed, gzip/snappy/lz4/zstd).
import { crc32c, Reader, readRecordsBatch, Writer } from '@platformatic/kafka';
import { FrameError, type FrameReader } from './wire.js';

export interface PartitionBatch {
  partition: number;
  /** Record values in order; a record without a value is an empty buffer (refused as an empty document). */
  values: Buffer[];
  producerId: bigint;
  producerEpoch: number;
  firstSequence: number;
  /** Set when the records could not be read: answered CORRUPT_MESSAGE. */
  corrupt?: string;
}

export interface TopicData {
  topic: string;
  partitions: PartitionBatch[];
}

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: TopicData[];
}

const BATCH_MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const CRC_COVERS_FROM = 21;

export function readProduceRequest(r: FrameReader, version: number, flexible: boolean): ProduceRequest {
  const transactionalId = version >= 3 ? r.string(flexible) : null;
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics =
    r.array(flexible, (t) => {
      const topic = t.string(flexible) ?? '';
      const partitions =
        t.array(flexible, (p) => {
          const partition = p.int32();
          const records = p.bytes(flexible);
          if (flexible) p.taggedFields();
          return readBatches(partition, records);
        }) ?? [];
      if (flexible) t.taggedFields();
      return { topic, partitions };
    }) ?? [];
  if (flexible) r.taggedFields();
  return { transactionalId, acks, timeoutMs, topics };
}

/** A partition's record set: record batches v2, back to back. */
function readBatches(partition: number, records: Buffer | null): PartitionBatch {
  const out: PartitionBatch = {
    partition,
    values: [],
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
  };
  if (records === null || records.length === 0) {
    out.corrupt = 'no record batch';
    return out;
  }
  try {
    let at = 0;
    let first = true;
    while (at < records.length) {
      if (records.length - at < 61) throw new FrameError('truncated record batch');
      const length = records.readInt32BE(at + 8);
      const end = at + 12 + length;
      if (length < 49 || end > records.length) throw new FrameError('record batch length out of range');
      const magic = records.readInt8(at + BATCH_MAGIC_OFFSET);
      if (magic !== 2) throw new FrameError(`record batch magic ${magic}: only v2 is read`);
      // The CRC-32C covers attributes to the end: a flipped bit is refused before any record is read.
      const crc = records.readUInt32BE(at + CRC_OFFSET);
      if (crc32c(records.subarray(at + CRC_COVERS_FROM, end)) >>> 0 !== crc) {
        throw new FrameError('record batch CRC mismatch');
      }
      const batch = readRecordsBatch(Reader.from(records.subarray(at, end)));
      if (first) {
        out.producerId = batch.producerId;
        out.producerEpoch = batch.producerEpoch;
        out.firstSequence = batch.firstSequence;
        first = false;
      }
      for (const record of batch.records) out.values.push(record.value ?? EMPTY);
      at = end;
    }
  } catch (err) {
    out.values = [];
    out.corrupt = err instanceof Error ? err.message : String(err);
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

export interface PartitionAnswer {
  partition: number;
  errorCode: number;
  baseOffset: bigint;
  /** KIP-467 (v8+): which records of the batch were bad and why. */
  recordErrors?: Array<{ index: number; message: string }>;
  errorMessage?: string;
}

export interface TopicAnswer {
  topic: string;
  partitions: PartitionAnswer[];
}

export function produceResponseBody(version: number, flexible: boolean, topics: TopicAnswer[]): Writer {
  const w = Writer.create();
  w.appendArray(
    topics,
    (t, topic) => {
      t.appendString(topic.topic, flexible);
      t.appendArray(
        topic.partitions,
        (p, a) => {
          p.appendInt32(a.partition).appendInt16(a.errorCode).appendInt64(a.baseOffset);
          if (version >= 2) p.appendInt64(-1n);
          if (version >= 5) p.appendInt64(0n);
          if (version >= 8) {
            p.appendArray(
              a.recordErrors ?? [],
              (e, re) => e.appendInt32(re.index).appendString(re.message, flexible),
              flexible,
              flexible,
            );
            p.appendString(a.errorMessage ?? null, flexible);
          }
        },
        flexible,
        flexible,
      );
    },
    flexible,
    flexible,
  );
  if (version >= 1) w.appendInt32(0);
  if (flexible) w.appendTaggedFields();
  return w;
}
