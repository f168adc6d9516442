// More than one process per machine: several independent `tributary serve` instances on their own ports (what
// a container orchestrator or a reverse proxy in front would run), the webhook load split evenly between them.
// Not node:cluster: the gateway keeps per-process state (batcher, in-flight bound, producer), which instances
// keep naturally and cluster workers would too, so the simpler deployment is the one measured.
import { type BenchContext, logFile } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { ORDERS_PATH, type RunningGateway, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { createTopics, topicFor } from '../lib/kafka.js';
import { runHttpLoad } from '../lib/load.js';
import { CpuMeter } from '../lib/processes.js';
import { round } from '../lib/stats.js';
import type { InstancesResult } from '../results.js';

export async function measureInstances(
  ctx: BenchContext,
  instances: number,
  singleDocsPerSec: number,
): Promise<InstancesResult> {
  const topic = topicFor(`instances${instances}`);
  await createTopics(ctx.bootstrap, [topic]);
  const catalog = await writeOrdersCatalog(ctx.workDir, topic);
  const gateways: RunningGateway[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      gateways.push(
        await startGatewayProcess({
          root: ctx.root,
          catalog,
          bootstrap: ctx.bootstrap,
          flags: ctx.settings.gatewayFlags,
          logFile: logFile(ctx, `instances-${i}`),
          // Unpinned: the instances share both cores, as they would on a host (issue 17).
          pin: false,
        }),
      );
    }
    const bodies = orderPool(1000);
    const loads = (durationSec: number) =>
      Promise.all(
        gateways.map((gw) =>
          runHttpLoad({
            url: `${gw.url}${ORDERS_PATH}`,
            bodies,
            docsPerBody: 1,
            contentType: 'application/json',
            connections: Math.ceil(ctx.settings.connections / instances),
            durationSec,
          }),
        ),
      );
    await loads(ctx.settings.warmupSec);
    const pids: Record<string, number> = { kafka: ctx.kafkaPid, load: process.pid };
    gateways.forEach((gw, i) => {
      pids[`server${i + 1}`] = gw.child.pid;
    });
    const meter = new CpuMeter(pids);
    meter.start();
    const runs = await loads(ctx.settings.durationSec);
    const cores = meter.stop();
    const docsPerSec = runs.reduce((n, r) => n + r.docsPerSec, 0);
    const result: InstancesResult = {
      instances,
      how:
        `${instances} \`tributary serve\` processes on separate ports, unpinned, load split evenly; each holds ` +
        'its own producer, so broker connections grow with the instances (one per broker each)',
      docsPerSec: round(docsPerSec),
      singleDocsPerSec,
      cores,
      latencyMs: {
        p50: Math.max(...runs.map((r) => r.latencyMs.p50)),
        p99: Math.max(...runs.map((r) => r.latencyMs.p99)),
      },
    };
    ctx.log(
      `${instances} instances: ${result.docsPerSec} docs/s (1 instance: ${singleDocsPerSec}), cores ${JSON.stringify(cores)}`,
    );
    return result;
  } finally {
    await Promise.all(gateways.map((gw) => gw.child.stop()));
  }
}
