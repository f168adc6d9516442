// Headline figures: each system's median over rounds, and the targets computed from them.
import { median } from '../lib/stats.js';
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
  return Math.round((x.docsPerSec / y.docsPerSec) * 100) / 100;
}

function halfLoadPoint(results: BenchResults) {
  return results.curve.find((p) => p.share === 0.5);
}

export function computeTargets(results: BenchResults): Target[] {
  const why = (id: string, fallback: string) => `not measured: ${results.unavailable[id] ?? fallback}`;
  const fastify = ratio(results, 'webhooks', 'fastify');
  const bridge = ratio(results, 'webhooks', 'bridge');
  const ws = ratio(results, 'websocket', 'kafkajs');
  const half = halfLoadPoint(results);
  const idle = results.scale.idleWebSockets;
  const catalog = results.scale.catalog;
  return [
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
      name: 'p99 time to 2xx at half of peak load',
      goal: '≤ 20 ms',
      measured:
        half === undefined ? why('curve', 'no run') : `${half.latencyMs.p99} ms at ${half.targetRate} docs/s`,
      met: half === undefined ? undefined : half.latencyMs.p99 <= 20,
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
      measured: catalog === undefined ? why('catalog', 'no run') : `${(catalog.readyMs / 1000).toFixed(2)} s`,
      met: catalog === undefined ? undefined : catalog.readyMs <= 3000,
    },
  ];
}
