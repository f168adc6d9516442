// @platformatic/kafka's errors, nested the way its producer nests them (MultipleErrors per broker, ResponseError per
// partition), map to the same TributaryError codes as kafkajs's (issue 6). Against the broker: producer.test.ts in
// test/integration.
import { MultipleErrors, NetworkError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ERRORS, TributaryError } from '../../src/errors.js';
import {
  classifyPlatformaticError,
  PlatformaticProducer,
  SERIALIZERS,
  toMessages,
} from '../../src/kafka/producer-platformatic.js';
import type { OutboundRecord } from '../../src/kafka/record.js';

/** What Producer.send rejects with when one broker's ProduceResponse carries a partition error. */
function produceFailed(...partitionErrors: number[]): MultipleErrors {
  const errors = Object.fromEntries(
    partitionErrors.map((code, j) => [`/responses/0/partition_responses/${j}`, [code, null]]),
  ) as Record<string, [number, null]>;
  return new MultipleErrors('Producing messages failed.', [new ResponseError(0, 11, errors, {})]);
}

describe('classifyPlatformaticError', () => {
  it('MESSAGE_TOO_LARGE and RECORD_LIST_TOO_LARGE are KAFKA_RECORD_TOO_LARGE, even beside other errors', () => {
    expect(classifyPlatformaticError(produceFailed(10)).code).toBe('TRIB_KAFKA_RECORD_TOO_LARGE');
    expect(classifyPlatformaticError(produceFailed(6, 18)).code).toBe('TRIB_KAFKA_RECORD_TOO_LARGE');
  });

  it('a broker REQUEST_TIMED_OUT or a client timeout is KAFKA_TIMEOUT', () => {
    expect(classifyPlatformaticError(produceFailed(7)).code).toBe('TRIB_KAFKA_TIMEOUT');
    const clientTimeout = new MultipleErrors('Producing messages failed.', [
      new TimeoutError('Request timed out'),
    ]);
    expect(classifyPlatformaticError(clientTimeout).code).toBe('TRIB_KAFKA_TIMEOUT');
  });

  it('anything else is a retryable KAFKA_UNAVAILABLE that keeps the original as cause', () => {
    for (const err of [
      produceFailed(6), // NOT_LEADER_OR_FOLLOWER
      new MultipleErrors('Cannot connect to any broker.', [
        new NetworkError('Connection to 127.0.0.1:1 failed.'),
      ]),
      new UserError('Unknown topic t.'),
      new Error('unexpected'),
      'not even an error',
    ]) {
      const mapped = classifyPlatformaticError(err);
      expect(mapped.code).toBe('TRIB_KAFKA_UNAVAILABLE');
      expect(mapped.retryable).toBe(true);
      expect(mapped.cause).toBe(err);
    }
  });

  it('passes a TributaryError through', () => {
    const own = new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'not connected to Kafka');
    expect(classifyPlatformaticError(own)).toBe(own);
  });
});

describe('PlatformaticProducer', () => {
  it('reports one Produce per broker at a time exactly when idempotent, so the batcher holds partial batches back', async () => {
    const conn = { brokers: ['127.0.0.1:1'], clientId: 'unit', connectionTimeoutMs: 100 };
    const logger = pino({ level: 'silent' });
    for (const idempotent of [true, false]) {
      const producer = new PlatformaticProducer(
        conn,
        { produceTimeoutMs: 1000, reconnectDelayMs: 100, idempotent },
        logger,
      );
      expect(producer.oneProducePerBroker).toBe(idempotent);
      await producer.close();
    }
  });
});

describe('toMessages', () => {
  const record = (binding: string, uuid: string): OutboundRecord => ({
    topic: 'acme.orders',
    key: '["o-1"]',
    value: '{"id":"o-1"}',
    headers: {
      'content-type': 'application/json',
      'tributary-capture': 'acme/shop',
      'tributary-binding': binding,
      'tributary-uuid': uuid,
    },
  });

  it('hands the client the same header bytes, in order, the per-catalog values encoded once', () => {
    const records = [record('orders', 'u-1'), record('orders', 'u-2'), record('refunds', 'u-3')];
    const messages = toMessages(records);
    expect(messages).toHaveLength(3);
    messages.forEach((m, i) => {
      const r = records[i]!;
      expect([m.topic, m.key, m.value]).toEqual([r.topic, r.key, r.value]);
      const headers = m.headers as Map<string, string | Buffer>;
      expect([...headers.keys()]).toEqual(Object.keys(r.headers));
      for (const [name, value] of headers) {
        expect(SERIALIZERS.headerValue(value)?.toString('utf8')).toBe(r.headers[name]);
      }
      // Ids are the record's own: left as text for the client's serializer.
      expect(headers.get('tributary-uuid')).toBe(r.headers['tributary-uuid']);
    });
    const [a, b, c] = messages.map((m) => m.headers as Map<string, string | Buffer>);
    expect(Buffer.isBuffer(a!.get('tributary-binding'))).toBe(true);
    expect(a!.get('tributary-binding')).toBe(b!.get('tributary-binding'));
    expect(c!.get('tributary-binding')).not.toBe(a!.get('tributary-binding'));
    expect(a!.get('content-type')).toBe(c!.get('content-type'));
  });

  it('passes encoded header values through and encodes text as UTF-8', () => {
    const bytes = Buffer.from('é');
    expect(SERIALIZERS.headerValue(bytes)).toBe(bytes);
    expect(SERIALIZERS.headerValue('é')).toEqual(bytes);
    expect(SERIALIZERS.headerValue(undefined)).toBeUndefined();
  });
});
