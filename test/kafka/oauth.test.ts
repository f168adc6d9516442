// Issue 14: OAUTHBEARER tokens by the client-credentials grant, held until 80% of their lifetime.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/kafka/failure.js';
import { OAuthTokenSource } from '../../src/kafka/oauth.js';

let server: http.Server;
let url = '';
const seen: { authorization?: string; body: string }[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body });
      if (req.headers.authorization !== `Basic ${Buffer.from('cid:s%3Acret').toString('base64')}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `token-${seen.length}`, expires_in: 100 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('OAuthTokenSource', () => {
  it('sends the grant with HTTP Basic client credentials and the scope, and holds the token until 80% of its life', async () => {
    let now = 1_000_000;
    const source = new OAuthTokenSource(
      { tokenUrl: url, clientId: 'cid', clientSecret: 's:cret', scope: 'kafka' },
      () => now,
    );
    const first = await source.token();
    expect(seen.at(-1)?.body).toBe('grant_type=client_credentials&scope=kafka');
    expect(await source.token()).toBe(first);
    now += 79_000;
    expect(await source.token()).toBe(first);
    now += 2_000;
    const second = await source.token();
    expect(second).not.toBe(first);
    source.close();
  });

  it('names the endpoint, the client and the provider error code on refusal, never the secret', async () => {
    const source = new OAuthTokenSource({ tokenUrl: url, clientId: 'cid', clientSecret: 'wrong-secret' });
    const err = await source.token().catch((e: unknown) => e as Error);
    expect(String(err)).toContain('refused client cid: HTTP 401 (invalid_client)');
    expect(String(err)).not.toContain('wrong-secret');
    expect(classifyFailure(err).kind).toBe('authentication');
    source.close();
  });
});
