// Headline figures: each system's median over rounds, and the targets computed from them.
import { median, round } from '../lib/stats.js';
import type { BenchResults, Measurement } from '../results.js';

export interface Target {
  name: string;
  goal: string;
  measured: string;
  /** undefined: could not be measured in this run. */
  met: boolean | undefined;
}

interface Summary {
  id: string;
  docsPerSec: number;
  min: number;
  max: number;
  rounds: number;
  /** The round closest to the median, for the other columns. */
  typical: Measurement;
}

/** How to read the tables, and what issue 6 changed with this bench's evidence. Static: it names no figure. */
export function summarize(results: BenchResults, id: string): Summary | undefined {
  const ms = results.measurements.filter((m) => m.id === id);
  if (ms.length === 0) return undefined;
  const rates = ms.map((m) => m.docsPerSec);
  const mid = median(rates);
  const typical = ms.reduce((best, m) =>
    Math.abs(m.docsPerSec - mid) < Math.abs(best.docsPerSec - mid) ? m : best,
  );
  return {
    id,
    docsPerSec: Math.round(mid),
    min: Math.min(...rates),
    max: Math.max(...rates),
    rounds: ms.length,
    typical,
  };
}

export function ratio(results: BenchResults, a: string, b: string): number | undefined {
  const x = summarize(results, a);
  const y = summarize(results, b);
  if (x === undefined || y === undefined || y.docsPerSec === 0) return undefined;
  return round(x.docsPerSec / y.docsPerSec, 2);
}

/**
 * CPU microseconds of the measured process per document (gateway, bare server or bare producer), median over
 * rounds: the figure that survives a noisy machine (issue 17), since other load slows a process but does not make
 * each of its documents cost more CPU.
 */
export function usPerDoc(results: BenchResults, id: string): number | undefined {
  const each = results.measurements
    .filter((m) => m.id === id)
    .map(usOf)
    .filter((us): us is number => us !== undefined);
  return each.length === 0 ? undefined : round(median(each), 1);
}

/** One round's CPU µs per document: the server's cores when it has one, else the client's (bare producers). */
function usOf(m: Measurement | undefined): number | undefined {
  const cores = m?.cores?.['server'] ?? m?.cores?.['client'];
  return cores === undefined || m === undefined || m.docsPerSec === 0
    ? undefined
    : (cores * 1e6) / m.docsPerSec;
}

/** Documents per core of `a` against `b`: b's CPU µs per document over a's. */
export function perCoreRatio(results: BenchResults, a: string, b: string): number | undefined {
  const x = usPerDoc(results, a);
  const y = usPerDoc(results, b);
  if (x === undefined || y === undefined || x === 0) return undefined;
  return round(y / x, 2);
}

/**
 * `a` against `b` per core, round by round: each round's two rows ran back to back (alternating order), so they
 * share the machine's load of the moment. Median of the per-round ratios, with their range.
 */
export function pairedPerCore(
  results: BenchResults,
  a: string,
  b: string,
): { ratio: number; min: number; max: number; pairs: number } | undefined {
  const ratios: number[] = [];
  for (const x of results.measurements.filter((m) => m.id === a)) {
    const ux = usOf(x);
    const uy = usOf(results.measurements.find((m) => m.id === b && m.round === x.round));
    if (ux !== undefined && uy !== undefined && ux > 0) ratios.push(uy / ux);
  }
  if (ratios.length === 0) return undefined;
  return {
    ratio: round(median(ratios), 2),
    min: round(Math.min(...ratios), 2),
    max: round(Math.max(...ratios), 2),
    pairs: ratios.length,
  };
}

/**
 * The per-core target (issue 17): both sides at the same fixed request rate (`cost`, `cost-fastify`) when the run
 * has them, as the median of paired rounds. CPU µs per document of a process that idles between requests is
 * inflated by wake-ups and tiny batches, so the closed-loop rows (each side at whatever rate its own answers allow:
 * the gateway waiting on acks=all at 0.3 cores, Fastify at 0.5) compare different operating points; they are the
 * fallback only.
 */
export function perCoreTarget(
  results: BenchResults,
): { ratio: number; gateway: string; baseline: string; how: string } | undefined {
  const fixed = pairedPerCore(results, 'cost', 'cost-fastify');
  if (fixed !== undefined) {
    const rate = results.measurements.find((m) => m.id === 'cost')?.note?.match(/fixed (\d+)/)?.[1];
    const spread =
      fixed.pairs > 1 ? `median of ${fixed.pairs} paired rounds, ${fixed.min}–${fixed.max}; ` : '';
    return {
      ratio: fixed.ratio,
      gateway: 'cost',
      baseline: 'cost-fastify',
      how: `${spread}both at ${rate ?? 'one'} requests/s`,
    };
  }
  const closed = perCoreRatio(results, 'webhooks', 'fastify');
  if (closed === undefined) return undefined;
  return {
    ratio: closed,
    gateway: 'webhooks',
    baseline: 'fastify',
    how: 'closed loop, each at its own rate',
  };
}

function halfLoadPoint(results: BenchResults) {
  return results.curve.find((p) => p.share === 0.5 && p.server !== 'fastify');
}

export function computeTargets(results: BenchResults): Target[] {
  const why = (id: string, fallback: string) => `not measured: ${results.unavailable[id] ?? fallback}`;
  const fastify = ratio(results, 'webhooks', 'fastify');
  const perCore = perCoreTarget(results);
  const bridge = ratio(results, 'webhooks', 'bridge');
  const ws = ratio(results, 'websocket', 'kafkajs');
  const wsClient = ratio(results, 'websocket', 'platformatic');
  // Information beside the target, which stays against the plain producer: the same client sending the records the
  // gateway sends (`_meta`, headers, lz4, idempotent), so what is left of the gap is the gateway's own work.
  const wsClientLike = ratio(results, 'websocket', 'platformatic-as-gateway');
  const us = (id: string) => usPerDoc(results, id);
  const half = halfLoadPoint(results);
  const idle = results.scale.idleWebSockets;
  const catalog = results.scale.catalog;
  return [
    {
      name: 'Webhooks vs bare Fastify per core (CPU µs per document)',
      goal: '≥ 0.6x (aim 0.7x)',
      measured:
        perCore === undefined
          ? why('cost-fastify', 'no run')
          : `${perCore.ratio}x (${us(perCore.baseline)} / ${us(perCore.gateway)} µs, ${perCore.how})`,
      met: perCore === undefined ? undefined : perCore.ratio >= 0.6,
    },
    {
      name: 'Webhooks vs bare Fastify (docs/s)',
      goal: '≥ 0.7x',
      measured: fastify === undefined ? why('fastify', 'no run') : `${fastify}x`,
      met: fastify === undefined ? undefined : fastify >= 0.7,
    },
    {
      name: 'Webhooks vs Strimzi Kafka Bridge (docs/s)',
      goal: '≥ 3x',
      measured: bridge === undefined ? why('bridge', 'no run') : `${bridge}x`,
      met: bridge === undefined ? undefined : bridge >= 3,
    },
    {
      name: 'WebSocket vs bare kafkajs (docs/s)',
      goal: '≥ 0.8x',
      measured: ws === undefined ? why('websocket', 'no run') : `${ws}x`,
      met: ws === undefined ? undefined : ws >= 0.8,
    },
    {
      name: 'WebSocket vs bare @platformatic/kafka (docs/s)',
      goal: '≥ 0.5x',
      measured:
        wsClient === undefined
          ? why('platformatic', 'no run')
          : `${wsClient}x` +
            (wsClientLike === undefined
              ? ''
              : ` (${wsClientLike}x the same client producing the gateway’s records)`),
      met: wsClient === undefined ? undefined : wsClient >= 0.5,
    },
    {
      name: 'p99 time to 2xx at half of peak load',
      goal: '≤ 10 ms',
      measured:
        half === undefined ? why('curve', 'no run') : `${half.latencyMs.p99} ms at ${half.targetRate} docs/s`,
      met: half === undefined ? undefined : half.latencyMs.p99 <= 10,
    },
    {
      name: 'Memory per idle WebSocket connection',
      goal: '≤ 30 KiB',
      measured:
        idle === undefined
          ? why('idle-websockets', 'no run')
          : `${(idle.bytesPerConnection / 1024).toFixed(1)} KiB (${idle.connections} connections)`,
      met: idle === undefined ? undefined : idle.bytesPerConnection <= 30 * 1024,
    },
    {
      name: `Start-up with ${catalog?.bindings ?? 1000} bindings (spawn to ready)`,
      goal: '≤ 3 s',
      measured: catalog === undefined ? why('catalog', 'no run') : startUpMeasured(catalog),
      met: catalog === undefined ? undefined : catalog.readyMs <= 3000,
    },
  ];
}

/** The median start, and each start when there were several (results before 2026-12-04 have one). */
function startUpMeasured(catalog: NonNullable<BenchResults['scale']['catalog']>): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const each = catalog.readyMsEach ?? [];
  if (each.length < 2) return `${seconds(catalog.readyMs)} s`;
  return `${seconds(catalog.readyMs)} s (median of ${each.length} starts, ${each.map(seconds).join(', ')})`;
}
