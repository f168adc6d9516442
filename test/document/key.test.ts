import { describe, expect, it } from 'vitest';
import { compileKey } from '../../src/document/key.js';
import { parsePointer, resolveTokens } from '../../src/document/pointer.js';

describe('JSON pointers', () => {
  it('unescapes ~1 and ~0 (RFC 6901 §4)', () => {
    expect(parsePointer('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(parsePointer('')).toEqual([]);
    expect(() => parsePointer('a')).toThrow();
  });

  it('reads own properties only', () => {
    expect(resolveTokens({ a: { b: 1 } }, ['a', 'b'])).toBe(1);
    expect(resolveTokens({}, ['constructor'])).toBeUndefined();
    expect(resolveTokens({ a: [10, 20] }, ['a', '1'])).toBe(20);
  });
});

describe('compileKey', () => {
  it('is canonical JSON of the key values, in key order', () => {
    const key = compileKey(['/id', '/_meta/webhookId', '/n', '/flag']);
    expect(key({ id: 'x', n: 3, flag: false, _meta: { webhookId: 'w' } }, 0)).toBe('["x","w",3,false]');
  });

  it('refuses missing, fractional and non-scalar keys, naming the document', () => {
    const key = compileKey(['/id']);
    for (const doc of [{}, { id: 1.5 }, { id: { a: 1 } }, { id: null }]) {
      expect(() => key(doc, 7)).toThrow(/document 7/);
    }
  });
});

describe('TRIB_DOCUMENT_KEY_INVALID (issue 12)', () => {
  it('refuses a document whose key is not a string, integer or boolean, naming the document and pointer', () => {
    const extract = compileKey(['/id']);
    for (const id of [1.5, null, { a: 1 }, [1]]) {
      expect(() => extract({ id }, 3)).toThrow(
        expect.objectContaining({
          code: 'TRIB_DOCUMENT_KEY_INVALID',
          status: 400,
          documents: [{ index: 3, pointer: '/id', message: 'key must be a string, integer or boolean' }],
        }),
      );
    }
    expect(() => extract({}, 0)).toThrow(expect.objectContaining({ code: 'TRIB_DOCUMENT_KEY_INVALID' }));
  });
});
