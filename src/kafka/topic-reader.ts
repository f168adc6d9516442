// Reads one topic from its beginning up to the end offsets it had when asked (`tributary replay` reads a
// dead-letter topic this way), in bounded batches: records produced meanwhile are left for the next run, and a
// topic larger than memory is never held whole (kafkajs fetches at most maxBytes ahead, and the next fetch
// waits for the handler). kafkajs, like the admin work, whichever producer client the gateway uses.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface ReadRecord {
  partition: number;
  offset: string;
  /** Epoch ms Kafka stamped the record with. */
  timestamp: number;
  value: string | null;
}

/** Per partition, the offset after its last record; partitions without records are left out. */
export type TopicEnds = ReadonlyMap<number, bigint>;

export async function topicEnds(kafka: Kafka, topic: string): Promise<TopicEnds> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  return ends;
}

export interface ReadOptions {
  /** Records handed to `each` at once at most. */
  batchSize?: number;
  /** Rejects when no record came for this long while some partition is not read to its end. */
  idleTimeoutMs?: number;
  /** Bytes fetched ahead at most (kafkajs maxBytes): with batchSize, what the read holds in memory. */
  maxBytes?: number;
}

/**
 * Every record of `topic` below `ends`, partition by partition in offset order, in batches of at most
 * batchSize; `each` is awaited before the next batch. Partitions interleave in no fixed order.
 */
export async function readTopicBatches(
  kafka: Kafka,
  topic: string,
  ends: TopicEnds,
  each: (batch: ReadRecord[]) => Promise<void>,
  opts: ReadOptions = {},
): Promise<void> {
  if (ends.size === 0) return;
  const batchSize = opts.batchSize ?? 100;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  // A group of its own that commits nothing: the reader leaves no offsets behind and always starts at the
  // beginning (kafkajs cannot consume without a group).
  const consumer = kafka.consumer({
    groupId: `tributary-reader-${randomUUID()}`,
    maxBytes: opts.maxBytes ?? 4 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const left = new Set(ends.keys());
    let read = 0;
    // A handler that failed ends the read: its batch is not handed over again (kafkajs would retry it).
    let failed = false;
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const idle = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            reject(new Error(`read ${read} records of ${topic}, then nothing for ${idleMs} ms, not its end`)),
          idleMs,
        );
      };
      idle();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, heartbeat }) => {
            const end = ends.get(batch.partition);
            if (failed || end === undefined || !left.has(batch.partition)) return;
            const wanted = batch.messages.filter((m) => BigInt(m.offset) < end);
            for (let i = 0; i < wanted.length; i += batchSize) {
              const records = wanted.slice(i, i + batchSize).map((m) => ({
                partition: batch.partition,
                offset: m.offset,
                timestamp: Number(m.timestamp),
                value: m.value?.toString('utf8') ?? null,
              }));
              clearTimeout(timer);
              try {
                await each(records);
              } catch (err) {
                failed = true;
                reject(err);
                return;
              }
              read += records.length;
              idle();
              // The handler may have taken long (replay produces each entry): stay in the group.
              await heartbeat();
            }
            const last = wanted.at(-1);
            if (last !== undefined && BigInt(last.offset) + 1n >= end) left.delete(batch.partition);
            if (left.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
  }
}
