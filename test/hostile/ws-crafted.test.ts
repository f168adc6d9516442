// Issue 7: crafted hostile frames against the WebSocket front door. Bad documents are `rejected` with a
// registered 4xx code and the connection stays usable; frames the protocol forbids (oversize, invalid UTF-8 in
// a text frame, broken framing) close that connection with the RFC 6455 code, and the gateway serves on.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { checkProduced, type HostileApp, hostileApp, KNOWN_CODES } from './hostile-app.js';
import { type Outcome, StreamClient } from './ws-client.js';

const MAX_PAYLOAD = 64 * 1024;
let h: HostileApp;
let base: string;
let port: number;

beforeAll(async () => {
  h = await hostileApp({ wsMaxPayload: MAX_PAYLOAD });
  const address = await h.app.fastify.listen({ host: '127.0.0.1', port: 0 });
  base = address.replace('http:', 'ws:');
  port = Number(new URL(address).port);
});
afterAll(() => h.app.fastify.close());

const ANY = '/hostile/in/anything';

function expectRejected(outcome: Outcome, code: string): void {
  expect(outcome).toMatchObject({ answer: { status: 'rejected', error: { code } } });
  const { error } = (outcome as { answer: { error: { code: string; status: number } } }).answer;
  expect(KNOWN_CODES.has(error.code)).toBe(true);
  expect(error.status).toBeGreaterThanOrEqual(400);
  expect(error.status).toBeLessThan(500);
  expect(h.take()).toEqual([]);
}

async function expectStillServing(client?: StreamClient): Promise<void> {
  const c = client ?? (await StreamClient.open(base + ANY));
  const outcome = await c.send(Buffer.from('{"still":"here"}'));
  expect(outcome).toMatchObject({ answer: { status: 'ok', published: 1 } });
  checkProduced(h, h.take(), ANY, 1);
  if (client === undefined) c.close();
}

describe('hostile documents in frames (issue 7)', () => {
  it('rejects each bad frame with a coded 4xx and keeps the connection open', async () => {
    const client = await StreamClient.open(base + ANY);
    const cases: [string | Buffer, string, boolean][] = [
      [`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, 'TRIB_DECODE_TOO_DEEP', false],
      ['{"a":1e400}', 'TRIB_DECODE_NUMBER_OUT_OF_RANGE', false],
      ['{"__proto__":{"admin":true}}', 'TRIB_DECODE_FORBIDDEN_KEY', false],
      ['{"a":1}\n{"constructor":{"prototype":{"x":1}}}', 'TRIB_DECODE_FORBIDDEN_KEY', false],
      ['{"a":', 'TRIB_DECODE_INVALID_JSON', false],
      ['[1,2]', 'TRIB_DECODE_NOT_AN_OBJECT', false],
      ['   ', 'TRIB_DECODE_EMPTY_BODY', false],
      ['{"_meta":{"uuid":"forged"}}', 'TRIB_VALIDATE_RESERVED_META', false],
      [
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
        'TRIB_DECODE_INVALID_UTF8',
        true,
      ],
    ];
    for (const [payload, code, binary] of cases) {
      expectRejected(await client.send(Buffer.from(payload), { binary }), code);
    }
    await expectStillServing(client);
    client.close();
  });

  it('answers a pathological pattern frame fast (re2js)', async () => {
    const client = await StreamClient.open(`${base}/hostile/in/redos`);
    const started = performance.now();
    expectRejected(
      await client.send(Buffer.from(JSON.stringify({ word: `${'a'.repeat(30_000)}!` }))),
      'TRIB_VALIDATE_SCHEMA',
    );
    expect(performance.now() - started).toBeLessThan(1500);
    client.close();
  });
});

describe('handshake (issue 7)', () => {
  it('refuses ?__proto__ on the handshake with 400 TRIB_DECODE_FORBIDDEN_KEY', async () => {
    for (const query of ['?__proto__=x', '?__proto__=a&__proto__=b']) {
      const refused = await new Promise<{ status: number; body: string }>((resolve) => {
        const ws = new WebSocket(`${base}${ANY}${query}`, ['tributary.v1']);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('error', () => undefined);
      });
      expect(refused.status).toBe(400);
      expect((JSON.parse(refused.body) as { code: string }).code).toBe('TRIB_DECODE_FORBIDDEN_KEY');
    }
  });
});

describe('fragmented, oversize and malformed frames (issue 7)', () => {
  it('reassembles a message sent in many fragments, one byte each', async () => {
    const client = await StreamClient.open(base + ANY);
    const doc = Buffer.from('{"fragmented":true,"n":[1,2,3]}\n{"second":"line"}');
    expect(await client.send(doc, { binary: false, fragments: doc.length })).toMatchObject({
      answer: { status: 'ok', published: 2 },
    });
    checkProduced(h, h.take(), ANY, 2);
    client.close();
  });

  it('closes with 1009 on a message over the limit, also when only its fragments add up to it', async () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(MAX_PAYLOAD) }));
    for (const fragments of [1, 8]) {
      const client = await StreamClient.open(base + ANY);
      expect(await client.send(big, { binary: false, fragments })).toEqual({ closed: 1009 });
    }
    expect(h.take()).toEqual([]);
    await expectStillServing();
  });

  it('closes with 1007 on invalid UTF-8 in a text frame (RFC 6455 §8.1)', async () => {
    const client = await StreamClient.open(base + ANY);
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]);
    expect(await client.send(bad, { binary: false })).toEqual({ closed: 1007 });
    await expectStillServing();
  });

  it('closes with 1002 on broken framing (unmasked, reserved bits, unknown opcode) and serves on', async () => {
    const frames = [
      Buffer.from([0x81, 0x02, 0x7b, 0x7d]), // unmasked text frame from a client
      Buffer.from([0xf1, 0x80, 0, 0, 0, 0]), // RSV1-3 set without an extension
      Buffer.from([0x83, 0x80, 0, 0, 0, 0]), // opcode 3 is reserved
      Buffer.from([0x01, 0x80, 0, 0, 0, 0, 0x81, 0x80, 0, 0, 0, 0]), // new text frame inside a fragmented one
    ];
    for (const frame of frames) expect(await rawFrameClose(frame)).toBe(1002);
    await expectStillServing();
  });

  it('holds 1,000 WebSocket connections opened at once, each streaming a frame', async () => {
    const before = process.memoryUsage().rss;
    const clients = await Promise.all(Array.from({ length: 1000 }, () => StreamClient.open(base + ANY)));
    const outcomes = await Promise.all(clients.map((c, i) => c.send(Buffer.from(JSON.stringify({ i })))));
    expect(outcomes.every((o) => 'answer' in o && o.answer.status === 'ok')).toBe(true);
    checkProduced(h, h.take(), ANY, 1000);
    for (const c of clients) c.close();
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    await expectStillServing();
  });
});

/** Handshakes by hand, writes one raw frame, and resolves with the close code the server sends. */
function rawFrameClose(frame: Buffer): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.on('connect', () =>
      socket.write(
        `GET ${ANY} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Protocol: tributary.v1\r\n\r\n',
      ),
    );
    socket.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        socket.write(frame);
      }
      // A close frame from the server: opcode 8, unmasked, 2-byte code first.
      if (buffer.length >= 4 && (buffer[0]! & 0x0f) === 0x8) {
        resolve(buffer.readUInt16BE(2));
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(undefined));
  });
}
