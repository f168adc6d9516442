import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, loadTopics } from '../../src/catalog/load.js';
import { formatProblems } from '../../src/catalog/report.js';
import { compiledSchemaCount } from '../../src/validate/compiler.js';
import { capture, loadYaml, ORDERS, problemsOf, warningsOf, writeCatalog } from './temp-catalog.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/catalogs');

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
    expect(orders.location).toMatchObject({ file: catalog.file, path: 'collections.acmeCo/orders' });
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
        location: {
          file: join(FIXTURES, 'cycle/b.yaml'),
          path: 'import[0]',
          steps: ['import', 0],
          line: 1,
          column: 10,
        },
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
    expect(result.problems[0]?.location).toMatchObject({ file, path: '', line: 4, column: 5 });
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
        /^collections.acmeCo\/\/orders: 'acmeCo\/\/orders' is not a valid name: letters, digits/,
      ),
      expect.stringMatching(/^captures.acme Co: 'acme Co' is not a valid name/),
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

  it('reports a shared file schema per collection: its facts are cached, its warnings and errors are not (issue 6)', async () => {
    const schema = JSON.stringify({
      type: 'string',
      tsAdditionalProperties: false,
      properties: { id: { type: 'string', format: 'not-a-format' } },
    });
    const result = await loadYaml(
      `
collections:
  acmeCo/one: { schema: shared.json, key: [/id] }
  acmeCo/two: { schema: shared.json, key: [/id] }
`,
      { 'shared.json': schema },
    );
    for (const name of ['one', 'two']) {
      expect(warningsOf(result)).toEqual(
        expect.arrayContaining([
          `collections.acmeCo/${name}.schema: unknown keyword 'tsAdditionalProperties' is ignored`,
          `collections.acmeCo/${name}.schema: unknown format 'not-a-format' is ignored`,
        ]),
      );
      expect(problemsOf(result)).toContain(
        `collections.acmeCo/${name}.schema: the top-level schema must accept objects (type: object, or no type)`,
      );
    }
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
      'captures.acmeCo/shop.bindings[0].target',
      'captures.acmeCo/shop.bindings[0].resource.path',
      'collections.acmeCo/b.key[0]',
    ]);
    // File by file, top down: the imported file's problem comes after the root's.
    expect(result.problems.at(-1)?.location.file).toMatch(/more\.yaml$/);
  });
});

describe('syntax error flood', () => {
  it('reports the first few syntax errors and counts the rest', async () => {
    const result = await loadYaml(`collections:\n  a: { b: [1, 2\n${'  c: d\n'.repeat(20)}`);
    expect(result.problems.length).toBeLessThanOrEqual(6);
    expect(result.problems.at(-1)?.message).toMatch(/more syntax error\(s\) after this one/);
    expect(
      result.problems.every((problem) => problem.location.line! > 0 && problem.location.column! > 0),
    ).toBe(true);
  });
});

describe('every problem at once, each at its line and column (issue 12)', () => {
  it('an unset token variable on the endpoint hides none of the bindings’ problems', async () => {
    delete process.env['UNSET_TOKEN_VAR'];
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/shop:
    endpoint: { ingest: { tokens: ["\${UNSET_TOKEN_VAR}"] } }
    bindings:
      - { target: acmeCo/nope, resource: { name: a, path: /healthz } }
`);
    expect(problemsOf(result)).toEqual([
      'captures.acmeCo/shop.endpoint.ingest.tokens[0]: environment variable UNSET_TOKEN_VAR is not set',
      "captures.acmeCo/shop.bindings[0].target: unknown target collection 'acmeCo/nope'",
      "captures.acmeCo/shop.bindings[0].resource.path: path '/healthz' would match requests for '/healthz', which the gateway serves itself",
    ]);
  });

  it('a plain-text token with allowedOrigins [*] reports all three problems', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/shop:
    endpoint: { ingest: { tokens: [hunter2], allowedOrigins: ['*'] } }
    bindings:
      - { target: acmeCo/nope, resource: { name: a } }
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.endpoint.ingest.tokens[0]: tokens[0] must be '${ENV_NAME}' or { file: path }, never a plain-text secret",
      "captures.acmeCo/shop.bindings[0]: allowedOrigins ['*'] is refused for a binding that requires tokens; list the origins",
      "captures.acmeCo/shop.bindings[0].target: unknown target collection 'acmeCo/nope'",
    ]);
  });

  it('bindings with keepHeaders or secret-file problems still take part in the duplicate-path check', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/shop:
    endpoint: { ingest: {} }
    bindings:
      - { target: acmeCo/orders, resource: { name: a, path: /same, keepHeaders: [Authorization] } }
      - { target: acmeCo/orders, resource: { name: b, path: /same, tokens: [{ file: missing.txt }] } }
      - { target: acmeCo/orders, resource: { name: c, path: /same } }
`);
    const messages = problemsOf(result);
    expect(messages).toContainEqual(
      expect.stringMatching(/keepHeaders\[0\]: header 'authorization' carries/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/bindings\[1\]\.resource\.tokens\[0\]: cannot read/),
    );
    expect(messages).toContainEqual(
      "captures.acmeCo/shop.bindings[1].resource.path: path '/same' is already used by binding acmeCo/shop/a (captures.acmeCo/shop.bindings[0].resource.path)",
    );
    expect(messages.filter((m) => m.includes('is already used by'))).toHaveLength(2);
  });

  it('gives every problem, schema or check, the line and column where it is written', async () => {
    const file = await writeCatalog({
      'catalog.yaml': `collections:
  acmeCo/orders:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
    topc: x
captures:
  acmeCo/shop:
    endpoint: { ingest: {} }
    bindings:
      - target: acmeCo/orders
        resource: { name: orders, keepHeaders: [Cookie] }
      - { target: acmeCo/nope, resource: { name: other } }
`,
    });
    const result = await loadCatalog(file);
    const at = result.problems.map((p) => `${p.location.line}:${p.location.column} ${p.location.path}`);
    expect(at).toEqual([
      '5:5 collections.acmeCo/orders.topc',
      '11:49 captures.acmeCo/shop.bindings[0].resource.keepHeaders[0]',
      '12:11 captures.acmeCo/shop.bindings[1].target',
    ]);
    expect(formatProblems(result, { relativeTo: join(file, '..') }).split('\n')[0]).toBe(
      "catalog.yaml:5:5: error: collections.acmeCo/orders.topc: unknown property 'topc' (expected one of: schema, key, topic)",
    );
  });
});

describe('loadTopics (issue 12)', () => {
  it('reads collections and topics only: unset capture secrets and capture problems do not stop it', async () => {
    delete process.env['TOPICS_UNSET_SECRET'];
    const file = await writeCatalog({
      'catalog.yaml': `collections:${ORDERS}  acmeCo/other: { schema: true, key: [/_meta/uuid], topic: other.events }
captures:
  acmeCo/shop:
    endpoint: { ingest: { tokens: ["\${TOPICS_UNSET_SECRET}"] } }
    bindings: [{ target: acmeCo/nope, resource: { name: a } }]
`,
    });
    expect((await loadCatalog(file)).problems).not.toEqual([]);
    expect(await loadTopics(file)).toEqual({
      topics: ['acmeCo.orders', 'other.events'],
      problems: [],
      warnings: [],
    });
  });

  it('still refuses a collection problem', async () => {
    const result = await loadTopics(
      await writeCatalog({ 'catalog.yaml': 'collections:\n  a/b: { schema: true }\n' }),
    );
    expect(result.topics).toBeUndefined();
    expect(result.problems.map((p) => p.message)).toEqual(['key is required']);
  });
});
