// Baseline (c): the broker ceiling, measured by Kafka's own producer benchmark (org.apache.kafka.tools.
// ProducerPerformance from the kafka-tools jar that scripts/kafka/pom.xml already resolves) with the same
// documents (--payload-file, one per line) and acks=all. Kafka 4.2 deprecated --producer-props for
// --command-property; the 4.3.1 jar accepts both, we use the new one.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureKafkaJars } from '../../src/local-kafka/broker.js';
import { type BenchContext, logFile, waitForOutput } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { countRecords, createTopics, topicFor } from '../lib/kafka.js';
import { CpuMeter, mib, spawnChild, watchPeakRss } from '../lib/processes.js';
import type { Measurement } from '../results.js';

export const PERF_RECORDS = 600_000;
export const PERF_WARMUP_RECORDS = 150_000;

// "600000 records sent, 85000.1 records/sec (83.01 MB/sec), 350.12 ms avg latency, 800.00 ms max latency,
//  330 ms 50th, 600 ms 95th, 700 ms 99th, 790 ms 99.9th."
const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/g;

export async function measureProducerPerf(ctx: BenchContext, round: number): Promise<Measurement> {
  const libs = await ensureKafkaJars({ log: ctx.log });
  const topic = topicFor('producer-perf');
  await createTopics(ctx.bootstrap, [topic]);
  const payload = path.join(ctx.workDir, 'payload.ndjson');
  await writeFile(payload, orderPool(1000).join('\n'));
  const file = logFile(ctx, `producer-perf-r${round}`);
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
      String(PERF_RECORDS),
      '--warmup-records',
      String(PERF_WARMUP_RECORDS),
      '--payload-file',
      payload,
      '--throughput',
      '-1',
      '--bootstrap-server',
      ctx.bootstrap.join(','),
      '--command-property',
      'acks=all',
    ],
    { logFile: file },
  );
  try {
    const peakRss = watchPeakRss(child.pid);
    const meter = new CpuMeter({ client: child.pid, kafka: ctx.kafkaPid, load: process.pid });
    meter.start();
    await waitForOutput(child, '99.9th', 180_000);
    // The steady-state summary (after the warm-up records) follows the overall one when warm-up is set.
    await new Promise((r) => setTimeout(r, 500));
    const cores = meter.stop();
    const peakRssMiB = mib(peakRss());
    await child.stop();
    const text = await readFile(file, 'utf8');
    const summaries = [...text.matchAll(SUMMARY)];
    const last = summaries.at(-1);
    if (last === undefined) throw new Error(`no ProducerPerformance summary in:\n${text.slice(-2000)}`);
    const m: Measurement = {
      id: 'producer-perf',
      round,
      durationSec: Math.round((Number(last[1]) / Number(last[2])) * 10) / 10,
      docsPerSec: Math.round(Number(last[2])),
      latencyMs: { p50: Number(last[6]), p99: Number(last[8]), mean: Number(last[4]), max: Number(last[5]) },
      cores,
      peakRssMiB,
      ok: Number(last[1]),
      recordsInTopic: await countRecords(ctx.bootstrap, topic),
      note: `${PERF_RECORDS} records (${PERF_WARMUP_RECORDS} warm-up), --throughput -1, acks=all; ${summaries.length > 1 ? 'steady-state summary' : 'overall summary'}; latency is per record, queued in the client`,
    };
    ctx.log(`producer-perf: ${m.docsPerSec} docs/s, cores ${JSON.stringify(cores)}`);
    return m;
  } finally {
    await child.stop();
  }
}
