// Signs requests the way each real sender does: with the sender's own npm library where there is one
// (standardwebhooks, svix, stripe, @octokit/webhooks-methods, twilio), by the documented algorithm otherwise
// (Shopify, Slack: their SDKs verify but are large frameworks). Tests verify what these produce.
import { createHmac } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { expect } from 'vitest';
import type { SignatureScheme, SignatureVerifier, SignedRequest } from '../../src/auth/signature.js';

export type Headers = Record<string, string>;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Standard Webhooks: the reference library's Webhook.sign. */
export function standardWebhooksHeaders(secret: string, id: string, body: string, at = new Date()): Headers {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new StandardWebhook(secret).sign(id, at, body),
  };
}

/** Svix: its Webhook.sign, sent under svix-* names. */
export function svixHeaders(secret: string, id: string, body: string, at = new Date()): Headers {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new SvixWebhook(secret).sign(id, at, body),
  };
}

/** Stripe: stripe.webhooks.generateTestHeaderString, the SDK's helper for tests. */
export function stripeHeaders(secret: string, body: string, timestamp = nowSeconds()): Headers {
  return {
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }),
  };
}

/** GitHub: @octokit/webhooks-methods sign (sha256=<hex>). */
export async function githubHeaders(secret: string, body: string, delivery = 'd-1'): Promise<Headers> {
  return {
    'x-hub-signature-256': await octokitSign(secret, body),
    'x-github-delivery': delivery,
    'x-github-event': 'push',
  };
}

/** Shopify (documented algorithm, shopify.dev verify-deliveries): base64 HMAC-SHA256 of the body. */
export function shopifyHeaders(secret: string, body: string): Headers {
  return { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64') };
}

/** Slack (documented algorithm, api.slack.com verifying requests): v0=hex HMAC of `v0:ts:body`. */
export function slackHeaders(secret: string, body: string, timestamp = nowSeconds()): Headers {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestamp) };
}

/** Twilio: twilio.getExpectedTwilioSignature over the full public URL and the POST parameters. */
export function twilioHeaders(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): Headers {
  return { 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, params) };
}

export function twilioValid(authToken: string, signature: string, url: string, params: object): boolean {
  return twilio.validateRequest(authToken, signature, url, params as Record<string, string>);
}

export function buildVerifier(
  scheme: SignatureScheme,
  secrets: string[],
  options: Record<string, unknown> = {},
): SignatureVerifier {
  const built = scheme.build(
    options,
    secrets.map((s) => Buffer.from(s)),
  );
  if ('problems' in built) throw new Error(JSON.stringify(built.problems));
  return built.verifier;
}

export function request(
  body: string | Buffer,
  headers: Headers,
  extra: Partial<SignedRequest> = {},
): SignedRequest {
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers,
    url: '/hooks/x',
    publicUrl: undefined,
    now: Date.now() / 1000,
    ...extra,
  };
}

/** Asserts the verifier refuses with `code`, and that the detail never contains any of `secrets`. */
export function expectRefused(
  verifier: SignatureVerifier,
  req: SignedRequest,
  code: string,
  secrets: readonly string[] = [],
): void {
  let thrown: unknown;
  try {
    verifier.verify(req);
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ${code}`).toMatchObject({ code, status: 401 });
  for (const secret of secrets) expect((thrown as Error).message).not.toContain(secret);
}
