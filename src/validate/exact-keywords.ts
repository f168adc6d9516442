// The numeric keywords re-defined to compare integers beyond 2^53 exactly (./exact-numbers.ts), for the ajv
// instances that judge the rare documents holding such integers. ajv's own keywords compile to inline `data > 10`
// code, which is right for every double and stays on the fast path; these are plain functions, slower, and run
// only where a document needs them.
import type { Ajv } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import {
  compareExact,
  documentReader,
  equalExact,
  exactDocumentValue,
  exactSchemaValue,
  isMultipleExact,
  schemaReader,
} from './exact-numbers.js';

type Numeric = number | bigint;

function dataValue(data: unknown, cxt: DataValidationCxt | undefined): unknown {
  return cxt ? exactDocumentValue(cxt.parentData, cxt.parentDataProperty, data) : data;
}

function bound(
  keyword: string,
  holds: (order: number, exclusive: boolean) => boolean,
  exclusiveKeyword: string | undefined,
): Parameters<Ajv['addKeyword']>[0] {
  return {
    keyword,
    type: 'number',
    schemaType: exclusiveKeyword ? 'number' : ['number', 'boolean'],
    errors: 'full',
    validate: function check(
      this: unknown,
      schema: unknown,
      data: unknown,
      parentSchema?: Record<string, unknown>,
      cxt?: DataValidationCxt,
    ): boolean {
      // draft-04 spells exclusiveness as a boolean beside maximum/minimum: the boolean alone asserts nothing.
      if (typeof schema === 'boolean') return true;
      const limit = exactSchemaValue(parentSchema, keyword, schema) as Numeric;
      const value = dataValue(data, cxt) as Numeric;
      const exclusive = exclusiveKeyword !== undefined && parentSchema?.[exclusiveKeyword] === true;
      const ok = holds(compareExact(value, limit), exclusive);
      if (!ok) {
        (check as unknown as { errors: unknown[] }).errors = [
          { keyword, message: `must be ${describe(keyword, exclusive)} ${String(limit)}`, params: { limit } },
        ];
      }
      return ok;
    },
  };
}

function describe(keyword: string, exclusive: boolean): string {
  if (keyword === 'maximum') return exclusive ? '<' : '<=';
  if (keyword === 'minimum') return exclusive ? '>' : '>=';
  return keyword === 'exclusiveMaximum' ? '<' : '>';
}

function failing(check: unknown, keyword: string, message: string): false {
  (check as { errors: unknown[] }).errors = [{ keyword, message, params: {} }];
  return false;
}

/** The keywords that can misjudge an integer a double cannot hold. */
export const EXACT_KEYWORDS: readonly string[] = [
  'maximum',
  'minimum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'multipleOf',
  'const',
  'enum',
  'uniqueItems',
];

/** Replaces each of EXACT_KEYWORDS in `ajv` with one that compares exactly. */
export function installExactKeywords(ajv: Ajv, draft04: boolean): void {
  for (const keyword of EXACT_KEYWORDS) ajv.removeKeyword(keyword);
  ajv.addKeyword(
    bound(
      'maximum',
      (order, exclusive) => (exclusive ? order < 0 : order <= 0),
      draft04 ? 'exclusiveMaximum' : undefined,
    ),
  );
  ajv.addKeyword(
    bound(
      'minimum',
      (order, exclusive) => (exclusive ? order > 0 : order >= 0),
      draft04 ? 'exclusiveMinimum' : undefined,
    ),
  );
  ajv.addKeyword(bound('exclusiveMaximum', (order) => order < 0, undefined));
  ajv.addKeyword(bound('exclusiveMinimum', (order) => order > 0, undefined));
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    errors: 'full',
    validate: function check(schema: number, data: unknown, parentSchema?: object, cxt?: DataValidationCxt) {
      const divisor = exactSchemaValue(parentSchema, 'multipleOf', schema) as Numeric;
      return (
        isMultipleExact(dataValue(data, cxt) as Numeric, divisor) ||
        failing(check, 'multipleOf', `must be multiple of ${String(divisor)}`)
      );
    },
  });
  ajv.addKeyword({
    keyword: 'const',
    errors: 'full',
    validate: function check(schema: unknown, data: unknown, parentSchema?: object, cxt?: DataValidationCxt) {
      const expected = exactSchemaValue(parentSchema, 'const', schema);
      return (
        equalExact(dataValue(data, cxt), expected, documentReader, schemaReader) ||
        failing(check, 'const', 'must be equal to constant')
      );
    },
  });
  ajv.addKeyword({
    keyword: 'enum',
    schemaType: 'array',
    errors: 'full',
    validate: function check(schema: unknown[], data: unknown, _parent?: object, cxt?: DataValidationCxt) {
      const value = dataValue(data, cxt);
      return (
        schema.some((option, index) =>
          equalExact(value, exactSchemaValue(schema, String(index), option), documentReader, schemaReader),
        ) || failing(check, 'enum', 'must be equal to one of the allowed values')
      );
    },
  });
  ajv.addKeyword({
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    errors: 'full',
    validate: function check(schema: boolean, data: unknown[]) {
      if (!schema) return true;
      for (let i = 0; i < data.length; i++) {
        for (let j = i + 1; j < data.length; j++) {
          const a = exactDocumentValue(data, i, data[i]);
          const b = exactDocumentValue(data, j, data[j]);
          if (equalExact(a, b, documentReader, documentReader)) {
            return failing(
              check,
              'uniqueItems',
              `must NOT have duplicate items (items ## ${j} and ${i} are identical)`,
            );
          }
        }
      }
      return true;
    },
  });
}
