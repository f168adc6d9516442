// CPU cost per document at a fixed rate the gateway sustains easily: CPU microseconds of the gateway process per
// acknowledged document. Unlike peak throughput this barely moves when other users load the machine (as long as
// the gateway keeps up), so it is the figure used to judge hot-path changes (A/B with --flags).
import { type BenchContext, logFile } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { batchFigures, ORDERS_PATH, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { createTopics, topicFor } from '../lib/kafka.js';
import type { HttpLoadResult } from '../lib/load.js';
import { runLoadProcess } from '../lib/load-process.js';
import type { Child } from '../lib/processes.js';
import { round } from '../lib/stats.js';
import type { Measurement } from '../results.js';
import { startBareFastify } from './fastify-baseline.js';

export async function measureCost(
  ctx: BenchContext,
  rate: number,
  roundNo: number,
  extra: { flags?: string[]; id?: string; server?: 'gateway' | 'fastify'; nodeArgs?: string[] } = {},
): Promise<Measurement> {
  const id = extra.id ?? 'cost';
  let gw: { child: Child; url: string; base: string };
  if (extra.server === 'fastify') {
    // Issue 17: the bare Fastify route at the same rate, so the per-core ratio compares like with like.
    const bare = await startBareFastify(ctx, logFile(ctx, `${id}-r${roundNo}`));
    gw = { ...bare, base: bare.url };
  } else {
    const topic = topicFor(id);
    await createTopics(ctx.bootstrap, [topic]);
    const catalog = await writeOrdersCatalog(ctx.workDir, topic);
    const started = await startGatewayProcess({
      root: ctx.root,
      catalog,
      bootstrap: ctx.bootstrap,
      flags: [...ctx.settings.gatewayFlags, ...(extra.flags ?? [])],
      ...(extra.nodeArgs === undefined ? {} : { nodeArgs: extra.nodeArgs }),
      logFile: logFile(ctx, `${id}-r${roundNo}`),
    });
    gw = { child: started.child, url: `${started.url}${ORDERS_PATH}`, base: started.url };
  }
  try {
    const load = {
      url: gw.url,
      bodies: orderPool(1000),
      docsPerBody: 1,
      contentType: 'application/json',
      connections: ctx.settings.connections,
      overallRate: rate,
    };
    const { result: run, cores } = await runLoadProcess<HttpLoadResult>(
      ctx,
      `${id}-r${roundNo}`,
      { kind: 'http', load, warmupSec: ctx.settings.warmupSec, durationSec: ctx.settings.durationSec },
      { server: gw.child.pid, kafka: ctx.kafkaPid },
    );
    const usPerDoc = round(((cores['server'] ?? 0) * 1e6) / run.docsPerSec, 1);
    const batches = extra.server === 'fastify' ? '' : `; ${await batchFigures(gw.base)}`;
    ctx.log(
      `${id} r${roundNo} at ${rate}/s: ${run.docsPerSec} docs/s, ${usPerDoc} µs CPU per document, ` +
        `p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, cores ${JSON.stringify(cores)}${batches}`,
    );
    return {
      id,
      round: roundNo,
      durationSec: run.durationSec,
      docsPerSec: run.docsPerSec,
      requestsPerSec: run.requestsPerSec,
      latencyMs: run.latencyMs,
      cores,
      ok: run.ok,
      non2xx: run.non2xx,
      errors: run.errors,
      note: `${usPerDoc} µs gateway CPU per document at a fixed ${rate} requests/s${batches}`,
    };
  } finally {
    await gw.child.stop();
  }
}
