// `npm run test:faults`: the four drills of issue 7 at full size, each writing its section of
// docs/reliability.md. Drill 1 runs its own three-node cluster; drills 2-4 share one single-node broker
// (each on its own topic), since each leaves the broker running when it ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalKafka, startLocalKafka } from '../../src/local-kafka/broker.js';
import {
  brokerRestartDrill,
  type DrillResult,
  type DrillSize,
  failoverDrill,
  gatewayKillDrill,
  stallDrill,
} from './drills.js';
import { recordSection } from './report.js';

const SIZE: DrillSize = {
  writers: 12,
  wsWriters: 4,
  warmupAcks: 300,
  faultMs: 10_000,
  settleMs: 5_000,
  requestTimeoutMs: 4_000,
};
const SLACK_MS = 500;

function record(name: string, title: string, what: string, r: DrillResult, passed: boolean): void {
  console.log(recordSection({ name, title, what, settings: r.settings, figures: r.figures, passed }));
}

describe('fault drills (issue 7)', () => {
  // Issue 14: once per producer client, so docs/reliability.md shows lost and duplicates side by side.
  it.each([
    ['platformatic', 'drill-1-failover', ''],
    ['kafkajs', 'drill-1-failover-kafkajs', ', kafkajs producer'],
  ] as const)(
    '1: SIGKILL of the partition leader in a 3-node cluster loses no acknowledged document (%s)',
    async (client, section, label) => {
      const saved = process.env['TRIBUTARY_KAFKA_CLIENT'];
      // The gateway child inherits it, and the report names it.
      process.env['TRIBUTARY_KAFKA_CLIENT'] = client;
      const cluster = await startLocalKafka({ nodes: 3 });
      try {
        const r = await failoverDrill(cluster, SIZE);
        const passed = r.comparison.lost === 0 && r.comparison.acknowledged > 0;
        record(
          section,
          `Drill 1: partition leader SIGKILLed in a three-node cluster${label}`,
          'Three KRaft nodes on loopback (broker.session.timeout.ms 3000, replica.lag.time.max.ms 5000). Webhook writers post and WebSocket writers stream (4 frames pipelined) without pause; the leader of partition 0 gets SIGKILL, stays down for the fault window while writes go on, then is started again.',
          r,
          passed,
        );
        expect(r.comparison.lostIds).toEqual([]);
        expect(r.comparison.acknowledged).toBeGreaterThan(SIZE.warmupAcks);
        // Issue 14: the idempotent producer (platformatic, the default) writes each acknowledged document once.
        if (client === 'platformatic') expect(r.comparison.duplicates).toBe(0);
      } finally {
        await cluster.stop();
        if (saved === undefined) delete process.env['TRIBUTARY_KAFKA_CLIENT'];
        else process.env['TRIBUTARY_KAFKA_CLIENT'] = saved;
      }
    },
  );

  describe('single broker', () => {
    let kafka: LocalKafka;
    beforeAll(async () => {
      kafka = await startLocalKafka({ nodes: 1 });
    });
    afterAll(() => kafka?.stop());

    it('2: a broker stopped under load gets 503s (never 2xx) and recovers by itself', async () => {
      const r = await brokerRestartDrill(kafka, SIZE);
      const okWhileDown = r.figures['**2xx while the broker was down**'];
      record(
        'drill-2-broker-restart',
        'Drill 2: single broker SIGKILLed under load and restarted',
        'One broker; webhook writers post and WebSocket writers stream without pause; the broker gets SIGKILL, stays down for the fault window, and is started again on the same data. The gateway is not touched.',
        r,
        r.comparison.lost === 0 && okWhileDown === 0,
      );
      expect(r.comparison.lostIds).toEqual([]);
      expect(okWhileDown).toBe(0);
    });

    it('3: the gateway SIGKILLed under load: every acknowledged document is in Kafka', async () => {
      const r = await gatewayKillDrill(kafka, SIZE);
      record(
        'drill-3-gateway-kill',
        'Drill 3: gateway process SIGKILLed under load',
        '`node bin/tributary.js serve` (built dist/) gets SIGKILL while webhook and WebSocket writers send; nothing is flushed or drained. Then every document it had acknowledged is looked up in Kafka.',
        r,
        r.comparison.lost === 0,
      );
      expect(r.comparison.lostIds).toEqual([]);
      expect(r.comparison.acknowledged).toBeGreaterThan(0);
    });

    it('4: Kafka slower than the deadline (SIGSTOP): 503 on time, never a late 2xx', async () => {
      const r = await stallDrill(kafka, { ...SIZE, faultMs: 3 * SIZE.requestTimeoutMs }, SLACK_MS);
      const late = r.figures['**late 2xx** (2xx slower than deadline + slack)'];
      record(
        'drill-4-stall',
        'Drill 4: broker stalled (SIGSTOP) longer than the request deadline',
        'One broker gets SIGSTOP for three request deadlines while webhook and WebSocket writers send (the TCP connections stay open, nothing answers), then SIGCONT. Answer times are measured at the client (for a frame: from send to its answer).',
        r,
        r.comparison.lost === 0 && late === 0,
      );
      expect(r.comparison.lostIds).toEqual([]);
      expect(late).toBe(0);
      const slowest503 = Math.max(...r.attempts.filter((a) => a.status === 503).map((a) => a.end - a.start));
      expect(slowest503).toBeLessThan(SIZE.requestTimeoutMs + SLACK_MS);
    });
  });
});
