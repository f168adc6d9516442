import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicUrlProblem, twilio } from '../../src/auth/signature-twilio.js';
import { buildVerifier, expectRefused, request, twilioHeaders, twilioValid } from './senders.js';

const TOKEN = '12345abcdefauthtoken0987654321ab';
const PUBLIC = 'https://hooks.example.com';
const PATH = '/twilio/sms?tenant=acme';
const PARAMS = { MessageSid: 'SM123', From: '+14158675310', Body: 'Hello wörld & more', To: '+15005550006' };
const FORM = new URLSearchParams(PARAMS).toString();
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('twilio signature', () => {
  const verifier = buildVerifier(twilio, ['old-token', TOKEN], { publicUrl: PUBLIC });
  const at = (headers: Record<string, string>, body = FORM, url = PATH) =>
    request(body, { ...form, ...headers }, { url });

  it("accepts the twilio SDK's signature over the public URL and the sorted form parameters", () => {
    const headers = twilioHeaders(TOKEN, PUBLIC + PATH, PARAMS);
    expect(twilioValid(TOKEN, headers['x-twilio-signature']!, PUBLIC + PATH, PARAMS)).toBe(true);
    expect(() => verifier.verify(at(headers))).not.toThrow();
  });

  it('uses TRIBUTARY_PUBLIC_URL when the catalog gives none, with or without the default port', () => {
    const fromConfig = buildVerifier(twilio, [TOKEN]);
    expect(fromConfig.needsPublicUrl).toBe(true);
    expect(verifier.needsPublicUrl).toBe(false);
    const headers = twilioHeaders(TOKEN, `https://hooks.example.com:443${PATH}`, PARAMS);
    expect(() =>
      fromConfig.verify(request(FORM, { ...form, ...headers }, { url: PATH, publicUrl: `${PUBLIC}/` })),
    ).not.toThrow();
  });

  it('signs repeated parameters sorted and de-duplicated, as the SDK does', () => {
    const params = { MediaUrl: ['b', 'a', 'b'], Body: 'x' };
    const body = 'MediaUrl=b&Body=x&MediaUrl=a&MediaUrl=b';
    const headers = twilioHeaders(TOKEN, PUBLIC + PATH, params);
    expect(() => verifier.verify(at(headers, body))).not.toThrow();
  });

  it('verifies JSON bodies through bodySHA256 in the URL', () => {
    const body = '{"event":"call.completed"}';
    const path = `/twilio/events?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const headers = { 'content-type': 'application/json', ...twilioHeaders(TOKEN, PUBLIC + path, {}) };
    expect(() => verifier.verify(request(body, headers, { url: path }))).not.toThrow();
    expectRefused(verifier, request(`${body} `, headers, { url: path }), 'TRIB_AUTH_SIGNATURE_MISMATCH');
  });

  it('refuses a tampered parameter, another URL (the internal host), a wrong token, missing or malformed', () => {
    const headers = twilioHeaders(TOKEN, PUBLIC + PATH, PARAMS);
    expectRefused(verifier, at(headers, FORM.replace('SM123', 'SM124')), 'TRIB_AUTH_SIGNATURE_MISMATCH', [
      TOKEN,
    ]);
    const internal = twilioHeaders(TOKEN, `http://10.0.0.7:8080${PATH}`, PARAMS);
    expectRefused(verifier, at(internal), 'TRIB_AUTH_SIGNATURE_MISMATCH');
    expectRefused(
      verifier,
      at(twilioHeaders('wrong', PUBLIC + PATH, PARAMS)),
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    expectRefused(verifier, at({}), 'TRIB_AUTH_SIGNATURE_MISSING');
    expectRefused(verifier, at({ 'x-twilio-signature': 'ab'.repeat(20) }), 'TRIB_AUTH_SIGNATURE_MALFORMED');
  });

  it('checks publicUrl at load', () => {
    expect(publicUrlProblem('https://hooks.example.com/prefix')).toBeUndefined();
    for (const bad of ['hooks.example.com', 'ftp://x', 'https://x/?a=1', 'https://u:p@x', 42]) {
      expect(publicUrlProblem(bad), String(bad)).toBeDefined();
    }
    expect(twilio.build({ publicUrl: 'nope' }, [Buffer.from(TOKEN)])).toHaveProperty('problems');
  });
});
