// The producer contract against the real broker, for each client the gateway can run with (issue 6): records land
// with key, value and headers intact and on the partition kafkajs picks for their key; a record larger than the
// broker takes is KAFKA_RECORD_TOO_LARGE at once, not retried until the deadline; a missing topic is a retryable
// 503-class error at the deadline, never a hang.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaClientKind } from '../../src/config.js';
import type { ProducerOptions, RecordProducer } from '../../src/kafka/producer.js';
import { createKafka, type KafkaConnection, KafkaProducer } from '../../src/kafka/producer-kafkajs.js';
import { PlatformaticProducer } from '../../src/kafka/producer-platformatic.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger } from '../helpers.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
const { logger } = capturedLogger('error');
const connection: KafkaConnection = { brokers, clientId: 'producer-test', connectionTimeoutMs: 3000 };

function createProducer(
  client: KafkaClientKind,
  conn: KafkaConnection,
  opts: ProducerOptions,
): RecordProducer {
  return client === 'platformatic'
    ? new PlatformaticProducer(conn, opts, logger)
    : new KafkaProducer(createKafka(conn, logger), opts, logger);
}

const topic = `producer-test-${randomUUID()}`;
beforeAll(async () => {
  await reconcileTopics(
    createKafka(connection, logger),
    [topic],
    { partitions: 3, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
});

const keys = Array.from({ length: 24 }, (_, i) => JSON.stringify([`k-${i}`]));
function recordsOf(client: string): OutboundRecord[] {
  return keys.map((key, i) => ({
    topic,
    key,
    value: JSON.stringify({ n: i, client, text: `dökümän ${i}` }),
    headers: { 'tributary-capture': 'test/shop', 'x-seq': String(i), 'x-client': client },
  }));
}

describe.each(['kafkajs', 'platformatic'] as const)('%s producer against the broker', (client) => {
  let producer: RecordProducer;
  beforeAll(async () => {
    producer = createProducer(client, connection, { produceTimeoutMs: 3000, reconnectDelayMs: 200 });
    await producer.start();
    expect(producer.connected()).toBe(true);
  });
  afterAll(() => producer?.close());

  it('lands every record with its key, value and headers, acks=all', async () => {
    const sent = recordsOf(client);
    const before = producer.lastSuccessAt;
    await producer.send(sent);
    expect(producer.lastSuccessAt).toBeGreaterThanOrEqual(before);
    const landed = (await readTopics(brokers, [topic])).filter((r) => r.headers['x-client'] === client);
    // At least once: a retried batch may land twice; every record must be there, intact.
    const bySeq = new Map(landed.map((r) => [r.headers['x-seq'], r]));
    expect(bySeq.size).toBe(sent.length);
    for (const s of sent) {
      const r = bySeq.get(s.headers['x-seq']);
      expect({ key: r?.key, value: r?.value, headers: r?.headers }).toEqual({
        key: s.key,
        value: s.value,
        headers: s.headers,
      });
    }
  });

  it('refuses a record larger than the broker takes as KAFKA_RECORD_TOO_LARGE, without retrying', async () => {
    const huge: OutboundRecord = { topic, key: '["huge"]', value: 'x'.repeat(2 * 1024 * 1024), headers: {} };
    const began = Date.now();
    await expect(producer.send([huge])).rejects.toMatchObject({
      code: 'TRIB_KAFKA_RECORD_TOO_LARGE',
      status: 413,
    });
    expect(Date.now() - began).toBeLessThan(2500);
  });

  it('answers a retryable 503-class error at the deadline for a missing topic', async () => {
    const short = createProducer(client, connection, { produceTimeoutMs: 1000, reconnectDelayMs: 200 });
    await short.start();
    try {
      const began = Date.now();
      const missing = {
        topic: `producer-test-missing-${randomUUID()}`,
        key: '"k"',
        value: '{}',
        headers: {},
      };
      const err = await short.send([missing]).catch((e: unknown) => e);
      expect(err).toMatchObject({ retryable: true, status: 503 });
      expect(Date.now() - began).toBeLessThan(1000 + 1500);
    } finally {
      await short.close();
    }
  });
});

describe('partitioning', () => {
  it('puts a key on the same partition with either client', async () => {
    const landed = await readTopics(brokers, [topic]);
    const partitionOf = (client: string) =>
      new Map(landed.filter((r) => r.headers['x-client'] === client).map((r) => [r.key, r.partition]));
    const kafkajs = partitionOf('kafkajs');
    const platformatic = partitionOf('platformatic');
    expect(kafkajs.size).toBe(keys.length);
    expect(new Set(kafkajs.values()).size).toBeGreaterThan(1);
    for (const key of keys) expect(platformatic.get(key), key).toBe(kafkajs.get(key));
  });
});

// platformatic only: kafkajs's connect() retries by itself for ~10 s before start() and close() return (the
// gateway does not wait on it: kafka-outage.test.ts), which would add 20 s here for nothing new.
describe('a producer with no broker to reach', () => {
  it.each(['platformatic'] as const)('%s: not connected, 503 at once, no hang', async (client) => {
    // A loopback port nothing listens on (port 1 is never served here).
    const p = createProducer(
      client,
      { ...connection, brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500 },
      { produceTimeoutMs: 800, reconnectDelayMs: 100 },
    );
    await p.start();
    expect(p.connected()).toBe(false);
    const began = Date.now();
    await expect(p.send(recordsOf(client).slice(0, 1))).rejects.toMatchObject({
      code: 'TRIB_KAFKA_UNAVAILABLE',
      retryable: true,
    });
    expect(Date.now() - began).toBeLessThan(800 + 1500);
    await p.close();
  });
});

// Issue 14: every codec with either client; read back by the kafkajs consumer (its snappy, lz4 and zstd codecs are
// the ones src/kafka/producer-kafkajs.ts registers, which decode what the Java client writes as well).
describe('compression', () => {
  it.each(
    (['kafkajs', 'platformatic'] as const).flatMap((client) =>
      (['gzip', 'snappy', 'lz4', 'zstd'] as const).map((codec) => [client, codec] as const),
    ),
  )('%s with %s: records land intact', async (client, compression) => {
    const p = createProducer(client, connection, {
      produceTimeoutMs: 3000,
      reconnectDelayMs: 200,
      compression,
    });
    await p.start();
    try {
      const tag = `${client}-${compression}-${randomUUID()}`;
      const sent = Array.from({ length: 20 }, (_, i) => ({
        topic,
        key: JSON.stringify([`c-${i}`]),
        value: JSON.stringify({ i, tag, text: 'compressible '.repeat(20) }),
        headers: { 'x-compression': tag },
      }));
      await p.send(sent);
      const landed = (await readTopics(brokers, [topic])).filter((r) => r.headers['x-compression'] === tag);
      expect(landed.map((r) => r.value).sort()).toEqual(sent.map((r) => r.value).sort());
    } finally {
      await p.close();
    }
  });
});
