import { describe, expect, it } from 'vitest';
import type { Binding } from '../../src/catalog/model.js';
import { DeadLetterWriter, isDeadLetter } from '../../src/dead-letter/writer.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { Settlement } from '../../src/ingest/front-door.js';
import type { OutboundRecord } from '../../src/kafka/record.js';

const binding = {
  capture: 'c',
  name: 'b',
  keepHeaders: [],
  deadLetter: { topic: 'dl', maxBodyBytes: 100, maxPerSecond: 2, maxBytesPerSecond: 1_000_000 },
} as unknown as Binding;

function settlement(error: TributaryError | undefined): Settlement {
  const raw = Buffer.from('{"x":1}');
  return {
    admission: { transport: 'webhook', route: '/c/b', requestId: 'r', headers: {}, query: undefined },
    binding,
    payload: { kind: 'body', raw, contentType: 'application/json', url: '/c/b', receivedAt: new Date(0) },
    raw,
    receivedBytes: raw.length,
    documents: 1,
    acceptedBytes: 0,
    error,
  } as unknown as Settlement;
}

function writer(produce: (records: OutboundRecord[]) => Promise<void>) {
  const counts: string[] = [];
  const deferred: Array<() => void> = [];
  const w = new DeadLetterWriter({
    sink: { produce },
    count: (_b, outcome) => counts.push(outcome),
    log: { warn: () => {} },
    timeoutMs: 1000,
    maxPending: 3,
    now: () => 0,
    defer: (run) => deferred.push(run),
  });
  return { w, counts, deferred };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('dead-letter writer (issue 16)', () => {
  it('writes permanent 4xx refusals only, after the answer (deferred)', async () => {
    expect(isDeadLetter(new TributaryError(ERRORS.VALIDATE_SCHEMA))).toBe(true);
    expect(isDeadLetter(new TributaryError(ERRORS.KAFKA_UNAVAILABLE))).toBe(false);
    expect(isDeadLetter(new TributaryError(ERRORS.RATE_LIMITED))).toBe(false);
    expect(isDeadLetter(new TributaryError(ERRORS.AUTH_SIGNATURE_MISMATCH))).toBe(false);
    const written: OutboundRecord[] = [];
    const { w, counts, deferred } = writer(async (records) => {
      written.push(...records);
    });
    w.settled(settlement(undefined));
    w.settled(settlement(new TributaryError(ERRORS.OVERLOADED)));
    w.settled(settlement(new TributaryError(ERRORS.VALIDATE_SCHEMA)));
    expect(written).toEqual([]);
    expect(w.inFlight()).toBe(1);
    for (const run of deferred) run();
    await flush();
    expect(written.map((r) => r.topic)).toEqual(['dl']);
    expect(counts).toEqual(['written']);
    expect(w.inFlight()).toBe(0);
  });

  it('counts unauthenticated refusals, drops over budget and backlog, counts failures', async () => {
    const { w, counts, deferred } = writer(() => Promise.reject(new Error('down')));
    w.refused({
      transport: 'webhook',
      binding,
      error: new TributaryError(ERRORS.AUTH_BAD_TOKEN),
      receivedBytes: 0,
    });
    w.refused({
      transport: 'webhook',
      binding,
      error: new TributaryError(ERRORS.RATE_LIMITED),
      receivedBytes: 0,
    });
    w.refused({
      transport: 'webhook',
      binding: undefined,
      error: new TributaryError(ERRORS.ROUTE_NOT_FOUND),
      receivedBytes: 0,
    });
    const bad = new TributaryError(ERRORS.DECODE_INVALID_JSON);
    for (let i = 0; i < 3; i++) w.settled(settlement(bad));
    expect(counts).toEqual(['unauthenticated', 'not_admitted', 'dropped_rate']);
    for (const run of deferred) run();
    await flush();
    expect(counts).toEqual(['unauthenticated', 'not_admitted', 'dropped_rate', 'failed', 'failed']);
  });

  it('drops when too many entries are pending', () => {
    const { w, counts } = writer(() => new Promise(() => {}));
    const many = { ...binding, deadLetter: { ...binding.deadLetter!, maxPerSecond: 100 } } as Binding;
    for (let i = 0; i < 5; i++)
      w.settled({ ...settlement(new TributaryError(ERRORS.DECODE_INVALID_JSON)), binding: many });
    expect(counts).toEqual(['dropped_backlog', 'dropped_backlog']);
  });
});
