// Issue 13: integers beyond 2^53 (snowflake ids, minor-unit amounts) are judged exactly, not as the nearest double.
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/decode/json.js';
import { compileSchema } from '../../src/validate/compiler.js';
import { integerOfLiteral, isMultipleExact } from '../../src/validate/exact-numbers.js';
import { loadYaml } from '../catalog/temp-catalog.js';

/** The document as the gateway decodes it: parsed, with the sender's text kept beside it. */
const doc = (text: string): Record<string, unknown> => decodeJson(text)[0]!;

describe('exact integers beyond 2^53 (issue 13)', () => {
  it('reads JSON integer literals exactly', () => {
    expect(integerOfLiteral('820982911946154508')).toBe(820982911946154508n);
    expect(integerOfLiteral('-9223372036854775809')).toBe(-9223372036854775809n);
    expect(integerOfLiteral('1.2345678901234567891e19')).toBe(12345678901234567891n);
    expect(integerOfLiteral('1.5')).toBeUndefined();
    expect(isMultipleExact(12345678901234567800n, 100)).toBe(true);
    expect(isMultipleExact(12345678901234567801n, 100)).toBe(false);
    expect(isMultipleExact(12345678901234567801n, 0.01)).toBe(true);
  });

  it('judges maximum, minimum, exclusive bounds and multipleOf on the integer sent, not its double', async () => {
    const { validate } = await compileSchema({
      type: 'object',
      properties: {
        hi: { type: 'integer', maximum: 9007199254740992 },
        lo: { type: 'integer', minimum: 9007199254740996 },
        amount: { type: 'integer', multipleOf: 10 },
        low: { exclusiveMinimum: 18014398509481984 },
      },
    });
    // 9007199254740993 is 9007199254740992 as a double: within the maximum it exceeds.
    expect(validate(doc('{"hi": 9007199254740992}'))).toBeNull();
    expect(validate(doc('{"hi": 9007199254740993}'))?.[0]).toMatchObject({
      pointer: '/hi',
      keyword: 'maximum',
    });
    // 9007199254740995 is 9007199254740996 as a double: meets the minimum it falls short of.
    expect(validate(doc('{"lo": 9007199254740995}'))?.[0]).toMatchObject({
      pointer: '/lo',
      keyword: 'minimum',
    });
    expect(validate(doc('{"lo": 9007199254740997}'))).toBeNull();
    expect(validate(doc('{"amount": 123456789012345678901}'))?.[0]?.keyword).toBe('multipleOf');
    expect(validate(doc('{"amount": 123456789012345678900}'))).toBeNull();
    // 18014398509481985 rounds to 18014398509481984, equal to the exclusive bound it exceeds.
    expect(validate(doc('{"low": 18014398509481985}'))).toBeNull();
    expect(validate(doc('{"low": 18014398509481984}'))?.[0]?.keyword).toBe('exclusiveMinimum');
  });

  it('judges enum, const and uniqueItems by exact value, inside arrays and objects too', async () => {
    const { validate } = await compileSchema({
      type: 'object',
      properties: {
        kind: { const: 1 },
        ids: { type: 'array', uniqueItems: true },
        pair: { enum: [{ a: 1, b: [2] }] },
      },
    });
    expect(validate(doc('{"ids": [820982911946154508, 820982911946154509]}'))).toBeNull();
    expect(validate(doc('{"ids": [820982911946154508, 820982911946154508]}'))?.[0]?.keyword).toBe(
      'uniqueItems',
    );
    expect(
      validate(doc('{"kind": 1, "pair": {"a": 1, "b": [2]}, "ids": [18014398509481985, 18014398509481984]}')),
    ).toBeNull();
  });

  it('takes a bound beyond 2^53 from the schema file as written (int64 max)', async () => {
    const result = await loadYaml(`collections:\n  acmeCo/ids: { schema: ids.yaml, key: [/id] }\n`, {
      'ids.yaml': [
        'type: object',
        'required: [id]',
        'properties:',
        '  id: { type: integer, minimum: 0, maximum: 9223372036854775807 }',
        '  tier: { enum: [18446744073709551615, 1] }',
        '',
      ].join('\n'),
    });
    expect(result.problems).toEqual([]);
    const validate = result.catalog!.collections.get('acmeCo/ids')!.validate;
    expect(validate(doc('{"id": 9223372036854775807}'))).toBeNull();
    // As doubles both are 9223372036854775808: only the exact comparison refuses the one beyond int64.
    expect(validate(doc('{"id": 9223372036854775808}'))?.[0]).toMatchObject({
      pointer: '/id',
      keyword: 'maximum',
    });
    expect(validate(doc('{"id": 1, "tier": 18446744073709551615}'))).toBeNull();
    expect(validate(doc('{"id": 1, "tier": 18446744073709551614}'))?.[0]?.keyword).toBe('enum');
  });

  it('keeps draft-04 bounds (boolean exclusiveMaximum) on the exact path', async () => {
    const { validate } = await compileSchema({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: { id: { type: 'integer', maximum: 9007199254740992, exclusiveMaximum: true } },
    });
    expect(validate(doc('{"id": 9007199254740991}'))).toBeNull();
    // 9007199254740993 is 9007199254740992 as a double: equal to the bound, refused either way; exact says why.
    expect(validate(doc('{"id": 9007199254740993}'))?.[0]?.keyword).toBe('maximum');
    expect(validate(doc('{"id": 9007199254740992}'))?.[0]?.keyword).toBe('maximum');
  });

  it('leaves ordinary documents, and long digit runs inside strings, to the fast validator', async () => {
    const { validate } = await compileSchema({ type: 'object', properties: { n: { maximum: 10 } } });
    expect(validate(doc('{"n": 3, "card": "4242424242424242424"}'))).toBeNull();
    expect(validate(doc('{"n": 11}'))?.[0]?.keyword).toBe('maximum');
    expect(validate({ n: 3 })).toBeNull(); // no sender's text kept (form bodies): judged as parsed
  });
});
