// Issue 7: `pattern` runs on a linear-time engine with JS's meaning, and a pattern RE2 cannot run is refused.
import { describe, expect, it } from 'vitest';
import { compileSchema, SchemaCompileError } from '../../src/validate/compiler.js';
import { linearRegExp, toRe2Syntax } from '../../src/validate/regexp.js';

const test = (pattern: string, input: string): boolean => linearRegExp(pattern, 'u').test(input);

describe('linearRegExp (issue 7)', () => {
  it('answers like JS RegExp with the u flag on common schema patterns', () => {
    const patterns = [
      '^[a-z0-9-]{1,64}$',
      '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$',
      '^\\d{4}-\\d{2}-\\d{2}T',
      '^\\p{Lu}',
      '^[\\u0041-\\u005A]+$',
      '\\bfoo\\b',
      '^.$',
      '^.+$',
      '\\s',
      '^\\S+$',
      '[\\s\\S]',
      '^[^]*$',
      '^\\u{1F600}$',
      '^a[]$',
      '^(\\([0-9]{3}\\))?[0-9]{3}-[0-9]{4}$',
    ];
    const inputs = [
      '',
      'a',
      'abc-1',
      'ABC',
      '\u00a0',
      '\r',
      '\u2028',
      '\n',
      'x y',
      '😀',
      'é',
      'a foo b',
      ']',
      'ada@example.com',
      '2024-05-06T10:00:00Z',
      '(888)555-1212',
      'Ünïcode',
    ];
    for (const pattern of patterns) {
      const js = new RegExp(pattern, 'u');
      for (const input of inputs) {
        expect([pattern, input, test(pattern, input)]).toEqual([pattern, input, js.test(input)]);
      }
    }
  });

  it('keeps a pathological pattern linear: ^(a+)+$ and (a|aa)*b on long inputs', () => {
    const started = performance.now();
    expect(test('^(a+)+$', `${'a'.repeat(10_000)}!`)).toBe(false);
    expect(test('(a|aa)*b', 'a'.repeat(100_000))).toBe(false);
    expect(test('^(a|a?)+$', `${'a'.repeat(5_000)}!`)).toBe(false);
    // JS RegExp needs seconds for 28 a's on the first pattern and never finishes the others; generous margin.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('gives each pattern its own cache key, since ajv deduplicates compiled patterns by toString()', () => {
    expect(String(linearRegExp('^a$', 'u'))).not.toBe(String(linearRegExp('^b$', 'u')));
  });

  it('rewrites . and \\s to the JS sets', () => {
    expect(toRe2Syntax('a.b')).toContain('[^\\n\\r');
    expect(toRe2Syntax('[\\s]')).toContain('\\x{A0}');
  });
});

describe('schemas with patterns (issue 7)', () => {
  it('validates a hostile pattern against a long string without hanging', () => {
    const { validate } = compileSchema({
      type: 'object',
      properties: { name: { type: 'string', pattern: '^(\\w+\\s?)*$' } },
      patternProperties: { '^(x+x+)+y$': { type: 'number' } },
    });
    const started = performance.now();
    expect(validate({ name: `${'word '.repeat(2000)}!` })).not.toBeNull();
    expect(validate({ name: 'two words', [`${'x'.repeat(5000)}`]: 'not a number' })).toBeNull();
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('refuses a schema whose pattern needs backtracking (lookahead, backreference), naming the pattern', () => {
    for (const pattern of ['^(?=.*\\d)\\w+$', '^(a)\\1$', '(?<!x)y']) {
      expect(() => compileSchema({ type: 'string', pattern }, 'test.json')).toThrow(SchemaCompileError);
      expect(() => compileSchema({ type: 'string', pattern }, 'test.json')).toThrow(/linear time/);
    }
  });
});
