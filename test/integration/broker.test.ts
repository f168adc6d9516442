// Compatibility proof: kafkajs 2.2.4 (its newest protocol versions are Produce v7, Fetch v11, Metadata v6,
// CreateTopics v3) against the Kafka version pinned in scripts/kafka/pom.xml, which dropped the oldest
// protocol versions (KIP-896). Every API the gateway and these tests rely on goes over the wire here.
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type KafkaMessage, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// kafkajs is CommonJS; take its exports off the default as src/kafka does.
const { CompressionTypes, Kafka, logLevel, Partitioners } = kafkajs;

const bootstrap = inject('kafkaBootstrap');
// Silent: the expected errors below (duplicate topic, missing topic, coordinator still loading on the
// first join) would otherwise print as kafkajs ERROR lines; failures surface through the assertions.
const kafka = new Kafka({
  clientId: 'tributary-broker-test',
  brokers: bootstrap,
  logLevel: logLevel.NOTHING,
});

let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
});

async function newTopic(partitions: number): Promise<string> {
  const topic = `broker-test-${randomUUID()}`;
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
  });
  expect(created).toBe(true);
  return topic;
}

/** Reads `count` messages from the beginning with a fresh consumer group. */
async function consume(
  topic: string,
  count: number,
): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const consumer = kafka.consumer({ groupId: `broker-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const seen: Array<{ partition: number; message: KafkaMessage }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.push({ partition, message });
            if (seen.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('kafkajs 2.2.4 against the local broker', () => {
  it('creates a topic and lists it with its partitions', async () => {
    const topic = await newTopic(3);
    expect(await admin.listTopics()).toContain(topic);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    await expect(admin.createTopics({ topics: [{ topic }] })).resolves.toBe(false);
  });

  it('round-trips keys, values and headers with acks=-1', async () => {
    const topic = await newTopic(3);
    const sent = Array.from({ length: 12 }, (_, i) => ({
      key: `key-${i % 4}`,
      value: JSON.stringify({ n: i, text: `dökümän ${i}` }),
      headers: { 'content-type': 'application/json', 'x-seq': String(i) },
    }));
    const metadata = await producer.send({ topic, acks: -1, messages: sent });
    expect(metadata.map((m) => m.errorCode)).toEqual(metadata.map(() => 0));
    // Usually every partition's batch lands at offset 0 of the fresh topic; on a loaded machine kafkajs may
    // retry the whole request after one partition timed out, writing the others twice (at-least-once; the
    // gateway's producer retries batches itself for this reason). So: read all that landed, dedupe by x-seq.
    const landed = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    expect(landed).toBeGreaterThanOrEqual(sent.length);
    const all = await consume(topic, landed);
    const received = [...new Map(all.map((r) => [r.message.headers?.['x-seq']?.toString(), r])).values()];
    const decoded = received
      .map(({ partition, message }) => ({
        partition,
        key: message.key?.toString(),
        value: message.value?.toString(),
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString()]),
        ),
      }))
      .sort((a, b) => Number(a.headers['x-seq']) - Number(b.headers['x-seq']));
    expect(decoded.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual(sent);
    // Same key, same partition: the property a keyed retry relies on.
    for (const key of new Set(decoded.map((d) => d.key))) {
      expect(new Set(decoded.filter((d) => d.key === key).map((d) => d.partition)).size).toBe(1);
    }
  });

  it('round-trips a gzip batch with a binary value and a null key', async () => {
    const topic = await newTopic(1);
    const binary = Buffer.from([0, 1, 2, 253, 254, 255]);
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: [{ key: null, value: binary }, { value: 'second' }],
    });
    const received = await consume(topic, 2);
    expect(received.map(({ message }) => message.key)).toEqual([null, null]);
    expect(received[0]?.message.value).toEqual(binary);
    expect(received[1]?.message.value?.toString()).toBe('second');
    const [offsets] = await admin.fetchTopicOffsets(topic);
    expect(offsets?.high).toBe('2');
  });

  it('does not auto-create a topic when producing to a missing one', async () => {
    const strict = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    await strict.connect();
    const topic = `broker-test-missing-${randomUUID()}`;
    try {
      await expect(strict.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] })).rejects.toThrow(
        /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/i,
      );
    } finally {
      await strict.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(topic);
  });
});
