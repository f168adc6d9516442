import { describe, expect, it } from 'vitest';
import { anyMatch, checkTimestamp, decodeSignature, headerValue } from '../../src/auth/signature.js';

describe('signature helpers', () => {
  it('decodes strictly: no silent truncation of bad hex or base64', () => {
    expect(decodeSignature('ab'.repeat(32), 'hex', 32)).toHaveLength(32);
    expect(decodeSignature(`${'ab'.repeat(31)}zz`, 'hex', 32)).toBeUndefined();
    expect(decodeSignature('ab'.repeat(31), 'hex', 32)).toBeUndefined();
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(decodeSignature(b64, 'base64', 32)).toEqual(Buffer.alloc(32, 7));
    expect(decodeSignature(b64.replace('=', ''), 'base64', 32)).toBeUndefined();
    expect(decodeSignature(`${b64.slice(0, -4)}-_-=`, 'base64', 32)).toBeUndefined();
  });

  it('matches any expected against any given, only at equal length', () => {
    const a = Buffer.from('aaaa');
    const b = Buffer.from('bbbb');
    expect(anyMatch([a, b], [Buffer.from('cccc'), Buffer.from('bbbb')])).toBe(true);
    expect(anyMatch([a], [Buffer.from('aaa'), Buffer.from('aaaaa')])).toBe(false);
    expect(anyMatch([], [a])).toBe(false);
  });

  it('checks timestamps both ways and refuses non-integers', () => {
    expect(() => checkTimestamp('1000', 'ts', 1299, 300)).not.toThrow();
    expect(() => checkTimestamp('1000', 'ts', 1301, 300)).toThrow(
      expect.objectContaining({ code: 'TRIB_AUTH_SIGNATURE_STALE' }),
    );
    expect(() => checkTimestamp('1000', 'ts', 699, 300)).toThrow(
      expect.objectContaining({ code: 'TRIB_AUTH_SIGNATURE_STALE' }),
    );
    for (const bad of ['-5', '1e3', '10.5', ' 1000', '']) {
      expect(() => checkTimestamp(bad, 'ts', 1000, 300)).toThrow(
        expect.objectContaining({ code: 'TRIB_AUTH_SIGNATURE_MALFORMED' }),
      );
    }
  });

  it('reads the first of repeated headers and treats empty as missing', () => {
    expect(headerValue({ a: ['1', '2'] }, 'a')).toBe('1');
    expect(headerValue({ a: '' }, 'a')).toBeUndefined();
  });
});
