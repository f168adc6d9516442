// The official JSON-Schema-Test-Suite (https://github.com/json-schema-org/JSON-Schema-Test-Suite), read in place
// from ../shared/json-schema-test-suite (or TRIBUTARY_JSON_SCHEMA_TEST_SUITE): it is not copied into this
// repository. Only object instances are kept: a collection receives JSON objects, nothing else.
// The suite's README says how to run it: drafts up to 07 are configured to the directory's draft (their
// schemas carry no $schema), `remotes/` are served as http://localhost:1234/<path>, and the files under
// optional/format are run with format assertions on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE_DIR =
  process.env['TRIBUTARY_JSON_SCHEMA_TEST_SUITE'] ??
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'shared',
    'json-schema-test-suite',
  );

export interface SuiteDraft {
  /** Directory under tests/. */
  dir: string;
  /** The meta-schema URI the directory is written for. */
  dialect: string;
}

export const SUITE_DRAFTS: readonly SuiteDraft[] = [
  { dir: 'draft4', dialect: 'http://json-schema.org/draft-04/schema#' },
  { dir: 'draft6', dialect: 'http://json-schema.org/draft-06/schema#' },
  { dir: 'draft7', dialect: 'http://json-schema.org/draft-07/schema#' },
  { dir: 'draft2019-09', dialect: 'https://json-schema.org/draft/2019-09/schema' },
  { dir: 'draft2020-12', dialect: 'https://json-schema.org/draft/2020-12/schema' },
];

export interface SuiteTest {
  /** `file|case|test`, unique within a draft. */
  id: string;
  file: string;
  schema: Record<string, unknown> | boolean;
  data: Record<string, unknown>;
  valid: boolean;
  /** optional/format/*: the suite asks for format assertions there. */
  formatAssertion: boolean;
  /** Index of the test case in its file: tests of one case share one schema. */
  caseIndex: number;
}

/** Why the suite cannot run here, or undefined when it can. */
export function suiteMissing(): string | undefined {
  if (existsSync(path.join(SUITE_DIR, 'tests'))) return undefined;
  return `the JSON-Schema-Test-Suite is not at ${SUITE_DIR} (set TRIBUTARY_JSON_SCHEMA_TEST_SUITE to a checkout)`;
}

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every test of a draft whose instance is a JSON object: required files, optional/ and optional/format/. */
export function objectTests(draft: SuiteDraft): SuiteTest[] {
  const base = path.join(SUITE_DIR, 'tests', draft.dir);
  const files = [
    ...jsonFiles(base),
    ...jsonFiles(path.join(base, 'optional')).map((name) => `optional/${name}`),
    ...jsonFiles(path.join(base, 'optional', 'format')).map((name) => `optional/format/${name}`),
  ];
  const tests: SuiteTest[] = [];
  for (const file of files) {
    const cases = JSON.parse(readFileSync(path.join(base, file), 'utf8')) as {
      description: string;
      schema: Record<string, unknown> | boolean;
      tests: { description: string; data: unknown; valid: boolean }[];
    }[];
    for (const [caseIndex, testCase] of cases.entries()) {
      for (const test of testCase.tests) {
        if (!isObject(test.data)) continue;
        tests.push({
          id: `${file}|${testCase.description}|${test.description}`,
          file,
          schema: testCase.schema,
          data: test.data,
          valid: test.valid,
          formatAssertion: file.startsWith('optional/format/'),
          caseIndex,
        });
      }
    }
  }
  return tests;
}

export interface Remote {
  /** http://localhost:1234/<path under remotes/>, as the suite's README says. */
  uri: string;
  schema: Record<string, unknown> | boolean;
}

export function remotes(): Remote[] {
  const found: Remote[] = [];
  const visit = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith('.json')) {
        const schema = JSON.parse(readFileSync(path.join(dir, entry.name), 'utf8')) as Remote['schema'];
        found.push({ uri: `http://localhost:1234/${prefix}${entry.name}`, schema });
      }
    }
  };
  visit(path.join(SUITE_DIR, 'remotes'), '');
  return found;
}

/** The remotes a draft's tests may use: those without `$schema` or written for that draft (hyperjump's rule). */
export function remotesFor(draft: SuiteDraft): Remote[] {
  const normal = (uri: string): string => uri.replace(/#$/, '');
  return remotes().filter(
    (remote) =>
      typeof remote.schema === 'boolean' ||
      typeof remote.schema['$schema'] !== 'string' ||
      normal(remote.schema['$schema']) === normal(draft.dialect),
  );
}

export interface Tally {
  right: number;
  total: number;
  /** ids of the tests judged wrong (or that threw). */
  wrong: string[];
}

export function rate(tally: Tally): string {
  return `${((100 * tally.right) / tally.total).toFixed(1)}% (${tally.right}/${tally.total})`;
}

/**
 * @hyperjump/json-schema (the spec authors' implementation) on the same tests, configured as its own suite
 * runner does: remotes registered under their localhost:1234 URIs, each case's schema registered under a URI of
 * its own with the directory's dialect as default, format assertions on for optional/format.
 * Network retrieval is cut off: a reference the remotes do not hold fails instead of being fetched.
 */
export async function judgeWithHyperjump(draft: SuiteDraft, tests: readonly SuiteTest[]): Promise<Tally> {
  const hyperjump = await import('@hyperjump/json-schema/draft-2020-12');
  await Promise.all([
    import('@hyperjump/json-schema/draft-04'),
    import('@hyperjump/json-schema/draft-06'),
    import('@hyperjump/json-schema/draft-07'),
    import('@hyperjump/json-schema/draft-2019-09'),
    import('@hyperjump/json-schema/formats'),
  ]);
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: unknown) => {
    throw new Error(`network retrieval refused in the suite: ${String(input)}`);
  }) as typeof fetch;
  const registered: string[] = [];
  const tally: Tally = { right: 0, total: 0, wrong: [] };
  try {
    for (const remote of remotesFor(draft)) {
      hyperjump.registerSchema(remote.schema as never, remote.uri, draft.dialect);
      registered.push(remote.uri);
    }
    const byCase = new Map<string, SuiteTest[]>();
    for (const test of tests) {
      const key = `${test.file}#${test.caseIndex}`;
      byCase.set(key, [...(byCase.get(key) ?? []), test]);
    }
    for (const [key, group] of byCase) {
      const uri = `http://${draft.dir}-test-suite.json-schema.org/${encodeURIComponent(key)}`;
      let validator: ((instance: unknown) => { valid: boolean }) | undefined;
      try {
        hyperjump.setShouldValidateFormat(group[0]!.formatAssertion ? true : undefined);
        hyperjump.registerSchema(group[0]!.schema as never, uri, draft.dialect);
        registered.push(uri);
        validator = (await hyperjump.validate(uri)) as unknown as typeof validator;
      } catch {
        validator = undefined;
      }
      for (const test of group) {
        tally.total++;
        let valid: boolean | undefined;
        try {
          valid = validator?.(test.data).valid;
        } catch {
          valid = undefined;
        }
        if (valid === test.valid) tally.right++;
        else tally.wrong.push(test.id);
      }
    }
  } finally {
    for (const uri of registered) {
      try {
        hyperjump.unregisterSchema(uri);
      } catch {
        // already gone
      }
    }
    hyperjump.setShouldValidateFormat(undefined);
    globalThis.fetch = realFetch;
  }
  return tally;
}

/**
 * The gateway on the same tests, through the compiler a collection uses: each case's schema compiled once with
 * the directory's draft as default and the remotes as the resources it may refer to (by retrieval URI and by
 * `$id`, as the catalog finds its own schema files). A schema that does not compile, or a validator that throws,
 * counts as wrong for every test of its case.
 */
export async function judgeWithGateway(
  draft: SuiteDraft,
  tests: readonly SuiteTest[],
  compile: (
    schema: SuiteTest['schema'],
    options: GatewayCompileOptions,
  ) => Promise<(document: unknown) => boolean>,
): Promise<Tally> {
  const byUri = new Map<string, Remote>();
  for (const remote of remotesFor(draft)) {
    byUri.set(remote.uri, remote);
    const id = typeof remote.schema === 'object' ? (remote.schema['$id'] ?? remote.schema['id']) : undefined;
    if (typeof id === 'string' && !byUri.has(new URL(id, remote.uri).href.replace(/#.*$/, ''))) {
      byUri.set(new URL(id, remote.uri).href.replace(/#.*$/, ''), remote);
    }
  }
  const options: GatewayCompileOptions = {
    defaultDraft: draft.dialect,
    resources: (uri) => {
      const remote = byUri.get(uri);
      return remote ? { retrievalUri: remote.uri, schema: remote.schema } : undefined;
    },
  };
  const tally: Tally = { right: 0, total: 0, wrong: [] };
  const compiled = new Map<string, ((document: unknown) => boolean) | Error>();
  for (const test of tests) {
    tally.total++;
    const key = `${test.file}#${test.caseIndex}`;
    let validate = compiled.get(key);
    if (validate === undefined) {
      try {
        validate = await compile(test.schema, options);
      } catch (error) {
        validate = error as Error;
      }
      compiled.set(key, validate);
    }
    let valid: boolean | undefined;
    if (typeof validate === 'function') {
      try {
        valid = validate(test.data);
      } catch {
        valid = undefined;
      }
    }
    if (valid === test.valid) tally.right++;
    else
      tally.wrong.push(
        validate instanceof Error ? `${test.id} [${validate.message.slice(0, 160)}]` : test.id,
      );
  }
  return tally;
}

export interface GatewayCompileOptions {
  /** The directory's meta-schema URI. */
  defaultDraft: string;
  resources: (uri: string) => { retrievalUri: string; schema: SuiteTest['schema'] } | undefined;
}
