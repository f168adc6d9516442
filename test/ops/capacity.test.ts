import { describe, expect, it } from 'vitest';
import { Capacity } from '../../src/ops/capacity.js';

describe('Capacity', () => {
  it('admits up to the bound in documents and in bytes, and frees room on release', () => {
    const c = new Capacity({ maxDocuments: 10, maxBytes: 1000 });
    expect(c.tryAcquire(6, 100)).toBe(true);
    expect(c.tryAcquire(5, 100)).toBe(false);
    expect(c.tryAcquire(4, 950)).toBe(false);
    expect(c.tryAcquire(4, 900)).toBe(true);
    expect(c.inFlight()).toEqual({ documents: 10, bytes: 1000 });
    c.release(6, 100);
    expect(c.tryAcquire(5, 50)).toBe(true);
  });

  it('admits one oversized request when idle, so it is never starved', () => {
    const c = new Capacity({ maxDocuments: 10, maxBytes: 1000 });
    expect(c.tryAcquire(50, 5000)).toBe(true);
    expect(c.tryAcquire(1, 1)).toBe(false);
  });

  it('wakes waiters on release', async () => {
    const c = new Capacity({ maxDocuments: 1, maxBytes: 10 });
    c.tryAcquire(1, 1);
    let woke = false;
    const waiting = c.whenReleased().then(() => {
      woke = true;
    });
    expect(woke).toBe(false);
    c.release(1, 1);
    await waiting;
    expect(woke).toBe(true);
  });
});
