import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { SECRET_HEADERS } from '../../src/catalog/secret-headers.js';
import { compiledSchemaCount } from '../../src/validate/compiler.js';
import { loadYaml, ORDERS, problemsOf, warningsOf, writeCatalog } from './temp-catalog.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/catalogs');

/** A push capture with the given bindings (YAML list items, indented for `bindings:`). */
function capture(name: string, bindings: string): string {
  return `
  ${name}:
    endpoint: { ingest: {} }
    bindings:
${bindings}
`;
}

describe('a valid catalog', () => {
  it('builds the model with defaults: topic from the name, path from capture and binding', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - target: acmeCo/orders
        resource: { name: orders, idFromHeader: X-Request-Id, keepHeaders: [User-Agent, user-agent] }`,
    )}
`);
    expect(result.problems).toEqual([]);
    const catalog = result.catalog!;
    const orders = catalog.collections.get('acmeCo/orders')!;
    expect(orders).toMatchObject({ name: 'acmeCo/orders', key: ['/id'], topic: 'acmeCo.orders' });
    expect(orders.location).toEqual({ file: catalog.file, path: 'collections.acmeCo/orders' });
    expect(catalog.bindings).toHaveLength(1);
    expect(catalog.bindings[0]).toMatchObject({
      capture: 'acmeCo/shop',
      name: 'orders',
      path: '/acmeCo/shop/orders',
      idFromHeader: 'x-request-id',
      keepHeaders: ['user-agent'],
      resource: { name: 'orders', idFromHeader: 'X-Request-Id', keepHeaders: ['User-Agent', 'user-agent'] },
      location: { path: 'captures.acmeCo/shop.bindings[0]' },
    });
    expect(catalog.bindings[0]!.collection).toBe(orders);
    expect(catalog.captures.get('acmeCo/shop')?.bindings[0]).toBe(catalog.bindings[0]);
    expect(orders.validate({ id: 'x' })).toBeNull();
  });

  it('withholds the model when there is any problem', async () => {
    const result = await loadYaml(`collections:${ORDERS}\n    topic: '..'\n`);
    expect(result.catalog).toBeUndefined();
    expect(result.problems).toHaveLength(1);
  });
});

describe('files and imports', () => {
  it('loads a file imported by two routes once, with schema paths relative to the importing file', async () => {
    const result = await loadCatalog(join(FIXTURES, 'imports/root.yaml'));
    expect(result.problems).toEqual([]);
    expect([...result.catalog!.collections.keys()]).toEqual(['acmeCo/orders']);
    expect(result.catalog!.collections.get('acmeCo/orders')!.schema).toMatchObject({ required: ['id'] });
    expect(result.catalog!.bindings.map((binding) => binding.path)).toEqual(['/shop/orders']);
  });

  it('reports an import cycle instead of looping', async () => {
    const result = await loadCatalog(join(FIXTURES, 'cycle/a.yaml'));
    expect(result.problems).toEqual([
      {
        location: { file: join(FIXTURES, 'cycle/b.yaml'), path: 'import[0]' },
        message: 'import cycle: a.yaml -> b.yaml -> a.yaml',
      },
    ]);
  });

  it('reports a missing import at the import entry', async () => {
    const result = await loadYaml('import: [nope.yaml]\n');
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(/^import\[0\]: cannot read .*nope.yaml: no such file$/),
    ]);
  });

  it('reports YAML syntax errors with line and column', async () => {
    // Written at run time, not kept as a fixture: the repository's YAML linter would refuse the file.
    const file = await writeCatalog({
      'bad.yaml': 'collections:\n  acmeCo/orders:\n    schema: { type: object\n    key: [/id]\n',
    });
    const result = await loadCatalog(file);
    expect(result.catalog).toBeUndefined();
    expect(result.problems[0]?.location).toEqual({ file, path: 'line 4, column 5' });
    expect(result.problems[0]?.message).toMatch(/indentation|flow/i);
  });

  it('reports a missing root file', async () => {
    const result = await loadCatalog(join(FIXTURES, 'does-not-exist.yaml'));
    expect(result.problems[0]?.message).toMatch(/no such file/);
  });

  it('refuses unknown top-level properties: a typo must not yield an empty catalog', async () => {
    const result = await loadYaml(`colections:${ORDERS}`);
    expect(problemsOf(result)).toEqual([
      "colections: unknown property 'colections' (expected one of: $schema, import, collections, captures)",
    ]);
  });

  it('refuses a collection or capture defined in two files', async () => {
    const file = await writeCatalog({
      'catalog.yaml': `import: [other.yaml]\ncollections:${ORDERS}`,
      'other.yaml': `collections:${ORDERS}`,
    });
    const result = await loadCatalog(file);
    expect(problemsOf(result)).toEqual([
      `collections.acmeCo/orders: collection acmeCo/orders is already defined in ${file}`,
    ]);
  });

  it('refuses a key defined twice in one mapping', async () => {
    const result = await loadYaml(`collections:${ORDERS}${ORDERS}`);
    expect(result.problems[0]?.message).toMatch(/Map keys must be unique/);
  });
});

describe('names', () => {
  it('refuses bad collection and capture names', async () => {
    const result = await loadYaml(`
collections:
  acmeCo//orders:
    schema: true
    key: [/_meta/uuid]
captures:
  acme Co:
    endpoint: { ingest: {} }
    bindings: []
`);
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(
        /^collections.acmeCo\/\/orders: 'acmeCo\/\/orders' is not a valid collection name/,
      ),
      expect.stringMatching(/^captures.acme Co: 'acme Co' is not a valid capture name/),
    ]);
  });
});

describe('bindings', () => {
  it('refuses an unknown target', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', '      - { target: acmeCo/order, resource: { name: orders } }')}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.bindings[0].target: unknown target collection 'acmeCo/order'",
    ]);
  });

  it('refuses duplicate binding names within a capture, not across captures', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: orders } }
      - { target: acmeCo/orders, resource: { name: orders, path: /other } }`,
    )}${capture('acmeCo/store', '      - { target: acmeCo/orders, resource: { name: orders } }')}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.bindings[1].resource.name: binding name 'orders' is already used by captures.acmeCo/shop.bindings[0]",
    ]);
  });

  it('refuses unknown properties in resource, binding, capture and collection', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/orders:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
    topc: x
captures:
  acmeCo/shop:
    endpoint: { ingest: {} }
    interval: 5m
    bindings:
      - { target: acmeCo/orders, disable: true, resource: { name: orders, pth: /x } }
`);
    expect(problemsOf(result).map((problem) => problem.split(':')[0])).toEqual([
      'collections.acmeCo/orders.topc',
      'captures.acmeCo/shop.interval',
      'captures.acmeCo/shop.bindings[0].disable',
      'captures.acmeCo/shop.bindings[0].resource.pth',
    ]);
  });

  it('refuses duplicate paths and templates matching the same requests, across captures', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: '/hooks/{org}' } }
      - { target: acmeCo/orders, resource: { name: b, path: /same } }`,
    )}${capture(
      'acmeCo/store',
      `      - { target: acmeCo/orders, resource: { name: a, path: '/hooks/{tenant}' } }
      - { target: acmeCo/orders, resource: { name: b, path: /same } }
      - { target: acmeCo/orders, resource: { name: c, path: /acmeCo/shop/d } }`,
    )}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/store.bindings[0].resource.path: path '/hooks/{tenant}' matches the same requests as '/hooks/{org}' of binding acmeCo/shop/a (captures.acmeCo/shop.bindings[0].resource.path)",
      "captures.acmeCo/store.bindings[1].resource.path: path '/same' is already used by binding acmeCo/shop/b (captures.acmeCo/shop.bindings[1].resource.path)",
    ]);
  });

  it('refuses a default path that collides with an explicit one, at resource.name', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: /acmeCo/shop/b } }
      - { target: acmeCo/orders, resource: { name: b } }`,
    )}
`);
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(
        /^captures.acmeCo\/shop.bindings\[1\].resource.name: path '\/acmeCo\/shop\/b' is already used/,
      ),
    ]);
  });

  it.each([
    ['/healthz', "would match requests for '/healthz'"],
    ['/docs/api', "would match requests under '/docs/'"],
    ['/_tributary/x', "would match requests under '/_tributary/'"],
    ['/{org}/events', "would match requests under '/healthz/'"],
    ['github', "must start with '/'"],
    ['/a/{x}/{x}', 'appears twice'],
  ])('refuses path %s', async (path, problem) => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', `      - { target: acmeCo/orders, resource: { name: a, path: '${path}' } }`)}
`);
    expect(problemsOf(result)).toEqual([expect.stringContaining(problem)]);
    expect(result.problems[0]?.location.path).toBe('captures.acmeCo/shop.bindings[0].resource.path');
  });

  it('accepts path templates and a path that merely starts like a reserved one', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: '/github/{org}/{repo}' } }
      - { target: acmeCo/orders, resource: { name: b, path: /docsy } }`,
    )}
`);
    expect(result.problems).toEqual([]);
  });

  it.each(SECRET_HEADERS)('refuses keeping the secret header %s, in any case', async (header) => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', `      - { target: acmeCo/orders, resource: { name: a, keepHeaders: [${header.toUpperCase()}] } }`)}
`);
    expect(problemsOf(result)).toEqual([
      `captures.acmeCo/shop.bindings[0].resource.keepHeaders[0]: header '${header}' carries a credential or signature and is never copied into documents`,
    ]);
  });

  it('refuses a secret header as idFromHeader and a malformed header name', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', `      - { target: acmeCo/orders, resource: { name: a, idFromHeader: Stripe-Signature, keepHeaders: ['bad header'] } }`)}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.bindings[0].resource.idFromHeader: header 'stripe-signature' carries a credential or signature and is never copied into documents",
      'captures.acmeCo/shop.bindings[0].resource.keepHeaders[0]: a kept header must be an HTTP header name',
    ]);
  });

  it('warns about and skips a pull capture', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/pull:
    endpoint: { connector: { image: ghcr.io/estuary/source-postgres:dev, config: {} } }
    bindings:
      - { target: acmeCo/nowhere, resource: { table: x } }
`);
    expect(result.problems).toEqual([]);
    expect(warningsOf(result)).toEqual([
      'captures.acmeCo/pull.endpoint: pull capture acmeCo/pull is not served by this gateway',
    ]);
    expect(result.catalog!.captures.size).toBe(0);
  });

  it('refuses an endpoint that is neither ingest nor connector', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/shop:
    endpoint: { local: {} }
    bindings: []
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.endpoint.local: unknown property 'local' (expected one of: ingest, connector)",
      'captures.acmeCo/shop.endpoint: endpoint must be { ingest: {} } (push capture) or { connector: ... } (pull capture)',
    ]);
  });
});

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
      "collections.acmeCo/orders.key[4]: 'id' is not a JSON pointer: it must start with '/'",
      "collections.acmeCo/orders.key[5]: '/' has an empty reference token",
      "collections.acmeCo/orders.key[6]: '/a~2' has a '~' that is not escaped as '~0' or '~1'",
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
      'collections.acmeCo/orders: key is required',
      'collections.acmeCo/orders: schema is required',
    ]);
  });

  it('refuses an empty key list', async () => {
    const result = await loadYaml('collections:\n  acmeCo/orders: { schema: true, key: [] }\n');
    expect(problemsOf(result)).toEqual([
      'collections.acmeCo/orders.key: key must be a non-empty list of JSON pointers, e.g. [/id]',
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
      "collections.acmeCo/a.topic: topic 'has space' is not a valid Kafka topic name (only ASCII letters, digits, '.', '_' and '-')",
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

describe('shared schemas', () => {
  it('compiles a schema file shared by two collections once', async () => {
    const before = compiledSchemaCount();
    const result = await loadCatalog(join(FIXTURES, 'shared-schema/catalog.yaml'));
    expect(result.problems).toEqual([]);
    const one = result.catalog!.collections.get('acmeCo/one')!;
    const two = result.catalog!.collections.get('acmeCo/two')!;
    expect(two.validate).toBe(one.validate);
    expect(compiledSchemaCount() - before).toBeLessThanOrEqual(1);
  });

  it('accepts a schema with $id used by two collections, and another schema under the same $id', async () => {
    const result = await loadCatalog(join(FIXTURES, 'schema-id/catalog.yaml'));
    expect(result.problems).toEqual([]);
    const collections = result.catalog!.collections;
    expect(collections.get('acmeCo/two')!.validate).toBe(collections.get('acmeCo/one')!.validate);
    expect(collections.get('acmeCo/one')!.validate({ id: 'x' })).toBeNull();
    expect(collections.get('acmeCo/three')!.validate({ id: 'x' })?.[0]?.keyword).toBe('type');
  });
});

describe('every problem at once', () => {
  it('reports problems from several collections, captures and files in one run', async () => {
    const result = await loadYaml(
      `
import: [more.yaml]
collections:
  acmeCo/a: { schema: { type: objekt }, key: [/id] }
captures:${capture('acmeCo/shop', '      - { target: acmeCo/missing, resource: { name: a, path: /healthz } }')}
`,
      { 'more.yaml': 'collections:\n  acmeCo/b: { schema: true, key: [id] }\n' },
    );
    expect(result.problems.map((problem) => problem.location.path)).toEqual([
      'collections.acmeCo/a.schema',
      'collections.acmeCo/b.key[0]',
      'captures.acmeCo/shop.bindings[0].target',
      'captures.acmeCo/shop.bindings[0].resource.path',
    ]);
  });
});

describe('syntax error flood', () => {
  it('reports the first few syntax errors and counts the rest', async () => {
    const result = await loadYaml(`collections:\n  a: { b: [1, 2\n${'  c: d\n'.repeat(20)}`);
    expect(result.problems.length).toBeLessThanOrEqual(6);
    expect(result.problems.at(-1)?.message).toMatch(/more syntax error\(s\) after this one/);
    expect(result.problems.every((problem) => /^line \d+, column \d+$/.test(problem.location.path))).toBe(
      true,
    );
  });
});

describe('path overlaps', () => {
  it('warns when a template partly overlaps a literal path', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: /hooks/github } }
      - { target: acmeCo/orders, resource: { name: b, path: '/hooks/{source}' } }`,
    )}
`);
    expect(result.problems).toEqual([]);
    expect(warningsOf(result)).toEqual([
      expect.stringMatching(
        /^captures.acmeCo\/shop.bindings\[1\].resource.path: path '\/hooks\/\{source\}' overlaps '\/hooks\/github'/,
      ),
    ]);
  });
});
