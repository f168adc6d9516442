// Per-binding rate limits (429) and the event-loop/heap guard (503), with probes never shed.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/model.js';
import { type Config, defaultConfig } from '../../src/config.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const TOKEN = 'rate-test-token';
let catalog: Catalog;
const apps: App[] = [];

beforeAll(async () => {
  process.env['TRIBUTARY_TEST_RATE_TOKEN'] = TOKEN;
  catalog = await fixtureCatalog('rate-limits.yaml');
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.fastify.close();
});

async function app(config: Partial<Config> = {}, c: Catalog = catalog): Promise<App> {
  const a = await buildApp({
    config: defaultConfig(config),
    catalog: c,
    logger: capturedLogger().logger,
    sink: { async produce() {} },
  });
  apps.push(a);
  return a;
}

const post = (a: App, url: string, token: string | undefined = TOKEN) =>
  a.fastify.inject({
    method: 'POST',
    url,
    payload: '{"id":"x"}',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

describe('rate limits', () => {
  it('answers 429 TRIB_RATE_LIMITED with Retry-After past a binding limit, each binding counted apart', async () => {
    const a = await app();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(a, '/test/limited/inherits')).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await post(a, '/test/limited/inherits');
    expect(limited.json()).toMatchObject({ code: 'TRIB_RATE_LIMITED', status: 429, retryable: true });
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
    // The binding's own limit wins over the capture's; the open capture has none.
    const own = [];
    for (let i = 0; i < 4; i++) own.push((await post(a, '/test/limited/own')).statusCode);
    expect(own).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 10; i++) expect((await post(a, '/test/open/free', undefined)).statusCode).toBe(200);
  });

  it('spends no budget on requests without a valid token, and never limits probes or metrics', async () => {
    const a = await app();
    for (let i = 0; i < 5; i++)
      expect((await post(a, '/test/limited/inherits', 'wrong')).statusCode).toBe(403);
    expect((await post(a, '/test/limited/inherits')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await a.fastify.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect((await a.fastify.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    }
  });
});

describe('pressure guard', () => {
  it('answers 503 TRIB_UNDER_PRESSURE past the heap limit, but keeps probes and metrics up', async () => {
    const a = await app({ maxHeapUsedBytes: 1 });
    // @fastify/under-pressure samples once a second.
    let res = await post(a, '/test/open/free', undefined);
    const until = Date.now() + 5000;
    while (res.statusCode === 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      res = await post(a, '/test/open/free', undefined);
    }
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'TRIB_UNDER_PRESSURE', retryable: true });
    expect(res.headers['retry-after']).toBe('5');
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await a.fastify.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
