import { describe, expect, it } from 'vitest';
import {
  compiledSchemaCount,
  compileSchema,
  SchemaCompileError,
  schemaDraft,
  unknownFormats,
  unknownKeywords,
} from '../../src/validate/compiler.js';

// Each test uses its own schema text: the compile cache lives for the whole process.
let serial = 0;
const unique = (): string => `compiler test ${++serial}`;

describe('draft selection', () => {
  it('reads $schema, defaulting to 2020-12, ignoring http/https and a trailing #', async () => {
    expect(schemaDraft({})).toBe('2020-12');
    expect(schemaDraft(true)).toBe('2020-12');
    expect(schemaDraft({ $schema: 'http://json-schema.org/draft-07/schema#' })).toBe('draft-07');
    expect(schemaDraft({ $schema: 'https://json-schema.org/draft-07/schema' })).toBe('draft-07');
    expect(schemaDraft({ $schema: 'http://json-schema.org/draft-06/schema#' })).toBe('draft-06');
    expect(schemaDraft({ $schema: 'https://json-schema.org/draft/2019-09/schema' })).toBe('2019-09');
    expect(schemaDraft({ $schema: 'https://json-schema.org/draft/2020-12/schema#' })).toBe('2020-12');
    expect(schemaDraft({ $schema: 'http://json-schema.org/draft-04/schema#' })).toBe('draft-04');
    expect(schemaDraft({}, 'draft-07')).toBe('draft-07');
  });

  it('refuses a $schema that is neither one of the five drafts nor a meta-schema it was given', async () => {
    await expect(
      compileSchema({ $schema: 'https://example.com/my-meta.json' }, { source: 'odd.json' }),
    ).rejects.toThrow(/odd.json: unsupported \$schema/);
  });

  it('checks a draft-07 schema with draft-07 rules: definitions, dependencies, tuple items', async () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: unique(),
      definitions: { name: { type: 'string' } },
      properties: {
        a: { $ref: '#/definitions/name' },
        pair: { items: [{ type: 'string' }, { type: 'integer' }] },
      },
      dependencies: { a: ['b'] },
    };
    const { validate, draft } = await compileSchema(schema);
    expect(draft).toBe('draft-07');
    expect(validate({ a: 'x', b: 1, pair: ['x', 1] })).toBeNull();
    const failures = validate({ a: 1, pair: ['x', 'y'] }) ?? [];
    expect(failures.map((failure) => [failure.pointer, failure.keyword])).toEqual(
      expect.arrayContaining([
        ['/b', 'dependencies'],
        ['/a', 'type'],
        ['/pair/1', 'type'],
      ]),
    );
  });

  it('refuses the draft-07 tuple form of items when the schema names no $schema (2020-12)', async () => {
    const schema = { title: unique(), properties: { pair: { items: [{ type: 'string' }] } } };
    await expect(compileSchema(schema)).rejects.toThrow(SchemaCompileError);
  });

  it('checks a 2020-12 schema with prefixItems', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: unique(),
      properties: { pair: { prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false } },
    };
    const { validate, draft } = await compileSchema(schema);
    expect(draft).toBe('2020-12');
    expect(validate({ pair: ['x', 1] })).toBeNull();
    expect(validate({ pair: ['x', 'y'] })?.[0]?.pointer).toBe('/pair/1');
    expect(validate({ pair: ['x', 1, 2] })?.[0]?.keyword).toBe('items');
  });

  it('checks a draft-06 schema with the draft-07 instance and the draft-06 meta-schema', async () => {
    const schema = { $schema: 'http://json-schema.org/draft-06/schema#', title: unique(), required: ['id'] };
    const { validate, draft } = await compileSchema(schema);
    expect(draft).toBe('draft-06');
    expect(validate({})?.[0]?.pointer).toBe('/id');
  });

  it('checks a 2019-09 schema with its own instance', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      title: unique(),
      dependentRequired: { a: ['b'] },
    };
    const { validate, draft } = await compileSchema(schema);
    expect(draft).toBe('2019-09');
    expect(validate({ a: 1 })?.[0]).toMatchObject({ pointer: '/b', keyword: 'dependentRequired' });
  });
});

describe('validation failures', () => {
  it('points at the missing property and keeps ajv’s message', async () => {
    const { validate } = await compileSchema({ title: unique(), type: 'object', required: ['id'] });
    expect(validate({})).toEqual([
      {
        pointer: '/id',
        keyword: 'required',
        message: "must have required property 'id'",
        schemaPath: '#/required',
      },
    ]);
  });

  it('escapes property names per RFC 6901', async () => {
    const { validate } = await compileSchema({ title: unique(), required: ['a/b~c'] });
    expect(validate({})?.[0]?.pointer).toBe('/a~1b~0c');
  });

  it('validates the document exactly as sent under additionalProperties: false, and never changes it', async () => {
    const { validate } = await compileSchema({
      title: unique(),
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'integer' }, tag: { type: 'string', default: 'none' } },
    });
    const accepted = { id: 1 };
    expect(validate(accepted)).toBeNull();
    expect(accepted).toEqual({ id: 1 }); // no default filled in

    const extra = { id: 1, extra: true };
    expect(validate(extra)).toEqual([
      expect.objectContaining({ pointer: '/extra', keyword: 'additionalProperties' }),
    ]);
    expect(extra).toEqual({ id: 1, extra: true }); // not removed

    const text = { id: '1' };
    expect(validate(text)?.[0]).toMatchObject({ pointer: '/id', keyword: 'type' });
    expect(text.id).toBe('1'); // not coerced
  });

  it('reports every failure, not only the first', async () => {
    const { validate } = await compileSchema({ title: unique(), required: ['a', 'b', 'c'] });
    expect(validate({})).toHaveLength(3);
  });

  it('validates formats: email and date-time', async () => {
    const { validate } = await compileSchema({
      title: unique(),
      properties: { email: { format: 'email' }, at: { format: 'date-time' } },
    });
    expect(validate({ email: 'a@example.com', at: '2026-11-26T15:00:00Z' })).toBeNull();
    expect(validate({ email: 'not an email', at: 'yesterday' })?.map((failure) => failure.pointer)).toEqual([
      '/email',
      '/at',
    ]);
  });

  it('ignores unknown keywords instead of refusing the schema (vendor schemas carry them)', async () => {
    const { validate } = await compileSchema({
      title: unique(),
      type: 'object',
      tsAdditionalProperties: false,
    });
    expect(validate({ any: 1 })).toBeNull();
  });
});

describe('compile errors', () => {
  it('throws a SchemaCompileError naming the source for an invalid schema', async () => {
    await expect(
      compileSchema({ title: unique(), type: 'objekt' }, { source: 'schemas/bad.json' }),
    ).rejects.toThrow(/^schema schemas\/bad.json does not compile: schema is invalid/);
  });

  it('throws for a $ref that cannot be resolved, every time it is asked', async () => {
    const schema = { title: unique(), $ref: 'other.json' };
    await expect(compileSchema(schema)).rejects.toThrow(/can't resolve reference other.json/);
    await expect(compileSchema(schema)).rejects.toThrow(/can't resolve reference other.json/);
  });
});

describe('compile cache', () => {
  it('compiles equal schemas once, whatever their key order, and shares the validator', async () => {
    const title = unique();
    const before = compiledSchemaCount();
    const first = await compileSchema({ title, type: 'object', required: ['id'] });
    const second = await compileSchema({ required: ['id'], type: 'object', title });
    expect(compiledSchemaCount() - before).toBe(1);
    expect(second.validate).toBe(first.validate);
  });

  it('keeps drafts apart: the same text under two $schema values compiles twice', async () => {
    const title = unique();
    const before = compiledSchemaCount();
    await compileSchema({ $schema: 'http://json-schema.org/draft-07/schema#', title });
    await compileSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', title });
    expect(compiledSchemaCount() - before).toBe(2);
  });

  it('accepts one $id used twice, and two different schemas under the same $id', async () => {
    const $id = `https://example.com/${unique().replace(/ /g, '-')}.json`;
    const text = await compileSchema({ $id, properties: { id: { type: 'string' } } });
    expect((await compileSchema({ $id, properties: { id: { type: 'string' } } })).validate).toBe(
      text.validate,
    );
    const integer = await compileSchema({ $id, properties: { id: { type: 'integer' } } });
    expect(text.validate({ id: 'x' })).toBeNull();
    expect(integer.validate({ id: 'x' })?.[0]?.keyword).toBe('type');
  });
});

describe('unknownKeywords', () => {
  it('lists keywords outside JSON Schema, once each, walking subschemas', async () => {
    const schema = {
      type: 'object',
      tsAdditionalProperties: false,
      properties: {
        sender: { type: 'object', tsAdditionalProperties: false, 'x-internal': true },
        list: { items: [{ nullable: true }] },
      },
      $defs: { a: { allOf: [{ discriminator: {} }] } },
    };
    expect(unknownKeywords(schema)).toEqual([
      'tsAdditionalProperties',
      'x-internal',
      'nullable',
      'discriminator',
    ]);
  });

  it('knows draft-07, 2020-12 and annotation keywords, and does not read property names or data as keywords', async () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://example.com/x.json',
      $comment: 'c',
      title: 't',
      description: 'd',
      examples: [{ weird: 1 }],
      default: { alsoWeird: 1 },
      deprecated: false,
      readOnly: true,
      writeOnly: false,
      contentMediaType: 'application/json',
      contentEncoding: 'base64',
      definitions: { x: { format: 'email' } },
      dependencies: { a: ['b'], c: { required: ['d'] } },
      additionalItems: false,
      prefixItems: [true],
      unevaluatedProperties: false,
      enum: [{ notAKeyword: 1 }],
      const: { alsoNot: 1 },
      properties: { tsAdditionalProperties: { type: 'string' }, title: { minLength: 1 } },
    };
    expect(unknownKeywords(schema)).toEqual([]);
  });

  it('lists unknown formats, which ajv ignores', async () => {
    expect(unknownFormats({ properties: { a: { format: 'email' }, b: { format: 'github-login' } } })).toEqual(
      ['github-login'],
    );
  });
});
