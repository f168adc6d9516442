import { describe, expect, it, vi } from 'vitest';
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

describe('recursive and cross-$id references (issue 13)', () => {
  it('compiles a recursive schema ($ref: #), which addUsedSchema: false refused', async () => {
    const { validate, engine } = await compileSchema({
      title: unique(),
      type: 'object',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } },
    });
    expect(engine).toBe('ajv');
    expect(validate({ name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] })).toBeNull();
    expect(validate({ name: 'a', children: [{ children: [{ name: 1 }] }] })?.[0]?.pointer).toBe(
      '/children/0/children/0/name',
    );
  });

  it('resolves references between resources by $id, embedded or handed over, and keeps each $id to its schema', async () => {
    const tree = {
      $id: 'https://example.com/tree.json',
      type: 'object',
      properties: { value: { type: 'number' }, children: { items: { $ref: 'node.json' } } },
    };
    const node = { $id: 'https://example.com/node.json', $ref: 'tree.json' };
    const resources = (uri: string) =>
      uri === 'https://example.com/node.json' ? { retrievalUri: uri, schema: node } : undefined;
    const { validate, resources: used } = await compileSchema(tree, { resources });
    expect(used).toEqual(['https://example.com/node.json']);
    expect(validate({ value: 1, children: [{ value: 2, children: [{ value: 3 }] }] })).toBeNull();
    expect(validate({ value: 1, children: [{ value: 'x' }] })?.[0]?.pointer).toBe('/children/0/value');
    // The same $id with other content, compiled after: its own rules, not the first one's.
    const other = await compileSchema({ $id: 'https://example.com/tree.json', required: ['id'] });
    expect(other.validate({ value: 'x' })?.[0]?.pointer).toBe('/id');
    expect(validate({ value: 'x' })?.[0]?.pointer).toBe('/value');
  });
});

describe('a schema the engine cannot run (issue 13)', () => {
  // From the JSON-Schema-Test-Suite (2020-12 unevaluatedProperties.json): ajv's validator for it recursed until
  // "Maximum call stack size exceeded" on every document, each of which got a 500.
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://example.com/unevaluated-properties-with-dynamic-ref/derived',
    $ref: './baseSchema',
    $defs: {
      derived: { $dynamicAnchor: 'addons', properties: { bar: { type: 'string' } } },
      baseSchema: {
        $id: './baseSchema',
        unevaluatedProperties: false,
        properties: { foo: { type: 'string' } },
        $dynamicRef: '#addons',
        $defs: { defaultAddons: { $dynamicAnchor: 'addons' } },
      },
    },
  };

  it('is judged by the second engine, right, and never throws', async () => {
    const { validate, engine, engineNote } = await compileSchema(schema);
    expect(engine).toBe('hyperjump');
    expect(engineNote).toMatch(/\$dynamicRef/);
    expect(validate({ foo: 'foo', bar: 'bar' })).toBeNull();
    expect(validate({ foo: 'foo', bar: 'bar', baz: 'baz' })?.[0]).toMatchObject({
      pointer: '/baz',
      keyword: 'unevaluatedProperties',
    });
  });

  it('goes to the second engine when ajv overflows at load, and is a catalog problem when neither can run it', async () => {
    // A reference loop: ajv's validator overflows on any document (found by the load-time probe), and so does
    // hyperjump's, so the schema is refused at load rather than answering 500s.
    await expect(
      compileSchema({ title: unique(), $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } }),
    ).rejects.toThrow(/Maximum call stack size exceeded/);
  });

  it('refuses a document the engine fails on with a reason instead of throwing, then judges with the second engine', async () => {
    const { validate } = await compileSchema({
      title: unique(),
      type: 'object',
      properties: { a: { $ref: '#' } },
    });
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 50_000; i++) {
      const next = {};
      deep['a'] = next;
      deep = next;
    }
    expect(validate(root)).toEqual([expect.objectContaining({ pointer: '', keyword: 'schema' })]);
    expect(validate({ a: { a: 1 } })?.[0]?.pointer).toBe('/a/a');
    await vi.waitFor(() => expect(validate({ a: { a: 1 } })?.[0]?.message).toBe("must pass 'type'"));
  });
});

describe('draft-04 and draft-06 (issue 13)', () => {
  it('judges draft-04 with its own rules: id, boolean exclusiveMaximum, definitions', async () => {
    const { validate, draft } = await compileSchema({
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: `https://example.com/${unique().replace(/ /g, '-')}.json`,
      type: 'object',
      definitions: { amount: { type: 'number', minimum: 0, maximum: 100, exclusiveMaximum: true } },
      properties: { total: { $ref: '#/definitions/amount' } },
    });
    expect(draft).toBe('draft-04');
    expect(validate({ total: 99.5 })).toBeNull();
    expect(validate({ total: 100 })?.[0]?.keyword).toBe('maximum');
  });

  it('ignores keywords beside $ref in draft-07 and earlier, as those drafts say', async () => {
    const { validate } = await compileSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: unique(),
      definitions: { list: { type: 'array' } },
      properties: { tags: { $ref: '#/definitions/list', maxItems: 1 } },
    });
    expect(validate({ tags: ['a', 'b'] })).toBeNull();
    expect(validate({ tags: 'a' })?.[0]?.keyword).toBe('type');
  });

  it('checks own properties only: required [constructor] is not met by every object', async () => {
    const { validate } = await compileSchema({ title: unique(), required: ['constructor', 'toString'] });
    expect(validate({})).toHaveLength(2);
    expect(validate({ constructor: 1, toString: 2 })).toBeNull();
  });
});
