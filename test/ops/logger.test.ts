// No secret reaches a log line or an error body: known secrets (bearer tokens, signing secrets, signature header
// values, token query parameters, a Redis password) are fed through every path, accepted and refused, at trace
// level, and the captured lines and answers are searched for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecretHeader } from '../../src/catalog/secret-headers.js';
import { SIGNATURE_SCHEMES } from '../../src/catalog/signatures.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import { RedisDeliveryStore } from '../../src/ingest/deliveries-redis.js';
import { createLogger, REDACTED_HEADERS } from '../../src/ops/logger.js';
import {
  githubHeaders,
  nowSeconds,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
  twilioHeaders,
} from '../auth/senders.js';
import { PUBLIC_URL, SECRETS, type SignedApp, signedApp } from '../auth/signed-app.js';
import { capturedLogger } from '../helpers.js';

const REDIS_PASSWORD = 'redis-PASSWORD-9f8e7d';
const QUERY_SECRETS = ['qtok-SECRET-1', 'access-SECRET-2', 'apikey-SECRET-3', 'sig-SECRET-4'];
let t: SignedApp;
let redis: RedisDeliveryStore;
const answers: string[] = [];
/** Signature header values sent: an HMAC is not the key, but it is a credential for that body and is redacted. */
const signatureValues: string[] = [];

beforeAll(async () => {
  // Unreachable on purpose: every claim fails, so the fail-open warning path logs too.
  redis = new RedisDeliveryStore(`redis://:${REDIS_PASSWORD}@127.0.0.1:1/0`, capturedLogger().logger);
  t = await signedApp({ logLevel: 'trace', deliveries: redis, config: { accessLog: 'all' } });
});
afterAll(async () => {
  await t.app.fastify.close();
  await redis.close();
});

async function send(url: string, payload: string, headers: Record<string, string>): Promise<number> {
  for (const [name, value] of Object.entries(headers)) if (isSecretHeader(name)) signatureValues.push(value);
  const res = await t.app.fastify.inject({ method: 'POST', url, payload, headers });
  answers.push(JSON.stringify(res.headers) + res.body);
  return res.statusCode;
}

describe('secrets never reach logs or answers', () => {
  it('feeds tokens, signatures and query secrets through accepted and refused requests', async () => {
    const json = { 'content-type': 'application/json' };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = '{"id":"evt_log","type":"x"}';
    const statuses: number[] = [];
    const q = `token=${QUERY_SECRETS[0]}&access_token=${QUERY_SECRETS[1]}&api_key=${QUERY_SECRETS[2]}&sig=${QUERY_SECRETS[3]}`;
    // Tokens: in the header and the query, right, wrong and missing, from an allowed and a foreign origin.
    statuses.push(
      await send('/test/browser/clicks', body, { ...json, authorization: `Bearer ${SECRETS.SIG_TOKEN}` }),
    );
    statuses.push(await send(`/test/browser/clicks?token=${SECRETS.SIG_TOKEN}`, body, json));
    statuses.push(await send(`/test/browser/clicks?${q}`, body, json));
    statuses.push(
      await send('/test/browser/clicks', body, { ...json, authorization: `Bearer ${QUERY_SECRETS[0]}` }),
    );
    statuses.push(await send(`/test/browser/clicks?${q}`, body, { ...json, origin: 'https://evil.example' }));
    statuses.push(await send(`/nowhere?${q}`, body, json));
    // Every preset, genuine and forged, plus malformed headers.
    statuses.push(
      await send('/test/signed/standard', body, {
        ...json,
        ...standardWebhooksHeaders(SECRETS.SIG_STANDARD, 'm1', body),
      }),
    );
    statuses.push(
      await send('/test/signed/standard', `${body} `, {
        ...json,
        ...standardWebhooksHeaders(SECRETS.SIG_STANDARD, 'm2', body),
      }),
    );
    statuses.push(
      await send('/test/signed/stripe', body, { ...json, ...stripeHeaders(SECRETS.SIG_STRIPE, body) }),
    );
    statuses.push(
      await send('/test/signed/stripe', body, {
        ...json,
        ...stripeHeaders(SECRETS.SIG_STRIPE, body, nowSeconds() - 999),
      }),
    );
    statuses.push(
      await send('/test/signed/stripe', body, {
        ...json,
        'stripe-signature': `t=1,v1=${SECRETS.SIG_STRIPE}`,
      }),
    );
    statuses.push(
      await send(`/test/signed/github?${q}`, body, {
        ...json,
        ...(await githubHeaders(SECRETS.SIG_GITHUB, body)),
      }),
    );
    statuses.push(
      await send('/test/signed/github', body, {
        ...json,
        'x-hub-signature-256': `sha256=${SECRETS.SIG_GITHUB}`,
      }),
    );
    statuses.push(
      await send('/test/signed/shopify', body, { ...json, ...shopifyHeaders(SECRETS.SIG_SHOPIFY, body) }),
    );
    statuses.push(
      await send('/test/signed/shopify', body, { ...json, 'x-shopify-hmac-sha256': SECRETS.SIG_SHOPIFY }),
    );
    const slackForm = 'command=%2Fx&text=y';
    statuses.push(
      await send('/test/signed/slack', slackForm, { ...form, ...slackHeaders(SECRETS.SIG_SLACK, slackForm) }),
    );
    statuses.push(
      await send('/test/signed/slack', slackForm, {
        ...form,
        'x-slack-signature': `v0=${SECRETS.SIG_SLACK}`,
        'x-slack-request-timestamp': 'x',
      }),
    );
    const path = '/test/signed/twilio/AC1';
    statuses.push(
      await send(path, 'Body=hi', {
        ...form,
        ...twilioHeaders(SECRETS.SIG_TWILIO, PUBLIC_URL + path, { Body: 'hi' }),
      }),
    );
    statuses.push(
      await send(path, 'Body=ho', {
        ...form,
        ...twilioHeaders(SECRETS.SIG_TWILIO, PUBLIC_URL + path, { Body: 'hi' }),
      }),
    );
    statuses.push(
      await send('/test/signed/custom', body, {
        ...json,
        'x-acme-signature': SECRETS.SIG_CUSTOM,
        'x-acme-timestamp': '1',
      }),
    );
    // Kafka failing after a verified signature: the retryable path logs the cause.
    t.failWith(new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'broker down'));
    statuses.push(
      await send('/test/signed/github', body, {
        ...json,
        ...(await githubHeaders(SECRETS.SIG_GITHUB, body, 'd-503')),
      }),
    );
    t.failWith(undefined);
    expect(statuses).toEqual([
      200, 200, 403, 403, 403, 404, 200, 401, 200, 401, 401, 200, 401, 200, 401, 200, 401, 200, 401, 401, 503,
    ]);

    const secrets = [...Object.values(SECRETS), ...QUERY_SECRETS, REDIS_PASSWORD, ...signatureValues];
    const logs = t.lines.join('');
    // The log really covers these requests (so an empty log cannot pass), and the Redis store failed open.
    expect(t.lines.filter((l) => l.includes('"request completed"')).length).toBeGreaterThanOrEqual(
      statuses.length,
    );
    expect(logs).toContain('TRIB_AUTH_SIGNATURE_MISMATCH');
    expect(logs).toContain('without duplicate suppression');
    expect(logs).toContain('[Redacted]');
    for (const secret of secrets) {
      expect(logs, 'log lines').not.toContain(secret);
      expect(answers.join(''), 'answers').not.toContain(secret);
    }
  });

  it('redacts every preset signature header if headers are ever logged', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    const headers: Record<string, string> = {};
    for (const scheme of new Set(SIGNATURE_SCHEMES.values())) {
      if (scheme.name === 'custom') continue; // its header is the catalog's; keepHeaders refuses it instead
      const options = scheme.name === 'twilio' ? { publicUrl: PUBLIC_URL } : {};
      const built = scheme.build(options, [Buffer.from('whsec_aGVsbG8=')]);
      if ('problems' in built) throw new Error(scheme.name);
      for (const header of built.verifier.signatureHeaders) {
        expect(REDACTED_HEADERS as readonly string[], header).toContain(header);
        expect(isSecretHeader(header), header).toBe(true);
        headers[header] = `value-of-${header}`;
      }
    }
    expect(Object.keys(headers).length).toBeGreaterThanOrEqual(8);
    logger.info({ req: { method: 'POST', url: '/x?token=abc', headers } }, 'x');
    logger.info({ headers }, 'y');
    expect(lines.join('')).not.toMatch(/value-of-|token=abc/);
  });
});
