// @platformatic/kafka's errors, nested the way its producer nests them (MultipleErrors per broker, ResponseError per
// partition), map to the same TributaryError codes as kafkajs's (issue 6). Against the broker: producer.test.ts in
// test/integration.
import { MultipleErrors, NetworkError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ERRORS, TributaryError } from '../../src/errors.js';
import { classifyPlatformaticError, PlatformaticProducer } from '../../src/kafka/producer-platformatic.js';

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
