// Issue 2: a vendor's published schema works unchanged. GitHub's official webhook schema is draft-07 with
// additionalProperties: false everywhere and a non-standard keyword (tsAdditionalProperties); every example
// payload GitHub's own examples package ships must validate exactly as sent, and a tampered one must not.
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { compiledSchemaCount } from '../../src/validate/compiler.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const schema = require('@octokit/webhooks-schemas/schema.json') as Record<string, unknown>;

describe("GitHub's official webhook schema", async () => {
  const compiledBefore = compiledSchemaCount();
  const result = await loadCatalog(new URL('../fixtures/catalogs/github.yaml', import.meta.url).pathname);
  const compiled = compiledSchemaCount() - compiledBefore;

  it('loads unchanged, warning about the unknown keyword, and compiles once for two collections', () => {
    expect(result.problems).toEqual([]);
    expect(result.warnings.map((w) => w.message).join('\n')).toContain("'tsAdditionalProperties'");
    expect(compiled).toBe(1);
    const [a, b] = [...result.catalog!.collections.values()];
    expect(a!.validate).toBe(b!.validate);
  });

  const validate = result.catalog!.collections.get('gh/events')!.validate;
  const all = examples.flatMap((e) => e.examples.map((doc, i) => ({ name: `${e.name}[${i}]`, doc })));

  it(`judges GitHub's ${all.length} example payloads exactly as a plain ajv does`, () => {
    // About one example per event lags the schema (plain ajv refuses it too), so the reference is a standard
    // validator run on the same schema, not "all pass": the gateway must add no rule of its own.
    const reference = new Ajv({ strict: false });
    addFormats.default(reference);
    const check = reference.compile(schema);
    const ours = all.map(({ doc }) => validate(doc) === null);
    expect(ours).toEqual(all.map(({ doc }) => check(doc)));
    expect(ours.filter(Boolean).length / all.length).toBeGreaterThan(0.8);
    const pushes = all.filter(({ name }) => name.startsWith('push['));
    expect(pushes.filter(({ doc }) => validate(doc) === null).length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a push payload with an extra property or a wrong type, naming where', () => {
    const valid = all.filter(({ name, doc }) => name.startsWith('push[') && validate(doc) === null);
    const push = structuredClone(valid[0]!.doc);
    (push as { unexpected?: boolean }).unexpected = true;
    expect(validate(push)).not.toBeNull();
    const retyped = structuredClone(valid[0]!.doc);
    (retyped as { ref: unknown }).ref = 42;
    expect(validate(retyped)).not.toBeNull();
  });
});
