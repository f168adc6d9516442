// A gateway under test: the built CLI (`node bin/tributary.js serve`) as a child process, as users run it.
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ORDER_SCHEMA } from './documents.js';
import { pinned, SERVER_CPU } from './pinning.js';
import { type Child, spawnChild, waitForOk } from './processes.js';

export const ORDERS_PATH = '/bench/shop/orders';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A one-binding catalog: POST /bench/shop/orders -> collection bench/orders -> `topic`. */
export async function writeOrdersCatalog(dir: string, topic: string): Promise<string> {
  await writeFile(path.join(dir, 'order.schema.json'), JSON.stringify(ORDER_SCHEMA, null, 2));
  const file = path.join(dir, `catalog-${topic}.yaml`);
  await writeFile(
    file,
    [
      'collections:',
      '  bench/orders:',
      '    schema: order.schema.json',
      '    key: [/id]',
      `    topic: ${topic}`,
      'captures:',
      '  bench/shop:',
      '    endpoint: { ingest: {} }',
      '    bindings:',
      '      - target: bench/orders',
      '        resource: { name: orders }',
      '',
    ].join('\n'),
  );
  return file;
}

export interface GatewayOptions {
  root: string;
  catalog: string;
  bootstrap: string[];
  /** Extra `serve` flags, e.g. ['--linger-ms', '5']. */
  flags?: string[];
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=...']. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** Where stdout/stderr (pino's JSON lines) go. */
  logFile: string;
  /** 'confluent': the same app and batcher with librdkafka behind them (bench/servers/gateway-confluent.ts). */
  client?: 'serve' | 'confluent';
  /** Pin to the server core (bench/lib/pinning.ts); false for several gateways sharing the machine. */
  pin?: boolean;
}

export interface RunningGateway {
  child: Child;
  url: string;
  /** Milliseconds from spawn to the first 200 on /readyz. */
  readyMs: number;
}

export async function startGatewayProcess(opts: GatewayOptions): Promise<RunningGateway> {
  const port = await freePort();
  const args = [
    ...(opts.nodeArgs ?? []),
    ...(opts.client === 'confluent'
      ? [path.join(opts.root, 'dist', 'bench', 'servers', 'gateway-confluent.js')]
      : [path.join(opts.root, 'bin', 'tributary.js'), 'serve']),
    '--catalog',
    opts.catalog,
    '--brokers',
    opts.bootstrap.join(','),
    '--port',
    String(port),
    ...(opts.flags ?? []),
  ];
  const [command, argv] =
    opts.pin === false ? [process.execPath, args] : pinned(SERVER_CPU, process.execPath, args);
  const child = spawnChild('gateway', command, argv, {
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    logFile: opts.logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyMs = await waitForOk(`${url}/readyz`, child, opts.readyTimeoutMs ?? 60_000);
    return { child, url, readyMs };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/**
 * Kafka batches as the gateway's /metrics counts them over the whole run (warm-up included): documents per
 * produce call and its mean duration. Tells a window-bound run (few documents per batch, short produce calls,
 * the gateway waiting) from a Kafka-bound one (long produce calls).
 */
export async function batchFigures(url: string): Promise<string> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const sum = (name: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const batches = sum('tributary_kafka_batch_documents_count');
    const docs = sum('tributary_kafka_batch_documents_sum');
    const seconds = sum('tributary_kafka_produce_duration_seconds_sum');
    if (batches === 0) return 'no batches in /metrics';
    return `${(docs / batches).toFixed(1)} documents per batch, ${((1000 * seconds) / batches).toFixed(1)} ms per produce call`;
  } catch (err) {
    return `no /metrics (${(err as Error).message})`;
  }
}

/** Produce calls so far and those that took longer than `seconds` (a bucket bound of the histogram). */
export async function produceCallsOver(
  url: string,
  seconds: number,
): Promise<{ calls: number; over: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (prefix: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(prefix))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const calls = value('tributary_kafka_produce_duration_seconds_count');
  return { calls, over: calls - value(`tributary_kafka_produce_duration_seconds_bucket{le="${seconds}"`) };
}
