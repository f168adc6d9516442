// `npm run bench`: every scenario and baseline in one run against one local Kafka broker, results written to
// bench/results/<date>.json (and latest.json), then rendered into docs/benchmarks.md and the README.
//
//   npm run bench                     full run (about 15 minutes on 2 cores)
//   npm run bench -- --quick          short runs, one round: checks the suite works, numbers are rough
//   npm run bench -- --only webhooks,fastify   a subset (ids as in the results)
//   npm run bench -- --only kafkajs,platformatic,kafkajs-small,platformatic-small   bare producers side by side
//   npm run bench -- --profile single   also run scenario 1 (or array, ndjson, websocket) under --cpu-prof, print
//                                       the hottest functions
//                                       (with --rate: single webhooks at that fixed rate, as the cost row)
//   npm run bench -- --flags "--linger-ms 5"   extra `serve` flags for every gateway
//   npm run bench -- --connections 128 --duration 10 --rounds 1   load shape
//   npm run bench -- --only cost --rate 1000 --flags=--linger-ms=5   gateway CPU per document at a fixed rate
//   npm run bench -- --only cost,cost-fastify --rate 2000   gateway and bare Fastify CPU per document, same rate
//   npm run bench -- --only webhooks,webhooks-kafkajs,cost,cost-kafkajs   the gateway with each Kafka client
//   npm run bench -- --only compression   scenario 1 with each --kafka-compression codec, broker bytes per document
//   npm run bench -- --only kafka-listener   Kafka's ProducerPerformance through the Kafka listener vs straight
//                                        into the broker (issue 15; renders only its section of docs/benchmarks.md)
//   npm run bench -- --only validation   validation alone, in process, before/after issue 13 (no Kafka; renders
//                                        only its section of docs/benchmarks.md)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KAFKA_COMPRESSIONS } from '../src/config.js';
import { startLocalKafka } from '../src/local-kafka/broker.js';
import { readDist } from '../src/local-kafka/jars.js';
import type { BenchContext, Settings } from './lib/context.js';
import { pinningNote } from './lib/pinning.js';
import { median, round } from './lib/stats.js';
import { renderAll, renderSectionInto } from './render.js';
import type { BenchResults, Measurement } from './results.js';
import { measureCatalogScale } from './scenarios/catalog-scale.js';
import { measureCost } from './scenarios/cost.js';
import { measureBareFastify } from './scenarios/fastify-baseline.js';
import { measureIdleWebSockets } from './scenarios/idle-websockets.js';
import { measureInstances } from './scenarios/instances.js';
import { measureKafkaListener } from './scenarios/kafka-listener.js';
import {
  AS_GATEWAY,
  type ClientKind,
  confluentAvailable,
  LARGE_BATCHES,
  measureBareKafkajs,
  SMALL_BATCHES,
} from './scenarios/kafkajs-baseline.js';
import { measureLatencyCurve } from './scenarios/latency-curve.js';
import { measureProducerPerf } from './scenarios/producer-perf.js';
import { profileWebhooks } from './scenarios/profile.js';
import { BridgeUnavailable, ensureBridgeJars, measureStrimziBridge } from './scenarios/strimzi-bridge.js';
import { measureValidation } from './scenarios/validation.js';
import { measureWebhooks, type WebhookShape } from './scenarios/webhooks.js';
import { measureWebSocket, WS_SHAPES } from './scenarios/websocket.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    profile: { type: 'string' },
    flags: { type: 'string' },
    'no-render': { type: 'boolean', default: false },
  },
});

const quick = values.quick === true;
const settings: Settings = {
  durationSec: Number(values.duration ?? (quick ? 4 : 15)),
  warmupSec: quick ? 2 : 4,
  connections: Number(values.connections ?? 64),
  rounds: Number(values.rounds ?? (quick ? 1 : 3)),
  batchSize: 100,
  idleConnections: quick ? 1000 : 10_000,
  bindings: 1000,
  gatewayFlags: values.flags ? values.flags.split(/\s+/).filter(Boolean) : [],
};
/** --linger-ms values compared in the tuning table (the default is 2). */
const LINGER_VALUES = [0, 2, 5, 10];
/**
 * The fixed rate of the cost rows: one both sides keep up with on this 2-core machine, so each spends the CPU that
 * rate needs. Near the gateway's peak it does not: at 6,000/s on a quiet machine it answered 3,748 docs/s (the
 * broker, unpinned, took 0.68 cores beside it) while bare Fastify kept the rate.
 */
const COST_RATE = Number(values.rate ?? 2000);
/**
 * Rounds of the cost pair: at least 4 in a full run. One side's µs/doc swung 51 to 90 between two runs on this
 * shared machine, so the target is the median of per-round paired ratios, with their range shown beside it.
 */
const COST_ROUNDS = quick ? settings.rounds : Math.max(settings.rounds, 4);
/** Scenarios that run inside this process and need no broker. */
const IN_PROCESS = new Set(['validation']);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const wants = (id: string): boolean => only === undefined || only.has(id);

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function versionOf(pkg: string): string {
  // From the file, not require(`${pkg}/package.json`): @platformatic/kafka's exports do not list its package.json.
  const file = path.join(root, 'node_modules', pkg, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function javaVersionLine(): string {
  // `java -version` writes to stderr.
  return execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'tributary-bench-'));
  const loadBefore = round(os.loadavg()[0]!, 2);
  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(os.loadavg()[0]!), 5000);
  log(
    `work dir ${workDir}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  // In-process scenarios need no broker: `--only validation` starts none.
  const needsKafka = only === undefined || [...only].some((id) => !IN_PROCESS.has(id));
  const kafka = needsKafka
    ? await startLocalKafka({ nodes: 1, fastStartup: false, heapMb: 1024, log })
    : undefined;
  const kafkaPid = kafka?.nodes[0]?.pid() ?? 0;
  const ctx: BenchContext = {
    root,
    workDir,
    bootstrap: kafka?.bootstrap ?? [],
    kafkaPid,
    ...(kafka ? { kafkaDataDir: kafka.dataDir } : {}),
    settings,
    log,
  };
  const measurements: Measurement[] = [];
  const unavailable: Record<string, string> = {};
  const notes: string[] = [];
  const results: BenchResults = {
    version: 1,
    date: new Date().toISOString(),
    machine: {
      nproc: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
      os: `${os.type()} ${os.release()}`,
      loadBefore,
      loadDuring: { min: 0, max: 0, mean: 0 },
    },
    versions: {
      node: process.version,
      kafka: (await readDist()).version,
      kafkajs: versionOf('kafkajs'),
      '@platformatic/kafka': versionOf('@platformatic/kafka'),
      fastify: versionOf('fastify'),
      ajv: versionOf('ajv'),
      autocannon: versionOf('autocannon'),
      java: javaVersionLine(),
      tributary: execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], {
        encoding: 'utf8',
      }).trim(),
    },
    settings: {
      durationSec: settings.durationSec,
      warmupSec: settings.warmupSec,
      connections: settings.connections,
      rounds: settings.rounds,
      batchSize: settings.batchSize,
      documentBytes: JSON.stringify((await import('./lib/documents.js')).makeOrder(0)).length,
      partitions: 3,
      acks: 'all',
      gatewayFlags: settings.gatewayFlags.join(' ') || '(defaults)',
      pinning: pinningNote(),
      quick,
    },
    measurements,
    curve: [],
    scale: {},
    unavailable,
    notes,
  };
  try {
    let bridgeLibs: string | undefined;
    if (wants('bridge')) {
      try {
        bridgeLibs = await ensureBridgeJars(root);
      } catch (err) {
        if (!(err instanceof BridgeUnavailable)) throw err;
        unavailable['bridge'] = err.message;
        log(`bridge: ${err.message}`);
      }
    }
    // The WebSocket front door (routes/websocket.ts) may be absent from an older checkout.
    const webSocketMissing = existsSync(path.join(root, 'dist', 'routes', 'websocket.js'))
      ? undefined
      : 'this build has no WebSocket front door (dist/routes/websocket.js)';
    if (webSocketMissing !== undefined) {
      unavailable['websocket'] = webSocketMissing;
      unavailable['idle-websockets'] = webSocketMissing;
    }
    const confluentMissing = wants('confluent') ? await confluentAvailable() : undefined;
    if (confluentMissing !== undefined) unavailable['confluent'] = confluentMissing;
    // One failed measurement is recorded with its reason and the run goes on: a 15-minute run should not be lost
    // to one child that died.
    const attempt = async <T>(label: string, measure: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await measure();
      } catch (err) {
        unavailable[label] = `failed: ${(err as Error).message.split('\n')[0]}`;
        log(`${label} failed: ${(err as Error).stack ?? err}`);
        return undefined;
      }
    };
    const take = async (label: string, measure: () => Promise<Measurement>): Promise<void> => {
      const m = await attempt(label, measure);
      if (m !== undefined) measurements.push(m);
    };
    // Gateway and baselines alternate within each round, so a burst of load from other users of the machine
    // hits both sides instead of one.
    for (let r = 1; r <= settings.rounds; r++) {
      const order = ['fastify', 'webhooks', 'webhooks-kafkajs', 'bridge'];
      if (r % 2 === 0) order.reverse();
      for (const id of order) {
        if (!wants(id)) continue;
        if (id === 'fastify') await take(`fastify r${r}`, () => measureBareFastify(ctx, r));
        if (id === 'webhooks') await take(`webhooks r${r}`, () => measureWebhooks(ctx, 'single', r));
        if (id === 'webhooks' && wants('confluent') && confluentMissing === undefined) {
          await take(`webhooks-confluent r${r}`, () =>
            measureWebhooks(ctx, 'single', r, { id: 'webhooks-confluent', client: 'confluent' }),
          );
        }
        if (id === 'webhooks-kafkajs') {
          await take(`${id} r${r}`, () =>
            measureWebhooks(ctx, 'single', r, { id, flags: ['--kafka-client', 'kafkajs'] }),
          );
        }
        if (id === 'bridge' && bridgeLibs) {
          const libs = bridgeLibs;
          await take(`bridge r${r}`, () => measureStrimziBridge(ctx, r, libs));
        }
      }
      if (wants('websocket') && webSocketMissing === undefined) {
        for (const shape of WS_SHAPES) await take(`${shape.id} r${r}`, () => measureWebSocket(ctx, shape, r));
        if (wants('websocket-kafkajs')) {
          const shape = WS_SHAPES.find((s) => s.id === 'websocket')!;
          await take(`websocket-kafkajs r${r}`, () =>
            measureWebSocket(ctx, { ...shape, id: 'websocket-kafkajs' }, r, [], 'serve', [
              '--kafka-client',
              'kafkajs',
            ]),
          );
        }
        if (wants('confluent') && confluentMissing === undefined) {
          const shape = WS_SHAPES.find((s) => s.id === 'websocket')!;
          await take(`websocket-confluent r${r}`, () =>
            measureWebSocket(ctx, { ...shape, id: 'websocket-confluent' }, r, [], 'confluent'),
          );
        }
      }
      // Bare producers, large batches then the small ones the batcher sends (`-small` ids); the order of the
      // clients flips every round so a burst of other load does not always land on the same one.
      const clients: ClientKind[] = ['kafkajs', 'platformatic'];
      if (confluentMissing === undefined) clients.push('confluent');
      if (r % 2 === 0) clients.reverse();
      for (const shape of [LARGE_BATCHES, SMALL_BATCHES]) {
        for (const client of clients) {
          const id = `${client}${shape.suffix}`;
          // The small-batch shapes compare the clients on what the batcher sends; asked for by id only.
          const asked = shape.suffix === '' ? wants(id) : only?.has(id) === true;
          if (asked) await take(`${id} r${r}`, () => measureBareKafkajs(ctx, r, client, shape));
        }
      }
      if (wants('platformatic-as-gateway')) {
        await take(`platformatic-as-gateway r${r}`, () =>
          measureBareKafkajs(ctx, r, 'platformatic', AS_GATEWAY),
        );
      }
    }
    // cost and cost-fastify (the per-core target: both at one fixed rate, see perCoreTarget) run by default;
    // cost-kafkajs (TRIBUTARY_KAFKA_CLIENT=kafkajs) only when asked. Alternating within each round.
    for (let r = 1; r <= COST_ROUNDS; r++) {
      const costs = [
        { id: 'cost', flags: [] },
        { id: 'cost-kafkajs', flags: ['--kafka-client', 'kafkajs'] },
        { id: 'cost-fastify', flags: [], server: 'fastify' as const },
      ];
      if (r % 2 === 0) costs.reverse();
      for (const extra of costs) {
        const asked = extra.id === 'cost-kafkajs' ? only?.has(extra.id) === true : wants(extra.id);
        if (asked) await take(`${extra.id} r${r}`, () => measureCost(ctx, COST_RATE, r, extra));
      }
    }
    if (wants('batch-array')) await take('batch-array', () => measureWebhooks(ctx, 'array', 1));
    if (wants('batch-ndjson')) await take('batch-ndjson', () => measureWebhooks(ctx, 'ndjson', 1));
    if (wants('batch-ndjson') && wants('confluent') && confluentMissing === undefined) {
      await take('batch-ndjson-confluent', () =>
        measureWebhooks(ctx, 'ndjson', 1, { id: 'batch-ndjson-confluent', client: 'confluent' }),
      );
    }
    if (wants('linger')) {
      for (const ms of LINGER_VALUES) {
        await take(`linger-${ms}`, () =>
          measureWebhooks(ctx, 'single', 1, { flags: ['--linger-ms', String(ms)], id: `linger-${ms}` }),
        );
      }
    }
    if (wants('compression')) {
      // Issue 14: each codec on scenario 1 (one document per POST, the batcher's batches), same load.
      for (const codec of KAFKA_COMPRESSIONS) {
        await take(`compression-${codec}`, () =>
          measureWebhooks(ctx, 'single', 1, {
            flags: ['--kafka-compression', codec],
            id: `compression-${codec}`,
            brokerDataDir: kafka?.dataDir ?? '',
          }),
        );
      }
    }
    if (wants('access-log-all')) {
      await take('access-log-all', () =>
        measureWebhooks(ctx, 'single', 1, { flags: ['--access-log', 'all'], id: 'access-log-all' }),
      );
    }
    if (wants('producer-perf')) await take('producer-perf', () => measureProducerPerf(ctx, 1));
    if (wants('kafka-listener')) {
      measurements.push(...((await attempt('kafka-listener', () => measureKafkaListener(ctx))) ?? []));
    }
    const peak = median(measurements.filter((m) => m.id === 'webhooks').map((m) => m.docsPerSec));
    if (wants('instances')) {
      // Issue 17: one and two unpinned instances in the same run, so the ratio compares like with like.
      const one = await attempt('instances-1', () => measureInstances(ctx, 1, 0));
      if (one !== undefined)
        results.instances = await attempt('instances', () => measureInstances(ctx, 2, one.docsPerSec));
    }
    if (wants('curve') && peak > 0)
      results.curve = (await attempt('curve', () => measureLatencyCurve(ctx, peak))) ?? [];
    if (wants('catalog')) results.scale.catalog = await attempt('catalog', () => measureCatalogScale(ctx));
    if (wants('idle-websockets') && webSocketMissing === undefined) {
      results.scale.idleWebSockets = await attempt('idle-websockets', () => measureIdleWebSockets(ctx));
    }
    if (wants('validation')) results.validation = await attempt('validation', () => measureValidation(ctx));
    if (values.profile) {
      const shape = values.profile as WebhookShape | 'websocket';
      notes.push(
        ...((await attempt('profile', () =>
          profileWebhooks(ctx, shape, values.rate === undefined ? undefined : COST_RATE),
        )) ?? []),
      );
    }
  } finally {
    clearInterval(sampler);
    await kafka?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  const during = loads.length > 0 ? loads : [loadBefore];
  results.machine.loadDuring = {
    min: round(Math.min(...during), 2),
    max: round(Math.max(...during), 2),
    mean: round(during.reduce((a, b) => a + b, 0) / during.length, 2),
  };
  const dir = path.join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const file = path.join(dir, `${results.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, json);
  if (only === undefined) await writeFile(path.join(dir, 'latest.json'), json);
  log(`results: ${path.relative(root, file)}`);
  if (!values['no-render'] && only === undefined) {
    await renderAll(root, results, path.relative(root, file));
    log('rendered docs/benchmarks.md and the README performance section');
  } else if (!values['no-render'] && only?.size === 1 && only.has('validation') && results.validation) {
    await renderSectionInto(root, 'validation', results, path.relative(root, file));
    log('rendered the validation section of docs/benchmarks.md');
  } else if (!values['no-render'] && only?.size === 1 && only.has('kafka-listener')) {
    await renderSectionInto(root, 'kafka-listener', results, path.relative(root, file));
    log('rendered the Kafka listener section of docs/benchmarks.md');
  }
}

/**
 * 10,000 idle WebSockets need as many descriptors in this process and in the gateway. A soft `ulimit -n` below the
 * hard one (1024 is a common default) is raised by re-running this script under `sh -c 'ulimit -n <hard>'`; the
 * children inherit it. Without a high enough hard limit the idle scenario reports exactly that.
 */
function reexecWithMoreFiles(): boolean {
  if (process.env['TRIBUTARY_BENCH_FDS_RAISED'] === '1') return false;
  const soft = execFileSync('sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim();
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  if (soft === hard || soft === 'unlimited') return false;
  const child = spawnSync(
    'sh',
    ['-c', 'ulimit -Sn "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, TRIBUTARY_BENCH_FDS_RAISED: '1' } },
  );
  process.exitCode = child.status ?? 1;
  return true;
}

if (!reexecWithMoreFiles()) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
