// "Kafka down: 503 + Retry-After within the deadline, never a 2xx, never a hang", and recovery without a restart,
// with each producer client (issue 6). This file runs its own broker so it can stop it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { type LocalKafka, startLocalKafka } from '../../src/local-kafka/broker.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { readTopics } from './kafka-read.js';

let kafka: LocalKafka;
let gateway: Gateway;
const DEADLINE_MS = 2000;
const METADATA_MAX_AGE_MS = 1500;

async function readiness() {
  const res = await fetch(`${gateway.url}/readyz`);
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
}

async function waitReadiness(status: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  let last = await readiness();
  while (last.status !== status && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await readiness();
  }
  return last;
}

const { logger, lines } = capturedLogger('warn');
beforeAll(async () => {
  kafka = await startLocalKafka({ nodes: 1 });
  await reconcileTopics(
    createKafka({ brokers: kafka.bootstrap, clientId: 't', connectionTimeoutMs: 1000 }, logger),
    ['test.orders', 'test.events'],
    { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
}, 120_000);
afterAll(async () => {
  await kafka?.stop();
});

async function post(id: string) {
  const started = Date.now();
  const res = await fetch(`${gateway.url}/test/shop/orders`, {
    method: 'POST',
    body: JSON.stringify({ id, amount: 1 }),
    headers: { 'content-type': 'application/json' },
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    ms: Date.now() - started,
    body: (await res.json()) as { code?: string; retryable?: boolean },
  };
}

describe.each(['kafkajs', 'platformatic'] as const)('Kafka outage with the %s producer', (kafkaClient) => {
  beforeAll(async () => {
    gateway = await startGateway(
      defaultConfig({
        brokers: kafka.bootstrap,
        port: 0,
        requestTimeoutMs: DEADLINE_MS,
        kafkaConnectTimeoutMs: 500,
        kafkaMetadataMaxAgeMs: METADATA_MAX_AGE_MS,
        kafkaClient,
      }),
      await fixtureCatalog('ingest-route.yaml'),
      logger,
    );
  }, 120_000);
  afterAll(() => gateway?.close());

  it('answers 503 within the deadline while the broker is down, and recovers when it returns', async () => {
    const before = `before-${kafkaClient}`;
    expect((await post(before)).status).toBe(200);
    await kafka.nodes[0]!.kill('SIGKILL');
    const linesAtKill = lines.length;

    const during = [];
    for (let i = 0; i < 5; i++) during.push(await post(`during-${i}`));
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.retryAfter).not.toBeNull();
      expect(r.body.retryable).toBe(true);
      expect(['TRIB_KAFKA_UNAVAILABLE', 'TRIB_KAFKA_TIMEOUT']).toContain(r.body.code);
      // the deadline plus scheduling slack, never a hang
      expect(r.ms).toBeLessThan(DEADLINE_MS + 1500);
    }
    // Issue 5: /readyz fails once Kafka has not answered within the metadata max age, and names the check.
    const down = await waitReadiness(503, METADATA_MAX_AGE_MS + 5000);
    expect(down.status).toBe(503);
    expect(down.checks['kafka-metadata']).toBe('failing');

    // Issue 12/14: the outage is reported once per cause (the metadata probe), not by a client line per retry.
    const outageLines = lines.slice(linesAtKill).filter((l) => l.includes('kafka'));
    expect(outageLines.length, outageLines.join('\n')).toBeLessThanOrEqual(2);
    await kafka.nodes[0]!.start();
    let lastId = `after-${kafkaClient}-0`;
    let after = await post(lastId);
    const recoveryStarted = Date.now();
    for (let i = 1; after.status !== 200 && Date.now() - recoveryStarted < 60_000; i++) {
      expect(after.status).toBe(503);
      lastId = `after-${kafkaClient}-${i}`;
      after = await post(lastId);
    }
    expect(after.status).toBe(200);
    expect(await waitReadiness(200, 10_000)).toMatchObject({
      status: 200,
      checks: { 'kafka-metadata': 'ok' },
    });

    const records = await readTopics(kafka.bootstrap, ['test.orders']);
    const ids = records.map((r) => JSON.parse(r.value!).id);
    expect(ids).toContain(before);
    expect(ids).toContain(lastId);
  }, 120_000);
});
