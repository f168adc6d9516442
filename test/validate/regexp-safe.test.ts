// Issue 6: simple anchored patterns run on V8's RegExp, everything else stays on re2js (issue 7's guarantee).
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { expandPropertyEscapes, linearRegExp, toRe2Syntax } from '../../src/validate/regexp.js';
import { backtrackingSafe } from '../../src/validate/regexp-safe.js';

const SAFE = [
  '^[A-Z]{3}$',
  '^[A-Z0-9 -]{3,10}$',
  '^ord_[0-9a-z]{8,32}$',
  '^\\+[0-9]{6,15}$',
  '^[A-Z]{3}-[0-9]{4,8}$',
  '^[0-9a-f]{40}$',
  '^\\d{4}-\\d{2}-\\d{2}T',
  '^[a-z]+:',
  '^whsec_[A-Za-z0-9+/=]+$',
  '^\\u{1F600}?x$',
  '^[^\\s]+$',
  '^.+$',
  '^[\\w.-]+$',
  '^a*$',
  '^\\p{Lu}+$', // property escapes: the code points V8 matches (issue 13)
  '^\\p{Letter}[\\p{L}\\d_]*$',
  '^[a-c]*[d-f]*[g-i]+$',
];

const UNSAFE = [
  '[A-Z]{3}', // unanchored: retried at every offset
  '^(a+)+$', // groups
  '^a|b$', // alternation
  '^a*a*b$', // overlapping variable atoms
  '^[a-z]*[a-z0-9]+$',
  '^\\w+\\d$', // \d is inside \w
  '^[a-z]*?x$', // lazy
  '^(?=a)a$', // lookahead
  '^(a)\\1$', // backreference
  '^\\bfoo$', // word boundary
  '^.*x.*$', // `.` overlaps x
  '^[a-z]{2,5}[a-z]{3}$',
  '^a?a$',
  '^x*$y', // `$` in the middle
];

describe('backtrackingSafe (issue 6)', () => {
  it('accepts anchored sequences whose variable atoms cannot overlap what follows', () => {
    for (const p of SAFE) expect([p, backtrackingSafe(p)]).toEqual([p, true]);
    // Not valid syntax: left to re2js, which reports it.
    expect(backtrackingSafe('^\\d+(?:')).toBe(false);
  });

  it('refuses everything else', () => {
    for (const p of UNSAFE) expect([p, backtrackingSafe(p)]).toEqual([p, false]);
  });

  it('linearRegExp hands safe patterns to RegExp and the rest to re2js', () => {
    expect(linearRegExp('^[A-Z]{3}$', 'u')).toBeInstanceOf(RegExp);
    expect(linearRegExp('^a*a*b$', 'u')).not.toBeInstanceOf(RegExp);
    expect(String(linearRegExp('^a*a*b$', 'u'))).toBe('/^a*a*b$/u');
  });

  it('answers exactly as re2js did for the safe patterns', () => {
    const inputs = [
      '',
      'EUR',
      'eur',
      'EURO',
      'AB1 2C',
      'ord_abcd1234',
      'ord_ABCD1234',
      '+4915112345678',
      'ABC-12345',
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      '2024-05-06T10:00:00Z',
      'https:',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      '😀x',
      'x',
      'a b',
      '\u00a0',
      'line\nbreak',
      '\u2028',
      'a.b-c_d',
      'aaa',
      'adg',
      'ggg',
      'abcdefghi',
    ];
    for (const p of SAFE) {
      const re2 = RE2JS.compile(toRe2Syntax(expandPropertyEscapes(p)));
      const native = new RegExp(p, 'u');
      for (const input of inputs) {
        expect([p, input, native.test(input)]).toEqual([p, input, re2.test(input)]);
      }
    }
  });

  it('stays linear on adversarial inputs (each would take minutes if backtracking were quadratic)', () => {
    const long = 'a'.repeat(1_000_000);
    expect(linearRegExp('^[a-c]*[d-f]*[g-i]+$', 'u').test(`${long}!`)).toBe(false);
    expect(linearRegExp('^[\\w.-]+$', 'u').test(`${long}!`)).toBe(false);
    expect(linearRegExp('^.+$', 'u').test(`${long}\n`)).toBe(false);
  });
});
