// One HTTP measurement: a fresh server (gateway or baseline) and topic, a warm-up, then a timed run with the
// server's CPU, the broker's CPU and the machine's load metered over exactly the measured window.
import type { Measurement } from '../results.js';
import type { BenchContext } from './context.js';
import type { HttpLoad, HttpLoadResult } from './load.js';
import { runLoadProcess } from './load-process.js';
import { type Child, mib, peakRssBytes } from './processes.js';

export interface HttpTarget {
  child: Child;
  /** Where to POST. */
  url: string;
}

export interface HttpMeasureSpec {
  id: string;
  round: number;
  load: Omit<HttpLoad, 'url' | 'durationSec' | 'connections'> & { connections?: number };
  /** Starts the server under test; it is stopped after the run. */
  start(): Promise<HttpTarget>;
  /** Counts what reached Kafka once the server stopped (omitted for servers that write nothing). */
  count?(): Promise<number>;
  note?: string;
}

export async function measureHttp(ctx: BenchContext, spec: HttpMeasureSpec): Promise<Measurement> {
  const { settings } = ctx;
  const target = await spec.start();
  try {
    const load = {
      ...spec.load,
      url: target.url,
      connections: spec.load.connections ?? settings.connections,
    };
    // The generator in its own process, pinned away from the server's core (bench/lib/pinning.ts).
    const loaded = await runLoadProcess<HttpLoadResult>(
      ctx,
      `${spec.id}-r${spec.round}`,
      { kind: 'http', load, warmupSec: settings.warmupSec, durationSec: settings.durationSec },
      { server: target.child.pid, kafka: ctx.kafkaPid },
    );
    const { result: run, cores } = loaded;
    const warm = loaded.warm ?? { ok: 0 };
    const peakRssMiB = mib(peakRssBytes(target.child.pid));
    await target.child.stop();
    const m: Measurement = {
      id: spec.id,
      round: spec.round,
      durationSec: run.durationSec,
      docsPerSec: run.docsPerSec,
      requestsPerSec: run.requestsPerSec,
      latencyMs: run.latencyMs,
      cores,
      peakRssMiB,
      ok: run.ok,
      non2xx: run.non2xx,
      errors: run.errors,
    };
    if (spec.count) {
      m.recordsInTopic = await spec.count();
      const acked = (warm.ok + run.ok) * spec.load.docsPerBody;
      if (m.recordsInTopic < acked) {
        m.note = `only ${m.recordsInTopic} records in Kafka for ${acked} acknowledged documents`;
      }
    }
    if (run.non2xx + run.errors > 0) {
      const failed = `${run.non2xx} non-2xx answers and ${run.errors} errors of ${run.requests} requests`;
      m.note = m.note ? `${m.note}; ${failed}` : failed;
    }
    if (spec.note) m.note = m.note ? `${m.note}; ${spec.note}` : spec.note;
    ctx.log(
      `${spec.id} r${spec.round}: ${m.docsPerSec} docs/s, ${m.requestsPerSec} req/s, p50 ${run.latencyMs.p50} ms, ` +
        `p99 ${run.latencyMs.p99} ms, cores ${JSON.stringify(cores)}, non2xx ${run.non2xx}, errors ${run.errors}`,
    );
    return m;
  } finally {
    await target.child.stop();
  }
}
