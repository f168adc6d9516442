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
