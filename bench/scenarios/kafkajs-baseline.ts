// Baseline (b): a bare producer (kafkajs, or another client to compare), same documents and keys, acks=-1. Large
// batches by default; the `small` shape is closer to what the gateway's batcher sends under webhook load.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type BenchContext, logFile, waitForOutput } from '../lib/context.js';
import { countRecords, createTopics, topicFor } from '../lib/kafka.js';
import { pinned, SERVER_CPU } from '../lib/pinning.js';
import { CpuMeter, mib, spawnChild, watchPeakRss } from '../lib/processes.js';
import { round } from '../lib/stats.js';
import type { Measurement } from '../results.js';

export const KAFKAJS_BATCH_DOCS = 500;
export const KAFKAJS_IN_FLIGHT = 4;

/** Documents per send() and sends in flight; ids get the suffix (e.g. kafkajs-small). */
export interface ProducerShape {
  suffix: string;
  batchDocs: number;
  inFlight: number;
  /** The records the gateway produces (idempotent, lz4, `_meta`, five headers): @platformatic/kafka only. */
  asGateway?: boolean;
}
export const LARGE_BATCHES: ProducerShape = {
  suffix: '',
  batchDocs: KAFKAJS_BATCH_DOCS,
  inFlight: KAFKAJS_IN_FLIGHT,
};
export const SMALL_BATCHES: ProducerShape = { suffix: '-small', batchDocs: 20, inFlight: 16 };
/**
 * Large batches of the gateway's own records: what the client costs for what the gateway sends (the plain
 * baseline sends bare documents, no headers, uncompressed, not idempotent), so the gap between this row and the
 * gateway is the gateway's own work.
 */
export const AS_GATEWAY: ProducerShape = { ...LARGE_BATCHES, suffix: '-as-gateway', asGateway: true };

export type ClientKind = 'kafkajs' | 'confluent' | 'platformatic';

/** Whether @confluentinc/kafka-javascript can be loaded here (it is optional, see the client). */
export async function confluentAvailable(): Promise<string | undefined> {
  try {
    const name = '@confluentinc/kafka-javascript';
    await import(name);
    return undefined;
  } catch (err) {
    return `@confluentinc/kafka-javascript is not installed (${(err as Error).message.split('\n')[0]})`;
  }
}

export async function measureBareKafkajs(
  ctx: BenchContext,
  roundNo: number,
  client: ClientKind = 'kafkajs',
  shape: ProducerShape = LARGE_BATCHES,
): Promise<Measurement> {
  const id = `${client}${shape.suffix}`;
  const topic = topicFor(id);
  await createTopics(ctx.bootstrap, [topic]);
  const { settings } = ctx;
  const file = logFile(ctx, `${id}-r${roundNo}`);
  const [command, args] = pinned(SERVER_CPU, process.execPath, [
    path.join(ctx.root, 'dist', 'bench', 'clients', 'kafkajs-producer.js'),
    JSON.stringify({
      client,
      bootstrap: ctx.bootstrap,
      topic,
      warmupSec: settings.warmupSec,
      durationSec: settings.durationSec,
      batchDocs: shape.batchDocs,
      inFlight: shape.inFlight,
      asGateway: shape.asGateway === true,
    }),
  ]);
  const child = spawnChild(id, command, args, {
    logFile: file,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  try {
    const peakRss = watchPeakRss(child.pid);
    await waitForOutput(child, 'measuring', 60_000);
    const meter = new CpuMeter({ client: child.pid, kafka: ctx.kafkaPid, load: process.pid });
    meter.start();
    await waitForOutput(child, '"docs"', (settings.durationSec + 60) * 1000);
    const cores = meter.stop();
    const peakRssMiB = mib(peakRss());
    const line = (await readFile(file, 'utf8')).split('\n').find((l) => l.startsWith('{"docs"'))!;
    const r = JSON.parse(line) as {
      docs: number;
      seconds: number;
      cores: number;
      batchLatencyMs: { p50: number; p99: number };
    };
    await child.stop();
    const m: Measurement = {
      id,
      round: roundNo,
      durationSec: round(r.seconds, 1),
      docsPerSec: round(r.docs / r.seconds),
      latencyMs: r.batchLatencyMs,
      cores: { ...cores, client: round(r.cores, 2) },
      peakRssMiB,
      ok: r.docs,
      recordsInTopic: await countRecords(ctx.bootstrap, topic),
      note:
        `${shape.batchDocs} documents per send(), ${shape.inFlight} sends in flight; latency is per send()` +
        (shape.asGateway ? '; the gateway’s records: `_meta`, five headers, lz4, idempotent' : ''),
    };
    ctx.log(`${id} r${roundNo}: ${m.docsPerSec} docs/s, cores ${JSON.stringify(m.cores)}`);
    return m;
  } finally {
    await child.stop();
  }
}
