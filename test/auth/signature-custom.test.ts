import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { custom } from '../../src/auth/signature-custom.js';
import { buildVerifier, expectRefused, nowSeconds, request } from './senders.js';

const SECRET = 'custom-secret-value';
const BODY = '{"event":"x"}';

describe('custom signature', () => {
  it('expresses GitHub: sha256=<hex> over the body', () => {
    const verifier = buildVerifier(custom, [SECRET], { header: 'X-Sig', prefix: 'sha256=' });
    const sig = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
    expect(() => verifier.verify(request(BODY, { 'x-sig': sig }))).not.toThrow();
    expectRefused(verifier, request(`${BODY} `, { 'x-sig': sig }), 'TRIB_AUTH_SIGNATURE_MISMATCH', [SECRET]);
    expectRefused(verifier, request(BODY, { 'x-sig': sig.slice(7) }), 'TRIB_AUTH_SIGNATURE_MALFORMED');
    expectRefused(verifier, request(BODY, {}), 'TRIB_AUTH_SIGNATURE_MISSING');
  });

  it('signs a template of timestamp, id and body, sha512 base64, several signatures, base64 secrets', () => {
    const key = Buffer.from('binary key bytes');
    const verifier = buildVerifier(custom, [key.toString('base64')], {
      algorithm: 'sha512',
      encoding: 'base64',
      header: 'X-Signatures',
      separator: ' ',
      signedContent: '{id}:{timestamp}:{body}',
      timestampHeader: 'X-Timestamp',
      idHeader: 'X-Id',
      tolerance: 60,
      secretEncoding: 'base64',
    });
    const ts = String(nowSeconds());
    const good = createHmac('sha512', key).update(`ev-1:${ts}:${BODY}`).digest('base64');
    const other = createHmac('sha512', 'other').update(`ev-1:${ts}:${BODY}`).digest('base64');
    const headers = { 'x-signatures': `${other} ${good}`, 'x-timestamp': ts, 'x-id': 'ev-1' };
    expect(() => verifier.verify(request(BODY, headers))).not.toThrow();
    expectRefused(verifier, request(BODY, { ...headers, 'x-id': 'ev-2' }), 'TRIB_AUTH_SIGNATURE_MISMATCH');
    const stale = String(nowSeconds() - 120);
    expectRefused(verifier, request(BODY, { ...headers, 'x-timestamp': stale }), 'TRIB_AUTH_SIGNATURE_STALE');
    expectRefused(
      verifier,
      request(BODY, { 'x-signatures': good, 'x-timestamp': ts }),
      'TRIB_AUTH_SIGNATURE_MISSING',
    );
  });

  it('sha1 hex', () => {
    const verifier = buildVerifier(custom, [SECRET], { header: 'X-Sig', algorithm: 'sha1' });
    const sig = createHmac('sha1', SECRET).update(BODY).digest('hex');
    expect(() => verifier.verify(request(BODY, { 'x-sig': sig }))).not.toThrow();
    expectRefused(verifier, request(BODY, { 'x-sig': `${sig}00` }), 'TRIB_AUTH_SIGNATURE_MALFORMED');
  });

  it('reports every option problem at load', () => {
    const built = custom.build(
      {
        algorithm: 'md5',
        encoding: 'base32',
        signedContent: '{timestamp}.{payload}',
        idHeader: 'X-Id',
        tolerance: 30,
        prefix: '',
        secretEncoding: 'hex',
      },
      [Buffer.from('zz')],
    );
    expect('problems' in built && built.problems.map((p) => p.option).sort()).toEqual(
      [
        'algorithm',
        'encoding',
        'header',
        'idHeader',
        'prefix',
        'secrets[0]',
        'signedContent',
        'signedContent',
        'timestampHeader',
        'tolerance',
      ].sort(),
    );
    const twice = custom.build({ header: 'X-S', signedContent: '{body}{body}' }, [Buffer.from('s')]);
    expect(twice).toEqual({
      problems: [{ option: 'signedContent', message: expect.stringContaining('exactly once') }],
    });
  });
});
