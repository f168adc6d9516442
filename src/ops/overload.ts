// Shedding beyond the global in-flight bound (src/ops/capacity.ts): per-binding rate limits (@fastify/rate-limit,
// 429) and event-loop / heap guards (@fastify/under-pressure, 503). Probes and metrics are never shed: a
// balancer that cannot read /readyz under load would take a healthy, busy process out of rotation.
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Binding } from '../catalog/model.js';
import { ERRORS, TributaryError } from '../errors.js';

/** A binding's request budget: resolves when allowed, throws 429 TRIB_RATE_LIMITED when spent. */
export type RateGate = (binding: Binding) => Promise<void>;

export interface OverloadOptions {
  /** Shared counters for every replica; undefined keeps them in this process. */
  redisUrl: string | undefined;
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
}

/** Never shed, limited or authenticated. */
export const EXEMPT_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** Registers the pressure guard and returns the per-binding rate limit the front door admits through. */
export async function registerOverloadGuards(
  fastify: FastifyInstance,
  opts: OverloadOptions,
  logger: Logger,
): Promise<RateGate> {
  await registerPressureGuard(fastify, opts);
  return registerRateLimits(fastify, opts.redisUrl, logger);
}

async function registerPressureGuard(fastify: FastifyInstance, opts: OverloadOptions): Promise<void> {
  await fastify.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelayMs,
    maxHeapUsedBytes: opts.maxHeapUsedBytes,
    // A rejected promise goes to the error handler: problem+json with a code, not the plugin's own body.
    pressureHandler: (request, _reply, type, value) => {
      if (EXEMPT_PATHS.has(request.url.split('?', 1)[0]!)) return;
      return Promise.reject(
        new TributaryError(ERRORS.UNDER_PRESSURE, `under pressure: ${type} is ${Math.round(value ?? 0)}`, {
          retryAfter: 5,
        }),
      );
    },
  });
}

async function registerRateLimits(
  fastify: FastifyInstance,
  redisUrl: string | undefined,
  logger: Logger,
): Promise<RateGate> {
  // ioredis is imported only when a Redis is configured: ~70 ms of start-up otherwise (issue 17).
  const redis =
    redisUrl === undefined
      ? undefined
      : new (await import('ioredis')).Redis(redisUrl, {
          // Short bounds: a limit check must not hold a webhook longer than Kafka would.
          connectTimeout: 1000,
          commandTimeout: 500,
          maxRetriesPerRequest: 1,
        });
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis (rate limits) unavailable'));
  await fastify.register(rateLimit, {
    global: false,
    ...(redis ? { redis } : {}),
    nameSpace: 'tributary-rate-',
    // Fail open when Redis is down: losing a limit briefly is better than refusing every webhook.
    skipOnError: true,
  });
  if (redis) fastify.addHook('onClose', async () => void (await redis.quit().catch(() => undefined)));

  const limiters = new WeakMap<Binding, Limiter>();
  const limiterOf = (binding: Binding, limit: NonNullable<Binding['rateLimit']>): Limiter => {
    let limiter = limiters.get(binding);
    if (limiter === undefined) {
      const key = `${binding.capture}:${binding.name}`;
      limiter = fastify.createRateLimit({
        max: limit.max,
        timeWindow: limit.timeWindowMs,
        keyGenerator: () => key,
      });
      limiters.set(binding, limiter);
    }
    return limiter;
  };

  // Called by the front door's admit, after the token check (strangers must not spend a binding's budget) and
  // before the body is read. The limiter reads nothing of the request but its (empty) route config.
  return async (binding) => {
    const limit = binding.rateLimit;
    if (limit === undefined) return;
    const result = await limiterOf(binding, limit)(NO_REQUEST);
    if (result.isAllowed || !result.isExceeded) return;
    throw new TributaryError(
      ERRORS.RATE_LIMITED,
      `binding ${binding.capture}/${binding.name} allows ${limit.max} requests per ${limit.timeWindowMs} ms`,
      {
        retryAfter: Math.max(1, result.ttlInSeconds),
        headers: {
          'x-ratelimit-limit': String(result.max),
          'x-ratelimit-remaining': String(result.remaining),
          'x-ratelimit-reset': String(result.ttlInSeconds),
        },
      },
    );
  };
}

/** What @fastify/rate-limit's limiter reads of a request when the key is fixed: its route config. */
const NO_REQUEST = { routeOptions: { config: {} } } as unknown as FastifyRequest;
