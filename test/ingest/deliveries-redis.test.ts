// The shared store against the Redis server the test machines run (.ci/run starts it on 127.0.0.1:6379).
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRedisUrl, RedisDeliveryStore, redisUrlProblem } from '../../src/ingest/deliveries-redis.js';
import { capturedLogger } from '../helpers.js';

const REDIS = process.env['TRIBUTARY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const { logger } = capturedLogger();
const a = new RedisDeliveryStore(REDIS, logger);
const b = new RedisDeliveryStore(REDIS, logger);
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
    await new Promise((r) => setTimeout(r, 120));
    expect(await b.claim(k, 'u', 1000)).toBe('claimed');
    expect(await b.claim(`${k}:done`, 'u', 1000)).toBe('claimed');
  });

  it('fails fast when Redis is unreachable, and never logs the URL or its password', async () => {
    const { logger: quiet, lines } = capturedLogger();
    const down = new RedisDeliveryStore('redis://:hunter2-REDIS-PASSWORD@127.0.0.1:1', quiet);
    const started = Date.now();
    await expect(down.claim(key(), 't', 1000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    await down.close();
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('checks and describes URLs without echoing them', () => {
    expect(redisUrlProblem('redis://u:p@h:1/0')).toBeUndefined();
    expect(redisUrlProblem('rediss://h')).toBeUndefined();
    expect(redisUrlProblem('http://secret-thing')).not.toContain('secret-thing');
    expect(describeRedisUrl('redis://user:pw-SECRET@cache.internal:6380/2')).toBe(
      'redis://cache.internal:6380',
    );
  });
});
