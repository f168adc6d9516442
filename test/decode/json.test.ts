// parseJson refuses what secure-json-parse refused, from one walk of the parsed value (issue 17), and nothing else.
import sjson from 'secure-json-parse';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/decode/json.js';
import { FORBIDDEN_KEY, NON_FINITE, parsedFlaws } from '../../src/decode/json-bounds.js';
import type { TributaryError } from '../../src/errors.js';
import { codeOf } from '../harness/error-code.js';

/** Whether secure-json-parse (the library this replaced) refuses the text with protoAction/constructorAction error. */
function sjsonRefuses(text: string): boolean {
  try {
    sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
    return false;
  } catch {
    return true;
  }
}

const CASES = [
  '{"__proto__":{"admin":true}}',
  '{"\\u005f_proto__":{"admin":true}}',
  '{"a":[1,{"b":{"__proto__":null}}]}',
  '[{"x":1},{"__proto__":1}]',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"deep":[{"constructor":{"prototype":1}}]}',
  '{"constructor":"x"}',
  '{"constructor":{"name":"x"}}',
  '{"constructor":null}',
  '{"prototype":{"constructor":1}}',
  '{"proto":1,"__proto":2,"_proto__":3}',
  '{"a":"__proto__","b":["constructor"]}',
  '{"a":{"b":{"c":[1,2,3]}}}',
];

describe('parseJson', () => {
  it.each(CASES)('refuses %s exactly when secure-json-parse did', (text) => {
    const refused = codeOf(() => parseJson(text)) === 'TRIB_DECODE_FORBIDDEN_KEY';
    expect(refused).toBe(sjsonRefuses(text));
  });

  it('says which document held the forbidden key', () => {
    expect(() => parseJson('{"__proto__":{}}', 7)).toThrow(/^document 7: /);
  });

  it('skips a byte order mark, as secure-json-parse did', () => {
    expect(parseJson('\ufeff{"a":1}')).toEqual({ a: 1 });
  });

  it('reports malformed text as invalid JSON without echoing it', () => {
    const err = (() => {
      try {
        parseJson('{"secret": nope}');
      } catch (e) {
        return e as TributaryError;
      }
    })();
    expect(err?.code).toBe('TRIB_DECODE_INVALID_JSON');
    expect(err?.message).not.toContain('secret');
  });

  it('still bounds numbers and depth after the walk', () => {
    expect(codeOf(() => parseJson('{"n":1e400}'))).toBe('TRIB_DECODE_NUMBER_OUT_OF_RANGE');
    expect(codeOf(() => parseJson(`${'['.repeat(300)}${']'.repeat(300)}`, undefined, 256))).toBe(
      'TRIB_DECODE_TOO_DEEP',
    );
  });
});

describe('parsedFlaws', () => {
  it('flags non-finite numbers and forbidden keys separately', () => {
    expect(parsedFlaws(JSON.parse('{"a":[1,2,{"b":3}]}'))).toBe(0);
    expect(parsedFlaws(JSON.parse('{"a":[1e400]}'))).toBe(NON_FINITE);
    expect(parsedFlaws(JSON.parse('{"__proto__":[1e400]}'))).toBe(NON_FINITE | FORBIDDEN_KEY);
    expect(parsedFlaws(7)).toBe(0);
  });
});
