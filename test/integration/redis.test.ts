// Everything that needs a real Redis server, against the one test/integration/global-setup.ts starts: the shared
// delivery store, rate limits shared by replicas, and duplicate suppression across two apps. The unit project
// runs with no Redis (issue 12).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { RedisDeliveryStore } from '../../src/ingest/deliveries-redis.js';
import { postGithub, type SignedApp, signedApp } from '../auth/signed-app.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const REDIS = inject('redisUrl');
const { logger } = capturedLogger();
const a = new RedisDeliveryStore(REDIS, logger);
const b = new RedisDeliveryStore(REDIS, logger);
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});
afterAll(async () => {
  await a.close();
  await b.close();
});
const key = () => `tributary:test:${randomUUID()}`;
const ready = (store: RedisDeliveryStore) =>
  store.redis.status === 'ready' ? Promise.resolve() : new Promise((r) => store.redis.once('ready', r));

describe('Redis delivery store', () => {
  it('shares claims between two clients: claimed, pending, done, released', async () => {
    await Promise.all([ready(a), ready(b)]);
    const k = key();
    expect(await a.claim(k, 't1', 10_000)).toBe('claimed');
    expect(await b.claim(k, 't2', 10_000)).toBe('pending');
    await b.release(k, 't2');
    expect(await b.claim(k, 't2', 10_000)).toBe('pending');
    await a.release(k, 't1');
    expect(await b.claim(k, 't2', 10_000)).toBe('claimed');
    await b.complete(k, 60_000);
    expect(await a.claim(k, 't3', 10_000)).toBe('done');
    expect(await a.redis.pttl(k)).toBeGreaterThan(50_000);
  });

  it('lets exactly one of many simultaneous claims through', async () => {
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim(k, `t${i}`, 10_000)),
    );
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'pending')).toHaveLength(19);
  });

  it('expires claims and done ids', async () => {
    const k = key();
    await a.claim(k, 't', 50);
    await a.complete(`${k}:done`, 50);
    // Redis expires on its own clock: poll instead of sleeping a fixed time on a loaded machine.
    const until = Date.now() + 10_000;
    while ((await a.redis.exists(k, `${k}:done`)) > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await b.claim(k, 'u', 1000)).toBe('claimed');
    expect(await b.claim(`${k}:done`, 'u', 1000)).toBe('claimed');
  });
});

describe('rate limits shared by replicas', () => {
  it('shares counters between replicas through Redis (TRIBUTARY_REDIS_URL)', async () => {
    process.env['TRIBUTARY_TEST_RATE_TOKEN'] = 'rate-test-token';
    // A fresh capture name per run, so counters left in Redis by an earlier run cannot interfere.
    const fresh = await fixtureCatalog('rate-limits.yaml');
    const name = `test/limited-${randomUUID().slice(0, 8)}`;
    for (const binding of fresh.bindings) if (binding.capture === 'test/limited') binding.capture = name;
    const apps: App[] = [];
    for (let i = 0; i < 2; i++) {
      const app = await buildApp({
        config: defaultConfig({ redisUrl: REDIS }),
        catalog: fresh,
        logger: capturedLogger().logger,
        sink: { async produce() {} },
      });
      cleanup.push(() => app.fastify.close());
      apps.push(app);
    }
    const post = (app: App) =>
      app.fastify.inject({
        method: 'POST',
        url: '/test/limited/inherits',
        payload: '{"id":"x"}',
        headers: { 'content-type': 'application/json', authorization: 'Bearer rate-test-token' },
      });
    const statuses = [];
    for (const app of [apps[0]!, apps[1]!, apps[0]!, apps[1]!]) statuses.push((await post(app)).statusCode);
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});

describe('duplicate suppression shared by replicas', () => {
  it('suppresses across two app instances sharing Redis through separate clients', async () => {
    const stores = [new RedisDeliveryStore(REDIS, logger), new RedisDeliveryStore(REDIS, logger)];
    for (const s of stores) cleanup.push(() => s.close());
    const apps: SignedApp[] = [];
    for (const store of stores) {
      const t = await signedApp({ deliveries: store });
      cleanup.push(() => t.app.fastify.close());
      apps.push(t);
    }
    await Promise.all(stores.map(ready));
    const id = `gh-${randomUUID()}`;
    expect((await postGithub(apps[0]!, id)).body.published).toBe(1);
    expect((await postGithub(apps[1]!, id)).body).toMatchObject({ published: 0, duplicate: true });
    expect(apps[0]!.produced.flat().length + apps[1]!.produced.flat().length).toBe(1);
  });
});
