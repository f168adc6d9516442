// Issue 13: the gateway's judgement on the official JSON-Schema-Test-Suite, side by side with @hyperjump/json-schema
// (the spec authors' implementation) on the same cases: every object instance of drafts 4, 6, 7, 2019-09 and
// 2020-12 (required files, optional/ and optional/format/), remotes from local files only. The gateway is measured
// through its own compiler, the one every collection uses, and must judge at least as many cases right per draft.
import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../src/validate/compiler.js';
import { draftOfUri } from '../../src/validate/drafts.js';
import {
  judgeWithGateway,
  judgeWithHyperjump,
  objectTests,
  rate,
  SUITE_DIR,
  SUITE_DRAFTS,
  suiteMissing,
  type Tally,
} from './json-schema-test-suite.js';

const missing = suiteMissing();
if (missing) console.warn(`JSON-Schema-Test-Suite conformance skipped: ${missing}`);

describe('JSON-Schema-Test-Suite conformance, gateway vs @hyperjump/json-schema (issue 13)', () => {
  if (missing) {
    it.skip(`skipped: ${missing}`, () => {});
    return;
  }

  it('judges at least as many object cases right as hyperjump, in every draft', async () => {
    const rows: { draft: string; gateway: Tally; hyperjump: Tally }[] = [];
    for (const draft of SUITE_DRAFTS) {
      const tests = objectTests(draft);
      const hyperjump = await judgeWithHyperjump(draft, tests);
      const defaultDraft = draftOfUri(draft.dialect)!;
      const gateway = await judgeWithGateway(draft, tests, async (schema, options) => {
        const { validate } = await compileSchema(schema, { defaultDraft, resources: options.resources });
        return (document) => validate(document) === null;
      });
      rows.push({ draft: draft.dir, gateway, hyperjump });
    }
    const lines = [
      `JSON-Schema-Test-Suite at ${SUITE_DIR}, object instances`,
      '| draft | gateway | @hyperjump/json-schema |',
      '| --- | --- | --- |',
      ...rows.map((row) => `| ${row.draft} | ${rate(row.gateway)} | ${rate(row.hyperjump)} |`),
      '',
      ...rows.flatMap((row) => [
        `${row.draft}: the gateway misjudges ${row.gateway.wrong.length}:`,
        ...row.gateway.wrong.map((id) => `  - ${id}`),
        `${row.draft}: hyperjump misjudges ${row.hyperjump.wrong.length}:`,
        ...row.hyperjump.wrong.map((id) => `  - ${id}`),
      ]),
    ];
    console.log(lines.join('\n'));
    for (const row of rows) {
      expect(row.gateway.total).toBe(row.hyperjump.total);
      expect(row.gateway.total).toBeGreaterThan(200);
      expect([row.draft, row.gateway.right >= row.hyperjump.right]).toEqual([row.draft, true]);
    }
  }, 180_000);
});
