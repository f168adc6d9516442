// Issue 15: Kafka's own producer benchmark (ProducerPerformance, from the cached kafka-tools jar) writing the bench
// documents through the gateway's Kafka-protocol listener (validated, stamped, produced acks=all by the gateway)
// and, in the same run with the same settings, straight into the broker. Target: the listener at >= 0.5x the
// direct rate. The gateway's CPU per document comes from its process's CPU time over the measured part.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureKafkaJars } from '../../src/local-kafka/broker.js';
import { type BenchContext, logFile, waitForOutput } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { freePort, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { countRecords, createTopics, topicFor } from '../lib/kafka.js';
import { CpuMeter, spawnChild } from '../lib/processes.js';
import { round } from '../lib/stats.js';
import type { Measurement } from '../results.js';

const RECORDS = 300_000;
const WARMUP = 60_000;
/** The listener's topic of the orders binding (capture bench/shop, binding orders). */
const LISTENER_TOPIC = 'bench.shop.orders';

const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/g;

async function producerPerformance(
  ctx: BenchContext,
  id: string,
  bootstrap: string,
  topic: string,
  pids: Record<string, number>,
): Promise<{ m: Measurement; cores: Record<string, number> }> {
  const libs = await ensureKafkaJars({ log: ctx.log });
  const payload = path.join(ctx.workDir, 'listener-payload.ndjson');
  await writeFile(payload, orderPool(1000).join('\n'));
  const file = logFile(ctx, id);
  const child = spawnChild(
    'ProducerPerformance',
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${libs}/*`,
      `-Dlog4j2.configurationFile=${path.join(ctx.root, 'scripts', 'kafka', 'log4j2.properties')}`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(RECORDS),
      '--warmup-records',
      String(WARMUP),
      '--payload-file',
      payload,
      '--throughput',
      '-1',
      '--bootstrap-server',
      bootstrap,
      '--command-property',
      'acks=all',
    ],
    { logFile: file },
  );
  try {
    const meter = new CpuMeter({ client: child.pid, ...pids, kafka: ctx.kafkaPid, load: process.pid });
    meter.start();
    await waitForOutput(child, '99.9th', 300_000);
    await new Promise((r) => setTimeout(r, 500));
    const cores = meter.stop();
    const text = await readFile(file, 'utf8');
    const last = [...text.matchAll(SUMMARY)].at(-1);
    if (last === undefined) throw new Error(`no ProducerPerformance summary in:\n${text.slice(-2000)}`);
    const m: Measurement = {
      id,
      round: 1,
      durationSec: round(Number(last[1]) / Number(last[2]), 1),
      docsPerSec: Math.round(Number(last[2])),
      latencyMs: { p50: Number(last[6]), p99: Number(last[8]), mean: Number(last[4]), max: Number(last[5]) },
      cores,
      ok: Number(last[1]),
    };
    return { m, cores };
  } finally {
    await child.stop();
  }
}

export async function measureKafkaListener(ctx: BenchContext): Promise<Measurement[]> {
  const directTopic = topicFor('listener-direct');
  const viaTopic = topicFor('listener-via');
  await createTopics(ctx.bootstrap, [directTopic, viaTopic]);
  const direct = await producerPerformance(
    ctx,
    'kafka-listener-direct',
    ctx.bootstrap.join(','),
    directTopic,
    {},
  );
  direct.m.recordsInTopic = await countRecords(ctx.bootstrap, directTopic);
  direct.m.note = `${RECORDS} records (${WARMUP} warm-up), --throughput -1, acks=all, straight into the broker`;
  const port = await freePort();
  const gw = await startGatewayProcess({
    root: ctx.root,
    catalog: await writeOrdersCatalog(ctx.workDir, viaTopic),
    bootstrap: ctx.bootstrap,
    flags: [...ctx.settings.gatewayFlags, '--kafka-listen', `127.0.0.1:${port}`],
    logFile: logFile(ctx, 'kafka-listener-gateway'),
  });
  try {
    const via = await producerPerformance(ctx, 'kafka-listener', `127.0.0.1:${port}`, LISTENER_TOPIC, {
      server: gw.child.pid,
    });
    via.m.recordsInTopic = await countRecords(ctx.bootstrap, viaTopic);
    const usPerDoc = round(((via.cores['server'] ?? 0) * 1e6) / via.m.docsPerSec, 1);
    via.m.note =
      `the same, through the gateway's Kafka listener (validated, _meta, produced acks=all); ` +
      `${usPerDoc} µs gateway CPU per document; ${round(via.m.docsPerSec / direct.m.docsPerSec, 2)}x direct`;
    ctx.log(
      `kafka-listener: ${via.m.docsPerSec} docs/s vs ${direct.m.docsPerSec} direct; ${usPerDoc} µs/doc`,
    );
    return [direct.m, via.m];
  } finally {
    await gw.child.stop();
  }
}
