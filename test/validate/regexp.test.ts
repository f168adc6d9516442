// Issue 7: `pattern` runs on a linear-time engine with JS's meaning, and a pattern RE2 cannot run is refused.
import { describe, expect, it } from 'vitest';
import { compileSchema, SchemaCompileError } from '../../src/validate/compiler.js';
import { linearRegExp, toRe2Syntax } from '../../src/validate/regexp.js';

const test = (pattern: string, input: string): boolean => linearRegExp(pattern, 'u').test(input);

describe('linearRegExp (issue 7)', () => {
  it('answers like JS RegExp with the u flag on common schema patterns', async () => {
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

  it('keeps a pathological pattern linear: ^(a+)+$ and (a|aa)*b on long inputs', async () => {
    const started = performance.now();
    expect(test('^(a+)+$', `${'a'.repeat(10_000)}!`)).toBe(false);
    expect(test('(a|aa)*b', 'a'.repeat(100_000))).toBe(false);
    expect(test('^(a|a?)+$', `${'a'.repeat(5_000)}!`)).toBe(false);
    // JS RegExp needs seconds for 28 a's on the first pattern and never finishes the others; generous margin.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('gives each pattern its own cache key, since ajv deduplicates compiled patterns by toString()', async () => {
    expect(String(linearRegExp('^a$', 'u'))).not.toBe(String(linearRegExp('^b$', 'u')));
  });

  it('rewrites . and \\s to the JS sets', async () => {
    expect(toRe2Syntax('a.b')).toContain('[^\\n\\r');
    expect(toRe2Syntax('[\\s]')).toContain('\\x{A0}');
  });
});

describe('schemas with patterns (issue 7)', () => {
  it('validates a hostile pattern against a long string without hanging', async () => {
    const { validate } = await compileSchema({
      type: 'object',
      properties: { name: { type: 'string', pattern: '^(\\w+\\s?)*$' } },
      patternProperties: { '^(x+x+)+y$': { type: 'number' } },
    });
    const started = performance.now();
    expect(validate({ name: `${'word '.repeat(2000)}!` })).not.toBeNull();
    expect(validate({ name: 'two words', [`${'x'.repeat(5000)}`]: 'not a number' })).toBeNull();
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('refuses a schema whose pattern needs backtracking (lookbehind, a lookahead not at the start, backreference), naming the pattern', async () => {
    for (const pattern of ['^(a)\\1$', '(?<!x)y', '^a(?=b)', '(?!x)y', '^(?!a)b|c']) {
      await expect(compileSchema({ type: 'string', pattern }, { source: 'test.json' })).rejects.toThrow(
        SchemaCompileError,
      );
      await expect(compileSchema({ type: 'string', pattern }, { source: 'test.json' })).rejects.toThrow(
        /linear time/,
      );
    }
  });

  it('refuses what is not an ECMAScript pattern, saying so', async () => {
    await expect(compileSchema({ type: 'string', pattern: '^[a-' }, { source: 'bad.json' })).rejects.toThrow(
      /not a valid ECMAScript regular expression/,
    );
  });
});

describe('Unicode property escapes (issue 13)', () => {
  it('matches \\p{L}, \\p{Letter}, \\p{Script=Greek}, \\P{...} and properties inside classes as JS does', () => {
    const patterns = [
      '^\\p{Letter}+$',
      '^\\p{L}+$',
      '^\\p{Script=Greek}+$',
      '^\\p{sc=Greek}$',
      '^\\P{L}+$',
      '^[\\p{Lu}\\d_]+$',
      '^[^\\p{L}]+$',
      '[\\P{Script=Latin}]',
      '\\p{Letter}cole',
      '^\\p{digit}+$',
      '^\\p{Emoji_Presentation}',
      '(\\p{Lu}|x)+y', // not provably safe: re2js gets the expanded ranges
    ];
    const inputs = [
      '',
      'abc',
      'École',
      'Ελληνικά',
      'ΑΒΓ',
      'ABC_1',
      '123',
      '৪২',
      '😀x',
      'a b',
      '\u00e9',
      'ÀÉxy',
      '-%#',
    ];
    for (const pattern of patterns) {
      const js = new RegExp(pattern, 'u');
      for (const input of inputs) {
        expect([pattern, input, test(pattern, input)]).toEqual([pattern, input, js.test(input)]);
      }
    }
  });

  it('validates a schema with ^\\p{Letter}+$ in pattern and patternProperties (refused before issue 13)', async () => {
    const { validate } = await compileSchema({
      type: 'object',
      properties: { name: { type: 'string', pattern: '^\\p{Letter}+$' } },
      patternProperties: { '^\\p{Script=Greek}+$': { type: 'integer' } },
    });
    expect(validate({ name: 'Zoë' })).toBeNull();
    expect(validate({ name: 'Zoë 2' })?.[0]?.keyword).toBe('pattern');
    expect(validate({ αβγ: 1 })).toBeNull();
    expect(validate({ αβγ: 'x' })?.[0]).toMatchObject({ pointer: '/αβγ', keyword: 'type' });
  });

  it('stays linear with a property escape in a pattern RE2 runs', () => {
    const started = performance.now();
    expect(test('^(\\p{L}+\\s?)*$', `${'word '.repeat(5000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('leading lookaheads (issue 13)', () => {
  it('decides ^(?!A)B and ^(?=A)B as two anchored matches, exactly as JS does', () => {
    const patterns = [
      '^(?!-)[a-z0-9-]+$',
      '^(?![0-9]+$)[a-zA-Z0-9]{3,}$',
      '^(?=[A-Z])\\w+$',
      '^(?=.*\\d)(?=.*[a-z])\\w{6,}$',
      '^(?!\\s)(?!.*\\s$).+$',
      '^(?!foo|bar)',
      '^(?!(?:x|y)z)[a-z]+',
      '^(?=\\p{Lu})\\p{L}+$',
    ];
    const inputs = [
      '',
      'abc',
      '-abc',
      'abc-',
      '123',
      'a1b2c3',
      'Abc',
      'ABC',
      ' x',
      'x ',
      'foo',
      'food',
      'barn',
      'xz',
      'yzz',
      'É',
      'Élan',
      'abcdef1',
    ];
    for (const pattern of patterns) {
      const js = new RegExp(pattern, 'u');
      for (const input of inputs) {
        expect([pattern, input, test(pattern, input)]).toEqual([pattern, input, js.test(input)]);
      }
    }
  });

  it('serves a schema whose pattern starts with a negative lookahead (refused before issue 13)', async () => {
    const { validate } = await compileSchema({
      type: 'object',
      properties: { slug: { type: 'string', pattern: '^(?!-)(?!.*--)[a-z0-9-]{1,63}$' } },
    });
    expect(validate({ slug: 'my-repo' })).toBeNull();
    expect(validate({ slug: '-repo' })?.[0]?.keyword).toBe('pattern');
    expect(validate({ slug: 'my--repo' })?.[0]?.keyword).toBe('pattern');
  });

  it('keeps a lookahead pattern linear on a hostile input', () => {
    const started = performance.now();
    expect(test('^(?!(a+)+$)(a|aa)*b', 'a'.repeat(50_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
