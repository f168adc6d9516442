// CPU cost per document at a fixed rate the gateway sustains easily: CPU microseconds of the gateway process per
// acknowledged document. Unlike peak throughput this barely moves when other users load the machine (as long as
// the gateway keeps up), so it is the figure used to judge hot-path changes (A/B with --flags).
import { type BenchContext, logFile } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { ORDERS_PATH, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { createTopics, topicFor } from '../lib/kafka.js';
import type { HttpLoadResult } from '../lib/load.js';
import { runLoadProcess } from '../lib/load-process.js';
import { type Child, round } from '../lib/processes.js';
import type { Measurement } from '../results.js';
import { startBareFastify } from './fastify-baseline.js';

export async function measureCost(
  ctx: BenchContext,
  rate: number,
  roundNo: number,
  extra: { flags?: string[]; id?: string; server?: 'gateway' | 'fastify'; nodeArgs?: string[] } = {},
): Promise<Measurement> {
  const id = extra.id ?? 'cost';
  let gw: { child: Child; url: string };
  if (extra.server === 'fastify') {
    // Issue 17: the bare Fastify route at the same rate, so the per-core ratio compares like with like.
    gw = await startBareFastify(ctx, logFile(ctx, `${id}-r${roundNo}`));
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
    gw = { child: started.child, url: `${started.url}${ORDERS_PATH}` };
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
    const batches = extra.server === 'fastify' ? '' : await produceCalls(gw.url);
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

/**
 * How the gateway's documents went to Kafka over the run (warm-up included), from its own /metrics: documents per
 * produce call and a call's mean time from send to acknowledgement (time queued inside the client included).
 */
async function produceCalls(bindingUrl: string): Promise<string> {
  try {
    const text = await (await fetch(new URL('/metrics', bindingUrl))).text();
    const sum = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    const calls = sum('tributary_kafka_batch_documents_count');
    if (calls === 0) return '';
    const docs = sum('tributary_kafka_batch_documents_sum');
    const ms =
      (sum('tributary_kafka_produce_duration_seconds_sum') * 1000) /
      sum('tributary_kafka_produce_duration_seconds_count');
    return `; ${round(docs / calls, 1)} documents per produce call, ${round(ms, 2)} ms each`;
  } catch {
    return '';
  }
}
