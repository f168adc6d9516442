// CORS for browser POSTs per binding (@fastify/cors with a delegator), and the refusal of foreign origins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsOptions } from '../../routes/cors.js';
import { checkOrigin, originAllowed } from '../../src/auth/origins.js';
import { SECRETS, type SignedApp, signedApp } from '../auth/signed-app.js';

let t: SignedApp;
beforeAll(async () => {
  t = await signedApp();
});
afterAll(() => t.app.fastify.close());

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const preflight = (url: string, origin: string) =>
  t.app.fastify.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });
const post = (url: string, headers: Record<string, string>) =>
  t.app.fastify.inject({
    method: 'POST',
    url,
    payload: '{"x":1}',
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('CORS per binding', () => {
  it('answers a preflight from an allowed origin with that origin, POST, and the requested headers', async () => {
    const res = await preflight('/test/browser/clicks', APP);
    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
    });
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(res.headers.vary)).toContain('Origin');
  });

  it('lets an allowed browser POST with its token and read the answer', async () => {
    const res = await post('/test/browser/clicks', {
      origin: APP,
      authorization: `Bearer ${SECRETS.SIG_TOKEN}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    // Error answers carry the CORS headers too, so the page can read the problem.
    const noToken = await post('/test/browser/clicks', { origin: APP });
    expect([noToken.statusCode, noToken.headers['access-control-allow-origin']]).toEqual([401, APP]);
  });

  it('refuses a foreign origin (preflight and simple POST) with 403 and no CORS headers; produces nothing', async () => {
    const before = t.produced.length;
    for (const res of [
      await preflight('/test/browser/clicks', EVIL),
      await post('/test/browser/clicks', { origin: EVIL, authorization: `Bearer ${SECRETS.SIG_TOKEN}` }),
      await post('/test/browser/servers', { origin: APP }),
      await post('/test/signed/github', { origin: APP }),
    ]) {
      expect([res.statusCode, res.json().code]).toEqual([403, 'TRIB_AUTH_ORIGIN_NOT_ALLOWED']);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(t.produced.length).toBe(before);
  });

  it("answers '*' for a binding open to any origin, and leaves requests without Origin alone", async () => {
    const res = await post('/test/browser/anyone', { origin: 'null' });
    expect([res.statusCode, res.headers['access-control-allow-origin']]).toEqual([200, '*']);
    const server = await post('/test/browser/servers', {});
    expect([server.statusCode, server.headers['access-control-allow-origin']]).toEqual([200, undefined]);
  });

  it('keeps OPTIONS without Origin a 405 on bindings and a 404 elsewhere', async () => {
    const onBinding = await t.app.fastify.inject({ method: 'OPTIONS', url: '/test/browser/clicks' });
    expect([onBinding.statusCode, onBinding.json().code]).toEqual([405, 'TRIB_ROUTE_METHOD_NOT_ALLOWED']);
    const elsewhere = await preflight('/nowhere', APP);
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([404, 'TRIB_ROUTE_NOT_FOUND']);
  });

  it('decides per origin', () => {
    expect(originAllowed(undefined, APP)).toBe(false);
    expect(originAllowed([], APP)).toBe(false);
    expect(originAllowed([APP], `${APP}:443`)).toBe(false);
    expect(originAllowed(['*'], 'null')).toBe(true);
    expect(() => checkOrigin(undefined, undefined)).not.toThrow();
    expect(corsOptions(undefined, APP)).toEqual({ origin: false });
  });
});
