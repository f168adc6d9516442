// Reads one topic from its beginning up to the end offsets it had when asked (`tributary replay` reads a
// dead-letter topic this way): records produced meanwhile are left for the next run. kafkajs, like the admin
// work, whichever producer client the gateway uses.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface ReadRecord {
  partition: number;
  offset: string;
  /** Epoch ms Kafka stamped the record with. */
  timestamp: number;
  value: string | null;
}

/** Every record of `topic` up to its current end, in partition order. Rejects after timeoutMs without the end. */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<ReadRecord[]> {
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
  const records: ReadRecord[] = [];
  if (ends.size === 0) return records;
  // A group of its own that commits nothing: the reader leaves no offsets behind and always starts at the
  // beginning (kafkajs cannot consume without a group).
  const consumer = kafka.consumer({ groupId: `tributary-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const left = new Set(ends.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} records of ${topic} in ${timeoutMs} ms, not its end`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            records.push({
              partition,
              offset: message.offset,
              timestamp: Number(message.timestamp),
              value: message.value?.toString('utf8') ?? null,
            });
            if (BigInt(message.offset) + 1n >= end) left.delete(partition);
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
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
