// The short form of issue 7's fault drills for `npm test`: a single broker SIGKILLed and restarted under a
// small load, and the same broker SIGSTOPped past the request deadline. The full drills (and the three-node
// failover) are `npm run test:faults`; both run the same code in test/faults/drills.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalKafka, startLocalKafka } from '../../src/local-kafka/broker.js';
import { brokerRestartDrill, type DrillSize, stallDrill } from '../faults/drills.js';

const SIZE: DrillSize = {
  writers: 3,
  wsWriters: 1,
  warmupAcks: 40,
  faultMs: 3000,
  settleMs: 500,
  requestTimeoutMs: 1500,
};

let kafka: LocalKafka;
beforeAll(async () => {
  kafka = await startLocalKafka({ nodes: 1 });
});
afterAll(() => kafka?.stop());

describe('fault drills, short form (issue 7)', () => {
  it('broker SIGKILLed under load: 503 while down, never 2xx, recovery by itself, nothing acknowledged lost', async () => {
    const r = await brokerRestartDrill(kafka, SIZE);
    expect(r.comparison.lostIds).toEqual([]);
    expect(r.comparison.acknowledged).toBeGreaterThan(SIZE.warmupAcks);
    expect(r.figures['**2xx while the broker was down**']).toBe(0);
    expect(r.comparison.statuses['503']).toBeGreaterThan(0);
    // Both front doors were exercised and acknowledged.
    expect(r.attempts.some((a) => a.via === 'ws' && a.status === 200)).toBe(true);
    expect(r.attempts.some((a) => a.via === undefined && a.status === 200)).toBe(true);
  }, 180_000);

  it('broker SIGSTOPped past the deadline: 503 on time, never a late 2xx, nothing acknowledged lost', async () => {
    const r = await stallDrill(kafka, SIZE, 1000);
    expect(r.comparison.lostIds).toEqual([]);
    expect(r.figures['**late 2xx** (2xx slower than deadline + slack)']).toBe(0);
    expect(r.comparison.statuses['503']).toBeGreaterThan(0);
    // On time: the deadline plus scheduling slack on a shared 2-core machine, never the broker's stall.
    const slowest503 = Math.max(...r.attempts.filter((a) => a.status === 503).map((a) => a.end - a.start));
    expect(slowest503).toBeLessThan(SIZE.requestTimeoutMs + 1000);
  }, 120_000);
});
