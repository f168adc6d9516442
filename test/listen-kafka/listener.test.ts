// The listener with real Kafka clients (kafkajs, @platformatic/kafka) and a recording sink: the protocol, SASL,
// all-or-nothing refusals with KIP-467 record errors, idempotent retries. Kafka behaviour itself (acks=all,
// read-back) is test/integration/kafka-listener.test.ts's.

import { connect } from 'node:net';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { type KafkaListener, startKafkaListener } from '../../src/listen-kafka/listener.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { initProducerIdFrame, produceFrame } from './frames.js';

const TOKEN = 'kl-secret-token';
let app: App;
let listener: KafkaListener;
let produced: OutboundRecord[];
let broker: string;
let lines: string[];
/** What the recording sink does with the next produce call. */
let sinkMode: 'ok' | 'timeout' | { hold: Promise<void> } = 'ok';

beforeAll(async () => {
  process.env['KL_TOKEN'] = TOKEN;
  produced = [];
  const config = defaultConfig({
    kafkaListen: '127.0.0.1:0',
    kafkaListenPartitions: 2,
    maxInFlightDocuments: 2,
  });
  const captured = capturedLogger();
  const { logger } = captured;
  lines = captured.lines;
  app = await buildApp({
    config,
    catalog: await fixtureCatalog('kafka-listener.yaml'),
    logger,
    sink: {
      async produce(records) {
        const mode = sinkMode;
        if (mode === 'timeout') throw new TributaryError(ERRORS.KAFKA_TIMEOUT, 'Kafka did not answer');
        if (mode !== 'ok') await mode.hold;
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

describe('semantics', () => {
  it('answers REQUEST_TIMED_OUT when Kafka does not acknowledge in time', async () => {
    const producer = kafkajs().producer();
    await producer.connect();
    sinkMode = 'timeout';
    const err = await producer
      .send({ topic: 'kl.hooks.open', messages: [{ value: '{"id":"late"}' }] })
      .catch((e: unknown) => e);
    sinkMode = 'ok';
    expect(err).toMatchObject({ cause: { type: 'REQUEST_TIMED_OUT' } });
    await producer.disconnect();
  });

  it('validates and produces acks=0 requests without answering them', async () => {
    const producer = kafkajs().producer();
    await producer.connect();
    const before = produced.length;
    await producer.send({ topic: 'kl.hooks.open', acks: 0, messages: [{ value: '{"id":"fire"}' }] });
    await producer.send({ topic: 'kl.hooks.open', acks: -1, messages: [{ value: '{"id":"after"}' }] });
    expect(values(before).map((d) => d.id)).toEqual(['fire', 'after']);
    await producer.disconnect();
  });

  it('refuses a request spanning two bindings whole when one record is bad', async () => {
    const producer = kafkajs().producer();
    await producer.connect();
    const before = produced.length;
    const err = await producer
      .sendBatch({
        topicMessages: [
          { topic: 'kl.hooks.open', messages: [{ value: '{"id":"fine"}' }] },
          { topic: 'other-things', messages: [{ value: '{"n":"bad"}' }] },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'INVALID_RECORD' });
    expect(produced.length).toBe(before);
    await producer.disconnect();
  });

  it('holds requests while the in-flight bound is full, and answers them once it frees', async () => {
    let release!: () => void;
    sinkMode = { hold: new Promise<void>((r) => (release = r)) };
    const producer = kafkajs().producer();
    await producer.connect();
    const before = produced.length;
    const sends = [0, 1, 2].map((i) =>
      producer.send({
        topic: 'kl.hooks.open',
        messages: [{ value: `{"id":"held-${i}a"}` }, { value: `{"id":"held-${i}b"}` }],
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(app.capacity.inFlight().documents).toBe(2);
    sinkMode = 'ok';
    release();
    await Promise.all(sends);
    expect(produced.length - before).toBe(6);
    await producer.disconnect();
  });
});

describe('framing', () => {
  /** Sends raw bytes; resolves with what came back before the server closed or 300 ms of quiet. */
  function raw(bytes: Buffer): Promise<{ answer: Buffer; closed: boolean }> {
    return new Promise((resolve) => {
      const socket = connect(listener.address.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      const done = (closed: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ answer: Buffer.concat(chunks), closed });
      };
      socket.on('data', (c) => {
        chunks.push(c);
        clearTimeout(timer);
        timer = setTimeout(() => done(false), 300);
      });
      socket.on('close', () => done(true));
      socket.on('error', () => {});
      socket.write(bytes);
      timer = setTimeout(() => done(false), 1000);
    });
  }
  const withLength = (body: Buffer) => {
    const out = Buffer.alloc(4 + body.length);
    out.writeInt32BE(body.length);
    body.copy(out, 4);
    return out;
  };

  it('answers an ApiVersions version it does not speak with UNSUPPORTED_VERSION and the ranges', async () => {
    // ApiVersions v9, correlation id 5, no client id.
    const { answer, closed } = await raw(withLength(Buffer.from('001200090000000500000000', 'hex')));
    expect(closed).toBe(false);
    expect(answer.readInt32BE(4)).toBe(5);
    expect(answer.readInt16BE(8)).toBe(35);
    expect(answer.readInt32BE(10)).toBeGreaterThan(3);
  });

  it('answers an API it does not serve, and keeps the connection', async () => {
    // Fetch v4 (listed for librdkafka, not served), correlation id 6.
    const { answer, closed } = await raw(withLength(Buffer.from('0001000400000006ffff00000000', 'hex')));
    expect([closed, answer.readInt32BE(4), answer.readInt16BE(8)]).toEqual([false, 6, 35]);
  });

  it('closes the connection on a malformed frame or one over the size limit, with a log line', async () => {
    expect((await raw(withLength(Buffer.from('000000090000000700', 'hex')))).closed).toBe(true);
    expect((await raw(Buffer.from('7fffffff00000000', 'hex'))).closed).toBe(true);
    expect(lines.some((l) => l.includes('malformed Kafka request'))).toBe(true);
  });

  it('answers a retried idempotent batch with its first offset and produces it once; a gap is refused', async () => {
    const init = await raw(withLength(initProducerIdFrame()));
    // length, correlation id, throttle, error, producer id, epoch
    expect(init.answer.readInt16BE(12)).toBe(0);
    const producer = { id: init.answer.readBigInt64BE(14), epoch: init.answer.readInt16BE(22), sequence: 0 };
    // Produce v9 response: length, correlation id, tagged, topics (1), name, partitions (1), index, error, offset.
    const answerOf = (answer: Buffer) => {
      const at = 4 + 4 + 1 + 1 + 1 + 'kl.hooks.open'.length + 1 + 4;
      return { error: answer.readInt16BE(at), offset: answer.readBigInt64BE(at + 2) };
    };
    const before = produced.length;
    const frame = withLength(produceFrame(['{"id":"idem-1"}', '{"id":"idem-2"}'], { producer }));
    const first = answerOf((await raw(frame)).answer);
    const retried = answerOf((await raw(frame)).answer);
    expect(first.error).toBe(0);
    expect(retried).toEqual(first);
    expect(produced.length - before).toBe(2);
    const gap = withLength(produceFrame(['{"id":"idem-9"}'], { producer: { ...producer, sequence: 7 } }));
    expect(answerOf((await raw(gap)).answer).error).toBe(45);
    expect(produced.length - before).toBe(2);
  });

  it("answers a Produce frame built by hand, with the listener's own offsets", async () => {
    const { answer } = await raw(withLength(produceFrame(['{"id":"raw-1"}', '{"id":"raw-2"}'])));
    expect(answer.readInt32BE(4)).toBe(7);
    expect(values(produced.length - 2).map((d) => d.id)).toEqual(['raw-1', 'raw-2']);
  });
});

describe('limits', () => {
  it('refuses connections over --kafka-listen-max-connections', async () => {
    const config = defaultConfig({ kafkaListen: '127.0.0.1:0', kafkaListenMaxConnections: 1 });
    const small = await startKafkaListener({
      config,
      catalog: () => app.catalog(),
      door: app.door,
      capacity: app.capacity,
      logger: capturedLogger().logger,
    });
    const open = () =>
      new Promise<ReturnType<typeof connect>>((resolve) => {
        const s = connect(small.address.port, '127.0.0.1', () => resolve(s));
        s.on('error', () => {});
      });
    const first = await open();
    await new Promise((r) => setTimeout(r, 50));
    const second = await open();
    const closed = await new Promise<boolean>((resolve) => {
      second.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2000);
    });
    expect([closed, small.connections()]).toEqual([true, 1]);
    first.destroy();
    await small.close();
  });
});
