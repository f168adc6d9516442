// Markdown pieces: tables of systems (median round), the latency-versus-load chart (Mermaid xychart-beta, which
// GitHub renders), and the small formatters they share.
import type { BenchResults, CurvePoint } from '../results.js';
import { summarize, usPerDoc } from './targets.js';

export const WS_NOTE =
  'Connections stream frames pipelined up to a window of unanswered frames; latency is from sending a frame to ' +
  'reading its answer (acks=all behind every `ok`), so it includes the time a frame waits behind the window. ' +
  'The req/s column counts frames. The bare kafkajs producer is the ceiling the target compares with; the bare @platformatic/kafka producer is the ' +
  'ceiling of the client the gateway uses.';

export const LABELS: Record<string, string> = {
  webhooks: 'Tributary, 1 document per POST',
  'webhooks-kafkajs': 'Tributary with kafkajs, 1 document per POST',
  'websocket-kafkajs': 'Tributary WebSocket with kafkajs, NDJSON frames of 100',
  'access-log-all': 'Tributary, 1 document per POST, --access-log all',
  'batch-array': 'Tributary, JSON array of 100 per POST',
  'batch-ndjson': 'Tributary, NDJSON of 100 per POST',
  websocket: 'Tributary WebSocket, NDJSON frames of 100',
  'websocket-1': 'Tributary WebSocket, 1 document per frame',
  confluent: '@confluentinc/kafka-javascript producer (librdkafka)',
  'webhooks-confluent': 'Tributary with librdkafka, 1 document per POST',
  'batch-ndjson-confluent': 'Tributary with librdkafka, NDJSON of 100 per POST',
  'websocket-confluent': 'Tributary WebSocket with librdkafka, NDJSON frames of 100',
  fastify: 'bare Fastify route (parse JSON, 200)',
  cost: 'Tributary, 1 document per POST, fixed rate',
  'cost-fastify': 'bare Fastify route, same fixed rate',
  bridge: 'Strimzi Kafka Bridge',
  kafkajs: 'bare kafkajs producer',
  platformatic: 'bare @platformatic/kafka producer',
  'kafkajs-small': 'bare kafkajs producer, 20 documents per send, 16 in flight',
  'platformatic-small': 'bare @platformatic/kafka producer, 20 documents per send, 16 in flight',
  'platformatic-as-gateway':
    'bare @platformatic/kafka producer, the gateway’s records (`_meta`, headers, lz4, idempotent)',
  'producer-perf': 'Kafka ProducerPerformance',
};

export const status = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? '**met**' : '**not met**';
export const num = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

export function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function systemRows(results: BenchResults, ids: string[], serverKey = 'server'): string {
  const rows: (string | number)[][] = [];
  for (const id of ids) {
    const s = summarize(results, id);
    if (s === undefined) {
      if (results.unavailable[id])
        rows.push([
          LABELS[id] ?? id,
          `not run: ${results.unavailable[id]}`,
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
        ]);
      continue;
    }
    const t = s.typical;
    const cores = t.cores?.[serverKey] ?? t.cores?.['client'];
    const range = s.rounds > 1 ? ` (${num(s.min)}–${num(s.max)})` : '';
    rows.push([
      LABELS[id] ?? (id.startsWith('linger-') ? `Tributary, --linger-ms ${id.slice(7)}` : id),
      `${num(s.docsPerSec)}${range}`,
      t.requestsPerSec === undefined ? '–' : num(t.requestsPerSec),
      t.latencyMs ? `${t.latencyMs.p50} / ${t.latencyMs.p99}` : '–',
      cores === undefined ? '–' : cores.toFixed(2),
      cores ? num(s.docsPerSec / cores) : '–',
      usPerDoc(results, id)?.toFixed(1) ?? '–',
      t.cores?.['kafka']?.toFixed(2) ?? '–',
      t.peakRssMiB === undefined ? '–' : `${t.peakRssMiB}`,
      t.recordsInTopic === undefined ? '–' : num(t.recordsInTopic),
      t.non2xx === undefined ? '–' : num(t.non2xx + (t.errors ?? 0)),
      t.cores?.['others']?.toFixed(2) ?? '–',
    ]);
  }
  return table(
    [
      'System',
      'docs/s (median, range)',
      'req/s',
      'p50 / p99 ms',
      'process cores',
      'docs/s per core',
      'CPU µs/doc',
      'broker cores',
      'peak RSS MiB',
      'records in Kafka',
      'failed answers',
      'other users, cores',
    ],
    rows,
  );
}

export function renderCurve(results: BenchResults): string {
  if (results.curve.length === 0) return '_Not measured in this run._';
  const pts = results.curve.filter((p) => p.server !== 'fastify');
  const maxY = Math.max(20, ...pts.map((p) => p.latencyMs.p99));
  const chart = [
    '```mermaid',
    'xychart-beta',
    '  title "Scenario 1: latency vs offered load (upper line p99, lower line p50)"',
    `  x-axis "offered load, documents/s" [${pts.map((p) => `"${p.targetRate}"`).join(', ')}]`,
    `  y-axis "milliseconds" 0 --> ${Math.ceil(maxY * 1.1)}`,
    `  line [${pts.map((p) => p.latencyMs.p99).join(', ')}]`,
    `  line [${pts.map((p) => p.latencyMs.p50).join(', ')}]`,
    '```',
  ].join('\n');
  // The generator's own loop delay and send lag sit beside the p99 it measured: a tail it shares is not the server's.
  const gen = (p: CurvePoint) =>
    p.generator === undefined ? '-' : `${p.generator.loopDelayMaxMs} / ${p.generator.sendLagMaxMs}`;
  const rows = results.curve.map((p) => [
    p.server === 'fastify' ? `bare Fastify ${Math.round(p.share * 100)}%` : `${Math.round(p.share * 100)}%`,
    num(p.targetRate),
    num(p.docsPerSec),
    p.latencyMs.p50,
    p.latencyMs.p99,
    p.fromSendP99Ms ?? '-',
    gen(p),
    p.retransmits ?? '-',
    p.produceCalls === undefined || p.produceCallsOver10ms === undefined
      ? '-'
      : `${num(p.produceCallsOver10ms)} of ${num(p.produceCalls)}`,
    p.cpuWaitMsPerSec ?? '-',
    p.non2xx,
  ]);
  return `${chart}\n\n${table(
    [
      'share of peak',
      'offered docs/s',
      'achieved docs/s',
      'p50 ms',
      'p99 ms',
      'p99 from actual send ms (diagnosis)',
      'generator loop delay / send lag, max ms',
      'TCP retransmits',
      'produce calls over 10 ms',
      'server waiting for a CPU, ms/s',
      'non-2xx',
    ],
    rows,
  )}`;
}
