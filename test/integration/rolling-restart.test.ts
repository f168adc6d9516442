// Issue 5's drill: HAProxy in front of two gateway processes against the real broker. A load generator posts
// without pause while each process in turn gets SIGTERM and is started again. The client must see no failed
// request, and every document that got a 2xx must be in Kafka.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger } from '../helpers.js';
import { parseMetrics } from '../prometheus-text.js';
import {
  freePort,
  type GatewayProcess,
  readyz,
  startGatewayProcess,
  waitFor,
  waitReady,
} from './gateway-process.js';
import { type Haproxy, startHaproxy } from './haproxy.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
const topic = `drill.${randomUUID().slice(0, 8)}`;
let dir: string;
let catalog: string;
let lbPort: number;
let haproxy: Haproxy | undefined;
const gateways: GatewayProcess[] = [];

const ENV = {
  TRIBUTARY_BROKERS: brokers.join(','),
  TRIBUTARY_LOG_LEVEL: 'warn',
  // Longer than HAProxy needs to mark the process down (2 checks x 250 ms + check time).
  TRIBUTARY_DRAIN_DELAY_MS: '1500',
  TRIBUTARY_SHUTDOWN_GRACE_MS: '20000',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-drill-'));
  catalog = join(dir, 'catalog.yaml');
  await writeFile(
    catalog,
    `collections:
  drill/events:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
    topic: ${topic}
captures:
  drill/hooks:
    endpoint: { ingest: {} }
    bindings:
      - target: drill/events
        resource: { name: events }
`,
  );
  const { logger } = capturedLogger('warn');
  await reconcileTopics(
    createKafka({ brokers, clientId: 'drill', connectionTimeoutMs: 3000 }, logger),
    [topic],
    { partitions: 3, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  for (let i = 0; i < 2; i++) gateways.push(startGatewayProcess(catalog, await freePort(), ENV));
  await Promise.all(gateways.map((g) => waitReady(g)));
  lbPort = await freePort();
  haproxy = await startHaproxy({
    dir,
    port: lbPort,
    servers: gateways.map((g, i) => ({ name: `g${i + 1}`, port: g.port })),
  });
  await waitFor('HAProxy sees both gateways UP', async () => {
    const s = await haproxy!.status().catch(() => ({}) as Record<string, string>);
    return s['g1'] === 'UP' && s['g2'] === 'UP';
  });
});

afterAll(async () => {
  await haproxy?.stop();
  for (const g of gateways) {
    g.child.kill('SIGKILL');
    await g.exited;
  }
});

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  failures: string[];
  acknowledged: Set<string>;
}

/** Posts two documents per request from `concurrency` loops until stopped (or maxRequests), loopback only. */
function startLoad(url: string, concurrency: number, maxRequests: number) {
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, failures: [], acknowledged: new Set() };
  let stopping = false;
  const worker = async (w: number) => {
    for (let seq = 0; !stopping && result.sent < maxRequests; seq++) {
      const ids = [`w${w}-${seq}-a`, `w${w}-${seq}-b`];
      result.sent++;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ids.map((id) => ({ id }))),
          signal: AbortSignal.timeout(10_000),
        });
        const body = await res.text();
        if (res.status === 200) {
          result.ok++;
          for (const id of ids) result.acknowledged.add(id);
        } else {
          result.failed++;
          if (result.failures.length < 10) result.failures.push(`${res.status} ${body.slice(0, 200)}`);
        }
      } catch (err) {
        result.failed++;
        if (result.failures.length < 10) result.failures.push(String((err as Error).cause ?? err));
      }
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return {
    result,
    async stop(): Promise<LoadResult> {
      stopping = true;
      await running;
      return result;
    },
  };
}

/** Polls /readyz from SIGTERM until the listener refuses; returns what it saw, in order, without repeats. */
async function watchReadiness(url: string): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await readyz(url);
    const state =
      r === undefined
        ? 'refused'
        : `${r.status}${(r.body['checks'] as Record<string, string>)['draining'] === 'failing' ? ' draining' : ''}`;
    if (seen.at(-1) !== state) seen.push(state);
    if (state === 'refused') break;
    await new Promise((res) => setTimeout(res, 20));
  }
  return seen;
}

describe('rolling restart behind HAProxy under load', () => {
  it('fails no request and loses no acknowledged document', async () => {
    const load = startLoad(`http://127.0.0.1:${lbPort}/drill/hooks/events`, 8, 100_000);
    await waitFor('load to warm up', () => load.result.ok >= 200);
    const drains: { readiness: string[]; exit: number | null; drainMs: number }[] = [];
    for (let i = 0; i < gateways.length; i++) {
      const old = gateways[i]!;
      const started = Date.now();
      old.child.kill('SIGTERM');
      const readiness = await watchReadiness(old.url);
      const { code } = await old.exited;
      drains.push({ readiness, exit: code, drainMs: Date.now() - started });
      const fresh = startGatewayProcess(catalog, old.port, ENV);
      gateways[i] = fresh;
      await waitReady(fresh);
      await waitFor(
        `HAProxy sees g${i + 1} UP again`,
        async () => (await haproxy!.status())[`g${i + 1}`] === 'UP',
      );
      // Let the restarted process take traffic before the next one drains.
      const okBefore = load.result.ok;
      await waitFor('traffic after the restart', () => load.result.ok >= okBefore + 200);
    }
    const result = await load.stop();

    const records = await readTopics(brokers, [topic], { timeoutMs: 60_000 });
    const inKafka = new Set(records.map((r) => (JSON.parse(r.value!) as { id: string }).id));
    const missing = [...result.acknowledged].filter((id) => !inKafka.has(id));
    const figures = {
      requestsSent: result.sent,
      requestsOk: result.ok,
      requestsFailed: result.failed,
      documentsAcknowledged: result.acknowledged.size,
      documentsInKafka: inKafka.size,
      recordsInKafka: records.length,
      acknowledgedMissing: missing.length,
      drains,
    };
    console.log(`rolling-restart drill: ${JSON.stringify(figures)}`);

    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(missing).toEqual([]);
    for (const d of drains) {
      expect(d.exit).toBe(0);
      // Readiness failed while the process still answered, and only then did the listener close.
      expect(d.readiness.slice(-2)).toEqual(['503 draining', 'refused']);
    }

    // Each restarted process has served traffic, and its metrics say so.
    for (const g of gateways) {
      const text = await (await fetch(`${g.url}/metrics`)).text();
      const metrics = parseMetrics(text);
      const accepted = metrics.find(
        (m) => m.name === 'tributary_documents_accepted_total' && m.labels['binding'] === 'events',
      );
      expect(accepted?.value).toBeGreaterThan(0);
      expect(metrics.find((m) => m.name === 'tributary_ready')?.value).toBe(1);
      expect(
        metrics.find((m) => m.name === 'tributary_kafka_produce_duration_seconds_count')?.value,
      ).toBeGreaterThan(0);
    }
  }, 180_000);
});
