// Duplicate suppression through the webhook route: a repeated delivery is a 2xx without a second record; a
// delivery answered 503 stays retryable; two at once produce once. Replicas sharing Redis: test/integration/redis.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS, TributaryError } from '../../src/errors.js';
import { type DeliveryStore, MemoryDeliveryStore } from '../../src/ingest/deliveries.js';
import { DeliveryLedger, deliveryIds, deliveryKey } from '../../src/ingest/duplicates.js';
import { githubHeaders, stripeHeaders } from '../auth/senders.js';
import { postGithub, SECRETS, type SignedApp, signedApp } from '../auth/signed-app.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

async function started(opts: Parameters<typeof signedApp>[0] = {}): Promise<SignedApp> {
  const t = await signedApp(opts);
  cleanup.push(() => t.app.fastify.close());
  return t;
}

describe('duplicate deliveries through the route', () => {
  it('answers a repeated delivery 200 {duplicate: true} without producing it again', async () => {
    const t = await started();
    const first = await postGithub(t, 'gh-dup-1');
    const again = await postGithub(t, 'gh-dup-1');
    expect(first).toEqual({ status: 200, body: { published: 1, webhookIds: ['gh-dup-1'] } });
    expect(again).toEqual({
      status: 200,
      body: { published: 0, webhookIds: [], duplicate: true, duplicates: 1 },
    });
    expect(t.produced.flat()).toHaveLength(1);
    expect(t.produced[0]![0]!.headers['tributary-delivery-id']).toBe('gh-dup-1');
    // Another delivery id is another delivery.
    expect((await postGithub(t, 'gh-dup-2')).body.published).toBe(1);
  });

  it('does not record a delivery answered 503: the retry is produced', async () => {
    const t = await started();
    t.failWith(new TributaryError(ERRORS.KAFKA_UNAVAILABLE));
    expect((await postGithub(t, 'gh-retry')).status).toBe(503);
    t.failWith(undefined);
    expect(await postGithub(t, 'gh-retry')).toMatchObject({ status: 200, body: { published: 1 } });
    expect(t.produced.flat()).toHaveLength(1);
  });

  it('produces once when two requests carry the same delivery at once; the other is told to retry', async () => {
    const t = await started();
    const open = t.hold();
    const first = postGithub(t, 'gh-race');
    // Wait until the first request holds the claim and waits on Kafka.
    const store = t.app.deliveries.store as MemoryDeliveryStore;
    for (let i = 0; i < 200 && store.size === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const second = await postGithub(t, 'gh-race');
    expect([second.status, second.body.code, second.body.retryable]).toEqual([
      503,
      'TRIB_DELIVERY_IN_PROGRESS',
      true,
    ]);
    open();
    expect((await first).status).toBe(200);
    expect((await postGithub(t, 'gh-race')).body.duplicate).toBe(true);
    expect(t.produced.flat()).toHaveLength(1);
  });

  it('with a pointer id, drops each document seen before or repeated in the request', async () => {
    const t = await started();
    const send = async (events: object[]) => {
      const body = JSON.stringify(events);
      const res = await t.app.fastify.inject({
        method: 'POST',
        url: '/test/signed/stripe',
        payload: body,
        headers: { 'content-type': 'application/json', ...stripeHeaders(SECRETS.SIG_STRIPE, body) },
      });
      return res.json();
    };
    const ev = (id: string) => ({ id, type: 'charge.succeeded' });
    expect(await send([ev('evt_a')])).toMatchObject({ published: 1 });
    expect(await send([ev('evt_a'), ev('evt_b'), ev('evt_b'), ev('evt_c')])).toMatchObject({
      published: 2,
      duplicates: 2,
    });
    expect(await send([ev('evt_c')])).toMatchObject({ published: 0, duplicate: true });
    const produced = t.produced.flat().map((r) => r.headers['tributary-delivery-id']);
    expect(produced).toEqual(['evt_a', 'evt_b', 'evt_c']);
  });

  it('produces a request without the id header as usual (nothing to deduplicate on)', async () => {
    const t = await started();
    const body = '{"a":1}';
    const { 'x-github-delivery': _d, ...headers } = await githubHeaders(SECRETS.SIG_GITHUB, body);
    for (let i = 0; i < 2; i++) {
      const res = await t.app.fastify.inject({
        method: 'POST',
        url: '/test/signed/github',
        payload: body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      expect(res.json().published).toBe(1);
    }
  });

  it('fails open when the store is down: produced, with one warning', async () => {
    const broken: DeliveryStore = {
      claim: () => Promise.reject(new Error('store down')),
      complete: () => Promise.reject(new Error('store down')),
      release: () => Promise.reject(new Error('store down')),
      close: async () => {},
    };
    const t = await started({ deliveries: broken });
    expect((await postGithub(t, 'gh-open')).body.published).toBe(1);
    expect((await postGithub(t, 'gh-open')).body.published).toBe(1);
    expect(t.lines.filter((l) => l.includes('without duplicate suppression'))).toHaveLength(1);
  });
});

describe('delivery ids', () => {
  it('reads the header for every document, or the string/integer at the pointer of each', () => {
    const docs = [{ id: 'a' }, { id: 7 }, { id: 1.5 }, { other: 1 }, { id: '' }];
    expect(deliveryIds({ header: 'x-id', windowSeconds: 1 }, { 'x-id': 'h' }, docs.slice(0, 2))).toEqual([
      'h',
      'h',
    ]);
    expect(deliveryIds({ header: 'x-id', windowSeconds: 1 }, {}, docs.slice(0, 1))).toEqual([undefined]);
    expect(deliveryIds({ pointer: '/id', windowSeconds: 1 }, {}, docs)).toEqual([
      'a',
      '7',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('keys per binding, hashing long ids', () => {
    const binding = { capture: 'acme/hooks', name: 'github' };
    expect(deliveryKey(binding, 'd-1')).toBe('tributary:delivery:acme/hooks/github:d-1');
    expect(deliveryKey(binding, 'x'.repeat(500))).toMatch(/:sha256:[0-9a-f]{64}$/);
  });

  it('releases what it claimed when another request holds one of the ids', async () => {
    const store = new MemoryDeliveryStore(100);
    const ledger = new DeliveryLedger(store);
    const policy = { pointer: '/id', windowSeconds: 60 };
    const binding = { capture: 'c', name: 'b' };
    const log = { warn: () => {} };
    const held = await ledger.claim(binding, policy, ['b'], Date.now() + 1000, log);
    await expect(ledger.claim(binding, policy, ['a', 'b'], Date.now() + 1000, log)).rejects.toMatchObject({
      code: 'TRIB_DELIVERY_IN_PROGRESS',
    });
    // 'a' was released: a later request can claim it.
    const later = await ledger.claim(binding, policy, ['a'], Date.now() + 1000, log);
    expect(later.duplicate).toEqual([false]);
    await held.settle(false);
    await later.settle(true);
    expect(await store.claim(deliveryKey(binding, 'a'), 't', 1000)).toBe('done');
    expect(await store.claim(deliveryKey(binding, 'b'), 't', 1000)).toBe('claimed');
  });
});
