// Reads back what the gateway produced, with a plain kafkajs consumer: the tests compare exact records.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
// Registers kafkajs's snappy, lz4 and zstd codecs: the gateway compresses with lz4 by default, and kafkajs reads
// only gzip by itself (a kafkajs consumer elsewhere needs an LZ4 codec too: README, configuration).
import '../../src/kafka/producer-kafkajs.js';

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Every record of the topics, from the beginning, until `expected` were read or nothing new came for idleMs. */
export async function readTopics(
  brokers: string[],
  topics: string[],
  opts: { expected?: number; timeoutMs?: number; idleMs?: number } = {},
): Promise<ReadRecord[]> {
  const kafka = new Kafka({ brokers, clientId: 'test-reader', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // Read exactly up to the current end offsets, so a test sees what was acknowledged and nothing later.
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, Number(p.high));
  }
  await admin.disconnect();
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const records: ReadRecord[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`read ${records.length} of ${total} records in ${timeoutMs} ms`)),
      timeoutMs,
    );
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
        });
        if (records.length >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return records;
}
