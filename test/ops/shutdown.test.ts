// The drain sequence over real loopback HTTP: readiness fails first, in-flight requests are answered, the
// listener closes, and the grace period bounds it all.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { drain } from '../../src/ops/shutdown.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

let app: App | undefined;
afterEach(async () => {
  await app?.fastify.close();
  app = undefined;
});

/** A sink that holds every produce until released, like a Kafka ack still on its way. */
function slowSink() {
  const waiting: (() => void)[] = [];
  return {
    waiting,
    sink: { produce: () => new Promise<void>((resolve) => waiting.push(resolve)) },
  };
}

async function start(sink: { produce(): Promise<void> }) {
  const { logger, lines } = capturedLogger();
  app = await buildApp({
    config: defaultConfig(),
    catalog: await fixtureCatalog('ingest-route.yaml'),
    logger,
    sink,
  });
  const url = await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  return { url, lines, logger };
}

/** One POST on its own connection (no keep-alive pool), so a closed listener shows as ECONNREFUSED. */
function post(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(
      `${url}/test/shop/orders`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end('{"id":"a","amount":1}');
  });
}

const drainable = () => ({ lifecycle: app!.lifecycle, close: () => app!.fastify.close() });

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 10));
}

describe('drain', () => {
  it('fails readiness first, answers in-flight requests, then closes the listener and exits 0', async () => {
    const { waiting, sink } = slowSink();
    const { url, logger } = await start(sink);
    const inFlight = post(url);
    await until(() => waiting.length === 1);

    const done = drain(drainable(), { drainDelayMs: 300, graceMs: 10_000 }, logger);
    const ready = await fetch(`${url}/readyz`, { headers: { connection: 'close' } });
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks['draining']).toBe('failing');
    // Still serving during the drain delay: a request that the balancer sent just before it noticed.
    const during = post(url);
    await until(() => waiting.length === 2);

    await until(() => app!.lifecycle.phase === 'closing');
    expect(await post(url)).toEqual({ error: 'ECONNREFUSED' });
    for (const release of waiting) release();
    expect(await inFlight).toMatchObject({ status: 200 });
    expect(await during).toMatchObject({ status: 200 });
    expect(await done).toBe(0);
  });

  it('gives up after the grace period with exit code 1', async () => {
    const { waiting, sink } = slowSink();
    const { url, logger } = await start(sink);
    void post(url);
    await until(() => waiting.length === 1);
    const started = Date.now();
    expect(await drain(drainable(), { drainDelayMs: 0, graceMs: 300 }, logger)).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const release of waiting) release();
  });
});
