// The gateway as the drills run it: `node bin/tributary.js serve` from the built dist/, in its own process,
// so a drill can SIGKILL it and its answer times are not skewed by the load generator's event loop.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayChild {
  port: number;
  url: string;
  /** Where the binding of the drill catalog is served. */
  ingestUrl: string;
  pid: number;
  logFile: string;
  kill(signal: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A catalog with one collection keyed by /id, served at /drill/hooks/events. */
export async function writeDrillCatalog(dir: string, topic: string): Promise<string> {
  const file = join(dir, 'catalog.yaml');
  await writeFile(
    file,
    `collections:
  drill/events:
    schema:
      type: object
      required: [id]
      properties: { id: { type: string }, amount: { type: number }, writer: { type: integer } }
    key: [/id]
    topic: ${topic}
captures:
  drill/hooks:
    endpoint: { ingest: {} }
    bindings:
      - target: drill/events
        resource: { name: events }
`,
  );
  return file;
}

export async function createTopic(
  brokers: string[],
  topic: string,
  settings: { partitions: number; replicationFactor: number; minInsyncReplicas: number },
): Promise<void> {
  const { logger } = capturedLogger('error');
  await reconcileTopics(
    createKafka({ brokers, clientId: 'drill-admin', connectionTimeoutMs: 3000 }, logger),
    [topic],
    settings,
    { create: true },
  );
}

export async function startGatewayChild(
  catalog: string,
  brokers: string[],
  dir: string,
  env: Record<string, string> = {},
): Promise<GatewayChild> {
  const port = await freePort();
  const logFile = join(dir, `gateway-${port}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [join(ROOT, 'bin', 'tributary.js'), 'serve', '--catalog', catalog], {
      cwd: dir,
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        TRIBUTARY_BROKERS: brokers.join(','),
        TRIBUTARY_PORT: String(port),
        TRIBUTARY_HOST: '127.0.0.1',
        TRIBUTARY_LOG_LEVEL: 'warn',
        ...env,
      },
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A drill that fails must not leave a gateway behind.
  process.once('exit', () => child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  const gateway: GatewayChild = {
    port,
    url,
    ingestUrl: `${url}/drill/hooks/events`,
    pid: child.pid!,
    logFile,
    exited,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
  await waitReady(gateway);
  return gateway;
}

async function waitReady(gateway: GatewayChild, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void gateway.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline && !dead) {
    const status = await fetch(`${gateway.url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `gateway on port ${gateway.port} not ready:\n${readFileSync(gateway.logFile, 'utf8').slice(-3000)}`,
  );
}

/** Polls until cond() holds; throws with `what` after timeoutMs. */
export async function waitFor(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}
