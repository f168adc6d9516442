import { describe, expect, it } from 'vitest';
import { decodeStandardSecret, standardWebhooks } from '../../src/auth/signature-standard-webhooks.js';
import { buildVerifier, expectRefused, request, standardWebhooksHeaders, svixHeaders } from './senders.js';

// Secrets in the whsec_ format the Standard Webhooks and Svix dashboards hand out (24 random bytes, base64).
const OLD = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const BODY = '{"type":"invoice.paid","data":{"id":"in_1"}}';

describe('standard-webhooks signature', () => {
  const verifier = buildVerifier(standardWebhooks, [OLD, NEW]);

  it('accepts what the standardwebhooks library signs, with either secret while rotating', () => {
    expect(() => verifier.verify(request(BODY, standardWebhooksHeaders(OLD, 'msg_1', BODY)))).not.toThrow();
    expect(() => verifier.verify(request(BODY, standardWebhooksHeaders(NEW, 'msg_1', BODY)))).not.toThrow();
  });

  it("accepts Svix's svix-* headers, signed by the svix library", () => {
    expect(() => verifier.verify(request(BODY, svixHeaders(NEW, 'msg_2', BODY)))).not.toThrow();
  });

  it('accepts when any of several signatures matches, skipping v1a and unknown entries', () => {
    const headers = standardWebhooksHeaders(NEW, 'msg_3', BODY);
    const other = standardWebhooksHeaders('whsec_dGhpcyBpcyBub3QgdGhlIGtleQ==', 'msg_3', BODY);
    headers['webhook-signature'] =
      `v1a,aGVsbG8= ${other['webhook-signature']} v2,zzz ${headers['webhook-signature']}`;
    expect(() => verifier.verify(request(BODY, headers))).not.toThrow();
  });

  it('refuses a tampered body, a wrong secret, a changed id, and never names the secret', () => {
    const headers = standardWebhooksHeaders(NEW, 'msg_4', BODY);
    expectRefused(verifier, request(`${BODY} `, headers), 'TRIB_AUTH_SIGNATURE_MISMATCH', [OLD, NEW]);
    expectRefused(
      verifier,
      request(BODY, { ...headers, 'webhook-id': 'msg_5' }),
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    const wrong = standardWebhooksHeaders('whsec_dGhpcyBpcyBub3QgdGhlIGtleQ==', 'msg_4', BODY);
    expectRefused(verifier, request(BODY, wrong), 'TRIB_AUTH_SIGNATURE_MISMATCH');
  });

  it('refuses stale and future timestamps beyond the tolerance (replays)', () => {
    const old = new Date(Date.now() - 6 * 60_000);
    expectRefused(
      verifier,
      request(BODY, standardWebhooksHeaders(NEW, 'm', BODY, old)),
      'TRIB_AUTH_SIGNATURE_STALE',
    );
    const future = new Date(Date.now() + 6 * 60_000);
    expectRefused(
      verifier,
      request(BODY, standardWebhooksHeaders(NEW, 'm', BODY, future)),
      'TRIB_AUTH_SIGNATURE_STALE',
    );
    const lenient = buildVerifier(standardWebhooks, [NEW], { tolerance: 600 });
    expect(() => lenient.verify(request(BODY, standardWebhooksHeaders(NEW, 'm', BODY, old)))).not.toThrow();
  });

  it('refuses missing and malformed headers with their own codes', () => {
    const headers = standardWebhooksHeaders(NEW, 'msg_6', BODY);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _dropped, ...rest } = headers;
      expectRefused(verifier, request(BODY, rest), 'TRIB_AUTH_SIGNATURE_MISSING');
    }
    expectRefused(
      verifier,
      request(BODY, { ...headers, 'webhook-signature': 'v1a,abc' }),
      'TRIB_AUTH_SIGNATURE_MALFORMED',
    );
    expectRefused(
      verifier,
      request(BODY, { ...headers, 'webhook-signature': 'v1,not*base64' }),
      'TRIB_AUTH_SIGNATURE_MALFORMED',
    );
    expectRefused(
      verifier,
      request(BODY, { ...headers, 'webhook-timestamp': '17e8' }),
      'TRIB_AUTH_SIGNATURE_MALFORMED',
    );
  });

  it("decodes whsec_ secrets as base64 key bytes, and refuses what isn't base64 at load", () => {
    expect(decodeStandardSecret(Buffer.from('whsec_aGVsbG8='))).toEqual(Buffer.from('hello'));
    expect(decodeStandardSecret(Buffer.from('aGVsbG8='))).toEqual(Buffer.from('hello'));
    expect(decodeStandardSecret(Buffer.from('whsec_not base64!'))).toBeUndefined();
    expect(standardWebhooks.build({}, [Buffer.from('plain secret')])).toEqual({
      problems: [{ option: 'secrets[0]', message: expect.stringContaining('whsec_') }],
    });
    expect(standardWebhooks.build({ tolerance: -1 }, [Buffer.from(NEW)])).toHaveProperty('problems');
  });
});
