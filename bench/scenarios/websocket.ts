// Scenario 3: WebSocket streaming. Several connections, frames pipelined up to a window of unanswered frames;
// an answer {"status":"ok"} means Kafka acknowledged every document of the frame with acks=all. Time to ack is
// from sending a frame to reading its answer.
import { type BenchContext, logFile } from '../lib/context.js';
import { batchBodies, orderPool } from '../lib/documents.js';
import { batchFigures, ORDERS_PATH, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { countRecords, createTopics, topicFor } from '../lib/kafka.js';
import { runLoadProcess } from '../lib/load-process.js';
import { mib, peakRssBytes } from '../lib/processes.js';
import type { WsLoadResult } from '../lib/ws-load.js';
import type { Measurement } from '../results.js';

export const WS_CONNECTIONS = 8;

export interface WsShape {
  id: string;
  docsPerFrame: number;
  /** Unanswered frames per connection. */
  window: number;
}

/** One document per frame (a browser sending events as they happen) and NDJSON frames of 100 (a service). */
export const WS_SHAPES: WsShape[] = [
  { id: 'websocket-1', docsPerFrame: 1, window: 16 },
  { id: 'websocket', docsPerFrame: 100, window: 4 },
];

export async function measureWebSocket(
  ctx: BenchContext,
  shape: WsShape,
  round: number,
  nodeArgs: string[] = [],
  client: 'serve' | 'confluent' = 'serve',
  flags: string[] = [],
): Promise<Measurement> {
  const topic = topicFor(shape.id);
  await createTopics(ctx.bootstrap, [topic]);
  const catalog = await writeOrdersCatalog(ctx.workDir, topic);
  const gw = await startGatewayProcess({
    root: ctx.root,
    catalog,
    bootstrap: ctx.bootstrap,
    flags: [...ctx.settings.gatewayFlags, ...flags],
    nodeArgs,
    client,
    logFile: logFile(ctx, `${shape.id}-r${round}`),
  });
  try {
    const frames = shape.docsPerFrame === 1 ? orderPool(1000) : batchBodies(20, shape.docsPerFrame, 'ndjson');
    const load = {
      url: `${gw.url.replace('http', 'ws')}${ORDERS_PATH}`,
      frames,
      docsPerFrame: shape.docsPerFrame,
      connections: WS_CONNECTIONS,
      window: shape.window,
    };
    const loaded = await runLoadProcess<WsLoadResult>(
      ctx,
      `${shape.id}-r${round}`,
      { kind: 'ws', load, warmupSec: ctx.settings.warmupSec, durationSec: ctx.settings.durationSec },
      { server: gw.child.pid, kafka: ctx.kafkaPid },
    );
    const { result: run, cores } = loaded;
    const warm = loaded.warm ?? { okDocs: 0 };
    const peakRssMiB = mib(peakRssBytes(gw.child.pid));
    const batches = await batchFigures(gw.url);
    await gw.child.stop();
    const recordsInTopic = await countRecords(ctx.bootstrap, topic);
    const acked = warm.okDocs + run.okDocs;
    const m: Measurement = {
      id: shape.id,
      round,
      durationSec: run.durationSec,
      docsPerSec: run.docsPerSec,
      requestsPerSec: Math.round(run.frames / run.durationSec),
      latencyMs: run.latencyMs,
      cores,
      peakRssMiB,
      ok: run.frames - run.notOk,
      non2xx: run.notOk,
      errors: 0,
      recordsInTopic,
      note:
        `${WS_CONNECTIONS} connections, ${shape.docsPerFrame} document(s) per frame, up to ${shape.window} ` +
        `unanswered frames each; req/s column is frames/s; ${batches}` +
        (recordsInTopic < acked ? `; only ${recordsInTopic} records in Kafka for ${acked} acknowledged` : ''),
    };
    ctx.log(
      `${shape.id} r${round}: ${m.docsPerSec} docs/s, ${m.requestsPerSec} frames/s, p50 ${run.latencyMs.p50} ms, ` +
        `p99 ${run.latencyMs.p99} ms, cores ${JSON.stringify(cores)}, not ok ${run.notOk}; ${batches}`,
    );
    return m;
  } finally {
    await gw.child.stop();
  }
}
