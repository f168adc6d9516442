// A real Apache Kafka broker (KRaft, broker+controller combined) run from Maven Central jars, for integration
// tests, the local quickstart and fault drills. No Docker: the jars are resolved once with Maven from
// scripts/kafka/pom.xml into .cache/kafka/<version>/libs and `java kafka.Kafka` is started per node.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { clusterHasNodes } from '../kafka/cluster.js';
import { ARCHIVE, describeExecError, ensureKafkaJars, noop, readDist, seconds } from './jars.js';

export { ensureKafkaJars } from './jars.js';

export interface LocalKafkaNode {
  id: number;
  port: number;
  controllerPort: number;
  pid(): number | undefined;
  /**
   * Signals the node (default SIGTERM) and waits for it to exit; escalates to SIGKILL after 15 s.
   * SIGSTOP/SIGCONT return at once, for pause drills.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Restarts the node on the same ports and data; resolves once it serves metadata. */
  start(): Promise<void>;
  running(): boolean;
  /** Port of each extra listener (StartLocalKafkaOptions.listeners), by listener name. */
  readonly listenerPorts: Readonly<Record<string, number>>;
}

export interface LocalKafka {
  bootstrap: string[];
  nodes: LocalKafkaNode[];
  dataDir: string;
  /**
   * Ends every node and removes a data dir startLocalKafka created. Nodes of such a throwaway dir get
   * SIGKILL (a clean shutdown of 3 nodes takes ~5 s and protects data about to be deleted); nodes of a
   * caller's dataDir get SIGTERM, so the next start needs no log recovery.
   */
  stop(): Promise<void>;
  /** host:port of every node on an extra listener (StartLocalKafkaOptions.listeners). */
  listenerBootstrap(name: string): string[];
}

/** A listener beside PLAINTEXT, which stays the inter-broker listener and the one readiness is probed on. */
export interface ExtraListener {
  /** Listener name as in server.properties (`SASL_SSL`, `MTLS`); its listener.name.<lower>.* props go in brokerProps. */
  name: string;
  protocol: 'SSL' | 'SASL_SSL' | 'SASL_PLAINTEXT' | 'PLAINTEXT';
}

export interface ScramCredential {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  user: string;
  password: string;
}

export interface StartLocalKafkaOptions {
  nodes?: 1 | 3;
  /** Kept after stop(). Without it a temp dir is created and removed by stop(). */
  dataDir?: string;
  log?: (msg: string) => void;
  /** Override or add server.properties entries on every node. */
  brokerProps?: Record<string, string>;
  heapMb?: number;
  /** Root of the jar cache; see ensureKafkaJars. */
  cacheDir?: string;
  /**
   * C1-only JIT and serial GC (default true). Measured on 2 cores: 3 nodes ready in 4.1 s instead of 6.4 s
   * (1 node: no difference once the CDS archive exists), but peak throughput drops. Pass false for benchmarks.
   */
  fastStartup?: boolean;
  startTimeoutMs?: number;
  /** Secured listeners (issue 14): TLS and SASL, each on its own free port per node. */
  listeners?: ExtraListener[];
  /** SCRAM users written into the metadata at format time (kafka-storage format --add-scram). */
  scramCredentials?: ScramCredential[];
  /** JVM system properties, e.g. Kafka 4's org.apache.kafka.sasl.oauthbearer.allowed.urls. */
  systemProperties?: Record<string, string>;
}

const DEFAULT_HEAP_MB = 512;
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const POLL_MS = 200;
const PAUSE_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGSTOP', 'SIGCONT', 'SIGTSTP']);

const execFileAsync = promisify(execFile);

// -------------------------------------------------------------------------------------- processes

// Brokers must not outlive the Node process that started them: an orphan keeps its ports and data dir.
const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of liveChildren) c.kill('SIGKILL');
    for (const dir of ownedDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort: a child killed a moment ago may still be writing into it
      }
    }
  });
}

// The 'exit' hook cannot run when the parent is SIGKILLed or crashes natively; PR_SET_PDEATHSIG can.
const setpriv: string | undefined =
  process.platform === 'linux'
    ? (process.env['PATH'] ?? '')
        .split(path.delimiter)
        .map((dir) => path.join(dir, 'setpriv'))
        .find((candidate) => existsSync(candidate))
    : undefined;

function javaBin(): string {
  const home = process.env['JAVA_HOME'];
  return home ? path.join(home, 'bin', 'java') : 'java';
}

// An AppCDS archive of the classes a broker loads halves JVM start time (2.0 s -> 1.0 s to listening on
// 2 cores). The first broker started per cache writes it at exit; later JVMs map it.
let archiveInProgress = false;

interface ArchivePlan {
  args: string[];
  /** The JVM writes the archive on a clean exit only, so it must not be SIGKILLed. */
  dumping: boolean;
  /** Called after the JVM exited; publishes a freshly dumped archive. */
  finish(cleanExit: boolean): Promise<void>;
}

function planArchive(archive: string, allowDump: boolean): ArchivePlan {
  if (existsSync(archive)) {
    return { args: [`-XX:SharedArchiveFile=${archive}`], dumping: false, finish: async () => {} };
  }
  if (!allowDump || archiveInProgress) return { args: [], dumping: false, finish: async () => {} };
  archiveInProgress = true;
  const tmp = `${archive}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  return {
    args: [`-XX:ArchiveClassesAtExit=${tmp}`],
    dumping: true,
    finish: async (cleanExit) => {
      archiveInProgress = false;
      // SIGKILL can land mid-dump; only a JVM that ran its exit path wrote a whole file.
      if (cleanExit && existsSync(tmp)) await rename(tmp, archive).catch(noop);
      await rm(tmp, { force: true });
    },
  };
}

// ------------------------------------------------------------------------------------------ nodes

interface ClusterContext {
  libs: string;
  archive: string;
  log4jConfig: string;
  jvmArgs: string[];
  /** Counted from spawn: a cold jar download is not part of it. */
  startTimeoutMs: number;
  log: (msg: string) => void;
  /** Extra arguments of `StorageTool format` (--add-scram ...). */
  formatArgs: string[];
}

class LocalNode implements LocalKafkaNode {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitInfo = '';
  private spawnFailed = false;
  private dumpingArchive = false;
  listenerPorts: Record<string, number> = {};

  constructor(
    readonly id: number,
    readonly port: number,
    readonly controllerPort: number,
    readonly dir: string,
    private readonly ctx: ClusterContext,
  ) {}

  get logFile(): string {
    return path.join(this.dir, 'broker.log');
  }

  get propsFile(): string {
    return path.join(this.dir, 'server.properties');
  }

  pid(): number | undefined {
    return this.running() ? this.child?.pid : undefined;
  }

  running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null && !this.spawnFailed;
  }

  spawn(): void {
    const archive = planArchive(this.ctx.archive, true);
    this.dumpingArchive = archive.dumping;
    const args = [
      ...this.ctx.jvmArgs,
      ...archive.args,
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${this.ctx.log4jConfig}`,
      '-cp',
      path.join(this.ctx.libs, '*'),
      'kafka.Kafka',
      this.propsFile,
    ];
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', javaBin(), ...args]] : [javaBin(), args];
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(cmd, argv, { cwd: this.dir, stdio: ['ignore', fd, fd], detached: false });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.spawnFailed = false;
    this.exitInfo = '';
    trackChild(child);
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        this.spawnFailed = true;
        this.exitInfo = `could not run ${javaBin()} (OpenJDK 17+ needed): ${err.message}`;
        liveChildren.delete(child);
        void archive.finish(false).then(resolve);
      });
      child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        liveChildren.delete(child);
        void archive.finish(signal === null).then(resolve);
      });
    });
  }

  async start(): Promise<void> {
    if (!this.running()) {
      this.ctx.log(`starting node ${this.id}`);
      this.spawn();
    }
    const started = Date.now();
    await waitReady([this], [`127.0.0.1:${this.port}`], this.ctx.startTimeoutMs);
    this.ctx.log(`node ${this.id} ready in ${seconds(started)}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return this.exited;
    child.kill(signal);
    // A node paused by a SIGSTOP drill would hold SIGTERM until the grace period ran out.
    if (signal === 'SIGTERM') child.kill('SIGCONT');
    // Pause/resume drills: the process stays alive, so there is no exit to wait for.
    if (PAUSE_SIGNALS.has(signal)) return;
    if (signal !== 'SIGKILL') {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  /** Ends the process for good: SIGKILL unless that would lose a CDS archive being written at exit. */
  discard(): Promise<void> {
    return this.kill(this.dumpingArchive ? 'SIGTERM' : 'SIGKILL');
  }

  /** Resolves with a reason when the process dies; used to fail a start fast. */
  async died(): Promise<string> {
    await this.exited;
    return this.exitInfo;
  }
}

// ------------------------------------------------------------------------------------------ start

/**
 * Starts 1 or 3 combined broker+controller nodes on free loopback ports and resolves once every node
 * is listed by a metadata request. Rejects with the tail of each broker log when that takes longer than
 * startTimeoutMs (60 s).
 */
export async function startLocalKafka(opts: StartLocalKafkaOptions = {}): Promise<LocalKafka> {
  const log = opts.log ?? noop;
  const count = opts.nodes ?? 1;
  const started = Date.now();
  const libs = await ensureKafkaJars({ cacheDir: opts.cacheDir, log });
  const dist = await readDist();
  const heapMb = opts.heapMb ?? DEFAULT_HEAP_MB;
  const ctx: ClusterContext = {
    libs,
    archive: path.join(path.dirname(libs), ARCHIVE),
    log4jConfig: path.join(dist.root, 'scripts', 'kafka', 'log4j2.properties'),
    jvmArgs: [
      `-Xms${Math.min(256, heapMb)}m`,
      `-Xmx${heapMb}m`,
      ...(opts.fastStartup === false ? [] : ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']),
      '-Xshare:auto',
      ...Object.entries(opts.systemProperties ?? {}).map(([k, v]) => `-D${k}=${v}`),
    ],
    startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    log,
    formatArgs: (opts.scramCredentials ?? []).flatMap((c) => [
      '--add-scram',
      `${c.mechanism}=[name=${c.user},password=${c.password}]`,
    ]),
  };

  const ownsDir = opts.dataDir === undefined;
  // Absolute: each JVM runs with its node dir as cwd, where a relative path would point elsewhere.
  const dataDir = opts.dataDir
    ? path.resolve(opts.dataDir)
    : await mkdtemp(path.join(os.tmpdir(), 'tributary-kafka-'));
  if (ownsDir) ownedDirs.add(dataDir);
  const ports = await freePorts(count * 2);
  const nodes = Array.from(
    { length: count },
    (_, i) =>
      new LocalNode(i + 1, ports[i * 2]!, ports[i * 2 + 1]!, path.join(dataDir, `node-${i + 1}`), ctx),
  );
  const bootstrap = nodes.map((n) => `127.0.0.1:${n.port}`);
  const extraListeners = opts.listeners ?? [];
  if (extraListeners.length > 0) {
    const extraPorts = await freePorts(count * extraListeners.length);
    nodes.forEach((n, i) => {
      extraListeners.forEach((l, j) => {
        n.listenerPorts[l.name] = extraPorts[i * extraListeners.length + j]!;
      });
    });
  }
  const listenerBootstrap = (name: string): string[] =>
    nodes.map((n) => {
      const port = n.listenerPorts[name];
      if (port === undefined) throw new Error(`no listener ${name}`);
      return `127.0.0.1:${port}`;
    });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(nodes.map((n) => (ownsDir ? n.discard() : n.kill('SIGTERM'))));
      if (ownsDir) {
        await rm(dataDir, { recursive: true, force: true });
        ownedDirs.delete(dataDir);
      }
    })();
    return stopping;
  };

  try {
    const clusterId = (await readClusterId(nodes[0]!)) ?? newClusterId();
    const voters = nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
    await Promise.all(
      nodes.map(async (n) => {
        await mkdir(path.join(n.dir, 'data'), { recursive: true });
        await writeFile(n.propsFile, renderProps(n, voters, count, opts.brokerProps ?? {}, extraListeners));
        await formatStorage(n, clusterId, ctx);
      }),
    );
    for (const n of nodes) n.spawn();
    await waitReady(nodes, bootstrap, ctx.startTimeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  log(
    `Kafka ${dist.version}: ${count} node(s) ready at ${bootstrap.join(',')} in ${seconds(started)} (data in ${dataDir})`,
  );
  return { bootstrap, nodes, dataDir, stop, listenerBootstrap };
}

/** Adds each extra listener to listeners, advertised.listeners and the protocol map. */
function addListeners(props: Record<string, string>, node: LocalNode, listeners: ExtraListener[]): void {
  for (const l of listeners) {
    const address = `${l.name}://127.0.0.1:${node.listenerPorts[l.name]}`;
    props['listeners'] += `,${address}`;
    props['advertised.listeners'] += `,${address}`;
    props['listener.security.protocol.map'] += `,${l.name}:${l.protocol}`;
  }
}

function renderProps(
  node: LocalNode,
  voters: string,
  count: number,
  extra: Record<string, string>,
  listeners: ExtraListener[] = [],
): string {
  const replicated = count > 1;
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': path.join(node.dir, 'data'),
    'auto.create.topics.enable': 'false',
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '2',
    'num.io.threads': '2',
    // 50 partitions each by default: creating them is most of a first consumer group's join time.
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.num.partitions': '5',
    'default.replication.factor': replicated ? '3' : '1',
    'min.insync.replicas': replicated ? '2' : '1',
    'offsets.topic.replication.factor': replicated ? '3' : '1',
    'transaction.state.log.replication.factor': replicated ? '3' : '1',
    'transaction.state.log.min.isr': replicated ? '2' : '1',
    'share.coordinator.state.topic.replication.factor': replicated ? '3' : '1',
    'share.coordinator.state.topic.min.isr': replicated ? '2' : '1',
    'unclean.leader.election.enable': 'false',
  };
  if (replicated) {
    // Fault drills: a killed node is fenced after 3 s and dropped from the ISR after 5 s instead of
    // the 9 s / 30 s defaults.
    props['broker.heartbeat.interval.ms'] = '500';
    props['broker.session.timeout.ms'] = '3000';
    props['replica.lag.time.max.ms'] = '5000';
  }
  addListeners(props, node, listeners);
  Object.assign(props, extra);
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

// Kafka's Uuid string form: 16 random bytes, URL-safe base64 without padding (what StorageTool random-uuid
// prints). Generated here to save a JVM start; a leading '-' would read as a CLI flag, so Kafka avoids it.
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function readClusterId(node: LocalNode): Promise<string | undefined> {
  try {
    const meta = await readFile(path.join(node.dir, 'data', 'meta.properties'), 'utf8');
    return /^cluster\.id=(.+)$/m.exec(meta)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

async function formatStorage(node: LocalNode, clusterId: string, ctx: ClusterContext): Promise<void> {
  const archive = planArchive(ctx.archive, false);
  const args = [
    ...ctx.jvmArgs,
    ...archive.args,
    `-Dlog4j2.configurationFile=${ctx.log4jConfig}`,
    '-cp',
    path.join(ctx.libs, '*'),
    'kafka.tools.StorageTool',
    'format',
    '--ignore-formatted',
    '-t',
    clusterId,
    '-c',
    node.propsFile,
    ...ctx.formatArgs,
  ];
  try {
    await execFileAsync(javaBin(), args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`formatting node ${node.id} storage failed: ${describeExecError(err)}`, { cause: err });
  }
}

async function freePorts(count: number): Promise<number[]> {
  // All held open together so the kernel cannot hand out the same port twice.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

// ------------------------------------------------------------------------------------- readiness

async function waitReady(nodes: LocalNode[], bootstrap: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failure: string | undefined;
  for (const n of nodes) {
    void n.died().then((why) => {
      failure ??= `node ${n.id} ${why}`;
    });
  }
  const ids = nodes.map((n) => n.id);
  // A broker opens its PLAINTEXT acceptor only once unfenced, so a connect is a cheap first gate.
  for (const n of nodes) {
    while (!failure && Date.now() < deadline && !(await canConnect(n.port))) await delay(POLL_MS);
  }
  while (!failure && Date.now() < deadline && !(await clusterHasNodes(bootstrap, ids))) await delay(POLL_MS);
  if (!failure && Date.now() < deadline) return;
  const reason = failure ?? `not ready within ${timeoutMs / 1000} s`;
  const tails = await Promise.all(nodes.map(async (n) => `--- ${n.logFile}\n${await logTail(n.logFile)}`));
  throw new Error(`local Kafka did not come up: ${reason}\n${tails.join('\n')}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function logTail(file: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

// -------------------------------------------------------------------------------------- helpers
