// `--profile`: scenario 1 once more with the gateway under `node --cpu-prof`; prints and returns the hottest
// functions (self time) and the time per package, the evidence for hot-path changes.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { hottestFunctions, timeByArea, timeByConcern } from '../lib/cpu-profile.js';
import { measureCost } from './cost.js';
import { measureWebhooks, type WebhookShape } from './webhooks.js';
import { measureWebSocket, WS_SHAPES } from './websocket.js';

export async function profileWebhooks(
  ctx: BenchContext,
  shape: WebhookShape | 'websocket' = 'single',
  /** With a rate (`--rate`), single webhooks are profiled at that fixed rate (the cost row) instead of flat out. */
  rate?: number,
): Promise<string[]> {
  const dir = path.join(
    ctx.root,
    'bench',
    'results',
    'profiles',
    new Date().toISOString().replace(/[:.]/g, '-'),
  );
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  const wsShape = WS_SHAPES.find((s) => s.id === 'websocket')!;
  const m =
    shape === 'single' && rate !== undefined
      ? await measureCost(ctx, rate, 1, { id: 'cost-profiled', nodeArgs })
      : shape === 'websocket'
        ? await measureWebSocket(ctx, { ...wsShape, id: 'websocket-profiled' }, 1, nodeArgs)
        : await measureWebhooks(ctx, shape, 1, { id: `${shape}-profiled`, nodeArgs });
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return [`profile: no .cpuprofile written in ${dir}`];
  const file = path.join(dir, files[0]!);
  const areas = await timeByArea(file);
  const concerns = await timeByConcern(file);
  const hot = await hottestFunctions(file, 30);
  const lines = [
    `profile of ${shape} webhooks (${m.docsPerSec} docs/s under the profiler): ${path.relative(ctx.root, file)}`,
    `gateway CPU by concern (inclusive; the rest is Node's HTTP server and Fastify): ${Object.entries(
      concerns,
    )
      .map(([k, v]) => `${k} ${v}%`)
      .join(', ')}`,
    `self time by area: ${Object.entries(areas)
      .slice(0, 12)
      .map(([k, v]) => `${k} ${v}%`)
      .join(', ')}`,
    ...hot.map((h) => `  ${h.selfPercent.toFixed(1).padStart(5)}%  ${h.name}  ${h.where}`),
  ];
  for (const l of lines) ctx.log(l);
  return lines.slice(0, 3);
}
