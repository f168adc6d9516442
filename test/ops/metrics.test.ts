// Metrics through the /metrics route: what an operator scrapes, with label values bounded by the catalog.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { parseMetrics, type Sample } from '../prometheus-text.js';

let app: App;
let failWith: TributaryError | undefined;

beforeEach(async () => {
  failWith = undefined;
  app = await buildApp({
    config: defaultConfig(),
    catalog: await fixtureCatalog('ingest-route.yaml'),
    logger: capturedLogger().logger,
    sink: {
      async produce() {
        if (failWith) throw failWith;
      },
    },
  });
});
afterEach(() => app.fastify.close());

const post = (url: string, payload: string) =>
  app.fastify.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });

async function scrape(): Promise<Sample[]> {
  const res = await app.fastify.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return parseMetrics(res.body);
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

describe('/metrics', () => {
  it('counts requests by binding and status, documents accepted and rejected by code, and bytes', async () => {
    const body = '[{"id":"a","amount":1},{"id":"b","amount":2}]';
    expect((await post('/test/shop/orders', body)).statusCode).toBe(200);
    expect((await post('/test/shop/orders', '[{"id":"c"},{"id":"d","amount":1}]')).statusCode).toBe(400);
    failWith = new TributaryError(ERRORS.KAFKA_UNAVAILABLE);
    expect((await post('/hooks/acme/events', '{}')).statusCode).toBe(503);

    const m = await scrape();
    const orders = { capture: 'test/shop', binding: 'orders' };
    expect(value(m, 'tributary_http_requests_total', { ...orders, status: '200', code: '' })).toBe(1);
    expect(
      value(m, 'tributary_http_requests_total', { ...orders, status: '400', code: 'TRIB_VALIDATE_SCHEMA' }),
    ).toBe(1);
    expect(value(m, 'tributary_documents_accepted_total', orders)).toBe(2);
    expect(value(m, 'tributary_documents_rejected_total', { ...orders, code: 'TRIB_VALIDATE_SCHEMA' })).toBe(
      2,
    );
    expect(
      value(m, 'tributary_documents_rejected_total', { binding: 'events', code: 'TRIB_KAFKA_UNAVAILABLE' }),
    ).toBe(1);
    expect(value(m, 'tributary_received_bytes_total', orders)).toBe(
      Buffer.byteLength(body) + Buffer.byteLength('[{"id":"c"},{"id":"d","amount":1}]'),
    );
    expect(value(m, 'tributary_accepted_bytes_total', orders)).toBeGreaterThan(Buffer.byteLength(body));
    expect(value(m, 'tributary_in_flight_documents')).toBe(0);
    expect(value(m, 'tributary_catalog_bindings')).toBe(2);
    expect(value(m, 'tributary_ready')).toBe(1);
    expect(value(m, 'tributary_draining')).toBe(0);
    // default process metrics
    expect(value(m, 'tributary_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('adds what happened between scrapes exactly once (counts are gathered, then handed over on scrape)', async () => {
    const orders = { capture: 'test/shop', binding: 'orders' };
    const body = '{"id":"a","amount":1}';
    for (let i = 0; i < 3; i++) expect((await post('/test/shop/orders', body)).statusCode).toBe(200);
    expect(value(await scrape(), 'tributary_documents_accepted_total', orders)).toBe(3);
    expect(value(await scrape(), 'tributary_documents_accepted_total', orders)).toBe(3);
    expect((await post('/test/shop/orders', body)).statusCode).toBe(200);
    const m = await scrape();
    expect(value(m, 'tributary_documents_accepted_total', orders)).toBe(4);
    expect(value(m, 'tributary_http_requests_total', { ...orders, status: '200', code: '' })).toBe(4);
    expect(value(m, 'tributary_received_bytes_total', orders)).toBe(4 * body.length);
  });

  it('gives unknown paths no label values of their own, and never shows tokens or query strings', async () => {
    for (let i = 0; i < 20; i++) await post(`/scan/${i}?token=secret-${i}`, '{}');
    const res = await app.fastify.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).not.toContain('scan');
    expect(res.body).not.toContain('secret');
    const m = parseMetrics(res.body);
    expect(
      value(m, 'tributary_http_requests_total', {
        capture: '',
        binding: '',
        status: '404',
        code: 'TRIB_ROUTE_NOT_FOUND',
      }),
    ).toBe(20);
    // Probes and the scrape itself are not webhook traffic.
    await app.fastify.inject({ method: 'GET', url: '/readyz' });
    const again = parseMetrics((await app.fastify.inject({ method: 'GET', url: '/metrics' })).body);
    const total = again
      .filter((s) => s.name === 'tributary_http_requests_total')
      .reduce((n, s) => n + s.value, 0);
    expect(total).toBe(20);
  });

  it('records produce latency, batch sizes and Kafka errors from the batcher, and WebSocket connections', async () => {
    app.metrics.observeBatch({ records: 3, bytes: 900, ms: 12 });
    app.metrics.observeBatch({
      records: 1,
      bytes: 100,
      ms: 4000,
      error: new TributaryError(ERRORS.KAFKA_TIMEOUT),
    });
    // The gauge reads the WebSocket registry at scrape time.
    const stats = app.streams.stats();
    vi.spyOn(app.streams, 'stats').mockReturnValue({ ...stats, connections: 2 });
    const m = await scrape();
    expect(value(m, 'tributary_kafka_produce_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(value(m, 'tributary_kafka_produce_duration_seconds_bucket', { outcome: 'ok', le: '0.025' })).toBe(
      1,
    );
    expect(value(m, 'tributary_kafka_produce_duration_seconds_bucket', { outcome: 'error', le: '2' })).toBe(
      0,
    );
    expect(value(m, 'tributary_kafka_batch_documents_sum')).toBe(4);
    expect(value(m, 'tributary_kafka_batch_bytes_sum')).toBe(1000);
    expect(value(m, 'tributary_kafka_errors_total', { code: 'TRIB_KAFKA_TIMEOUT' })).toBe(1);
    expect(value(m, 'tributary_websocket_connections')).toBe(2);
  });
});
