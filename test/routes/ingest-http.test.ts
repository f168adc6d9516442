// The lean webhook path (routes/ingest-http.ts) answers as the Fastify route does: the same requests sent to an
// app with it and one without, over a real socket and through inject(), get the same status, body and headers
// (dates and generated ids aside). The conformance matrix and test/routes/ingest.test.ts run on it too (inject
// reaches it); this file shows that they do, and covers what only a socket has (Content-Length mismatches).
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.fastify.close()));
});

async function start(lean: boolean, failWith?: TributaryError): Promise<{ app: App; lines: string[] }> {
  const { logger, lines } = capturedLogger();
  const app = await buildApp({
    config: defaultConfig({ bodyLimit: 4096, leanWebhooks: lean, accessLog: 'all' }),
    catalog: await fixtureCatalog('ingest-route.yaml'),
    logger,
    sink: {
      async produce() {
        if (failWith) throw failWith;
      },
    },
  });
  apps.push(app);
  return { app, lines };
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/** Raw HTTP over a socket: headers as written (a wrong Content-Length included). */
function send(app: App, path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const { port } = app.fastify.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What must match: ids, dates and per-request values left out. */
function comparable(a: Answer): Answer {
  const { date: _d, ...headers } = a.headers as Record<string, unknown>;
  const body = JSON.parse(JSON.stringify(a.body), (k, v) =>
    k === 'webhookIds' || k === 'instance' ? '<id>' : v,
  ) as unknown;
  return { status: a.status, headers, body };
}

const CASES: { name: string; path: string; body: string; headers: Record<string, string> }[] = [
  { name: 'a valid document', path: '/test/shop/orders', body: '{"id":"a","amount":1}', headers: {} },
  { name: 'a schema violation', path: '/test/shop/orders', body: '{"id":""}', headers: {} },
  { name: 'bad JSON', path: '/test/shop/orders', body: '{"id":', headers: {} },
  { name: 'an empty body', path: '/test/shop/orders', body: '', headers: {} },
  { name: 'too large, declared', path: '/test/shop/orders', body: 'x'.repeat(5000), headers: {} },
  { name: 'a query and a path parameter', path: '/hooks/t1/events?x=1', body: '{"a":1}', headers: {} },
  {
    name: 'an unsupported media type',
    path: '/test/shop/orders',
    body: 'a=1',
    headers: { 'content-type': 'text/csv' },
  },
];

describe('lean webhook path', () => {
  it.each(CASES)('answers $name as the Fastify route does, over a socket', async (c) => {
    const [lean, plain] = await Promise.all([start(true), start(false)]);
    await Promise.all([lean.app.fastify.listen({ port: 0 }), plain.app.fastify.listen({ port: 0 })]);
    const headers = { 'content-type': 'application/json', ...c.headers };
    const [a, b] = await Promise.all([
      send(lean.app, c.path, c.body, headers),
      send(plain.app, c.path, c.body, headers),
    ]);
    expect(comparable(a)).toEqual(comparable(b));
  });

  it('answers a Content-Length the body does not match as Fastify does', async () => {
    const [lean, plain] = await Promise.all([start(true), start(false)]);
    await Promise.all([lean.app.fastify.listen({ port: 0 }), plain.app.fastify.listen({ port: 0 })]);
    const { port: leanPort } = lean.app.fastify.server.address() as AddressInfo;
    const { port: plainPort } = plain.app.fastify.server.address() as AddressInfo;
    const raw = async (port: number) => {
      const { connect } = await import('node:net');
      return new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          // Declares 10 bytes, sends 5, then half-closes: the body ends short.
          socket.end(
            'POST /test/shop/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              'Content-Length: 10\r\n\r\n{"a":',
          );
        });
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('close', () => resolve(text.split('\r\n', 1)[0]!));
      });
    };
    expect(await raw(leanPort)).toBe(await raw(plainPort));
  });

  it('answers a 503 from Kafka with Retry-After, through inject', async () => {
    const unavailable = new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'down', { retryAfter: 2 });
    const [lean, plain] = await Promise.all([start(true, unavailable), start(false, unavailable)]);
    const one = (app: App) =>
      app.fastify.inject({
        method: 'POST',
        url: '/test/shop/orders',
        payload: '{"id":"a","amount":1}',
        headers: { 'content-type': 'application/json' },
      });
    const [a, b] = await Promise.all([one(lean.app), one(plain.app)]);
    expect(a.statusCode).toBe(503);
    expect(a.headers['retry-after']).toBe('2');
    expect(comparable({ status: a.statusCode, headers: a.headers, body: a.json() })).toEqual(
      comparable({ status: b.statusCode, headers: b.headers, body: b.json() }),
    );
  });

  it.each([true, false])('is the path inject() takes (lean %s): no Fastify hook runs', async (leanOn) => {
    const { app, lines } = await start(leanOn);
    let hooks = 0;
    // Added before the app is ready (buildApp does not start it): runs for every request Fastify routes.
    app.fastify.addHook('onRequest', (_req, _reply, done) => {
      hooks++;
      done();
    });
    const res = await app.fastify.inject({
      method: 'POST',
      url: '/test/shop/orders',
      payload: '{"id":"a","amount":1}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'lean-1' },
    });
    expect(res.statusCode).toBe(200);
    expect(hooks).toBe(leanOn ? 0 : 1);
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['reqId'] === 'lean-1' && l['msg'] === 'request completed');
    expect(line).toMatchObject({
      req: { id: 'lean-1', method: 'POST', url: '/test/shop/orders' },
      res: { statusCode: 200 },
    });
  });
});
