// Baseline (a): a bare Fastify route with the same documents and load as scenario 1.
import path from 'node:path';
import { type BenchContext, logFile } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { freePort } from '../lib/gateway.js';
import { measureHttp } from '../lib/measure-http.js';
import { pinned, SERVER_CPU } from '../lib/pinning.js';
import { type Child, spawnChild, waitForOk } from '../lib/processes.js';
import type { Measurement } from '../results.js';

export async function measureBareFastify(ctx: BenchContext, round: number): Promise<Measurement> {
  return measureHttp(ctx, {
    id: 'fastify',
    round,
    load: { bodies: orderPool(1000), docsPerBody: 1, contentType: 'application/json' },
    start: () => startBareFastify(ctx, logFile(ctx, `fastify-r${round}`)),
  });
}

/** The bare route as its own process on the server core; its URL is where to POST. */
export async function startBareFastify(
  ctx: BenchContext,
  file: string,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const [command, args] = pinned(SERVER_CPU, process.execPath, [
    path.join(ctx.root, 'dist', 'bench', 'servers', 'bare-fastify.js'),
    String(port),
  ]);
  const child = spawnChild('bare-fastify', command, args, { logFile: file });
  await waitForOk(`http://127.0.0.1:${port}/readyz`, child);
  return { child, url: `http://127.0.0.1:${port}/ingest` };
}
