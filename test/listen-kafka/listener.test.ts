// The listener with real Kafka clients (kafkajs, @platformatic/kafka) and a recording sink: the protocol, SASL,
// all-or-nothing refusals with KIP-467 record errors, idempotent retries. Kafka behaviour itself (acks=all,
// read-back) is test/integration/kafka-listener.test.ts's.
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { type KafkaListener, startKafkaListener } from '../../src/listen-kafka/listener.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const TOKEN = 'kl-secret-token';
let app: App;
let listener: KafkaListener;
let produced: OutboundRecord[];
let broker: string;

beforeAll(async () => {
  process.env['KL_TOKEN'] = TOKEN;
  produced = [];
  const config = defaultConfig({ kafkaListen: '127.0.0.1:0', kafkaListenPartitions: 2 });
  const { logger } = capturedLogger();
  app = await buildApp({
    config,
    catalog: await fixtureCatalog('kafka-listener.yaml'),
    logger,
    sink: {
      async produce(records) {
        produced.push(...records);
      },
    },
  });
  listener = await startKafkaListener({
    config,
    catalog: () => app.catalog(),
    door: app.door,
    capacity: app.capacity,
    logger,
  });
  broker = `127.0.0.1:${listener.address.port}`;
});
afterAll(async () => {
  await listener.close();
  await app.fastify.close();
});

function kafkajs(sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; password: string }) {
  return new Kafka({
    brokers: [broker],
    clientId: 'kl-test',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ...(sasl ? { sasl: { ...sasl, username: 'someone' } as SASLOptions } : {}),
  });
}

const values = (from: number) => produced.slice(from).map((r) => JSON.parse(r.value));

describe('kafkajs', () => {
  it('produces valid documents to the binding, stamped with _meta', async () => {
    const producer = kafkajs().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const before = produced.length;
    const [result] = await producer.send({
      topic: 'kl.hooks.open',
      acks: -1,
      messages: [{ value: '{"id":"a","n":1}' }, { value: '{"id":"b"}', partition: 1 }],
    });
    expect(result?.errorCode).toBe(0);
    expect(
      values(before)
        .map((d) => d.id)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(values(before)[0]._meta.uuid).toBeDefined();
    await producer.disconnect();
  });

  it('refuses a request with a bad record: INVALID_RECORD, nothing produced', async () => {
    const producer = kafkajs().producer();
    await producer.connect();
    const before = produced.length;
    const err = await producer
      .send({
        topic: 'kl.hooks.open',
        messages: [{ value: '{"id":"ok"}' }, { value: '{"n":"x"}' }, { value: 'not json' }],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'INVALID_RECORD' });
    expect(produced.length).toBe(before);
    await producer.disconnect();
  });

  it('authenticates with a token as the SASL password (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)', async () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const producer = kafkajs({ mechanism, password: TOKEN }).producer();
      await producer.connect();
      const before = produced.length;
      await producer.send({ topic: 'kl.hooks.secured', messages: [{ value: `{"id":"${mechanism}"}` }] });
      expect(values(before).map((d) => d.id)).toEqual([mechanism]);
      await producer.disconnect();
    }
  });

  it('answers SASL_AUTHENTICATION_FAILED for a wrong token', async () => {
    for (const mechanism of ['plain', 'scram-sha-256'] as const) {
      const producer = kafkajs({ mechanism, password: 'wrong' }).producer();
      const err = await producer.connect().catch((e: unknown) => e);
      expect(String(err), mechanism).toMatch(/SASL|authentication/i);
    }
  });

  it('refuses topics the connection may not write: TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const producer = kafkajs().producer();
    await producer.connect();
    for (const [topic, type] of [
      ['kl.hooks.secured', 'TOPIC_AUTHORIZATION_FAILED'],
      ['kl.hooks.signed', 'TOPIC_AUTHORIZATION_FAILED'],
      ['nope', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]) {
      const err = await producer.send({ topic: topic!, messages: [{ value: '{"id":"x"}' }] }).catch((e) => e);
      expect(`${err.message} ${err.type}`, topic).toContain(
        type === 'TOPIC_AUTHORIZATION_FAILED' ? 'authoriz' : 'does not host',
      );
    }
    await producer.disconnect();
  });
});

describe('@platformatic/kafka', () => {
  it('produces idempotently (InitProducerId, sequences) and sees INVALID_RECORD', async () => {
    const producer = new Producer({
      clientId: 'kl-plt',
      bootstrapBrokers: [broker],
      serializers: stringSerializers,
      idempotent: true,
      retries: 0,
    });
    try {
      const before = produced.length;
      for (let i = 0; i < 3; i++) {
        await producer.send({
          messages: [{ topic: 'other-things', value: `{"n":${i}}` }],
          acks: ProduceAcks.ALL,
        });
      }
      expect(values(before).map((d) => d.n)).toEqual([0, 1, 2]);
      const err = await producer
        .send({ messages: [{ topic: 'other-things', value: '{"n":"bad"}' }], acks: ProduceAcks.ALL })
        .catch((e: unknown) => e);
      const text = (e: unknown): string =>
        JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      const answer = text((err as { errors: unknown[] }).errors[0]);
      expect(answer).toContain('"errorCode":87');
      expect(answer).toContain(
        '"recordErrors":[{"batchIndex":0,"batchIndexErrorMessage":"/n: must be integer"}]',
      );
      expect(produced.length).toBe(before + 3);
    } finally {
      await producer.close();
    }
  });
});
