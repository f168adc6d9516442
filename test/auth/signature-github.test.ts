import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { github } from '../../src/auth/signature-github.js';
import { buildVerifier, expectRefused, githubHeaders, request } from './senders.js';

const SECRET = "It's a Secret to Everybody";
const BODY = '{"action":"opened","number":1}';

describe('github signature', () => {
  const verifier = buildVerifier(github, ['previous-secret', SECRET]);

  it("verifies GitHub's published test vector", () => {
    const headers = {
      'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    };
    expect(() => verifier.verify(request('Hello, World!', headers))).not.toThrow();
  });

  it('accepts what @octokit/webhooks-methods signs, with any configured secret', async () => {
    const headers = await githubHeaders(SECRET, BODY);
    expect(await octokitVerify(SECRET, BODY, headers['x-hub-signature-256']!)).toBe(true);
    expect(() => verifier.verify(request(BODY, headers))).not.toThrow();
    const old = await githubHeaders('previous-secret', BODY);
    expect(() => verifier.verify(request(BODY, old))).not.toThrow();
  });

  it('refuses a tampered body, a wrong secret, a missing or malformed header', async () => {
    const headers = await githubHeaders(SECRET, BODY);
    expectRefused(verifier, request(BODY.replace('1', '2'), headers), 'TRIB_AUTH_SIGNATURE_MISMATCH', [
      SECRET,
    ]);
    expectRefused(
      verifier,
      request(BODY, await githubHeaders('wrong', BODY)),
      'TRIB_AUTH_SIGNATURE_MISMATCH',
    );
    expectRefused(verifier, request(BODY, { 'x-github-delivery': 'd' }), 'TRIB_AUTH_SIGNATURE_MISSING');
    const sha1 = `sha1=${'0'.repeat(40)}`;
    expectRefused(verifier, request(BODY, { 'x-hub-signature-256': sha1 }), 'TRIB_AUTH_SIGNATURE_MALFORMED');
    const short = headers['x-hub-signature-256']!.slice(0, -2);
    expectRefused(verifier, request(BODY, { 'x-hub-signature-256': short }), 'TRIB_AUTH_SIGNATURE_MALFORMED');
  });
});
