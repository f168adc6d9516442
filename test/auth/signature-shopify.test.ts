import { describe, expect, it } from 'vitest';
import { shopify } from '../../src/auth/signature-shopify.js';
import { buildVerifier, expectRefused, request, shopifyHeaders } from './senders.js';

const OLD = 'shpss_old_client_secret';
const NEW = 'shpss_new_client_secret';
const BODY = '{"id":820982911946154508,"email":"jon@example.com"}';

describe('shopify signature', () => {
  // Shopify signs with the old secret for up to an hour after a rotation: both are listed.
  const verifier = buildVerifier(shopify, [NEW, OLD]);

  it('accepts the documented base64 HMAC with either secret', () => {
    expect(() => verifier.verify(request(BODY, shopifyHeaders(OLD, BODY)))).not.toThrow();
    expect(() => verifier.verify(request(BODY, shopifyHeaders(NEW, BODY)))).not.toThrow();
  });

  it('checks the exact bytes: re-serialized JSON (big ids lose digits) does not match', () => {
    const reserialized = JSON.stringify(JSON.parse(BODY));
    expect(reserialized).not.toBe(BODY);
    expectRefused(
      verifier,
      request(reserialized, shopifyHeaders(NEW, BODY)),
      'TRIB_AUTH_SIGNATURE_MISMATCH',
      [NEW],
    );
  });

  it('refuses a wrong secret, a missing header and a hex digest', () => {
    expectRefused(verifier, request(BODY, shopifyHeaders('other', BODY)), 'TRIB_AUTH_SIGNATURE_MISMATCH');
    expectRefused(verifier, request(BODY, {}), 'TRIB_AUTH_SIGNATURE_MISSING');
    expectRefused(
      verifier,
      request(BODY, { 'x-shopify-hmac-sha256': 'ab'.repeat(32) }),
      'TRIB_AUTH_SIGNATURE_MALFORMED',
    );
  });
});
