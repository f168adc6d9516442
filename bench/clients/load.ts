// The load generator as its own process (issue 17): a warm-up, a "measuring" line, the measured run, then one
// JSON line `{"result": ...}`. Run apart from the runner so its CPU is metered on its own and, pinned with
// taskset to another core than the system under test (bench/lib/pinning.ts), it does not take that system's
// core. Options come in a JSON file named by the one argument (bench/lib/load-process.ts writes it).
import { readFileSync } from 'node:fs';
import { type HttpLoad, runHttpLoad } from '../lib/load.js';
import { type PacedLoad, runPacedLoad } from '../lib/paced-load.js';
import { runWsLoad, type WsLoad } from '../lib/ws-load.js';

export type LoadSpec =
  | { kind: 'http'; load: Omit<HttpLoad, 'durationSec'>; warmupSec: number; durationSec: number }
  | { kind: 'ws'; load: Omit<WsLoad, 'durationSec'>; warmupSec: number; durationSec: number }
  | { kind: 'paced'; load: Omit<PacedLoad, 'durationSec'>; warmupSec: number; durationSec: number };

async function run(spec: LoadSpec, durationSec: number): Promise<unknown> {
  if (spec.kind === 'http') return runHttpLoad({ ...spec.load, durationSec });
  if (spec.kind === 'ws') return runWsLoad({ ...spec.load, durationSec });
  return runPacedLoad({ ...spec.load, durationSec });
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
const warm = spec.warmupSec > 0 ? await run(spec, spec.warmupSec) : undefined;
process.stdout.write('measuring\n');
const result = await run(spec, spec.durationSec);
process.stdout.write(`${JSON.stringify({ result, warm })}\n`);
