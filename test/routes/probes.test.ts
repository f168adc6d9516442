// /healthz and /readyz: each readiness check by name, and draining.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

async function app(kafkaOk: () => boolean) {
  return buildApp({
    config: defaultConfig(),
    catalog: await fixtureCatalog('ingest-route.yaml'),
    logger: capturedLogger().logger,
    sink: { async produce() {} },
    checks: [
      { name: 'kafka', ok: () => true },
      { name: 'kafka-metadata', ok: kafkaOk },
    ],
  });
}

describe('probes', () => {
  it('/readyz names every check and the failing one', async () => {
    let fresh = true;
    const a = await app(() => fresh);
    const ready = await a.fastify.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { catalog: 'ok', kafka: 'ok', 'kafka-metadata': 'ok', draining: 'ok' },
    });
    fresh = false;
    const stale = await a.fastify.inject({ method: 'GET', url: '/readyz' });
    expect(stale.statusCode).toBe(503);
    expect(stale.json().checks).toMatchObject({ 'kafka-metadata': 'failing', draining: 'ok' });
    await a.fastify.close();
  });

  it('/readyz fails while draining, /healthz stays up, and answers carry Connection: close', async () => {
    const a = await app(() => true);
    a.lifecycle.phase = 'draining';
    const res = await a.fastify.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not ready', checks: { draining: 'failing', kafka: 'ok' } });
    expect(res.headers.connection).toBe('close');
    expect((await a.fastify.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // Still serving webhooks while the balancer notices.
    const post = await a.fastify.inject({
      method: 'POST',
      url: '/test/shop/orders',
      payload: '{"id":"a","amount":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.statusCode).toBe(200);
    a.lifecycle.phase = 'closing';
    const late = await a.fastify.inject({
      method: 'POST',
      url: '/test/shop/orders',
      payload: '{"id":"a","amount":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(late.statusCode).toBe(503);
    expect(late.json()).toMatchObject({ code: 'TRIB_SHUTTING_DOWN', retryable: true });
    expect(late.headers['retry-after']).toBeDefined();
    expect((await a.fastify.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    await a.fastify.close();
  });
});
