import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
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
