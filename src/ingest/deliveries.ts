// Where delivery ids are remembered for duplicate suppression: an interface, and the in-process store used when
// no Redis is configured. A delivery id is first *claimed* (pending, for as long as its request may still be
// acknowledged), then *completed* once Kafka acknowledged (remembered for the window), or *released* when the
// request failed, so that the sender's retry goes through.
import { LRUCache } from 'lru-cache';

export type ClaimResult = 'claimed' | 'pending' | 'done';

export interface DeliveryStore {
  /** Atomically: 'done' or 'pending' when the key is known, else marks it pending for `pendingMs` -> 'claimed'. */
  claim(key: string, token: string, pendingMs: number): Promise<ClaimResult>;
  /** Remembers the key as done for `windowMs` (after Kafka acknowledged). */
  complete(key: string, windowMs: number): Promise<void>;
  /** Forgets a pending claim, only if `token` still holds it (an expired claim may belong to another request). */
  release(key: string, token: string): Promise<void>;
  close(): Promise<void>;
}

export const DONE = 'done';
export const PENDING = 'pending:';

/**
 * Bounded: at most `maxEntries` ids (least recently used evicted first), so a flood of distinct ids costs
 * memory up to that bound and then shortens the window instead of growing the heap. One process only: replicas
 * behind a load balancer need the Redis store to share it.
 */
export class MemoryDeliveryStore implements DeliveryStore {
  private readonly cache: LRUCache<string, string>;

  constructor(maxEntries: number) {
    this.cache = new LRUCache<string, string>({ max: Math.max(1, maxEntries) });
  }

  async claim(key: string, token: string, pendingMs: number): Promise<ClaimResult> {
    const value = this.cache.get(key);
    if (value === DONE) return 'done';
    if (value !== undefined) return 'pending';
    this.cache.set(key, PENDING + token, { ttl: pendingMs });
    return 'claimed';
  }

  async complete(key: string, windowMs: number): Promise<void> {
    this.cache.set(key, DONE, { ttl: windowMs });
  }

  async release(key: string, token: string): Promise<void> {
    if (this.cache.get(key) === PENDING + token) this.cache.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }

  async close(): Promise<void> {
    this.cache.clear();
  }
}
