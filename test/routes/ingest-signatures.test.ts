// Every preset through the webhook route: a request signed the way the real sender signs it is produced; each
// forgery is refused with its own code and produces nothing.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import {
  githubHeaders,
  nowSeconds,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
  svixHeaders,
  twilioHeaders,
} from '../auth/senders.js';
import { PUBLIC_URL, SECRETS, type SignedApp, signedApp } from '../auth/signed-app.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

let t: SignedApp;
beforeAll(async () => {
  t = await signedApp();
});
afterAll(() => t.app.fastify.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

async function post(url: string, payload: string, headers: Record<string, string>) {
  const before = t.produced.length;
  const res = await t.app.fastify.inject({ method: 'POST', url, payload, headers });
  return { status: res.statusCode, body: res.json(), produced: t.produced.slice(before).flat() };
}

async function expectRefused(url: string, payload: string, headers: Record<string, string>, code: string) {
  const res = await post(url, payload, headers);
  expect({ status: res.status, code: res.body.code, produced: res.produced.length }).toEqual({
    status: 401,
    code,
    produced: 0,
  });
  for (const secret of Object.values(SECRETS)) expect(JSON.stringify(res.body)).not.toContain(secret);
}

describe('signed webhooks through the route', () => {
  it('standard-webhooks: accepted from the library; tampered, wrong secret, stale, missing refused', async () => {
    const body = '{"type":"user.created","data":{"id":"u1"}}';
    const headers = { ...JSON_TYPE, ...standardWebhooksHeaders(SECRETS.SIG_STANDARD, 'msg_route_1', body) };
    const ok = await post('/test/signed/standard', body, headers);
    expect(ok.status).toBe(200);
    expect(ok.produced).toHaveLength(1);
    expect(ok.produced[0]!.headers['tributary-delivery-id']).toBe('msg_route_1');
    const old = { ...JSON_TYPE, ...standardWebhooksHeaders(SECRETS.SIG_STANDARD_OLD, 'msg_route_2', body) };
    expect((await post('/test/signed/standard', body, old)).status).toBe(200);

    const fresh = standardWebhooksHeaders(SECRETS.SIG_STANDARD, 'msg_route_3', body);
    await expectRefused(
      '/test/signed/standard',
      body.replace('u1', 'u2'),
      { ...JSON_TYPE, ...fresh },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    const wrong = standardWebhooksHeaders('whsec_d3Jvbmcgc2VjcmV0IGtleQ==', 'msg_route_3', body);
    await expectRefused(
      '/test/signed/standard',
      body,
      { ...JSON_TYPE, ...wrong },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    const stale = standardWebhooksHeaders(
      SECRETS.SIG_STANDARD,
      'msg_route_3',
      body,
      new Date(Date.now() - 600_000),
    );
    await expectRefused(
      '/test/signed/standard',
      body,
      { ...JSON_TYPE, ...stale },
      'TRIB_AUTH_SIGNATURE_STALE',
    );
    const { 'webhook-signature': _sig, ...unsigned } = fresh;
    await expectRefused(
      '/test/signed/standard',
      body,
      { ...JSON_TYPE, ...unsigned },
      'TRIB_AUTH_SIGNATURE_MISSING',
    );
  });

  it('svix: accepted from the svix library', async () => {
    const body = '{"type":"invoice.paid"}';
    const ok = await post('/test/signed/svix', body, {
      ...JSON_TYPE,
      ...svixHeaders(SECRETS.SIG_STANDARD, 'msg_svix_1', body),
    });
    expect([ok.status, ok.produced.length]).toEqual([200, 1]);
    const tampered = svixHeaders(SECRETS.SIG_STANDARD, 'msg_svix_2', body);
    await expectRefused(
      '/test/signed/svix',
      `${body} `,
      { ...JSON_TYPE, ...tampered },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
  });

  it("stripe: accepted from the SDK's test header; refusals", async () => {
    const body = '{"id":"evt_route_1","object":"event","type":"charge.succeeded"}';
    const ok = await post('/test/signed/stripe', body, {
      ...JSON_TYPE,
      ...stripeHeaders(SECRETS.SIG_STRIPE, body),
    });
    expect([ok.status, ok.produced.length]).toEqual([200, 1]);
    expect(ok.produced[0]!.key).toBe('["evt_route_1"]');
    expect(ok.produced[0]!.headers['tributary-delivery-id']).toBe('evt_route_1');
    const tampered = body.replace('succeeded', 'refunded');
    await expectRefused(
      '/test/signed/stripe',
      tampered,
      { ...JSON_TYPE, ...stripeHeaders(SECRETS.SIG_STRIPE, body) },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    await expectRefused(
      '/test/signed/stripe',
      body,
      { ...JSON_TYPE, ...stripeHeaders('whsec_wrong', body) },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    const stale = stripeHeaders(SECRETS.SIG_STRIPE, body, nowSeconds() - 400);
    await expectRefused('/test/signed/stripe', body, { ...JSON_TYPE, ...stale }, 'TRIB_AUTH_SIGNATURE_STALE');
    await expectRefused('/test/signed/stripe', body, JSON_TYPE, 'TRIB_AUTH_SIGNATURE_MISSING');
    await expectRefused(
      '/test/signed/stripe',
      body,
      { ...JSON_TYPE, 'stripe-signature': 'v1=abc' },
      'TRIB_AUTH_SIGNATURE_MALFORMED',
    );
  });

  it('github: JSON and form mode accepted from @octokit/webhooks-methods; refusals', async () => {
    const body = '{"action":"opened","number":7}';
    const ok = await post('/test/signed/github', body, {
      ...JSON_TYPE,
      ...(await githubHeaders(SECRETS.SIG_GITHUB, body, 'gh-1')),
    });
    expect([ok.status, ok.body.webhookIds]).toEqual([200, ['gh-1']]);
    const doc = JSON.parse(ok.produced[0]!.value);
    expect(doc).toMatchObject({
      action: 'opened',
      number: 7,
      _meta: { headers: { 'x-github-event': 'push' } },
    });

    // Form mode: the JSON travels in `payload`; the signature covers the form body as sent.
    const form = `payload=${encodeURIComponent(body)}`;
    const formOk = await post('/test/signed/github', form, {
      ...FORM_TYPE,
      ...(await githubHeaders(SECRETS.SIG_GITHUB, form, 'gh-2')),
    });
    expect(formOk.status).toBe(200);
    expect(JSON.parse(formOk.produced[0]!.value)).toMatchObject({ action: 'opened', number: 7 });

    const signed = await githubHeaders(SECRETS.SIG_GITHUB, body, 'gh-3');
    await expectRefused(
      '/test/signed/github',
      body.replace('7', '8'),
      { ...JSON_TYPE, ...signed },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    await expectRefused(
      '/test/signed/github',
      body,
      { ...JSON_TYPE, 'x-github-delivery': 'gh-4' },
      'TRIB_AUTH_SIGNATURE_MISSING',
    );
  });

  it('shopify: accepted by the documented algorithm; a wrong secret refused', async () => {
    const body = '{"id":820982911946154508,"email":"jon@example.com"}';
    const ok = await post('/test/signed/shopify', body, {
      ...JSON_TYPE,
      ...shopifyHeaders(SECRETS.SIG_SHOPIFY, body),
      'x-shopify-event-id': 'e1',
    });
    expect([ok.status, ok.produced.length]).toEqual([200, 1]);
    expect(ok.produced[0]!.headers['tributary-delivery-id']).toBe('e1');
    await expectRefused(
      '/test/signed/shopify',
      body,
      { ...JSON_TYPE, ...shopifyHeaders('other', body) },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
  });

  it('slack: a signed slash command form becomes a document; stale refused', async () => {
    const body = 'token=xyz&team_id=T1&command=%2Fweather&text=94070';
    const ok = await post('/test/signed/slack', body, {
      ...FORM_TYPE,
      ...slackHeaders(SECRETS.SIG_SLACK, body),
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.produced[0]!.value)).toMatchObject({
      team_id: 'T1',
      command: '/weather',
      text: '94070',
    });
    const stale = slackHeaders(SECRETS.SIG_SLACK, body, nowSeconds() - 301);
    await expectRefused('/test/signed/slack', body, { ...FORM_TYPE, ...stale }, 'TRIB_AUTH_SIGNATURE_STALE');
  });

  it('twilio: signed over the configured public URL (not the internal Host); tampered refused', async () => {
    const path = '/test/signed/twilio/AC123?source=sms';
    const params = { MessageSid: 'SM1', From: '+14158675310', Body: 'Hi there' };
    const body = new URLSearchParams(params).toString();
    const headers = {
      ...FORM_TYPE,
      host: '10.0.0.7:8080',
      ...twilioHeaders(SECRETS.SIG_TWILIO, PUBLIC_URL + path, params),
    };
    const ok = await post(path, body, headers);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.produced[0]!.value)).toMatchObject({
      ...params,
      _meta: { pathParams: { account: 'AC123' } },
    });
    await expectRefused(path, body.replace('Hi', 'Yo'), headers, 'TRIB_AUTH_SIGNATURE_MISMATCH');
    const internal = twilioHeaders(SECRETS.SIG_TWILIO, `http://10.0.0.7:8080${path}`, params);
    await expectRefused(path, body, { ...FORM_TYPE, ...internal }, 'TRIB_AUTH_SIGNATURE_MISMATCH');
  });

  it('custom: {timestamp}.{body} with a prefix', async () => {
    const body = '{"event":"build.done"}';
    const ts = String(nowSeconds());
    const sig = `sha256=${createHmac('sha256', SECRETS.SIG_CUSTOM).update(`${ts}.${body}`).digest('hex')}`;
    const headers = { ...JSON_TYPE, 'x-acme-signature': sig, 'x-acme-timestamp': ts };
    expect((await post('/test/signed/custom', body, headers)).status).toBe(200);
    await expectRefused(
      '/test/signed/custom',
      body,
      { ...headers, 'x-acme-timestamp': String(Number(ts) - 1) },
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
  });

  it('checks the signature before decoding: a forged body that is not even JSON is a 401, not a 400', async () => {
    const headers = {
      ...JSON_TYPE,
      'x-hub-signature-256': `sha256=${createHash('sha256').update('x').digest('hex')}`,
    };
    await expectRefused('/test/signed/github', '{not json', headers, 'TRIB_AUTH_SIGNATURE_MISMATCH');
  });
});

describe('public URL for Twilio', () => {
  it('refuses to start (or swap in) a catalog with a Twilio binding and no public URL', async () => {
    const catalog = await fixtureCatalog('signed.yaml');
    const deps = { catalog, logger: capturedLogger().logger, sink: { produce: async () => {} } };
    await expect(buildApp({ ...deps, config: defaultConfig() })).rejects.toThrow(
      /TRIBUTARY_PUBLIC_URL .* required by test\/signed\/twilio$/,
    );
    expect(() => t.app.setCatalog(catalog)).not.toThrow();
    const bare = await buildApp({
      ...deps,
      catalog: await fixtureCatalog('ingest-route.yaml'),
      config: defaultConfig(),
    });
    expect(() => bare.setCatalog(catalog)).toThrow(/TRIBUTARY_PUBLIC_URL/);
    expect(bare.catalog().bindings.some((b) => b.signature)).toBe(false);
    await bare.fastify.close();
  });
});
