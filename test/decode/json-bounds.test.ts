// Issue 7: nesting and number range are bounded before JSON.parse, so no later stage can overflow its stack
// or write a different document than the one sent.
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/decode/body.js';
import { checkJsonBounds, NON_FINITE, parsedFlaws } from '../../src/decode/json-bounds.js';
import { codeOf } from '../harness/error-code.js';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('checkJsonBounds (issue 7)', () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(codeOf(() => checkJsonBounds(nested(256), 256))).toBeUndefined();
    expect(codeOf(() => checkJsonBounds(nested(257), 256))).toBe('TRIB_DECODE_TOO_DEEP');
    const objects = `${'{"a":'.repeat(300)}1${'}'.repeat(300)}`;
    expect(codeOf(() => checkJsonBounds(objects, 256))).toBe('TRIB_DECODE_TOO_DEEP');
  });

  it('refuses 100,000 nested arrays fast, without recursion', () => {
    const started = performance.now();
    expect(codeOf(() => checkJsonBounds(nested(100_000), 256))).toBe('TRIB_DECODE_TOO_DEEP');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not count brackets inside strings, including after escaped quotes and backslashes', () => {
    const text = JSON.stringify({ s: `${'['.repeat(1000)}\\"[[[`, t: 'a\\', u: '{'.repeat(500) });
    expect(codeOf(() => checkJsonBounds(text, 2))).toBeUndefined();
    expect(codeOf(() => checkJsonBounds(`{"a":"\\\\"${'['.repeat(5)}`, 3))).toBe('TRIB_DECODE_TOO_DEEP');
  });

  it('refuses numbers that overflow a double and keeps ordinary and tiny ones', () => {
    for (const n of ['1e400', '-1E309', '1.5e+999', '9'.repeat(400)]) {
      expect(codeOf(() => checkJsonBounds(`{"a":${n}}`, 256))).toBe('TRIB_DECODE_NUMBER_OUT_OF_RANGE');
    }
    for (const n of ['1e308', '-2.5e-400', '0', '123456789012345678901234567890', '1E2', '9'.repeat(300)]) {
      expect(codeOf(() => checkJsonBounds(`{"a":${n},"e":"1e999"}`, 256))).toBeUndefined();
    }
  });

  it('refuses exactly the literals that are not finite doubles, prefilter included (issue 6)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const digits = (n: number) =>
      `${1 + random(9)}${Array.from({ length: n - 1 }, () => random(10)).join('')}`;
    for (let k = 0; k < 3000; k++) {
      let literal = (random(2) ? '-' : '') + digits(1 + random(320));
      if (random(2)) literal += `.${digits(1 + random(5))}`;
      if (random(3))
        literal += `${random(2) ? 'e' : 'E'}${['', '+', '-'][random(3)]}${digits(1 + random(3))}`;
      const wrapped = [
        `{"n":${literal}}`,
        `[ ${literal}]`,
        `[1,\n${literal}]`,
        `{"a":"3e123","b" : ${literal}}`,
        literal,
      ][random(5)]!;
      const refused = codeOf(() => checkJsonBounds(wrapped, 256)) !== undefined;
      const refusedGivenValue =
        codeOf(() =>
          checkJsonBounds(wrapped, 256, 0, (parsedFlaws(JSON.parse(wrapped)) & NON_FINITE) !== 0),
        ) !== undefined;
      const expected = !Number.isFinite(Number(literal));
      expect([literal, refused, refusedGivenValue]).toEqual([literal, expected, expected]);
    }
  });

  it('never throws on garbage: JSON.parse reports malformed text', () => {
    for (const text of ['}}}]]]', '"unterminated', '-', '1e', '{"a":--1e999x}', '\\"[[[']) {
      expect(() => checkJsonBounds(text, 2)).not.toThrow(TypeError);
    }
  });
});

describe('decodeBody limits (issue 7)', () => {
  const limits = { maxDecodedBytes: 1 << 22, maxDocuments: 10, maxDepth: 8 };
  const headers = (contentType: string) => ({ contentType, contentEncoding: undefined });

  it('applies maxDepth to JSON and to each NDJSON line, naming the line', async () => {
    await expect(
      decodeBody(Buffer.from(`{"a":${nested(8)}}`), headers('application/json'), limits),
    ).rejects.toMatchObject({ code: 'TRIB_DECODE_TOO_DEEP' });
    await expect(
      decodeBody(Buffer.from(`{"a":1}\n{"a":${nested(8)}}\n`), headers('application/x-ndjson'), limits),
    ).rejects.toMatchObject({ code: 'TRIB_DECODE_TOO_DEEP', message: /document 1/ });
    expect(
      await decodeBody(Buffer.from(`{"a":${nested(7)}}`), headers('application/json'), limits),
    ).toHaveLength(1);
  });
});
