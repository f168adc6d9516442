// The tail's lifecycle without a broker (issue 16): a fake kafkajs client fails, then answers. The real broker
// runs it in test/integration/inspector-tail.test.ts.
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TopicTail } from '../../src/kafka/topic-tail.js';

afterEach(() => {
  vi.useRealTimers();
});

function fakeKafka(answers: boolean[]) {
  const seeks: unknown[] = [];
  const handlers = new Map<string, (e: { payload: Record<string, unknown> }) => void>();
  let run: ((m: object) => Promise<void>) | undefined;
  const kafka = {
    admin: () => ({
      connect: async () => {
        if (!answers.shift()) throw new Error('Connection refused');
      },
      disconnect: async () => {},
      fetchTopicOffsets: async () => [
        { partition: 0, low: '0', high: '10' },
        { partition: 1, low: '7', high: '9' },
      ],
    }),
    consumer: () => ({
      events: { CRASH: 'crash', END_BATCH_PROCESS: 'end' },
      on: (event: string, handler: (e: { payload: Record<string, unknown> }) => void) =>
        handlers.set(event, handler),
      connect: async () => {},
      disconnect: async () => {},
      subscribe: async () => {},
      run: async (opts: { eachMessage: (m: object) => Promise<void> }) => {
        run = opts.eachMessage;
      },
      seek: (s: unknown) => seeks.push(s),
    }),
  } as unknown as Kafka;
  return { kafka, seeks, handlers, message: (m: object) => run!(m) };
}

describe('topic tail (issue 16)', () => {
  it('retries while Kafka is away, then seeks to the last N of each partition and follows', async () => {
    vi.useFakeTimers();
    const { kafka, seeks, handlers, message } = fakeKafka([false, true]);
    const warn = vi.fn();
    const records: unknown[] = [];
    const tail = new TopicTail(kafka, {
      topics: ['dl'],
      last: 5,
      groupPrefix: 'g',
      log: { warn },
      retryMs: 1000,
      onRecord: (r) => records.push(r),
    });
    tail.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(tail.status()).toMatchObject({ state: 'unavailable', reason: 'Connection refused' });
    expect(warn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(tail.status()).toMatchObject({ state: 'following', reason: undefined, behind: 7 });
    expect(seeks).toEqual([
      { topic: 'dl', partition: 0, offset: '5' },
      { topic: 'dl', partition: 1, offset: '7' },
    ]);
    await message({ topic: 'dl', partition: 0, message: { offset: '5', value: Buffer.from('x') } });
    handlers.get('end')!({ payload: { offsetLag: '4' } });
    expect(tail.status()).toMatchObject({ read: 1, behind: 4 });
    expect(records).toEqual([{ topic: 'dl', partition: 0, offset: '5', value: Buffer.from('x') }]);
    // A crash of the running consumer: unavailable again, and a new attempt after the backoff.
    handlers.get('crash')!({ payload: { error: new Error('gone') } });
    expect(tail.status()).toMatchObject({ state: 'unavailable', reason: 'gone' });
    await tail.stop();
    expect(tail.status().state).toBe('stopped');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tail.status().state).toBe('stopped');
  });
});

describe('topic tail stopped while connecting (issue 16)', () => {
  it('disconnects the consumer it was connecting and never says following', async () => {
    const { kafka } = fakeKafka([true]);
    const tail = new TopicTail(kafka, {
      topics: ['dl'],
      last: 5,
      groupPrefix: 'g',
      log: { warn: () => {} },
      onRecord: () => {},
    });
    tail.start();
    await tail.stop();
    await new Promise((r) => setTimeout(r, 10));
    expect(tail.status().state).toBe('stopped');
  });
});
