// Scenario 6: validation alone, in this process: CPU µs per document for the bench's order schema and for GitHub's
// official webhook schema (@octokit/webhooks-schemas, its accepted example payloads), with the document validator
// as it was before issue 13 (src/validate at commit BEFORE, read with git and transpiled) and as it is now, in one
// run, alternating within each round. Documents are decoded the way the gateway decodes them (the sender's text
// kept beside each), so the exact-integer check the current validator makes is in the figure. A third row shows
// the second engine on a schema only it judges (`$dynamicRef`), which the earlier validator refused.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { decodeJson } from '../../src/decode/json.js';
import { compileSchema } from '../../src/validate/compiler.js';
import { compileWithHyperjump } from '../../src/validate/engine-hyperjump.js';
import type { BenchContext } from '../lib/context.js';
import { makeOrder, ORDER_SCHEMA } from '../lib/documents.js';
import { median, round } from '../lib/stats.js';
import type { ValidationResult, ValidationRow } from '../results.js';

/** main before issue 13 (the commit its branch started from). */
export const BEFORE = '18d6f92';
const BEFORE_FILES = ['compiler.ts', 'regexp.ts', 'regexp-safe.ts', 'vocabulary.ts'];

type Judge = (document: unknown) => unknown;

/** The earlier src/validate, transpiled into dist/ (so its imports resolve in node_modules), or why not. */
async function loadBefore(root: string): Promise<((schema: Record<string, unknown>) => Judge) | string> {
  const dir = path.join(root, 'dist', 'bench-before', BEFORE, 'validate');
  await mkdir(dir, { recursive: true });
  for (const file of BEFORE_FILES) {
    let source: string;
    try {
      source = execFileSync('git', ['-C', root, 'show', `${BEFORE}:src/validate/${file}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return `commit ${BEFORE} is not in this clone (git show failed)`;
    }
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(path.join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  // The earlier compiler exported a synchronous `compileSchema(schema, source?)`.
  const module = (await import(pathToFileURL(path.join(dir, 'compiler.js')).href)) as {
    compileSchema: (schema: Record<string, unknown>) => { validate: Judge };
  };
  return (schema) => module.compileSchema(schema).validate;
}

/** CPU µs per document over `durationMs` of validating `documents` in turn. */
function cpuPerDocument(judge: Judge, documents: readonly unknown[], durationMs: number): number {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let count = 0;
  while (Number(process.hrtime.bigint() - started) / 1e6 < durationMs) {
    for (const document of documents) judge(document);
    count += documents.length;
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

interface Subject {
  schema: string;
  /** What the earlier validator compiles, where it could. */
  source?: Record<string, unknown>;
  documents: unknown[];
  before?: Judge;
  after: Judge;
  afterEngine: string;
  beforeNote?: string;
}

export async function measureValidation(ctx: BenchContext): Promise<ValidationResult> {
  const require = createRequire(import.meta.url);
  const github = require('@octokit/webhooks-schemas/schema.json') as Record<string, unknown>;
  const examples = (
    require('@octokit/webhooks-examples/api.github.com/index.json') as { examples: unknown[] }[]
  ).flatMap((event) => event.examples);
  const decoded = (value: unknown): Record<string, unknown> => decodeJson(JSON.stringify(value))[0]!;

  const earlier = await loadBefore(ctx.root);

  const order = await compileSchema(ORDER_SCHEMA as unknown as Record<string, unknown>);
  const gh = await compileSchema(github);
  const tree = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $dynamicAnchor: 'node',
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' }, children: { type: 'array', items: { $dynamicRef: '#node' } } },
  };
  const treeCompiled = await compileSchema(tree);
  // The same order schema through the second engine, for the cost ratio between the two engines.
  const orderSecond = await compileWithHyperjump(ORDER_SCHEMA as never, undefined, [], '2020-12');
  const orders = Array.from({ length: 200 }, (_, i) => decoded(makeOrder(i)));
  // Payloads the schema accepts: the path every delivered webhook takes (the rest pay for the all-errors answer).
  const accepted = examples.map(decoded).filter((doc) => gh.validate(doc) === null);
  const trees = Array.from({ length: 50 }, (_, i) =>
    decoded({ id: `n${i}`, children: [{ id: 'a', children: [{ id: 'b' }] }, { id: 'c' }] }),
  );

  const subjects: Subject[] = [
    {
      schema: 'bench order schema (bench/lib/documents.ts), ~1 KiB orders',
      source: ORDER_SCHEMA as unknown as Record<string, unknown>,
      documents: orders,
      after: order.validate,
      afterEngine: order.engine,
    },
    {
      schema: `GitHub webhook schema (@octokit/webhooks-schemas), ${accepted.length} accepted example payloads`,
      source: github,
      documents: accepted,
      after: gh.validate,
      afterEngine: gh.engine,
    },
    {
      schema: 'bench order schema through the second engine (comparison: ajv judges it in production)',
      documents: orders,
      after: orderSecond,
      afterEngine: 'hyperjump',
      beforeNote: 'n/a',
    },
    {
      schema: 'tree schema with $dynamicRef (second engine)',
      documents: trees,
      after: treeCompiled.validate,
      afterEngine: treeCompiled.engine,
      beforeNote: 'refused',
    },
  ];
  for (const subject of subjects) {
    if (subject.source === undefined || typeof earlier === 'string') continue;
    try {
      subject.before = earlier(subject.source);
    } catch (err) {
      subject.beforeNote = `refused: ${(err as Error).message.slice(0, 80)}`;
    }
  }
  // Many short bursts, alternating, medians: other users of a shared machine come and go within seconds, and a
  // long run of one side would catch a burst the other does not.
  const rounds = ctx.settings.rounds * 8;
  const durationMs = 250;
  const rows: ValidationRow[] = [];
  for (const subject of subjects) {
    // Warm-up: JIT and the all-errors validators of the documents that need them.
    for (let i = 0; i < 3; i++) {
      for (const doc of subject.documents) {
        subject.after(doc);
        subject.before?.(doc);
      }
    }
    const before: number[] = [];
    const after: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const order: ('before' | 'after')[] = r % 2 === 0 ? ['after', 'before'] : ['before', 'after'];
      for (const which of order) {
        if (which === 'before' && subject.before) {
          before.push(cpuPerDocument(subject.before, subject.documents, durationMs));
        }
        if (which === 'after') after.push(cpuPerDocument(subject.after, subject.documents, durationMs));
      }
    }
    const row: ValidationRow = {
      schema: subject.schema,
      documents: subject.documents.length,
      afterEngine: subject.afterEngine,
      afterUs: round(median(after), 2),
    };
    if (before.length > 0) row.beforeUs = round(median(before), 2);
    const note = subject.beforeNote ?? (typeof earlier === 'string' ? earlier : undefined);
    if (note !== undefined && row.beforeUs === undefined) row.beforeNote = note;
    ctx.log(
      `validation: ${subject.schema}: before ${row.beforeUs ?? row.beforeNote} µs, after ${row.afterUs} µs per document`,
    );
    rows.push(row);
  }
  return { before: BEFORE, rounds, durationMs, rows };
}
