// `Expect: 100-continue` through a raw socket (issue 11): admission runs before `100 Continue`, so a stranger's
// upload is refused before a byte of it is invited, and an admitted one is invited and accepted.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { setSecretEnv } from '../auth/signed-app.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const TOKEN = 'continue-token';
let app: App;
let port: number;
let produced = 0;

beforeAll(async () => {
  setSecretEnv();
  process.env['CONF_TOKEN'] = TOKEN;
  app = await buildApp({
    config: defaultConfig({
      bodyLimit: 65_536,
      decodedBodyLimit: 65_536,
      publicUrl: 'https://hooks.example.com',
    }),
    catalog: await fixtureCatalog('conformance.yaml'),
    logger: capturedLogger().logger,
    sink: {
      async produce(records) {
        produced += records.length;
      },
    },
  });
  const address = await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(address).port);
});
afterAll(() => app.fastify.close());

/** Sends the head only, then reads until `until` matches what came back (or the socket ends). */
function head(lines: string[], until: RegExp): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => resolve({ text, socket });
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until.test(text)) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

const post = (path: string, length: number, extra: string[] = []) => [
  `POST ${path} HTTP/1.1`,
  'Host: 127.0.0.1',
  'Content-Type: application/json',
  `Content-Length: ${length}`,
  'Expect: 100-continue',
  ...extra,
];

describe('Expect: 100-continue', () => {
  it('answers 401 with WWW-Authenticate: Bearer instead of 100 Continue when the token is missing', async () => {
    const { text, socket } = await head(post('/conf/open/tokens', 2_000_000), /\r\n\r\n[\s\S]*\}/);
    socket.destroy();
    expect(text.startsWith('HTTP/1.1 401')).toBe(true);
    expect(text).not.toContain('100 Continue');
    expect(text).toMatch(/www-authenticate: Bearer realm="tributary"/i);
    expect(text).toMatch(/connection: close/i);
    expect(text).toContain('TRIB_AUTH_MISSING_TOKEN');
  });

  it('answers 413 instead of 100 Continue when Content-Length is over the limit', async () => {
    const { text, socket } = await head(
      post('/conf/open/tokens', 2_000_000, [`Authorization: Bearer ${TOKEN}`]),
      /\r\n\r\n[\s\S]*\}/,
    );
    socket.destroy();
    expect(text.startsWith('HTTP/1.1 413')).toBe(true);
    expect(text).toContain('TRIB_DECODE_BODY_TOO_LARGE');
  });

  it('answers 401 naming the signature scheme before inviting an unsigned body', async () => {
    const { text, socket } = await head(post('/conf/open/github', 10), /\r\n\r\n[\s\S]*\}/);
    socket.destroy();
    expect(text.startsWith('HTTP/1.1 401')).toBe(true);
    expect(text).toMatch(
      /www-authenticate: Signature realm="tributary", scheme="github", headers="x-hub-signature-256/i,
    );
    expect(text).toContain('TRIB_AUTH_SIGNATURE_MISSING');
  });

  it('invites an admitted body with 100 Continue, then accepts it', async () => {
    const body = '{"id":"continued"}';
    const before = produced;
    const { text, socket } = await head(
      post('/conf/open/tokens', body.length, [`Authorization: Bearer ${TOKEN}`]),
      /100 Continue\r\n\r\n/,
    );
    expect(text.startsWith('HTTP/1.1 100 Continue')).toBe(true);
    const answer = await new Promise<string>((resolve) => {
      let rest = '';
      socket.on('data', (chunk) => {
        rest += chunk.toString('latin1');
        if (/\r\n\r\n[\s\S]*\}/.test(rest)) resolve(rest);
      });
      socket.write(body);
    });
    socket.destroy();
    expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
    expect(answer).toContain('"published":1');
    expect(produced).toBe(before + 1);
  });
});
