// The inspector's routes through app.inject (issue 16): off without an admin token, the token only in a header
// or a POSTed form (never a URL), a session cookie, strict CSP, and rejections with their documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const ADMIN = 'inspector-admin-token-0123456789';
let app: App;
const produced: string[] = [];

beforeAll(async () => {
  process.env['INSP_TOKEN'] = 'binding-token';
  process.env['TEST_ADMIN_TOKEN'] = ADMIN;
  app = await buildApp({
    config: defaultConfig({ adminToken: { env: 'TEST_ADMIN_TOKEN' } }),
    catalog: await fixtureCatalog('inspector.yaml'),
    logger: capturedLogger().logger,
    sink: {
      async produce(records) {
        for (const r of records) produced.push(r.topic);
      },
    },
  });
});
afterAll(() => app.fastify.close());

const bearer = { authorization: `Bearer ${ADMIN}` };
const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
  app.fastify.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('inspector routes', () => {
  it('is off (404) without an admin token', async () => {
    const off = await buildApp({
      config: defaultConfig(),
      catalog: await fixtureCatalog('inspector.yaml'),
      logger: capturedLogger().logger,
      sink: { produce: async () => {} },
    });
    expect(off.inspector).toBeUndefined();
    expect((await off.fastify.inject({ url: '/_tributary/inspector' })).statusCode).toBe(404);
    await off.fastify.close();
  });

  it('refuses a short admin token at start', async () => {
    process.env['SHORT_ADMIN'] = 'short';
    await expect(
      buildApp({
        config: defaultConfig({ adminToken: { env: 'SHORT_ADMIN' } }),
        catalog: await fixtureCatalog('inspector.yaml'),
        logger: capturedLogger().logger,
        sink: { produce: async () => {} },
      }),
    ).rejects.toThrow(/at least 16/);
  });

  it('shows a login form, refuses a wrong token, and sets a session cookie for the right one', async () => {
    const page = await app.fastify.inject({ url: '/_tributary/inspector' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/_tributary/inspector/login">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await app.fastify.inject({
      method: 'POST',
      url: '/_tributary/inspector/login',
      payload: 'token=nope',
      headers: form,
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await app.fastify.inject({
      method: 'POST',
      url: '/_tributary/inspector/login',
      payload: `token=${ADMIN}`,
      headers: form,
    });
    expect(right.statusCode).toBe(303);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(
      /^tributary_inspector=[\w-]{43}; Path=\/_tributary\/inspector; HttpOnly; SameSite=Strict/,
    );
    expect(cookie).not.toContain(ADMIN);
    const session = cookie.split(';')[0]!;
    const inside = await app.fastify.inject({ url: '/_tributary/inspector', headers: { cookie: session } });
    expect(inside.body).toContain('<script src="/_tributary/inspector/app.js" defer></script>');
    const api = await app.fastify.inject({
      url: '/_tributary/inspector/api/state',
      headers: { cookie: session },
    });
    expect(api.statusCode).toBe(200);
    await app.fastify.inject({
      method: 'POST',
      url: '/_tributary/inspector/logout',
      headers: { cookie: session },
    });
    const after = await app.fastify.inject({
      url: '/_tributary/inspector/api/state',
      headers: { cookie: session },
    });
    expect(after.statusCode).toBe(401);
  });

  it('serves its script and style from the gateway', async () => {
    const script = await app.fastify.inject({ url: '/_tributary/inspector/app.js' });
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body).toContain("var API = '/_tributary/inspector/api/state'");
    expect((await app.fastify.inject({ url: '/_tributary/inspector/style.css' })).statusCode).toBe(200);
  });

  it('lists rejections: full documents with a dead-letter topic, redacted without, none for strangers', async () => {
    expect((await post('/insp/shop/orders', '{"id":"o-1","amount":"ten"}')).statusCode).toBe(400);
    expect((await post('/insp/shop/plain', '{"id":"secret-id","amount":"ten"}')).statusCode).toBe(400);
    expect((await post('/insp/shop/private', '{"id":"x"}')).statusCode).toBe(401);
    expect((await post('/insp/shop/plain', '{"id":"p-1","amount":1}')).statusCode).toBe(200);
    const state = (
      await app.fastify.inject({ url: '/_tributary/inspector/api/state', headers: bearer })
    ).json();
    const [stranger, plain, orders] = state.rejections;
    expect(stranger).toMatchObject({
      binding: 'private',
      code: 'TRIB_AUTH_MISSING_TOKEN',
    });
    expect(stranger.documents).toBeUndefined();
    expect(plain).toMatchObject({
      binding: 'plain',
      redacted: true,
      documents: [{ id: '‹string›', amount: '‹string›' }],
      problems: [{ index: 0, pointer: '/amount' }],
    });
    expect(JSON.stringify(plain)).not.toContain('secret-id');
    expect(orders).toMatchObject({
      binding: 'orders',
      redacted: false,
      deadLetter: 'insp.dead-letters',
      documents: [{ id: 'o-1', amount: 'ten' }],
    });
    const plainView = state.bindings.find((b: { binding: string }) => b.binding === 'plain');
    expect(plainView.accepted.at(-1) + plainView.accepted.at(-2)).toBe(1);
    expect(plainView.codes).toEqual({ TRIB_VALIDATE_SCHEMA: 1 });
    const filtered = (
      await app.fastify.inject({
        url: '/_tributary/inspector/api/state?code=TRIB_AUTH_MISSING_TOKEN',
        headers: bearer,
      })
    ).json();
    expect(filtered.rejections.map((r: { binding: string }) => r.binding)).toEqual(['private']);
  });
});
