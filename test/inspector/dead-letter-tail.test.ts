import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Binding } from '../../src/catalog/model.js';
import { DeadLetterTail, deadLetterTopics } from '../../src/inspector/dead-letter-tail.js';
import { InspectorRecorder } from '../../src/inspector/recorder.js';

const entry = (id: string) =>
  JSON.stringify({
    kind: 'rejected',
    version: 1,
    id,
    capture: 'c',
    binding: 'b',
    transport: 'webhook',
    route: '/c/b',
    requestId: id,
    receivedAt: '2026-12-02T00:00:00.000Z',
    headers: {},
    body: { encoding: 'utf8', data: '{}', bytes: 2, truncated: false },
    problem: { code: 'TRIB_VALIDATE_SCHEMA', status: 400, detail: 'bad' },
  });
const value = (text: string) => Buffer.from(text);

describe('inspector dead-letter tail (issue 16)', () => {
  it('follows each dead-letter topic of the catalog once', () => {
    const b = (topic?: string) =>
      ({ deadLetter: topic === undefined ? undefined : { topic } }) as unknown as Binding;
    expect(deadLetterTopics([b('a'), b(), b('a'), b('z')])).toEqual(['a', 'z']);
  });

  it('feeds entries to the ring, counts malformed ones and those over the parse budget, never throws', () => {
    let now = 0;
    const recorder = new InspectorRecorder({ keep: 10, perSecond: 10 });
    // Never started: the Kafka client is not touched.
    const tail = new DeadLetterTail({} as Kafka, ['dl'], recorder, {
      last: 5,
      perSecond: 4,
      groupPrefix: 't',
      log: { warn: () => {} },
      now: () => now,
    });
    tail.take({ topic: 'dl', value: value(entry('e-1')) });
    tail.take({ topic: 'dl', value: value('not json') });
    tail.take({ topic: 'dl', value: null });
    // An entry's shape with a field of the wrong type: counted, not thrown into kafkajs.
    tail.take({ topic: 'dl', value: value(entry('e-2').replace('"data":"{}"', '"data":5')) });
    tail.take({ topic: 'dl', value: value(entry('e-3')) });
    now += 1000;
    tail.take({
      topic: 'dl',
      value: value(JSON.stringify({ kind: 'replayed', version: 1, id: 'm', entry: 'e-1' })),
    });
    tail.take({ topic: 'dl', value: value(entry('e-4')) });
    expect(recorder.view().rejections.map((r) => r.requestId)).toEqual(['e-4', 'e-1']);
    expect(recorder.view().tail).toMatchObject({
      topics: ['dl'],
      state: 'starting',
      malformed: 3,
      skipped: 1,
    });
  });
});
