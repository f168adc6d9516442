// bench/results/*.json -> docs/benchmarks.md and the README's performance section. Pure functions (tested with
// a fixture in test/bench/render.test.ts) plus a small CLI: `node dist/bench/render.js [results.json]`.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.js';
import type { BenchResults, Measurement } from './results.js';

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
const READING = [
  '## Reading the results',
  '',
  '- **Per document, the gateway does much more than its baselines.** Beyond parsing (all the bare Fastify ' +
    "route does) it validates against the schema, stamps `_meta` (UUIDv7, receive time) into the sender's text, " +
    'extracts the key, builds a Kafka record with five headers, encodes and sends it with kafkajs (CRC-32C in ' +
    'JavaScript), waits for the acks=all answer, writes two access-log lines and counts metrics. The bare kafkajs ' +
    "producer skips everything before the record. The profile in the notes shows where the gateway's CPU goes.",
  '- **The broker shares the two cores.** Every gateway document also costs broker CPU (the broker cores ' +
    'column); the bare Fastify route costs the broker nothing, so on a bigger machine, or with Kafka elsewhere, ' +
    'the webhook ratio improves.',
  '- **Other users of the machine** took the cores in the last column while each system was measured; ' +
    'the load average above says how busy it was. Rounds are interleaved so bursts hit gateway and baselines ' +
    'alike; per-core figures (docs/s per core) move less than raw throughput.',
  '- **Closed-loop load.** Scenario 1 keeps a fixed number of requests in flight, so latency there is queueing ' +
    '(connections / throughput); the latency curve uses fixed rates instead and is the one to read for latency.',
  '',
  '### Made faster with this bench (issue 6)',
  '',
  '- UUIDv7 from pooled randomness (src/document/meta.ts): 2.3 -> 0.35 µs per document; uuid drew 16 bytes ' +
    "through crypto.getRandomValues on every call, 3% (single POSTs) to 4.7% (NDJSON) of the gateway's CPU.",
  '- Access log: the `req.headers[...]` redact paths matched nothing (the `req` serializer emits no headers) ' +
    'yet cost 5 µs per request: 10.3 -> 5.4 µs for the two lines (src/ops/logger.ts).',
  '- Start-up: the schema cache key (canonical JSON + SHA-256) and the unknown-keyword/format walks are computed ' +
    'once per parsed schema object, not once per collection: `tributary check` of the 1,000-binding catalog ' +
    "went from 10.5 to 4.9 s of CPU. What is left is mostly ajv compiling GitHub's schema once.",
  '- Kept after measuring: `--linger-ms 2` (see the linger table) and kafkajs as the client (see the librdkafka ' +
    'table; it needs a native build that a fresh clone cannot do here).',
  '',
];

const WS_NOTE =
  'Connections stream frames pipelined up to a window of unanswered frames; latency is from sending a frame to ' +
  'reading its answer (acks=all behind every `ok`), so it includes the time a frame waits behind the window. ' +
  'The req/s column counts frames. The bare kafkajs producer is the ceiling the target compares with.';

const LABELS: Record<string, string> = {
  webhooks: 'Tributary, 1 document per POST',
  'batch-array': 'Tributary, JSON array of 100 per POST',
  'batch-ndjson': 'Tributary, NDJSON of 100 per POST',
  websocket: 'Tributary WebSocket, NDJSON frames of 100',
  'websocket-1': 'Tributary WebSocket, 1 document per frame',
  confluent: '@confluentinc/kafka-javascript producer (librdkafka)',
  'webhooks-confluent': 'Tributary with librdkafka, 1 document per POST',
  'batch-ndjson-confluent': 'Tributary with librdkafka, NDJSON of 100 per POST',
  'websocket-confluent': 'Tributary WebSocket with librdkafka, NDJSON frames of 100',
  fastify: 'bare Fastify route (parse JSON, 200)',
  bridge: 'Strimzi Kafka Bridge',
  kafkajs: 'bare kafkajs producer',
  'producer-perf': 'Kafka ProducerPerformance',
};

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

function ratio(results: BenchResults, a: string, b: string): number | undefined {
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

const status = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? '**met**' : '**not met**';
const num = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function systemRows(results: BenchResults, ids: string[], serverKey = 'server'): string {
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
  const pts = results.curve;
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
  const rows = pts.map((p) => [
    `${Math.round(p.share * 100)}%`,
    num(p.targetRate),
    num(p.docsPerSec),
    p.latencyMs.p50,
    p.latencyMs.p99,
    p.non2xx,
  ]);
  return `${chart}\n\n${table(['share of peak', 'offered docs/s', 'achieved docs/s', 'p50 ms', 'p99 ms', 'non-2xx'], rows)}`;
}

export function renderBenchmarks(results: BenchResults, source: string): string {
  const m = results.machine;
  const targets = computeTargets(results);
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `<!-- Generated by bench/render.ts from ${source}: edit the bench, not this file. -->`,
    '',
    `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC with \`npm run bench\`: every system below ran in ` +
      'the same run, against the same local single-node Kafka broker (KRaft, 3-partition topics, acks=all), with ' +
      `the same ~${results.settings['documentBytes']}-byte JSON order documents validated against a realistic ` +
      'schema (bench/lib/documents.ts). Absolute numbers move from machine to machine; **the ratios are the ' +
      'headline**.',
    '',
  );
  out.push('## Machine, versions, settings', '');
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${m.nproc} × ${m.cpuModel}`],
        ['Memory', `${m.memoryGiB} GiB`],
        ['OS', m.os],
        [
          'Load average (1 min)',
          `${m.loadBefore} before; ${m.loadDuring.min}–${m.loadDuring.max} (mean ${m.loadDuring.mean}) during the run`,
        ],
        ...Object.entries(results.versions).map(([k, v]) => [k, `\`${v}\``]),
        ...Object.entries(results.settings).map(([k, v]) => [k, `\`${v}\``]),
      ],
    ),
    '',
  );
  out.push(
    'Everything shares the machine: the broker, the process under test and the load generator (autocannon, in ' +
      'the runner process) all run on the same cores, and other users of the machine may too. Each table gives ' +
      'the cores each process used over the measured window, so a figure can be read per core.',
    '',
  );
  out.push('## Targets', '');
  out.push(
    table(
      ['Target', 'Goal', 'Measured', 'Status'],
      targets.map((t) => [t.name, t.goal, t.measured, status(t.met)]),
    ),
    '',
  );
  out.push(...READING);
  out.push('## Scenario 1: webhooks, one document per POST', '');
  out.push(
    `${results.settings['connections']} keep-alive connections, as fast as answers come, ` +
      `${results.settings['durationSec']} s per round after ${results.settings['warmupSec']} s warm-up, ` +
      `${results.settings['rounds']} rounds interleaved (median and range shown). Latency is time to the answer; ` +
      'for Tributary and the bridge that includes the Kafka acknowledgement.',
    '',
    systemRows(results, ['webhooks', 'fastify', 'bridge']),
    '',
  );
  out.push(
    '## Scenario 2: batches of 100 documents per POST',
    '',
    systemRows(results, ['batch-array', 'batch-ndjson']),
    '',
  );
  out.push('## Scenario 3: WebSocket', '');
  out.push(
    summarize(results, 'websocket')
      ? `${WS_NOTE}\n\n${systemRows(results, ['websocket', 'websocket-1', 'kafkajs'])}`
      : `_Not measured: ${results.unavailable['websocket'] ?? 'no WebSocket run in these results'}._`,
    '',
  );
  out.push(
    'One connection per run, Chromium as a client, and memory while a client out-writes Kafka: ' +
      '[benchmarks-websocket.md](benchmarks-websocket.md) (`npm run bench:websocket`).',
    '',
  );
  out.push(
    '## Scenario 4: client and broker ceilings',
    '',
    'Same documents and keys straight into Kafka, no HTTP and no validation: what one Node.js process with ' +
      'kafkajs can push, and what the broker takes from its own Java producer benchmark. Latency here is per ' +
      'produce call (kafkajs) or per record (ProducerPerformance, which queues records in the client).',
    '',
    systemRows(results, ['kafkajs', 'confluent', 'producer-perf'], 'client'),
    '',
  );
  const lingerIds = [
    ...new Set(results.measurements.map((m) => m.id).filter((id) => id.startsWith('linger-'))),
  ];
  if (lingerIds.length > 0) {
    out.push(
      '## Tuning: batch linger',
      '',
      'Scenario 1 again with `--linger-ms` set to each value (everything else default), one round each: how long ' +
        'a batch waits for company trades latency for fewer, larger produce requests (less CPU in kafkajs and ' +
        'in the broker per document).',
      '',
      systemRows(results, lingerIds),
      '',
    );
  }
  if (summarize(results, 'webhooks-confluent') || summarize(results, 'websocket-confluent')) {
    out.push(
      '## Kafka client: kafkajs or librdkafka',
      '',
      'The same app, pipeline and batcher with `@confluentinc/kafka-javascript` (librdkafka through its ' +
        'KafkaJS-compatible API, linger 2 ms) in place of kafkajs behind the batcher ' +
        '(bench/servers/gateway-confluent.ts), same load, same run. The package is not a dependency: it ' +
        'installs only with a native build here (no prebuilt binary can be fetched), see the notes.',
      '',
      systemRows(results, [
        'webhooks',
        'webhooks-confluent',
        'batch-ndjson',
        'batch-ndjson-confluent',
        'websocket',
        'websocket-confluent',
      ]),
      '',
    );
  }
  out.push('## Scenario 5: scale', '', '### Latency versus load (scenario 1)', '', renderCurve(results), '');
  out.push('### A catalog of many bindings', '');
  const c = results.scale.catalog;
  out.push(
    c === undefined
      ? '_Not measured in this run._'
      : table(
          ['Catalog', 'spawn to ready', 'RSS when ready'],
          [
            [
              `${c.bindings} bindings: ${c.sharedSchemaBindings} on collections sharing GitHub's webhook schema ` +
                `(@octokit/webhooks-schemas), ${c.smallSchemaBindings} on small distinct schemas`,
              `${(c.readyMs / 1000).toFixed(2)} s`,
              `${c.rssMiB} MiB`,
            ],
            [
              '1 binding (same machine, same run)',
              `${(c.baselineReadyMs / 1000).toFixed(2)} s`,
              `${c.baselineRssMiB} MiB`,
            ],
          ],
        ),
    '',
  );
  out.push('### Idle WebSocket connections', '');
  const w = results.scale.idleWebSockets;
  out.push(
    w === undefined
      ? `_Not measured: ${results.unavailable['idle-websockets'] ?? 'no WebSocket run in these results'}._`
      : table(
          ['Connections', 'RSS before', 'RSS with all open', 'per connection', 'time to open all'],
          [
            [
              num(w.connections),
              `${w.rssBeforeMiB} MiB`,
              `${w.rssAfterMiB} MiB`,
              `${(w.bytesPerConnection / 1024).toFixed(1)} KiB`,
              `${(w.openMs / 1000).toFixed(1)} s`,
            ],
          ],
        ),
    '',
  );
  out.push('## More than one process per machine', '');
  const inst = results.instances;
  out.push(
    inst === undefined
      ? '_Not measured in this run._'
      : `${inst.how}. ${num(inst.docsPerSec)} docs/s in total against ${num(inst.singleDocsPerSec)} for one ` +
          `instance (${(inst.docsPerSec / inst.singleDocsPerSec).toFixed(2)}x); p99 ${inst.latencyMs.p99} ms. ` +
          `Cores used: ${Object.entries(inst.cores)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`,
    '',
  );
  const unavailable = Object.entries(results.unavailable);
  if (unavailable.length > 0) {
    out.push('## Not run here', '', ...unavailable.map(([k, v]) => `- **${k}**: ${v}`), '');
  }
  if (results.notes && results.notes.length > 0) {
    out.push('## Notes', '', ...results.notes.map((n) => `- ${n}`), '');
  }
  out.push(
    '## Reproduce',
    '',
    '```sh',
    'npm run bench              # full run, writes bench/results/*.json and this file',
    'npm run bench -- --quick   # a short smoke run',
    'npm run bench:render       # re-render this file from bench/results/latest.json',
    '```',
    '',
  );
  return out.join('\n');
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** The README's performance lines: the ratios only, pointing at docs/benchmarks.md for everything else. */
export function renderReadmeSection(results: BenchResults): string {
  const lines = computeTargets(results).map((t) =>
    t.met === undefined
      ? `- ${t.name}: not measured, see docs/benchmarks.md (goal ${t.goal})`
      : `- ${t.name}: ${t.measured} (goal ${t.goal}; ${status(t.met).replaceAll('*', '')})`,
  );
  return [
    README_START,
    `From [docs/benchmarks.md](docs/benchmarks.md) (${results.date.slice(0, 10)}, ${results.machine.nproc} × ` +
      `${results.machine.cpuModel}; everything in one run on one machine):`,
    '',
    ...lines,
    README_END,
  ].join('\n');
}

export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README has no ${README_START} … ${README_END} block`);
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}

export async function renderAll(
  root: string,
  results: BenchResults,
  source = 'bench/results/latest.json',
): Promise<void> {
  await writeFile(path.join(root, 'docs', 'benchmarks.md'), renderBenchmarks(results, source));
  const readmePath = path.join(root, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, replaceReadmeSection(readme, renderReadmeSection(results)));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const file = process.argv[2] ?? path.join(root, 'bench', 'results', 'latest.json');
  const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  await renderAll(root, results, path.relative(root, file));
  console.log(`rendered docs/benchmarks.md and README.md from ${path.relative(root, file)}`);
}
