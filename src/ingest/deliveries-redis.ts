// The delivery store shared by every replica: Redis (ioredis). Claims are one Lua script each, so two replicas
// that receive the same delivery at once cannot both claim it. Redis errors never fail a request: duplicate
// suppression is best effort, and the caller produces anyway (consumers can deduplicate exactly on the
// tributary-delivery-id Kafka header).
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type ClaimResult, type DeliveryStore, DONE, PENDING } from './deliveries.js';

// GET then SET NX in one script: `SET NX GET` would do, but needs Redis 7.0; scripts work on every version.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** host:port of a redis:// URL, for logs: the URL itself may carry a password. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** A problem with the configured URL, phrased without echoing it. */
export function redisUrlProblem(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') return undefined;
  } catch {
    // fall through
  }
  return 'TRIBUTARY_REDIS_URL must be a redis:// or rediss:// URL';
}

export class RedisDeliveryStore implements DeliveryStore {
  readonly redis: Redis;
  private lastErrorLog = 0;

  constructor(url: string, logger: Logger, opts: { commandTimeoutMs?: number } = {}) {
    this.redis = new Redis(url, {
      // Fail fast instead of queueing: a webhook sender waits at most seconds, and suppression is optional.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 500,
      connectTimeout: 2000,
      // Reconnect forever, at most every 2 s: Redis coming back restores suppression without a restart.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    const where = describeRedisUrl(url);
    this.redis.on('error', (err: Error) => {
      // Reconnect attempts fail every few hundred ms while Redis is down: one line per 10 s is enough.
      const now = Date.now();
      if (now - this.lastErrorLog < 10_000) return;
      this.lastErrorLog = now;
      logger.warn({ redis: where, err: err.message }, 'Redis unavailable: duplicates are not suppressed');
    });
    this.redis.on('ready', () => logger.info({ redis: where }, 'Redis connected for duplicate suppression'));
    this.redis.defineCommand('tributaryClaim', { numberOfKeys: 1, lua: CLAIM });
    this.redis.defineCommand('tributaryRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  async claim(key: string, token: string, pendingMs: number): Promise<ClaimResult> {
    const run = (this.redis as unknown as Scripts).tributaryClaim;
    const value = await run.call(this.redis, key, PENDING + token, String(Math.max(1, Math.ceil(pendingMs))));
    if (value === null) return 'claimed';
    return value === DONE ? 'done' : 'pending';
  }

  async complete(key: string, windowMs: number): Promise<void> {
    await this.redis.set(key, DONE, 'PX', Math.max(1, Math.ceil(windowMs)));
  }

  async release(key: string, token: string): Promise<void> {
    const run = (this.redis as unknown as Scripts).tributaryRelease;
    await run.call(this.redis, key, PENDING + token);
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

interface Scripts {
  tributaryClaim(key: string, value: string, ttl: string): Promise<string | null>;
  tributaryRelease(key: string, value: string): Promise<number>;
}
