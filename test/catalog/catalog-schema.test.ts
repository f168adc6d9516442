// schemas/catalog.schema.json is what editors complete catalogs with; it must accept every catalog the
// loader accepts (examples and valid fixtures) and catch the common slips.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/catalog.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const read = (rel: string) => parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));

describe('schemas/catalog.schema.json', () => {
  it.each([
    '../../examples/catalog.yaml',
    '../fixtures/catalogs/ingest-route.yaml',
    '../fixtures/catalogs/tokens.yaml',
    '../fixtures/catalogs/github.yaml',
  ])('accepts %s', (file) => {
    expect(validate(read(file)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['a misspelt section', { colections: {} }],
    ['a collection without key', { collections: { 'a/b': { schema: {} } } }],
    [
      'a plain-text token',
      { captures: { 'a/c': { endpoint: { ingest: { tokens: ['hunter2'] } }, bindings: [] } } },
    ],
    ['a bad name', { collections: { 'a//b': { schema: {}, key: ['/id'] } } }],
  ])('refuses %s', (_what, catalog) => {
    expect(validate(catalog)).toBe(false);
  });
});
