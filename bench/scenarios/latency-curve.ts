// Scenario 5c: latency versus offered load for scenario 1. One gateway, a fixed request rate per step as a share
// of the peak measured earlier in the same run, paced evenly and open-loop (bench/lib/paced-load.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { type BenchContext, logFile } from '../lib/context.js';
import { orderPool } from '../lib/documents.js';
import { ORDERS_PATH, produceCallsOver, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { createTopics, topicFor } from '../lib/kafka.js';
import { runLoadProcess } from '../lib/load-process.js';
import type { PacedLoadResult } from '../lib/paced-load.js';
import { round } from '../lib/stats.js';
import type { CurvePoint } from '../results.js';
import { startBareFastify } from './fastify-baseline.js';

/** TCP segments the kernel retransmitted so far (all sockets; on loopback any is a stall of >= 200 ms, the RTO floor). */
function retransmittedSegments(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[names.indexOf('RetransSegs')]);
}

const PACED_WARMUP_SEC = 3;

/**
 * Nanoseconds a process's main thread has spent runnable but waiting for a CPU (/proc/<pid>/schedstat, second
 * field): time the event loop could not run because the core was busy with something else. 0 if unreadable.
 */
function runQueueWaitNs(pid: number | undefined): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return 0;
  }
}

export const CURVE_SHARES = [0.1, 0.25, 0.5, 0.75, 0.9, 1.0];

async function pacedStep(
  ctx: BenchContext,
  server: 'gateway' | 'fastify',
  url: string,
  peakDocsPerSec: number,
  share: number,
  pids: Record<string, number>,
): Promise<CurvePoint> {
  const targetRate = Math.max(1, Math.round(peakDocsPerSec * share));
  const retransBefore = retransmittedSegments();
  const waitBefore = runQueueWaitNs(pids['server']);
  const stepStarted = performance.now();
  // Diagnosis of a gateway tail: how many of its produce calls (acks=all) took longer than 10 ms in the step.
  const base = server === 'gateway' ? new URL(url).origin : undefined;
  const produceBefore = base === undefined ? undefined : await produceCallsOver(base, 0.01);
  const { result: run } = await runLoadProcess<PacedLoadResult>(
    ctx,
    `curve-${server}-${share}`,
    {
      kind: 'paced',
      load: {
        url,
        bodies: BODIES,
        contentType: 'application/json',
        rate: targetRate,
        maxSockets: ctx.settings.connections,
      },
      // At the step's own rate, so the measured run starts with the sockets open and the generator warm.
      warmupSec: PACED_WARMUP_SEC,
      durationSec: Math.max(3, Math.round(ctx.settings.durationSec / 2)),
    },
    pids,
  );
  const retransmits = retransmittedSegments() - retransBefore;
  const waitMsPerSec = round(
    (runQueueWaitNs(pids['server']) - waitBefore) / 1e6 / ((performance.now() - stepStarted) / 1000),
    1,
  );
  let produce = '';
  let calls: { produceCalls: number; produceCallsOver10ms: number } | undefined;
  if (base !== undefined && produceBefore !== undefined) {
    const after = await produceCallsOver(base, 0.01);
    calls = {
      produceCalls: after.calls - produceBefore.calls,
      produceCallsOver10ms: after.over - produceBefore.over,
    };
    produce = `, produce calls ${calls.produceCalls} (over 10 ms: ${calls.produceCallsOver10ms})`;
  }
  ctx.log(
    `curve ${server} ${Math.round(share * 100)}% (${targetRate}/s): ${run.docsPerSec} docs/s, p50 ${run.latencyMs.p50} ms, ` +
      `p99 ${run.latencyMs.p99} ms (from actual send ${run.fromSendP99Ms}), max ${run.latencyMs.max} ms; generator loop delay p99 ` +
      `${run.generator.loopDelayP99Ms} / max ${run.generator.loopDelayMaxMs} ms, send lag p99 ` +
      `${run.generator.sendLagP99Ms} / max ${run.generator.sendLagMaxMs} ms, sockets opened ${run.socketsOpened}, ` +
      `TCP retransmits ${retransmits}${produce}, ${server} main thread waiting for a CPU ${waitMsPerSec} ms/s; load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  return {
    server,
    targetRate,
    share,
    docsPerSec: run.docsPerSec,
    latencyMs: run.latencyMs,
    non2xx: run.non2xx,
    generator: run.generator,
    fromSendP99Ms: run.fromSendP99Ms,
    retransmits,
    ...calls,
    cpuWaitMsPerSec: waitMsPerSec,
  };
}

const BODIES = orderPool(1000);

export async function measureLatencyCurve(ctx: BenchContext, peakDocsPerSec: number): Promise<CurvePoint[]> {
  const topic = topicFor('curve');
  await createTopics(ctx.bootstrap, [topic]);
  const catalog = await writeOrdersCatalog(ctx.workDir, topic);
  const gw = await startGatewayProcess({
    root: ctx.root,
    catalog,
    bootstrap: ctx.bootstrap,
    flags: ctx.settings.gatewayFlags,
    // TRIBUTARY_BENCH_TRACE_GC=1: the gateway's GC pauses go to its log, to tell a GC tail from others.
    ...(process.env['TRIBUTARY_BENCH_TRACE_GC'] === '1' ? { nodeArgs: ['--trace-gc'] } : {}),
    logFile: logFile(ctx, 'curve'),
  });
  const load = {
    url: `${gw.url}${ORDERS_PATH}`,
    bodies: BODIES,
    docsPerBody: 1,
    contentType: 'application/json',
    connections: ctx.settings.connections,
  };
  const points: CurvePoint[] = [];
  // TRIBUTARY_BENCH_CURVE_BROKER_CPU=0: the broker's threads (-a) moved to the generator's core for the curve, so
  // the gateway's core holds the gateway alone; restored to every core afterwards.
  const brokerCpu = process.env['TRIBUTARY_BENCH_CURVE_BROKER_CPU'];
  const placeBroker = (cpus: string) => {
    if (brokerCpu !== undefined && ctx.kafkaPid > 0)
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(ctx.kafkaPid)], { stdio: 'ignore' });
  };
  placeBroker(brokerCpu ?? '');
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
      points.push(await pacedStep(ctx, 'gateway', load.url, peakDocsPerSec, share, pids));
    }
  } finally {
    await gw.child.stop();
    placeBroker(`0-${os.cpus().length - 1}`);
  }
  // Control: bare Fastify (no Kafka) at half of peak through the same paced client and placement. A tail here too
  // is the harness's or the machine's, not the gateway's.
  const bare = await startBareFastify(ctx, logFile(ctx, 'curve-fastify'));
  try {
    // Warmed like the gateway, so the control's JIT is as warm as the system it controls for.
    await runLoadProcess(
      ctx,
      'curve-fastify-warm',
      { kind: 'http', load: { ...load, url: bare.url }, warmupSec: 0, durationSec: ctx.settings.warmupSec },
      { server: bare.child.pid },
    );
    points.push(
      await pacedStep(ctx, 'fastify', bare.url, peakDocsPerSec, 0.5, {
        server: bare.child.pid,
        kafka: ctx.kafkaPid,
      }),
    );
  } finally {
    await bare.child.stop();
  }
  if (process.env['TRIBUTARY_BENCH_TRACE_GC'] === '1') {
    // --trace-gc lines end "..., <pause> / <external> ms"; the longest pauses tell whether GC reaches the p99.
    const pauses = [
      ...readFileSync(gw.child.logFile, 'utf8').matchAll(
        /MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/g,
      ),
    ]
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
    ctx.log(
      `curve gateway GC: ${pauses.length} pauses, longest ${pauses.slice(0, 5).join(', ')} ms, over 10 ms: ${pauses.filter((p) => p > 10).length}`,
    );
  }
  return points;
}
