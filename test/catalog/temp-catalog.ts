// Writes small catalogs to a temporary directory, so each rule's test shows its YAML next to its assertion.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type LoadResult, loadCatalog } from '../../src/catalog/load.js';
import { tempDir } from '../helpers.js';

/** Writes `files` (relative path -> text) and returns the absolute path of the first one. */
export async function writeCatalog(files: Record<string, string>): Promise<string> {
  const dir = tempDir('catalog-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return join(dir, Object.keys(files)[0]!);
}

export async function loadYaml(yaml: string, extra: Record<string, string> = {}): Promise<LoadResult> {
  return loadCatalog(await writeCatalog({ 'catalog.yaml': yaml, ...extra }));
}

/** `path: message` of each problem, the shape most assertions want. */
export function problemsOf(result: LoadResult): string[] {
  return result.problems.map((problem) => `${problem.location.path}: ${problem.message}`);
}

export function warningsOf(result: LoadResult): string[] {
  return result.warnings.map((problem) => `${problem.location.path}: ${problem.message}`);
}

/** A minimal valid collection keyed on a required string /id, to combine with what a test is about. */
export const ORDERS = `
  acmeCo/orders:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
`;

/** A push capture with the given bindings (YAML list items, indented for `bindings:`). */
export function capture(name: string, bindings: string): string {
  return `
  ${name}:
    endpoint: { ingest: {} }
    bindings:
${bindings}
`;
}
