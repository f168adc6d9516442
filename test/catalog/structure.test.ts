// schemas/catalog.schema.json is the one statement of the catalog's shape (issue 12): editors complete catalogs
// with it, and `tributary check` validates every file with it. So it must accept every example and fixture
// catalog, and it must agree with the checker: what an editor using the schema file as is flags, the checker
// reports at the same line; what the schema accepts, the checker does not refuse for its shape.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, LineCounter, parse, parseDocument } from 'yaml';
import { SIGNATURE_SCHEMES } from '../../src/catalog/signatures.js';
import { CATALOG_SCHEMA } from '../../src/catalog/structure.js';
import { loadYaml } from './temp-catalog.js';

const root = new URL('../../', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(join(root, 'schemas/catalog.schema.json'), 'utf8'));
// What an editor does: the file as shipped, no gateway code involved.
const editor = new Ajv2020({
  strict: true,
  strictTypes: false,
  strictRequired: false,
  allErrors: true,
}).compile(schema);

/** Every catalog file among the examples and fixtures (schema files under schemas/ folders are not catalogs). */
function catalogFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'schemas' ? [] : catalogFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const catalogs = [
  ...catalogFiles(join(root, 'examples')),
  ...catalogFiles(join(root, 'test/fixtures/catalogs')),
];

describe('schemas/catalog.schema.json (issue 12)', () => {
  it('is the schema the checker validates with', () => {
    expect(CATALOG_SCHEMA).toEqual(schema);
  });

  it.each(catalogs.map((file) => [relative(root, file), file]))('accepts %s', (_name, file) => {
    const valid = editor(parse(readFileSync(file, 'utf8')) ?? {});
    expect(valid, JSON.stringify(editor.errors)).toBe(true);
  });

  it('names exactly the signature schemes the gateway has, and none', () => {
    const scheme = (schema.$defs.signature.properties.scheme as { enum: string[] }).enum;
    expect(new Set(scheme)).toEqual(new Set([...SIGNATURE_SCHEMES.keys(), 'none']));
  });

  const ORDERS = `
collections:
  acmeCo/orders:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
`;
  const binding = (resource: string) => `${ORDERS}captures:
  acmeCo/shop:
    endpoint: { ingest: {} }
    bindings:
      - target: acmeCo/orders
        resource: ${resource}
`;

  // Each malformed catalog: the editor flags it, and the checker reports a problem on the line the editor's
  // error points at.
  it.each([
    ['a misspelt section', 'colections: {}\n'],
    ['a collection without key', 'collections:\n  a/b:\n    schema: {}\n'],
    ['a bad collection name', 'collections:\n  a//b: { schema: {}, key: [/id] }\n'],
    ['a key that is not a pointer', 'collections:\n  a/b: { schema: {}, key: [id] }\n'],
    ['a plain-text token', `${ORDERS}captures:\n  a/c:\n    endpoint: { ingest: { tokens: [hunter2] } }\n`],
    ['an unknown resource option', binding('{ name: orders, pth: /x }')],
    ['a kept header that is no header name', binding('{ name: orders, keepHeaders: ["a b"] }')],
    [
      'an unknown signature scheme',
      binding('{ name: orders, signature: { scheme: gitlab, secrets: ["${S}"] } }'),
    ],
    [
      'an option of another scheme',
      binding('{ name: orders, signature: { scheme: github, secrets: ["${S}"], tolerance: 5 } }'),
    ],
    [
      'a custom scheme without header',
      binding('{ name: orders, signature: { scheme: custom, secrets: ["${S}"] } }'),
    ],
    ['a rate limit of 0', binding('{ name: orders, rateLimit: { max: 0 } }')],
    [
      'deduplicate with header and pointer',
      binding('{ name: orders, deduplicate: { header: X-Id, pointer: /id } }'),
    ],
    ['an endpoint that is neither', `${ORDERS}captures:\n  a/c:\n    endpoint: { local: {} }\n`],
    [
      'bindings that are not a list',
      `${ORDERS}captures:\n  a/c:\n    endpoint: { ingest: {} }\n    bindings: {}\n`,
    ],
  ])('flags %s in the editor and in the checker, on the same line', async (_what, text) => {
    expect(editor(parse(text))).toBe(false);
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines });
    const editorLines = new Set(
      (editor.errors ?? []).flatMap((error) => {
        const steps = error.instancePath
          .split('/')
          .slice(1)
          .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        const property = (error.params as { additionalProperty?: string }).additionalProperty;
        const path = property ? [...steps, property] : steps;
        // The checker places a problem with a property at its key (as editors underline it); the editor's
        // error may point at the value below it. Either line counts.
        const parent = document.getIn(path.slice(0, -1), true);
        const key = isMap(parent)
          ? (parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path.at(-1))?.key as
              | { range?: [number] }
              | undefined)
          : undefined;
        const value = document.getIn(path, true) as { range?: [number] } | undefined;
        return [key, value].map((node) => lines.linePos(node?.range?.[0] ?? 0).line);
      }),
    );
    const result = await loadYaml(text);
    expect(result.problems.length).toBeGreaterThan(0);
    const checkerLines = result.problems.map((problem) => problem.location.line);
    expect(checkerLines.some((line) => line !== undefined && editorLines.has(line))).toBe(true);
  });

  it('accepts what the checker refuses for other reasons than shape, and the checker says why', async () => {
    const text = binding('{ name: orders, path: /healthz }').replace(
      'target: acmeCo/orders',
      'target: acmeCo/gone',
    );
    expect(editor(parse(text)), JSON.stringify(editor.errors)).toBe(true);
    const result = await loadYaml(text);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      "unknown target collection 'acmeCo/gone'",
      "path '/healthz' would match requests for '/healthz', which the gateway serves itself",
    ]);
  });
});
