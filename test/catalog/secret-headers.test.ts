// SECRET_HEADERS is derived from the signature schemes (issue 12): each scheme's signature headers, and the
// credentials, are there once; a verifier never names a header the list lacks (the custom scheme's is refused
// by the binding check instead).
import { describe, expect, it } from 'vitest';
import { isSecretHeader, SECRET_HEADERS } from '../../src/catalog/secret-headers.js';
import { SIGNATURE_SCHEMES } from '../../src/catalog/signatures.js';

describe('SECRET_HEADERS', () => {
  it('holds the credentials and every preset signature header, each once', () => {
    expect(new Set(SECRET_HEADERS)).toEqual(
      new Set([
        'authorization',
        'cookie',
        'proxy-authorization',
        'set-cookie',
        'sec-websocket-protocol',
        'x-hub-signature-256',
        'x-hub-signature',
        'stripe-signature',
        'webhook-signature',
        'svix-signature',
        'x-shopify-hmac-sha256',
        'x-slack-signature',
        'x-twilio-signature',
      ]),
    );
    expect(SECRET_HEADERS).toHaveLength(new Set(SECRET_HEADERS).size);
    for (const scheme of SIGNATURE_SCHEMES.values()) {
      for (const header of scheme.headers) expect(isSecretHeader(header.toUpperCase()), header).toBe(true);
    }
  });

  it('covers every header a preset verifier names', () => {
    const secrets = [Buffer.from('whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=')];
    for (const [name, scheme] of SIGNATURE_SCHEMES) {
      if (name === 'custom') continue;
      const built = scheme.build(name === 'twilio' ? { publicUrl: 'https://x.example' } : {}, secrets);
      if ('problems' in built) throw new Error(`${name}: ${JSON.stringify(built.problems)}`);
      for (const header of built.verifier.signatureHeaders)
        expect(isSecretHeader(header), `${name} ${header}`).toBe(true);
    }
  });
});
