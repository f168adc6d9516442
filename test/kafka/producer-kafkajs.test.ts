// KafkaProducer.send's own retries (issue 7). The Kafka behaviour behind them (a leader SIGKILLed mid-load
// loses nothing acknowledged) is fault drill 1 in test/faults/; here a stand-in producer shows the contract:
// every retry resends the whole batch in a fresh call, within the deadline, and permanent errors are not retried.
import kafkajs, { type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaProducer } from '../../src/kafka/producer-kafkajs.js';
import { capturedLogger } from '../helpers.js';

const { KafkaJSConnectionError, KafkaJSProtocolError } = kafkajs;

type Batch = { topicMessages: { topic: string; messages: { key: string }[] }[] };

function standIn(outcomes: (Error | undefined)[]) {
  const calls: Batch[] = [];
  const producer = {
    events: { DISCONNECT: 'producer.disconnect' },
    on: () => undefined,
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async (batch: Batch) => {
      calls.push(batch);
      const outcome = outcomes.shift();
      if (outcome) throw outcome;
    },
  };
  let options: unknown;
  const kafka = {
    producer: (opts: unknown) => {
      options = opts;
      return producer;
    },
  } as unknown as Kafka;
  return { kafka, calls, options: () => options };
}

const records = ['a', 'b', 'c'].map((k) => ({ topic: 't', key: k, value: '{}', headers: {} }));

async function started(kafka: Kafka, produceTimeoutMs = 2000): Promise<KafkaProducer> {
  const p = new KafkaProducer(kafka, { produceTimeoutMs, reconnectDelayMs: 100 }, capturedLogger().logger);
  await p.start();
  return p;
}

describe('KafkaProducer.send retries (issue 7)', () => {
  it('turns kafkajs retries off and resends the whole batch in a fresh call after a failure', async () => {
    const s = standIn([new KafkaJSConnectionError('Connection error: ECONNREFUSED'), undefined]);
    const producer = await started(s.kafka);
    await producer.send(records);
    expect(s.options()).toMatchObject({ retry: { retries: 0 } });
    expect(s.calls).toHaveLength(2);
    for (const call of s.calls)
      expect(call.topicMessages[0]!.messages.map((m) => m.key)).toEqual(['a', 'b', 'c']);
  });

  it('gives up at the deadline with a retryable error', async () => {
    const failures = Array.from({ length: 100 }, () => new KafkaJSConnectionError('Connection error'));
    const s = standIn(failures);
    const producer = await started(s.kafka, 600);
    const began = Date.now();
    await expect(producer.send(records)).rejects.toMatchObject({ code: 'TRIB_KAFKA_UNAVAILABLE' });
    expect(Date.now() - began).toBeLessThan(1500);
    expect(s.calls.length).toBeGreaterThan(2);
  });

  it('does not retry a permanent error (record too large)', async () => {
    const tooLarge = new KafkaJSProtocolError({
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
      message: 'too large',
    } as never);
    const s = standIn([tooLarge]);
    const producer = await started(s.kafka);
    await expect(producer.send(records)).rejects.toMatchObject({ code: 'TRIB_KAFKA_RECORD_TOO_LARGE' });
    expect(s.calls).toHaveLength(1);
  });
});
