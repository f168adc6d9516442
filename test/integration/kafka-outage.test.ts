// "Kafka down: 503 + Retry-After within the deadline, never a 2xx, never a hang", and recovery without a restart.
// This file runs its own broker so it can stop it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { type LocalKafka, startLocalKafka } from '../../src/kafka/local-broker.js';
import { createKafka } from '../../src/kafka/producer.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { readTopics } from './kafka-read.js';

let kafka: LocalKafka;
let gateway: Gateway;
const DEADLINE_MS = 2000;

beforeAll(async () => {
  kafka = await startLocalKafka({ nodes: 1 });
  const { logger } = capturedLogger('error');
  await reconcileTopics(
    createKafka({ brokers: kafka.bootstrap, clientId: 't', connectionTimeoutMs: 1000 }, logger),
    ['test.orders', 'test.events'],
    { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  gateway = await startGateway(
    defaultConfig({
      brokers: kafka.bootstrap,
      port: 0,
      requestTimeoutMs: DEADLINE_MS,
      kafkaConnectTimeoutMs: 500,
    }),
    await fixtureCatalog('ingest-route.yaml'),
    logger,
  );
}, 120_000);
afterAll(async () => {
  await gateway?.close();
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
    body: await res.json(),
  };
}

describe('Kafka outage', () => {
  it('answers 503 within the deadline while the broker is down, and recovers when it returns', async () => {
    expect((await post('before')).status).toBe(200);
    await kafka.nodes[0]!.kill('SIGKILL');

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

    await kafka.nodes[0]!.start();
    let lastId = 'after-0';
    let after = await post(lastId);
    const recoveryStarted = Date.now();
    for (let i = 1; after.status !== 200 && Date.now() - recoveryStarted < 60_000; i++) {
      expect(after.status).toBe(503);
      lastId = `after-${i}`;
      after = await post(lastId);
    }
    expect(after.status).toBe(200);

    const records = await readTopics(kafka.bootstrap, ['test.orders']);
    const ids = records.map((r) => JSON.parse(r.value!).id);
    expect(ids).toContain('before');
    expect(ids).toContain(lastId);
  }, 120_000);
});
