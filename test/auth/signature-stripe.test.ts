import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stripe } from '../../src/auth/signature-stripe.js';
import { buildVerifier, expectRefused, nowSeconds, request, stripeHeaders } from './senders.js';

const OLD = 'whsec_test_old_0123456789abcdef';
const NEW = 'whsec_test_new_fedcba9876543210';
const BODY = '{"id":"evt_1","object":"event","type":"charge.succeeded"}';

describe('stripe signature', () => {
  const verifier = buildVerifier(stripe, [OLD, NEW]);

  it("accepts the stripe SDK's test header, with either secret while rolling", () => {
    expect(() => verifier.verify(request(BODY, stripeHeaders(OLD, BODY)))).not.toThrow();
    expect(() => verifier.verify(request(BODY, stripeHeaders(NEW, BODY)))).not.toThrow();
  });

  it('accepts a header with several v1 entries (and a v0) when any matches', () => {
    const t = nowSeconds();
    const good = createHmac('sha256', NEW).update(`${t}.${BODY}`).digest('hex');
    const header = `t=${t},v1=${'0'.repeat(64)},v0=${'1'.repeat(64)},v1=${good}`;
    expect(() => verifier.verify(request(BODY, { 'stripe-signature': header }))).not.toThrow();
  });

  it('refuses a tampered body and a wrong secret', () => {
    expectRefused(verifier, request(`${BODY}\n`, stripeHeaders(NEW, BODY)), 'TRIB_AUTH_SIGNATURE_MISMATCH', [
      NEW,
    ]);
    expectRefused(
      verifier,
      request(BODY, stripeHeaders('whsec_wrong', BODY)),
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
  });

  it('refuses a timestamp older than five minutes, unless the tolerance is raised', () => {
    const old = stripeHeaders(NEW, BODY, nowSeconds() - 301);
    expectRefused(verifier, request(BODY, old), 'TRIB_AUTH_SIGNATURE_STALE');
    expect(() => buildVerifier(stripe, [NEW], { tolerance: 3600 }).verify(request(BODY, old))).not.toThrow();
  });

  it('refuses a missing header and malformed ones', () => {
    expectRefused(verifier, request(BODY, {}), 'TRIB_AUTH_SIGNATURE_MISSING');
    for (const header of [
      'v1=abc',
      `t=${nowSeconds()}`,
      `t=${nowSeconds()},v1=xyz`,
      't=soon,v1=' + '0'.repeat(64),
    ]) {
      expectRefused(verifier, request(BODY, { 'stripe-signature': header }), 'TRIB_AUTH_SIGNATURE_MALFORMED');
    }
  });
});
