// Every answer of the webhook route, through app.inject(). The sink here only records what would be produced;
// test/integration/ingest.test.ts checks the same paths against a real Kafka broker.
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

let app: App;
let produced: OutboundRecord[][];
let failWith: TributaryError | undefined;
let logLines: string[];

beforeEach(async () => {
  produced = [];
  failWith = undefined;
  const { logger, lines } = capturedLogger();
  logLines = lines;
  app = await buildApp({
    config: defaultConfig({ bodyLimit: 4096, decodedBodyLimit: 16384, maxDocuments: 50, accessLog: 'all' }),
    catalog: await fixtureCatalog('ingest-route.yaml'),
    logger,
    sink: {
      async produce(records) {
        if (failWith) throw failWith;
        produced.push(records);
      },
    },
  });
});
afterEach(() => app.fastify.close());

const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
  app.fastify.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('POST /<capture>/<binding>', () => {
  it('answers 200 with the count and ids after the sink acknowledged, and stamps _meta', async () => {
    const res = await post('/test/shop/orders?src=shop', '{"id":"o-1","amount":12.5}');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.published).toBe(1);
    expect(produced).toHaveLength(1);
    const [record] = produced[0]!;
    expect(record!.topic).toBe('test.orders');
    expect(record!.key).toBe('["o-1"]');
    const value = JSON.parse(record!.value);
    expect(value).toMatchObject({ id: 'o-1', amount: 12.5, _meta: { query: { src: 'shop' } } });
    expect(Object.keys(value)).toEqual(['id', 'amount', '_meta']);
    expect(value._meta.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(value._meta.webhookId).toBe(value._meta.uuid);
    expect(body.webhookIds).toEqual([value._meta.webhookId]);
    expect(Date.parse(value._meta.receivedAt)).toBeGreaterThan(Date.now() - 10_000);
    expect(record!.headers).toMatchObject({
      'tributary-capture': 'test/shop',
      'tributary-binding': 'orders',
      'tributary-uuid': value._meta.uuid,
    });
  });

  it('takes arrays and NDJSON, and gives each element its own webhook id from the header', async () => {
    const headers = { 'x-delivery-id': 'd-9', 'x-event-type': 'push', authorization: 'Bearer s3cret' };
    const res = await post('/hooks/acme/events', '[{"a":1},{"a":2}]', headers);
    expect(res.statusCode).toBe(200);
    expect(res.json().webhookIds).toEqual(['d-9/0', 'd-9/1']);
    const values = produced[0]!.map((r) => JSON.parse(r.value));
    expect(values[1]._meta).toMatchObject({
      webhookId: 'd-9/1',
      pathParams: { tenant: 'acme' },
      headers: { 'x-event-type': 'push' },
    });
    expect(values[1]._meta.headers).not.toHaveProperty('authorization');
    expect(produced[0]!.map((r) => r.key)).toEqual(['["d-9/0"]', '["d-9/1"]']);

    const nd = await post('/hooks/acme/events', '{"b":1}\n{"b":2}\n{"b":3}\n', {
      'content-type': 'application/x-ndjson',
    });
    expect(nd.json().published).toBe(3);
  });

  it("writes the sender's bytes with _meta appended: big integers and formatting survive (issue 2)", async () => {
    const body = '[ {"big": 820982911946154508, "f": 1.0},\n  {"s":"\\u00e9"} ]';
    const res = await post('/hooks/acme/events', body);
    expect(res.statusCode).toBe(200);
    const [first, second] = produced[0]!.map((r) => r.value);
    expect(first).toMatch(/^\{"big": 820982911946154508, "f": 1\.0,"_meta":\{"uuid":"/);
    expect(second).toMatch(/^\{"s":"\\u00e9","_meta":\{/);
    expect(JSON.parse(second!).s).toBe('é');
  });

  it('uses the header id unsuffixed for a single document', async () => {
    const res = await post('/hooks/acme/events', '{"a":1}', { 'x-delivery-id': 'd-1' });
    expect(res.json().webhookIds).toEqual(['d-1']);
  });

  it('accepts gzip bodies', async () => {
    const res = await post('/test/shop/orders', gzipSync('{"id":"z","amount":1}'), {
      'content-encoding': 'gzip',
    });
    expect(res.statusCode).toBe(200);
  });

  it('rejects the whole request when one document is invalid, naming each bad one', async () => {
    const docs = [
      { id: 'ok', amount: 1 },
      { id: 'bad', amount: 'x' },
      { id: 'ok2', amount: 2 },
      { amount: 3, extra: true },
      { id: 'mail', amount: 1, email: 'not-an-email' },
    ];
    const res = await post('/test/shop/orders', JSON.stringify(docs));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.code).toBe('TRIB_VALIDATE_SCHEMA');
    expect(problem.detail).toMatch(/^3 of 5/);
    const where = problem.documents.map((d: { index: number; pointer: string; keyword: string }) => [
      d.index,
      d.pointer,
      d.keyword,
    ]);
    expect(where).toEqual(
      expect.arrayContaining([
        [1, '/amount', 'type'],
        [3, '/id', 'required'],
        [3, '/extra', 'additionalProperties'],
        [4, '/email', 'format'],
      ]),
    );
    expect(produced).toEqual([]);
  });

  it('refuses documents that bring their own _meta', async () => {
    const res = await post('/hooks/acme/events', '{"_meta":{"uuid":"forged"}}');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('TRIB_VALIDATE_RESERVED_META');
    expect(produced).toEqual([]);
  });

  it.each([
    ['unknown path', '/nope', '{}', {}, 404, 'TRIB_ROUTE_NOT_FOUND'],
    ['malformed JSON', '/test/shop/orders', '{"id":', {}, 400, 'TRIB_DECODE_INVALID_JSON'],
    [
      'prototype poisoning',
      '/hooks/a/events',
      '{"__proto__":{"admin":true}}',
      {},
      400,
      'TRIB_DECODE_FORBIDDEN_KEY',
    ],
    [
      'unsupported type',
      '/test/shop/orders',
      '<x/>',
      { 'content-type': 'application/xml' },
      415,
      'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'unsupported encoding',
      '/test/shop/orders',
      '{}',
      { 'content-encoding': 'zstd' },
      415,
      'TRIB_DECODE_UNSUPPORTED_ENCODING',
    ],
    ['too large', '/test/shop/orders', `{"id":"${'x'.repeat(5000)}"}`, {}, 413, 'TRIB_DECODE_BODY_TOO_LARGE'],
    ['empty body', '/test/shop/orders', '', {}, 400, 'TRIB_DECODE_EMPTY_BODY'],
    ['not an object', '/test/shop/orders', '42', {}, 400, 'TRIB_DECODE_NOT_AN_OBJECT'],
  ])('%s -> %i %s', async (_name, url, payload, headers, status, code) => {
    const res = await post(url, payload, headers as Record<string, string>);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, code, type: `urn:tributary:error:${code}` });
    expect(produced).toEqual([]);
  });

  it('refuses a body whose decoded size exceeds the decoded limit', async () => {
    const res = await post('/test/shop/orders', gzipSync(`{"id":"${'x'.repeat(20000)}","amount":1}`), {
      'content-encoding': 'gzip',
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('TRIB_DECODE_BODY_TOO_LARGE');
  });

  it('answers 405 with Allow for other methods on a binding path, 404 elsewhere', async () => {
    const res = await app.fastify.inject({ method: 'PUT', url: '/test/shop/orders', payload: '{}' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST, GET');
    expect(res.json().code).toBe('TRIB_ROUTE_METHOD_NOT_ALLOWED');
    const missing = await app.fastify.inject({ method: 'GET', url: '/elsewhere' });
    expect(missing.statusCode).toBe(404);
  });

  it('answers 503 with Retry-After when Kafka is unavailable, never 2xx', async () => {
    failWith = new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'not connected to Kafka');
    const res = await post('/test/shop/orders', '{"id":"o","amount":1}');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'TRIB_KAFKA_UNAVAILABLE', retryable: true });
  });

  it('answers 500 TRIB_INTERNAL for an unexpected error and logs it', async () => {
    app.fastify.log.level = 'info';
    failWith = new Error('boom') as unknown as TributaryError;
    const res = await post('/test/shop/orders', '{"id":"o","amount":1}');
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('TRIB_INTERNAL');
    expect(res.json().detail).not.toContain('boom');
    expect(logLines.join('')).toContain('boom');
  });

  it('never logs credentials or token query parameters', async () => {
    await post('/test/shop/orders?token=tok-123', '{"id":"o","amount":1}', {
      authorization: 'Bearer sekrit-abc',
      cookie: 'session=cookie-xyz',
    });
    const logs = logLines.join('\n');
    expect(logs).toContain('[Redacted]');
    for (const secret of ['tok-123', 'sekrit-abc', 'cookie-xyz']) expect(logs).not.toContain(secret);
  });
});

describe('in-flight bound', () => {
  it('answers 503 TRIB_OVERLOADED with Retry-After past the bound, and admits again once answered', async () => {
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const small = await buildApp({
      config: defaultConfig({ maxInFlightDocuments: 2 }),
      catalog: await fixtureCatalog('ingest-route.yaml'),
      logger: capturedLogger().logger,
      sink: { produce: () => blocked },
    });
    const send = (n: number) =>
      small.fastify.inject({
        method: 'POST',
        url: '/hooks/t/events',
        payload: JSON.stringify(Array.from({ length: n }, () => ({}))),
        headers: { 'content-type': 'application/json' },
      });
    const first = send(2);
    await vi.waitFor(() => expect(small.capacity.inFlight().documents).toBe(2), { timeout: 10_000 });
    const shed = await send(1);
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBeDefined();
    expect(shed.json().code).toBe('TRIB_OVERLOADED');
    release();
    expect((await first).statusCode).toBe(200);
    expect(small.capacity.inFlight()).toEqual({ documents: 0, bytes: 0 });
    expect((await send(1)).statusCode).toBe(200);
    await small.fastify.close();
  });
});
