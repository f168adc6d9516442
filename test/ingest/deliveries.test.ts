import { describe, expect, it } from 'vitest';
import { MemoryDeliveryStore } from '../../src/ingest/deliveries.js';

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('in-process delivery store', () => {
  it('claims once, reports pending while claimed and done once completed', async () => {
    const store = new MemoryDeliveryStore(10);
    expect(await store.claim('k', 't1', 10_000)).toBe('claimed');
    expect(await store.claim('k', 't2', 10_000)).toBe('pending');
    await store.complete('k', 10_000);
    expect(await store.claim('k', 't3', 10_000)).toBe('done');
  });

  it('releases only its own claim, so a retry after a failure goes through', async () => {
    const store = new MemoryDeliveryStore(10);
    await store.claim('k', 't1', 10_000);
    await store.release('k', 'someone-else');
    expect(await store.claim('k', 't2', 10_000)).toBe('pending');
    await store.release('k', 't1');
    expect(await store.claim('k', 't2', 10_000)).toBe('claimed');
  });

  it('forgets a done id after the window and an abandoned claim after its time', async () => {
    const store = new MemoryDeliveryStore(10);
    await store.complete('done', 30);
    await store.claim('abandoned', 't', 30);
    await until(async () => (await store.claim('done', 'x', 10_000)) === 'claimed');
    expect(await store.claim('abandoned', 'y', 10_000)).toBe('claimed');
  });

  it('is bounded: the least recently used id is evicted past maxEntries', async () => {
    const store = new MemoryDeliveryStore(3);
    for (const key of ['a', 'b', 'c', 'd']) await store.complete(key, 60_000);
    expect(store.size).toBe(3);
    expect(await store.claim('a', 't', 1000)).toBe('claimed');
    expect(await store.claim('d', 't', 1000)).toBe('done');
  });
});
