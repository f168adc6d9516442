// Collection rules: keys, schemas, topics.
import { describe, expect, it } from 'vitest';
import { capture, loadYaml, problemsOf, warningsOf } from './temp-catalog.js';

describe('collections', () => {
  it('reports every key problem of a collection at its index', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/orders:
    schema:
      type: object
      required: [id, customer, amount]
      properties:
        id: { type: string }
        customer: { type: object }
        amount: { type: number }
        note: { type: string }
    key: [/id, /note, /customer, /amount, 'id', /, /a~2, /id, /_meta/headers/x-id]
`);
    expect(problemsOf(result)).toEqual([
      'collections.acmeCo/orders.key[4]: key[4] must be an RFC 6901 JSON pointer such as /id',
      "collections.acmeCo/orders.key[5]: '/' has an empty reference token",
      'collections.acmeCo/orders.key[6]: key[6] must be an RFC 6901 JSON pointer such as /id',
      "collections.acmeCo/orders.key[7]: '/id' is already part of the key",
    ]);
  });

  it('proves each valid key pointer once the syntax is right', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/orders:
    schema:
      type: object
      required: [id, customer, amount]
      properties:
        id: { type: string }
        customer: { type: object }
        amount: { type: number }
        note: { type: string }
    key: [/id, /note, /customer, /amount, /_meta/headers/x-id, /_meta/uuid]
`);
    expect(problemsOf(result)).toEqual([
      "collections.acmeCo/orders.key[1]: key /note: 'note' is not in 'required' at the document root, so documents may lack it",
      'collections.acmeCo/orders.key[2]: key /customer: may be object: keys must be string, integer or boolean',
      'collections.acmeCo/orders.key[3]: key /amount: may be number: keys must be string, integer or boolean',
      expect.stringMatching(
        /^collections.acmeCo\/orders.key\[4\]: key \/_meta\/headers\/x-id: \/_meta\/headers is not guaranteed/,
      ),
    ]);
  });

  it('accepts /_meta/pathParams/<name> only when every binding into the collection has the parameter', async () => {
    const catalog = (key: string, secondPath: string): string => `
collections:
  acmeCo/events:
    schema: { type: object }
    key: [${key}]
captures:${capture(
      'acmeCo/hooks',
      `      - { target: acmeCo/events, resource: { name: a, path: '/a/{org}' } }
      - { target: acmeCo/events, resource: { name: b, path: '${secondPath}' } }`,
    )}
`;
    expect((await loadYaml(catalog('/_meta/pathParams/org', '/b/{org}/x'))).problems).toEqual([]);
    expect(problemsOf(await loadYaml(catalog('/_meta/pathParams/org', '/b/x')))).toEqual([
      'collections.acmeCo/events.key[0]: key /_meta/pathParams/org: path parameter {org} is not in every binding into this collection: missing in acmeCo/hooks/b (/b/x)',
    ]);
  });

  it('requires schema and key', async () => {
    const result = await loadYaml('collections:\n  acmeCo/orders: {}\n');
    expect(problemsOf(result)).toEqual([
      'collections.acmeCo/orders: schema is required',
      'collections.acmeCo/orders: key is required',
    ]);
  });

  it('refuses an empty key list', async () => {
    const result = await loadYaml('collections:\n  acmeCo/orders: { schema: true, key: [] }\n');
    expect(problemsOf(result)).toEqual([
      'collections.acmeCo/orders.key: key must be a non-empty list of JSON pointers, such as [/id]',
    ]);
  });

  it('refuses a schema that does not compile', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/orders:
    schema: { type: objekt, required: [id] }
    key: [/id]
`);
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(
        /^collections.acmeCo\/orders.schema: schema does not compile: schema is invalid: data\/type/,
      ),
    ]);
  });

  it('refuses a top-level schema that rejects objects', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/a: { schema: { type: array }, key: [/id] }
  acmeCo/b: { schema: false, key: [/id] }
  acmeCo/c: { schema: { allOf: [{ type: [object, string] }, { type: string }] }, key: [/id] }
`);
    expect(problemsOf(result)).toEqual([
      'collections.acmeCo/a.schema: the top-level schema must accept objects (type: object, or no type)',
      'collections.acmeCo/b.schema: the top-level schema must accept objects (type: object, or no type)',
      'collections.acmeCo/c.schema: the top-level schema must accept objects (type: object, or no type)',
    ]);
  });

  it('loads a schema file relative to the catalog, and reports a missing or unparsable one', async () => {
    const ok = await loadYaml(`collections:\n  acmeCo/a: { schema: schemas/a.yaml, key: [/id] }\n`, {
      'schemas/a.yaml': 'type: object\nrequired: [id]\nproperties: { id: { type: integer } }\n',
    });
    expect(ok.problems).toEqual([]);
    const bad = await loadYaml(
      `collections:\n  acmeCo/a: { schema: schemas/a.json, key: [/id] }\n  acmeCo/b: { schema: schemas/none.json, key: [/id] }\n  acmeCo/c: { schema: schema.txt, key: [/id] }\n`,
      { 'schemas/a.json': '{ "type": "object", }}' },
    );
    expect(problemsOf(bad)).toEqual([
      expect.stringMatching(
        /^collections.acmeCo\/a.schema: schema file 'schemas\/a.json' at line 1, column \d+: /,
      ),
      expect.stringMatching(
        /^collections.acmeCo\/b.schema: schema file 'schemas\/none.json': cannot read .*: no such file$/,
      ),
      "collections.acmeCo/c.schema: schema 'schema.txt' must be a .json, .yaml or .yml file",
    ]);
  });

  it('warns about unknown keywords and formats, which are ignored', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/events:
    schema:
      type: object
      tsAdditionalProperties: false
      properties: { login: { type: string, format: github-login } }
    key: [/_meta/webhookId]
`);
    expect(result.problems).toEqual([]);
    expect(warningsOf(result)).toEqual([
      "collections.acmeCo/events.schema: unknown keyword 'tsAdditionalProperties' is ignored",
      "collections.acmeCo/events.schema: unknown format 'github-login' is ignored",
    ]);
  });
});

describe('schemas that refer to other schema files (issue 13)', () => {
  const order = (ref: string): string =>
    JSON.stringify({
      type: 'object',
      required: ['id', 'customer'],
      properties: { id: { type: 'string' }, customer: { $ref: ref } },
    });
  const customer = JSON.stringify({
    $id: 'https://example.com/schemas/customer.json',
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' }, address: { $ref: 'address.json' } },
  });
  const address = JSON.stringify({
    $id: 'https://example.com/schemas/address.json',
    type: 'object',
    required: ['country'],
    properties: { country: { type: 'string', pattern: '^[A-Z]{2}$' } },
  });

  it('follows a relative path and then an $id, among the catalog’s own files, never the network', async () => {
    const result = await loadYaml(
      `collections:\n  acmeCo/orders: { schema: schemas/order.json, key: [/id] }\n`,
      {
        'schemas/order.json': order('customer.json'),
        'schemas/customer.json': customer,
        'schemas/address.json': address,
      },
    );
    expect(result.problems).toEqual([]);
    const validate = result.catalog!.collections.get('acmeCo/orders')!.validate;
    expect(validate({ id: 'o1', customer: { name: 'Ada', address: { country: 'GB' } } })).toBeNull();
    expect(validate({ id: 'o1', customer: { name: 'Ada', address: { country: 'gb' } } })?.[0]).toMatchObject({
      pointer: '/customer/address/country',
      keyword: 'pattern',
    });
    expect(validate({ id: 'o1', customer: {} })?.[0]).toMatchObject({ pointer: '/customer/name' });
  });

  it('finds a file by its $id when nothing points at its path (same relative place, or its directory)', async () => {
    const result = await loadYaml(
      `collections:\n  acmeCo/orders: { schema: schemas/order.json, key: [/id] }\n  acmeCo/people: { schema: vendor/person.json, key: [/id] }\n`,
      {
        'schemas/order.json': order('https://example.com/schemas/customer.json'),
        'schemas/customer-v2.json': customer,
        'schemas/address.json': address,
        'vendor/person.json': JSON.stringify({
          $id: 'https://vendor.example/person.json',
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string' }, home: { $ref: 'https://example.com/schemas/address.json' } },
        }),
      },
    );
    expect(result.problems).toEqual([]);
    const people = result.catalog!.collections.get('acmeCo/people')!.validate;
    expect(people({ id: 'p', home: { country: 'FR' } })).toBeNull();
    expect(people({ id: 'p', home: {} })?.[0]?.pointer).toBe('/home/country');
  });

  it('reports a reference no catalog file answers as a catalog problem', async () => {
    const result = await loadYaml(
      `collections:\n  acmeCo/orders: { schema: schemas/order.json, key: [/id] }\n`,
      {
        'schemas/order.json': order('https://example.com/schemas/nowhere.json'),
      },
    );
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(
        /^collections.acmeCo\/orders.schema: schema schemas\/order.json does not compile: can't resolve reference https:\/\/example.com\/schemas\/nowhere.json/,
      ),
    ]);
  });

  it('shares one file between collections, and lets two files declare the same $id', async () => {
    const result = await loadYaml(
      `collections:
  acmeCo/a: { schema: a/root.json, key: [/id] }
  acmeCo/b: { schema: b/root.json, key: [/id] }
  acmeCo/c: { schema: { $ref: a/root.json }, key: [/id] }
`,
      {
        'a/root.json': JSON.stringify({
          $id: 'https://example.com/v1/root.json',
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string' }, shared: { $ref: '../common/shared.yaml' } },
        }),
        'b/root.json': JSON.stringify({
          $id: 'https://example.com/v1/root.json',
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer' }, shared: { $ref: '../common/shared.yaml' } },
        }),
        'common/shared.yaml': 'type: string\nmaxLength: 3\n',
      },
    );
    expect(result.problems).toEqual([]);
    const a = result.catalog!.collections.get('acmeCo/a')!.validate;
    const b = result.catalog!.collections.get('acmeCo/b')!.validate;
    const c = result.catalog!.collections.get('acmeCo/c')!.validate;
    expect(a({ id: 'x', shared: 'abc' })).toBeNull();
    expect(a({ id: 1 })?.[0]?.keyword).toBe('type');
    expect(b({ id: 1, shared: 'abcd' })?.[0]).toMatchObject({ pointer: '/shared', keyword: 'maxLength' });
    expect(b({ id: 1 })).toBeNull();
    // The key of a schema that is only a $ref is proven through the file it names.
    expect(c({ id: 'x' })).toBeNull();
  });

  it('accepts recursive schemas (a tree, nested comments), which were refused before', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/threads:
    schema:
      type: object
      required: [id]
      properties:
        id: { type: string }
        replies: { type: array, items: { $ref: '#' } }
    key: [/id]
`);
    expect(result.problems).toEqual([]);
    const validate = result.catalog!.collections.get('acmeCo/threads')!.validate;
    expect(validate({ id: 'a', replies: [{ id: 'b', replies: [{ id: 'c' }] }] })).toBeNull();
    expect(validate({ id: 'a', replies: [{ id: 'b', replies: [{}] }] })?.[0]?.pointer).toBe(
      '/replies/0/replies/0/id',
    );
  });

  it('accepts draft-04 and draft-06 vendor schemas, and says which engine judges what ajv cannot', async () => {
    const result = await loadYaml(
      `collections:
  acmeCo/legacy: { schema: legacy.json, key: [/id] }
  acmeCo/six: { schema: six.json, key: [/id] }
  acmeCo/extensible: { schema: extensible.json, key: [/id] }
`,
      {
        'legacy.json': JSON.stringify({
          $schema: 'http://json-schema.org/draft-04/schema#',
          id: 'https://example.com/legacy.json',
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string' },
            amount: { type: 'number', maximum: 10, exclusiveMaximum: true },
          },
        }),
        'six.json': JSON.stringify({
          $schema: 'http://json-schema.org/draft-06/schema#',
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string' }, n: { exclusiveMinimum: 0 } },
        }),
        'extensible.json': JSON.stringify({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          $dynamicAnchor: 'node',
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string' },
            children: { type: 'array', items: { $dynamicRef: '#node' } },
          },
        }),
      },
    );
    expect(result.problems).toEqual([]);
    expect(warningsOf(result)).toEqual([
      expect.stringMatching(
        /^collections.acmeCo\/extensible.schema: judged by the second engine .*\$dynamicRef/,
      ),
    ]);
    const legacy = result.catalog!.collections.get('acmeCo/legacy')!.validate;
    expect(legacy({ id: 'a', amount: 9.5 })).toBeNull();
    expect(legacy({ id: 'a', amount: 10 })?.[0]?.keyword).toBe('maximum');
    const six = result.catalog!.collections.get('acmeCo/six')!.validate;
    expect(six({ id: 'a', n: 0 })?.[0]?.keyword).toBe('exclusiveMinimum');
    const extensible = result.catalog!.collections.get('acmeCo/extensible')!.validate;
    expect(extensible({ id: 'a', children: [{ id: 'b' }] })).toBeNull();
    expect(extensible({ id: 'a', children: [{}] })?.[0]?.pointer).toBe('/children/0');
  });
});

describe('topics', () => {
  it('refuses an invalid topic, and a default topic from a non-ASCII name', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/a: { schema: true, key: [/_meta/uuid], topic: 'has space' }
  Приключения/b: { schema: true, key: [/_meta/uuid] }
`);
    expect(problemsOf(result)).toEqual([
      "collections.acmeCo/a.topic: topic must be a Kafka topic name: only ASCII letters, digits, '.', '_' and '-', at most 249 characters (default: the collection name with '/' replaced by '.')",
      "collections.Приключения/b: default topic 'Приключения.b' is not a valid Kafka topic name (only ASCII letters, digits, '.', '_' and '-'): set 'topic' explicitly",
    ]);
  });

  it('refuses two collections on one topic, and topics differing only by . vs _', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/a: { schema: true, key: [/_meta/uuid] }
  acmeCo/b: { schema: true, key: [/_meta/uuid], topic: acmeCo.a }
  acmeCo/c: { schema: true, key: [/_meta/uuid], topic: acmeCo_a }
  acmeCo/d: { schema: true, key: [/_meta/uuid], topic: acmeCo-a }
`);
    expect(problemsOf(result)).toEqual([
      "collections.acmeCo/b.topic: topic 'acmeCo.a' is also the topic of collection acmeCo/a (collections.acmeCo/a)",
      "collections.acmeCo/c.topic: topic 'acmeCo_a' collides with 'acmeCo.a' of collection acmeCo/a: Kafka refuses topics that differ only by '.' vs '_', because their metric names collide",
    ]);
  });
});
