import { describe, expect, it } from 'vitest';
import { slack } from '../../src/auth/signature-slack.js';
import { buildVerifier, expectRefused, nowSeconds, request, slackHeaders } from './senders.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const FORM = 'token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&command=%2Fweather&text=94070';

describe('slack signature', () => {
  const verifier = buildVerifier(slack, [SECRET]);

  it('accepts the v0 signature of a slash command form body', () => {
    expect(() => verifier.verify(request(FORM, slackHeaders(SECRET, FORM)))).not.toThrow();
  });

  it("matches Slack's documented example basestring", () => {
    // api.slack.com/authentication/verifying-requests-from-slack: the signature of `v0:{ts}:{body}`.
    const ts = nowSeconds();
    const headers = slackHeaders(SECRET, FORM, ts);
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expectRefused(
      verifier,
      request(FORM, { ...headers, 'x-slack-request-timestamp': String(ts + 1) }),
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
  });

  it('refuses a tampered body, a wrong secret, a stale request, missing and malformed headers', () => {
    const headers = slackHeaders(SECRET, FORM);
    expectRefused(verifier, request(`${FORM}&x=1`, headers), 'TRIB_AUTH_SIGNATURE_MISMATCH', [SECRET]);
    expectRefused(verifier, request(FORM, slackHeaders('wrong', FORM)), 'TRIB_AUTH_SIGNATURE_MISMATCH');
    expectRefused(
      verifier,
      request(FORM, slackHeaders(SECRET, FORM, nowSeconds() - 600)),
      'TRIB_AUTH_SIGNATURE_STALE',
    );
    expectRefused(
      verifier,
      request(FORM, { 'x-slack-signature': headers['x-slack-signature']! }),
      'TRIB_AUTH_SIGNATURE_MISSING',
    );
    expectRefused(
      verifier,
      request(FORM, { 'x-slack-request-timestamp': '1' }),
      'TRIB_AUTH_SIGNATURE_MISSING',
    );
    const v1 = headers['x-slack-signature']!.replace('v0=', 'v1=');
    expectRefused(
      verifier,
      request(FORM, { ...headers, 'x-slack-signature': v1 }),
      'TRIB_AUTH_SIGNATURE_MALFORMED',
    );
  });
});
