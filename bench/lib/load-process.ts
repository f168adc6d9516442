// Runs bench/clients/load.ts as a child (pinned to the load core) and meters CPU over its measured window only:
// from its "measuring" line to its result line.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadSpec } from '../clients/load.js';
import { type BenchContext, logFile, waitForOutput } from './context.js';
import { LOAD_CPU, pinned } from './pinning.js';
import { CpuMeter, spawnChild } from './processes.js';

export interface LoadRun<T> {
  result: T;
  warm: T | undefined;
  /** Cores over the measured window: the given pids, `load` (the generator), `machine`, `others`. */
  cores: Record<string, number>;
}

export async function runLoadProcess<T>(
  ctx: BenchContext,
  name: string,
  spec: LoadSpec,
  pids: Record<string, number>,
): Promise<LoadRun<T>> {
  const file = logFile(ctx, `${name}-load`);
  // In a file: a thousand bodies would overflow the argument list (E2BIG).
  const specFile = path.join(ctx.workDir, `${name}-load.json`);
  await writeFile(specFile, JSON.stringify(spec));
  const [command, args] = pinned(LOAD_CPU, process.execPath, [
    path.join(ctx.root, 'dist', 'bench', 'clients', 'load.js'),
    specFile,
  ]);
  const child = spawnChild(`${name} load`, command, args, { logFile: file });
  try {
    await waitForOutput(child, 'measuring', (spec.warmupSec + 60) * 1000);
    const meter = new CpuMeter({ ...pids, load: child.pid });
    meter.start();
    await waitForOutput(child, '{"result"', (spec.durationSec + 120) * 1000);
    const cores = meter.stop();
    const line = (await readFile(file, 'utf8')).split('\n').find((l) => l.startsWith('{"result"'))!;
    const parsed = JSON.parse(line) as { result: T; warm?: T };
    return { result: parsed.result, warm: parsed.warm, cores };
  } finally {
    await child.stop();
  }
}
