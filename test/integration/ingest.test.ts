// The core promise against a real Kafka broker: what gets a 2xx is in the topic, exactly as expected; what gets
// a 4xx is not.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
let gateway: Gateway;
const topics = ['test.orders', 'test.events'];
const { logger } = capturedLogger('warn');

beforeAll(async () => {
  const settings = { partitions: 3, replicationFactor: 1, minInsyncReplicas: 1 };
  await reconcileTopics(
    createKafka({ brokers, clientId: 't', connectionTimeoutMs: 3000 }, logger),
    topics,
    settings,
    {
      create: true,
    },
  );
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: (await res.json()) as { webhookIds?: string[]; [k: string]: unknown } };
}

// Each producer client (issue 6) behind the same gateway.
describe.each(['kafkajs', 'platformatic'] as const)('webhook ingest into Kafka with %s', (kafkaClient) => {
  beforeAll(async () => {
    const catalog = await fixtureCatalog('ingest-route.yaml');
    gateway = await startGateway(
      defaultConfig({ brokers, port: 0, lingerMs: 5, kafkaClient }),
      catalog,
      logger,
    );
  });
  afterAll(() => gateway?.close());

  it('produces exactly the acknowledged documents, with keys, _meta and headers', async () => {
    const before = await readTopics(brokers, topics);
    const ok1 = await post('/test/shop/orders', '[{"id":"o-1","amount":1},{"id":"o-2","amount":2}]');
    const ok2 = await post('/hooks/acme/events?x=1', '{"kind":"push"}', {
      'x-delivery-id': 'del-7',
      'x-event-type': 'push',
    });
    const bad = await post('/test/shop/orders', '[{"id":"o-3","amount":3},{"id":"o-4","amount":"four"}]');
    expect([ok1.status, ok2.status, bad.status]).toEqual([200, 200, 400]);

    const after = await readTopics(brokers, topics);
    const fresh = after.filter(
      (r) => !before.some((b) => b.topic === r.topic && b.partition === r.partition && b.offset === r.offset),
    );
    expect(fresh).toHaveLength(3);
    const orders = fresh
      .filter((r) => r.topic === 'test.orders')
      .sort((a, b) => a.key!.localeCompare(b.key!));
    expect(orders.map((r) => r.key)).toEqual(['["o-1"]', '["o-2"]']);
    const o1 = JSON.parse(orders[0]!.value!);
    expect(o1).toEqual({
      id: 'o-1',
      amount: 1,
      _meta: { uuid: o1._meta.uuid, receivedAt: o1._meta.receivedAt, webhookId: o1._meta.uuid },
    });
    expect(ok1.body.webhookIds).toContain(o1._meta.webhookId);
    expect(orders[0]!.headers).toMatchObject({
      'tributary-capture': 'test/shop',
      'tributary-binding': 'orders',
      'tributary-uuid': o1._meta.uuid,
      'content-type': 'application/json',
    });
    const [event] = fresh.filter((r) => r.topic === 'test.events');
    expect(event!.key).toBe('["del-7"]');
    expect(JSON.parse(event!.value!)._meta).toMatchObject({
      webhookId: 'del-7',
      headers: { 'x-event-type': 'push' },
      query: { x: '1' },
      pathParams: { tenant: 'acme' },
    });
  });

  it('puts the same key on the same partition', async () => {
    const before = await readTopics(brokers, ['test.orders']);
    for (let i = 0; i < 6; i++)
      expect((await post('/test/shop/orders', '{"id":"same","amount":1}')).status).toBe(200);
    const after = await readTopics(brokers, ['test.orders']);
    const same = after.filter(
      (r) =>
        r.key === '["same"]' && !before.some((b) => b.partition === r.partition && b.offset === r.offset),
    );
    expect(same).toHaveLength(6);
    expect(new Set(same.map((r) => r.partition)).size).toBe(1);
  });

  it('batches concurrent requests and answers each one', async () => {
    const before = await readTopics(brokers, ['test.orders']);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post('/test/shop/orders', JSON.stringify({ id: `c-${i}`, amount: i })),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = await readTopics(brokers, ['test.orders']);
    const seen = new Set(before.map((r) => `${r.partition}/${r.offset}`));
    const keys = new Set(after.filter((r) => !seen.has(`${r.partition}/${r.offset}`)).map((r) => r.key));
    expect(keys.size).toBe(200);
    for (let i = 0; i < 200; i++) expect(keys.has(`["c-${i}"]`)).toBe(true);
  });
});
