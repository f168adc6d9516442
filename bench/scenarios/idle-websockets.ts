// Scenario 5a: many idle WebSocket connections held open at once; the gateway's resident memory with all of them
// open, less before, per connection. Each connection costs a file descriptor on both sides: the runner raises
// nothing itself, so `ulimit -n` must exceed the count (checked first, with the exact reason if not).
import { execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import type WebSocket from 'ws';
import { type BenchContext, logFile } from '../lib/context.js';
import { ORDERS_PATH, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { mib, rssBytes } from '../lib/processes.js';
import { round } from '../lib/stats.js';
import { openSocket } from '../lib/ws-load.js';
import type { ScaleResults } from '../results.js';

const OPEN_CONCURRENCY = 200;

export function fdLimit(): number {
  const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

/** Lets the gateway settle (GC, lazily allocated buffers) before reading its RSS: lowest of a few readings. */
async function settledRss(pid: number): Promise<number> {
  let low = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    await delay(400);
    low = Math.min(low, rssBytes(pid));
  }
  return low;
}

export async function measureIdleWebSockets(
  ctx: BenchContext,
): Promise<NonNullable<ScaleResults['idleWebSockets']>> {
  const count = ctx.settings.idleConnections;
  const limit = fdLimit();
  if (limit < count + 1000) {
    throw new Error(`ulimit -n is ${limit}; ${count} idle connections need at least ${count + 1000}`);
  }
  const catalog = await writeOrdersCatalog(ctx.workDir, 'bench.idle');
  const gw = await startGatewayProcess({
    root: ctx.root,
    catalog,
    bootstrap: ctx.bootstrap,
    flags: [...ctx.settings.gatewayFlags, '--ws-max-connections', String(count + 100)],
    logFile: logFile(ctx, 'idle-websockets'),
  });
  const sockets: WebSocket[] = [];
  try {
    const url = `${gw.url.replace('http', 'ws')}${ORDERS_PATH}`;
    // A few connections first, so what every connection shares (ws, the upgrade path) is already loaded.
    for (let i = 0; i < 10; i++) sockets.push(await openSocket(url));
    const before = await settledRss(gw.child.pid);
    const started = performance.now();
    let opened = sockets.length;
    await Promise.all(
      Array.from({ length: OPEN_CONCURRENCY }, async () => {
        while (opened < count) {
          opened++;
          sockets.push(await openSocket(url));
        }
      }),
    );
    const openMs = performance.now() - started;
    const after = await settledRss(gw.child.pid);
    const perConnection = (after - before) / (sockets.length - 10);
    const result = {
      connections: sockets.length,
      rssBeforeMiB: mib(before),
      rssAfterMiB: mib(after),
      bytesPerConnection: round(perConnection),
      openMs: round(openMs),
    };
    ctx.log(`idle websockets: ${JSON.stringify(result)}`);
    return result;
  } finally {
    for (const ws of sockets) ws.terminate();
    await gw.child.stop();
  }
}
