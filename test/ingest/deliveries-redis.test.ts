// The shared store's URL checks and its behaviour with no server; against a real Redis: test/integration/redis.test.ts.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeRedisUrl, RedisDeliveryStore, redisUrlProblem } from '../../src/ingest/deliveries-redis.js';
import { capturedLogger } from '../helpers.js';

describe('Redis delivery store without a server', () => {
  it('fails fast when Redis is unreachable, and never logs the URL or its password', async () => {
    const { logger: quiet, lines } = capturedLogger();
    const down = new RedisDeliveryStore('redis://:hunter2-REDIS-PASSWORD@127.0.0.1:1', quiet);
    const started = Date.now();
    await expect(down.claim(`tributary:test:${randomUUID()}`, 't', 1000)).rejects.toThrow();
    // Generous for a loaded machine: the point is that it fails instead of queueing until Redis is back.
    expect(Date.now() - started).toBeLessThan(5000);
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
