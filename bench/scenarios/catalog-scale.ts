// Scenario 5b: a catalog of many bindings. Half of them target collections that share GitHub's official webhook
// schema (@octokit/webhooks-schemas: 344 definitions; compiled once however many collections use it), half
// target collections with small distinct schemas (each compiled). Measured: spawn of `tributary serve` to the
// first 200 on /readyz, and resident memory then; a one-binding catalog is measured the same way beside it.
// Wall-clock on a shared machine: each is started STARTS times, alternately, and the median is the figure (one
// start after the latency curve read 3.35 s where an idle machine reads 2.0-2.5 s, and the one-binding start
// 1.68 s against 0.93-1.3 s).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BenchContext, logFile } from '../lib/context.js';
import { startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { mib, rssBytes } from '../lib/processes.js';
import { round } from '../lib/stats.js';
import type { ScaleResults } from '../results.js';

const BINDINGS_PER_CAPTURE = 100;
const STARTS = 3;

export async function writeScaleCatalog(dir: string, bindings: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const require = createRequire(import.meta.url);
  await copyFile(
    require.resolve('@octokit/webhooks-schemas/schema.json'),
    path.join(dir, 'github.schema.json'),
  );
  const shared = Math.floor(bindings / 2);
  const lines = ['collections:'];
  for (let i = 0; i < bindings; i++) {
    if (i < shared) {
      lines.push(
        `  bench/github/events${i}:`,
        '    schema: github.schema.json',
        '    key: [/_meta/webhookId]',
      );
    } else {
      // Distinct on purpose (a property name and a bound per collection), so each is compiled on its own.
      const schema = {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', maxLength: 64 },
          [`field${i}`]: { type: 'integer', minimum: i },
          at: { type: 'string', format: 'date-time' },
        },
      };
      lines.push(`  bench/small/c${i}:`, `    schema: ${JSON.stringify(schema)}`, '    key: [/id]');
    }
  }
  lines.push('captures:');
  for (let i = 0; i < bindings; i++) {
    if (i % BINDINGS_PER_CAPTURE === 0) {
      lines.push(
        `  bench/capture${i / BINDINGS_PER_CAPTURE}:`,
        '    endpoint: { ingest: {} }',
        '    bindings:',
      );
    }
    const target = i < shared ? `bench/github/events${i}` : `bench/small/c${i}`;
    lines.push(`      - target: ${target}`, `        resource: { name: b${i} }`);
  }
  const file = path.join(dir, 'catalog.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

export async function measureCatalogScale(ctx: BenchContext): Promise<NonNullable<ScaleResults['catalog']>> {
  const bindings = ctx.settings.bindings;
  const catalog = await writeScaleCatalog(path.join(ctx.workDir, 'scale-catalog'), bindings);
  const small = await writeOrdersCatalog(ctx.workDir, 'bench.scale.one');
  const startAndMeasure = async (file: string, name: string) => {
    const gw = await startGatewayProcess({
      root: ctx.root,
      catalog: file,
      bootstrap: ctx.bootstrap,
      logFile: logFile(ctx, name),
      readyTimeoutMs: 120_000,
      // Wall-clock start-up, not CPU per document: pinned to one core it would wait for whoever else runs there.
      pin: false,
    });
    const rss = rssBytes(gw.child.pid);
    await gw.child.stop();
    return { readyMs: round(gw.readyMs), rssMiB: mib(rss) };
  };
  const ones: { readyMs: number; rssMiB: number }[] = [];
  const manys: { readyMs: number; rssMiB: number }[] = [];
  for (let i = 0; i < STARTS; i++) {
    ones.push(await startAndMeasure(small, `scale-one-${i + 1}`));
    manys.push(await startAndMeasure(catalog, `scale-many-${i + 1}`));
  }
  const one = medianStart(ones);
  const many = medianStart(manys);
  ctx.log(
    `catalog: ${bindings} bindings ready in ${many.readyMs} ms (each ${manys.map((s) => s.readyMs).join(', ')}), ` +
      `${many.rssMiB} MiB (1 binding: ${one.readyMs} ms, each ${ones.map((s) => s.readyMs).join(', ')})`,
  );
  return {
    bindings,
    sharedSchemaBindings: Math.floor(bindings / 2),
    smallSchemaBindings: bindings - Math.floor(bindings / 2),
    readyMs: many.readyMs,
    readyMsEach: manys.map((s) => s.readyMs),
    rssMiB: many.rssMiB,
    baselineReadyMs: one.readyMs,
    baselineReadyMsEach: ones.map((s) => s.readyMs),
    baselineRssMiB: one.rssMiB,
  };
}

/** The start with the median time (its RSS with it), of an odd number of starts. */
function medianStart<T extends { readyMs: number }>(starts: T[]): T {
  return [...starts].sort((a, b) => a.readyMs - b.readyMs)[Math.floor(starts.length / 2)]!;
}
