import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/frame.js';
import { TributaryError } from '../../src/errors.js';

const limits = { maxDocuments: 3 };
const decode = (text: string | Buffer, binary = false) =>
  decodeFrame(typeof text === 'string' ? Buffer.from(text) : text, binary, limits);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof TributaryError ? err.code : 'not a TributaryError';
  }
  return undefined;
}

describe('decodeFrame', () => {
  it('takes one object, an array of objects, NDJSON lines and pretty-printed JSON', () => {
    expect(decode('{"a":1}')).toEqual([{ a: 1 }]);
    expect(decode('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(decode('{"a":1}\n{"a":2}\r\n\n{"a":3}\n')).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(decode('{\n  "a": {\n    "b": 1\n  }\n}\n')).toEqual([{ a: { b: 1 } }]);
  });

  it('takes binary frames as UTF-8, and refuses invalid UTF-8 in them', () => {
    expect(decode(Buffer.from('{"é":1}'), true)).toEqual([{ é: 1 }]);
    expect(codeOf(() => decode(Buffer.from([0x7b, 0xff, 0x7d]), true))).toBe('TRIB_DECODE_INVALID_UTF8');
  });

  it('names the NDJSON document that is broken, and reports broken JSON as JSON', () => {
    let err: unknown;
    try {
      decode('{"a":1}\n{"a":\n');
    } catch (e) {
      err = e;
    }
    expect((err as TributaryError).code).toBe('TRIB_DECODE_INVALID_JSON');
    expect((err as TributaryError).message).toMatch(/^document 1: /);
    expect(codeOf(() => decode('{\n "a": 1,\n}'))).toBe('TRIB_DECODE_INVALID_JSON');
    expect(codeOf(() => decode('{"a":1}\n[1]'))).toBe('TRIB_DECODE_NOT_AN_OBJECT');
  });

  it.each([
    ['', 'TRIB_DECODE_EMPTY_BODY'],
    [' \n ', 'TRIB_DECODE_EMPTY_BODY'],
    ['[]', 'TRIB_DECODE_EMPTY_BODY'],
    ['42', 'TRIB_DECODE_NOT_AN_OBJECT'],
    ['[{},{},{},{}]', 'TRIB_DECODE_TOO_MANY_DOCUMENTS'],
    ['{"__proto__":{"x":1}}', 'TRIB_DECODE_FORBIDDEN_KEY'],
  ])('%j -> %s', (text, code) => {
    expect(codeOf(() => decode(text))).toBe(code);
  });
});

describe('decodeFrame tells NDJSON from one JSON value by its first line', () => {
  const errorOf = (text: string) => {
    try {
      return { docs: decode(text) };
    } catch (err) {
      const e = err as TributaryError;
      return { code: e.code, message: e.message };
    }
  };

  type Expected = { docs: unknown[] } | { code: string; message?: RegExp };
  it.each<[string, Expected]>([
    // First line a document by itself: NDJSON, its errors named by document.
    ['{"a":1}\n{"a":2}', { docs: [{ a: 1 }, { a: 2 }] }],
    ['\n\n  {"a":1}\r\n{"a":2}\n', { docs: [{ a: 1 }, { a: 2 }] }],
    ['[{"a":1}]\n{"a":2}', { code: 'TRIB_DECODE_NOT_AN_OBJECT' }],
    ['{"a":1}\n{"__proto__":{}}', { code: 'TRIB_DECODE_FORBIDDEN_KEY', message: /^document 1: / }],
    // First line no JSON value by itself: one JSON value, or the JSON error of the whole text.
    ['{\n"a":1}', { docs: [{ a: 1 }] }],
    ['[\n{"a":1},\n{"a":2}\n]', { docs: [{ a: 1 }, { a: 2 }] }],
    ['{"a":\n1}\n{"b":2}', { code: 'TRIB_DECODE_INVALID_JSON', message: /^(?!document)/ }],
    // First line valid JSON but refused as a document (a forbidden key): reported as the whole text's JSON error,
    // as the NDJSON reading is not what the sender meant.
    ['{"__proto__":{}}\n{"a":1}', { code: 'TRIB_DECODE_INVALID_JSON', message: /^(?!document)/ }],
  ])('%j', (text, expected) => {
    const got: { docs?: unknown[]; code?: string; message?: string } = errorOf(text);
    if ('docs' in expected) expect(got).toEqual(expected);
    else {
      expect(got.code).toBe(expected.code);
      if (expected.message !== undefined) expect(got.message).toMatch(expected.message);
    }
  });
});
