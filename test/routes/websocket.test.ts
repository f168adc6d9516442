// The WebSocket route through a real socket (ws client, server on a free port), with a sink that only records:
// handshake answers before the upgrade, subprotocol selection, limits, shedding and shutdown.
// test/integration/websocket.test.ts streams into a real Kafka broker.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type App, buildApp } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/model.js';
import { type Config, defaultConfig } from '../../src/config.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const TOKEN = 'stream-route-token';
let catalog: Catalog;
beforeAll(async () => {
  process.env['STREAM_TEST_TOKEN'] = TOKEN;
  catalog = await fixtureCatalog('stream.yaml');
});

let app: App | undefined;
let base: string;
let produced: OutboundRecord[][];
let logLines: string[];
let release: (() => void) | undefined;

async function start(config: Partial<Config> = {}, opts: { holdSink?: boolean } = {}): Promise<void> {
  produced = [];
  const { logger, lines } = capturedLogger();
  logLines = lines;
  const held = opts.holdSink ? new Promise<void>((r) => (release = r)) : undefined;
  app = await buildApp({
    config: defaultConfig(config),
    catalog,
    logger,
    sink: {
      async produce(records) {
        await held;
        produced.push(records);
      },
    },
  });
  base = (await app.fastify.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
}
afterEach(async () => {
  release?.();
  release = undefined;
  await app?.fastify.close();
  app = undefined;
});

type Refused = { status: number; headers: Record<string, unknown>; body: string };

/** Opens a socket, or resolves with the HTTP answer that refused the handshake. */
function connect(
  path: string,
  protocols: string[] = [],
  options: WebSocket.ClientOptions = {},
): Promise<WebSocket | Refused> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base + path, protocols, options);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    ws.once('error', reject);
  });
}

async function opened(path: string, protocols?: string[], options?: WebSocket.ClientOptions) {
  const ws = await connect(path, protocols, options);
  if (!(ws instanceof WebSocket)) throw new Error(`refused: ${ws.status} ${ws.body}`);
  return ws;
}

async function refused(path: string, protocols?: string[], options?: WebSocket.ClientOptions) {
  const answer = await connect(path, protocols, options);
  if (answer instanceof WebSocket) throw new Error('the handshake was accepted');
  return { ...answer, problem: JSON.parse(answer.body) as { code: string } };
}

function nextAnswers(ws: WebSocket, n: number): Promise<{ seq: number; status: string }[]> {
  const got: { seq: number; status: string }[] = [];
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      got.push(JSON.parse(String(data)));
      if (got.length === n) {
        ws.off('message', onMessage);
        resolve(got);
      }
    };
    ws.on('message', onMessage);
  });
}

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );

describe('WebSocket handshake', () => {
  it('answers 404, 401, 403 and 400 with problem+json before upgrading', async () => {
    await start();
    const cases: [string, string[], WebSocket.ClientOptions, number, string][] = [
      ['/nope', [], {}, 404, 'TRIB_ROUTE_NOT_FOUND'],
      ['/test/stream/orders', ['tributary.v1'], {}, 401, 'TRIB_AUTH_MISSING_TOKEN'],
      ['/test/stream/orders', ['tributary.v1', 'bearer.wrong'], {}, 403, 'TRIB_AUTH_BAD_TOKEN'],
      [
        '/test/stream/orders',
        ['tributary.v1', `bearer.${TOKEN}`],
        { origin: 'https://evil.example' },
        403,
        'TRIB_AUTH_ORIGIN_NOT_ALLOWED',
      ],
      ['/test/open/services', [], { origin: 'https://app.example.com' }, 403, 'TRIB_AUTH_ORIGIN_NOT_ALLOWED'],
      ['/test/stream/orders', [`bearer.${TOKEN}`], {}, 400, 'TRIB_STREAM_UNSUPPORTED_PROTOCOL'],
    ];
    for (const [path, protocols, options, status, code] of cases) {
      const answer = await refused(path, protocols, options);
      expect([answer.status, answer.problem.code], `${path} ${protocols}`).toEqual([status, code]);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(app!.streams.stats().connections).toBe(0);
  });

  it('selects tributary.v1 and never echoes the bearer subprotocol, even when offered first', async () => {
    await start();
    let headers: Record<string, unknown> = {};
    const ws = new WebSocket(`${base}/test/stream/orders`, [`bearer.${TOKEN}`, 'tributary.v1'], {
      origin: 'https://app.example.com',
    });
    ws.once('upgrade', (res) => (headers = res.headers));
    await new Promise((resolve) => ws.once('open', resolve));
    expect(ws.protocol).toBe('tributary.v1');
    expect(headers['sec-websocket-protocol']).toBe('tributary.v1');
    expect(JSON.stringify(headers)).not.toContain(TOKEN);
    expect(app!.streams.stats().connections).toBe(1);
    ws.close();
  });

  it('takes Authorization: Bearer with no subprotocol, and ?token= kept out of logs and _meta', async () => {
    await start();
    const services = await opened('/test/stream/orders', [], {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(services.protocol).toBe('');
    const browser = await opened(`/streams/acme/events?token=${TOKEN}&src=web`, ['tributary.v1'], {
      origin: 'https://app.example.com',
    });
    const answers = nextAnswers(browser, 1);
    browser.send('{"n":1}');
    expect(await answers).toEqual([{ seq: 1, status: 'ok', published: 1 }]);
    const meta = JSON.parse(produced[0]![0]!.value)._meta;
    expect(meta.query).toEqual({ src: 'web' });
    expect(logLines.join('\n')).not.toContain(TOKEN);
    services.close();
    browser.close();
  });

  it('counts stream documents per binding in /metrics, accepted and rejected by code (issue 6)', async () => {
    await start();
    const ws = await opened('/test/open/services');
    const answers = nextAnswers(ws, 3);
    const good = '{"id":"a","amount":1}\n{"id":"b","amount":2}';
    ws.send(good);
    const invalid = '[{"id":"c","amount":3},{"id":"d"},{"id":"e","amount":"x"}]';
    ws.send(invalid);
    ws.send('{not json');
    expect((await answers).map((a) => a.status)).toEqual(['ok', 'rejected', 'rejected']);
    const text = (await app!.fastify.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (line: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.slice(line.length + 1),
      );
    const labels = 'capture="test/open",binding="services"';
    expect(value(`tributary_documents_accepted_total{${labels}}`)).toBe(2);
    expect(value(`tributary_documents_rejected_total{${labels},code="TRIB_VALIDATE_SCHEMA"}`)).toBe(3);
    expect(value(`tributary_documents_rejected_total{${labels},code="TRIB_DECODE_INVALID_JSON"}`)).toBe(1);
    expect(value(`tributary_accepted_bytes_total{${labels}}`)).toBeGreaterThan(good.length);
    expect(value(`tributary_received_bytes_total{${labels}}`)).toBe(
      Buffer.byteLength(good) + invalid.length + '{not json'.length,
    );
    expect(text).not.toMatch(/tributary_http_requests_total\{[^}]*binding="services"/);
    ws.close();
  });

  it('answers a plain GET or HEAD on a binding path 405 with Allow, and 404 elsewhere', async () => {
    await start();
    const http = base.replace('ws:', 'http:');
    const get = await fetch(`${http}/test/stream/orders`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, GET');
    expect(((await get.json()) as { code: string }).code).toBe('TRIB_ROUTE_METHOD_NOT_ALLOWED');
    expect((await fetch(`${http}/test/stream/orders`, { method: 'HEAD' })).status).toBe(405);
    const missing = await fetch(`${http}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('TRIB_ROUTE_NOT_FOUND');
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });
});

describe('WebSocket limits and lifecycle', () => {
  it('closes 1009 when a message exceeds maxPayload', async () => {
    await start({ wsMaxPayload: 1024 });
    const ws = await opened('/test/open/services');
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ id: 'x'.repeat(2000), amount: 1 }));
    expect((await closed).code).toBe(1009);
  });

  it('sheds a connection past the limit with 1013', async () => {
    await start({ wsMaxConnections: 1 });
    const first = await opened('/test/open/services');
    const second = await opened('/test/open/services');
    expect((await closeOf(second)).code).toBe(1013);
    expect(app!.streams.stats()).toMatchObject({ connections: 1, shed: 1 });
    first.close();
  });

  it('on close, answers every in-flight frame first, then closes with 1001', async () => {
    await start({}, { holdSink: true });
    const ws = await opened('/test/open/services');
    const answers = nextAnswers(ws, 3);
    const closed = closeOf(ws);
    for (const id of ['a', 'b', 'c']) ws.send(JSON.stringify({ id, amount: 1 }));
    await expect.poll(() => app!.streams.stats().frames).toBe(3);
    const closing = app!.fastify.close();
    setTimeout(() => release!(), 50);
    expect((await answers).map((a) => a.status)).toEqual(['ok', 'ok', 'ok']);
    expect(await closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await closing;
    app = undefined;
    expect(produced.flat()).toHaveLength(3);
  });

  it('closes 1008 when a reloaded catalog no longer serves the binding', async () => {
    await start();
    const ws = await opened('/test/stream/orders', ['tributary.v1', `bearer.${TOKEN}`]);
    const kept = await opened('/test/open/services');
    const closed = closeOf(ws);
    app!.setCatalog({ ...catalog, bindings: catalog.bindings.filter((b) => b.capture !== 'test/stream') });
    expect((await closed).code).toBe(1008);
    const answers = nextAnswers(kept, 1);
    kept.send('{"id":"still","amount":1}');
    expect(await answers).toMatchObject([{ seq: 1, status: 'ok' }]);
    kept.close();
  });
});
