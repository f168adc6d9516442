// Scenario 5c: latency versus offered load for scenario 1. One gateway, a fixed request rate per step as a share
// of the peak measured earlier in the same run, paced evenly and open-loop (bench/lib/paced-load.ts).
import { type BenchContext, logFile } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { ORDERS_PATH, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { createTopics, topicFor } from '../lib/kafka.js';
import { runLoadProcess } from '../lib/load-process.js';
import type { PacedLoadResult } from '../lib/paced-load.js';
import type { CurvePoint } from '../results.js';

export const CURVE_SHARES = [0.1, 0.25, 0.5, 0.75, 0.9, 1.0];

export async function measureLatencyCurve(ctx: BenchContext, peakDocsPerSec: number): Promise<CurvePoint[]> {
  const topic = topicFor('curve');
  await createTopics(ctx.bootstrap, [topic]);
  const catalog = await writeOrdersCatalog(ctx.workDir, topic);
  const gw = await startGatewayProcess({
    root: ctx.root,
    catalog,
    bootstrap: ctx.bootstrap,
    flags: ctx.settings.gatewayFlags,
    logFile: logFile(ctx, 'curve'),
  });
  const bodies = orderPool(1000);
  const load = {
    url: `${gw.url}${ORDERS_PATH}`,
    bodies,
    docsPerBody: 1,
    contentType: 'application/json',
    connections: ctx.settings.connections,
  };
  const points: CurvePoint[] = [];
  try {
    // Load from its own pinned process (bench/clients/load.ts), like every scenario since issue 17.
    const pids = { server: gw.child.pid, kafka: ctx.kafkaPid };
    await runLoadProcess(
      ctx,
      'curve-warm',
      { kind: 'http', load, warmupSec: 0, durationSec: ctx.settings.warmupSec },
      pids,
    );
    for (const share of CURVE_SHARES) {
      const targetRate = Math.max(1, Math.round(peakDocsPerSec * share));
      const { result: run } = await runLoadProcess<PacedLoadResult>(
        ctx,
        `curve-${share}`,
        {
          kind: 'paced',
          load: {
            url: load.url,
            bodies,
            contentType: load.contentType,
            rate: targetRate,
            maxSockets: ctx.settings.connections,
          },
          warmupSec: 0,
          durationSec: Math.max(3, Math.round(ctx.settings.durationSec / 2)),
        },
        pids,
      );
      points.push({
        targetRate,
        share,
        docsPerSec: run.docsPerSec,
        latencyMs: run.latencyMs,
        non2xx: run.non2xx,
      });
      ctx.log(
        `curve ${Math.round(share * 100)}% (${targetRate}/s): ${run.docsPerSec} docs/s, p50 ${run.latencyMs.p50} ms, ` +
          `p99 ${run.latencyMs.p99} ms`,
      );
    }
  } finally {
    await gw.child.stop();
  }
  return points;
}
