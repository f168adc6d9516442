// The four fault drills of issue 7, each a function so `npm run test:faults` runs them at full size and the
// CI suite runs small forms. Every drill: real brokers (startLocalKafka), the built gateway in its own process,
// loopback writers with unique ids, then everything is read back from Kafka and compared with the ledger.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { LocalKafka } from '../../src/local-kafka/broker.js';
import { readTopics } from '../integration/kafka-read.js';
import {
  createTopic,
  type GatewayChild,
  startGatewayChild,
  waitFor,
  writeDrillCatalog,
} from './gateway-child.js';
import { type Attempt, type Comparison, compare, type Load, percentile, startLoad } from './load.js';

const { Kafka, logLevel } = kafkajs;

export interface DrillSize {
  writers: number;
  /** Load before the fault, counted in acknowledged requests (so the fault lands mid-load, not at start). */
  warmupAcks: number;
  /** How long the fault lasts (broker down, stalled) or how long load runs after a recovery. */
  faultMs: number;
  settleMs: number;
  requestTimeoutMs: number;
  /** WebSocket writers beside the webhook writers (0: webhooks only). */
  wsWriters?: number;
}

export interface DrillResult {
  comparison: Comparison;
  attempts: Attempt[];
  figures: Record<string, string | number | boolean>;
  settings: Record<string, string | number | boolean>;
}

const ok = (a: Attempt): boolean => a.status >= 200 && a.status < 300;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Rig {
  dir: string;
  topic: string;
  gateway: GatewayChild;
  load: Load;
}

async function rig(kafka: LocalKafka, size: DrillSize, replicated: boolean, label: string): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), `tributary-drill-${label}-`));
  const topic = `drill.${label}.${randomUUID().slice(0, 8)}`;
  await createTopic(kafka.bootstrap, topic, {
    partitions: 3,
    replicationFactor: replicated ? 3 : 1,
    minInsyncReplicas: replicated ? 2 : 1,
  });
  const catalog = await writeDrillCatalog(dir, topic);
  const gateway = await startGatewayChild(catalog, kafka.bootstrap, dir, {
    TRIBUTARY_REQUEST_TIMEOUT_MS: String(size.requestTimeoutMs),
  });
  const load = startLoad({
    url: gateway.ingestUrl,
    writers: size.writers,
    // Bounds, not targets: the drill stops the load itself long before these.
    maxRequests: 500_000,
    maxMs: 5 * 60_000,
    clientTimeoutMs: size.requestTimeoutMs * 4,
    idPrefix: label,
    wsWriters: size.wsWriters ?? 0,
  });
  await waitFor('load under way', () => load.attempts.filter(ok).length >= size.warmupAcks, 60_000);
  return { dir, topic, gateway, load };
}

async function finish(kafka: LocalKafka, r: Rig): Promise<Comparison> {
  await r.load.stop();
  await r.gateway.kill('SIGTERM');
  const records = await readTopics(kafka.bootstrap, [r.topic], { timeoutMs: 120_000 });
  await rm(r.dir, { recursive: true, force: true });
  return compare(
    r.load.attempts,
    records.map((rec) => (JSON.parse(rec.value!) as { id: string }).id),
  );
}

function sizeSettings(size: DrillSize): Record<string, number> {
  return {
    'webhook writers (concurrent, 1-3 documents per request)': size.writers,
    'WebSocket writers (1-3 documents per frame, 4 frames pipelined)': size.wsWriters ?? 0,
    'request deadline (TRIBUTARY_REQUEST_TIMEOUT_MS)': size.requestTimeoutMs,
    'fault / observation window (ms)': size.faultMs,
  };
}

function common(c: Comparison, attempts: readonly Attempt[]): Record<string, string | number> {
  const frames = attempts.filter((a) => a.via === 'ws');
  return {
    'webhook requests / WebSocket frames': `${attempts.length - frames.length} / ${frames.length}`,
    'acknowledged webhook requests / WebSocket frames': `${attempts.filter((a) => ok(a) && a.via !== 'ws').length} / ${frames.filter(ok).length}`,
    'answers by status': Object.entries(c.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', '),
    'documents acknowledged': c.acknowledged,
    'documents found in Kafka': c.found,
    '**lost** (acknowledged, not found)': c.lost,
    'duplicates in Kafka': c.duplicates,
    'unacknowledged but found': c.unacknowledgedFound,
  };
}

async function leaderOf(bootstrap: string[], topic: string, partition: number): Promise<number> {
  const admin = new Kafka({ brokers: bootstrap, clientId: 'drill-meta', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const p = topics[0]!.partitions.find((x) => x.partitionId === partition)!;
    return p.leader;
  } finally {
    await admin.disconnect();
  }
}

/** Epoch ms when metadata first names a live leader for partition 0 other than the killed node. */
async function leadershipMoved(bootstrap: string[], topic: string, killed: number): Promise<number> {
  const admin = new Kafka({
    brokers: bootstrap,
    clientId: 'drill-meta',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const leader = await admin
        .fetchTopicMetadata({ topics: [topic] })
        .then(({ topics }) => topics[0]!.partitions.find((p) => p.partitionId === 0)?.leader)
        .catch(() => undefined);
      if (leader !== undefined && leader !== killed && leader >= 0) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('leadership of partition 0 did not move within 60 s');
  } finally {
    await admin.disconnect();
  }
}

/** Drill 1: three nodes (RF 3, min ISR 2), SIGKILL the leader of partition 0 mid-load, restart it later. */
export async function failoverDrill(kafka: LocalKafka, size: DrillSize): Promise<DrillResult> {
  const r = await rig(kafka, size, true, 'failover');
  const leaderId = await leaderOf(kafka.bootstrap, r.topic, 0);
  const node = kafka.nodes.find((n) => n.id === leaderId)!;
  const killAt = Date.now();
  await node.kill('SIGKILL');
  const survivors = kafka.bootstrap.filter((_, i) => kafka.nodes[i]!.id !== leaderId);
  const moved = leadershipMoved(survivors, r.topic, leaderId);
  const firstOk = (from: number) => r.load.attempts.find((a) => a.start > from && ok(a));
  await waitFor('a write accepted after the kill', () => firstOk(killAt) !== undefined, 120_000);
  const movedAt = await moved;
  // Keep writing with the node down, so requests that need the moved leadership are seen succeeding too.
  await new Promise((resolve) => setTimeout(resolve, size.faultMs));
  const restartAt = Date.now();
  await node.start();
  const restartedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, size.settleMs));
  const c = await finish(kafka, r);
  const during = r.load.attempts.filter((a) => a.start >= killAt && a.start < restartAt);
  const failed = during.filter((a) => !ok(a));
  const lastFailure = failed.reduce((m, a) => Math.max(m, a.start), killAt);
  const afterRestart = r.load.attempts.filter((a) => a.start >= restartAt);
  return {
    comparison: c,
    attempts: r.load.attempts,
    settings: { ...sizeSettings(size), 'topic partitions / RF / min ISR': '3 / 3 / 2' },
    figures: {
      ...common(c, r.load.attempts),
      'killed node (leader of partition 0)': leaderId,
      'failed answers while the node was down': failed.length,
      'their codes': summarizeCodes(failed),
      'leadership of partition 0 moved (seen in metadata, polled every 100 ms)': secs(movedAt - killAt),
      'first 2xx for a request started after the kill': secs(firstOk(killAt)!.end - killAt),
      'longest stretch without any 2xx answer, from the kill': secs(
        longestGap(r.load.attempts, killAt, restartAt),
      ),
      'every request succeeds from (last failed request started)': secs(lastFailure - killAt),
      'node restart took': secs(restartedAt - restartAt),
      'failed answers after the restart': afterRestart.filter((a) => !ok(a)).length,
    },
  };
}

/** Drill 2: a single broker SIGKILLed under load and started again: 503 while down, recovery by itself. */
export async function brokerRestartDrill(kafka: LocalKafka, size: DrillSize): Promise<DrillResult> {
  const r = await rig(kafka, size, false, 'restart');
  const node = kafka.nodes[0]!;
  await node.kill('SIGKILL');
  const downAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, size.faultMs));
  const restartAt = Date.now();
  await node.start();
  const upAt = Date.now();
  const firstOk = () => r.load.attempts.find((a) => a.start >= upAt && ok(a));
  await waitFor('a write accepted after the restart', () => firstOk() !== undefined, 120_000);
  await new Promise((resolve) => setTimeout(resolve, size.settleMs));
  const c = await finish(kafka, r);
  // Wholly inside the outage: started after the broker process was gone, answered before it was started.
  const whileDown = r.load.attempts.filter((a) => a.start >= downAt && a.end <= restartAt);
  const okWhileDown = whileDown.filter(ok);
  return {
    comparison: c,
    attempts: r.load.attempts,
    settings: { ...sizeSettings(size), 'topic partitions / RF / min ISR': '3 / 1 / 1' },
    figures: {
      ...common(c, r.load.attempts),
      'answers while the broker was down': whileDown.length,
      '**2xx while the broker was down**': okWhileDown.length,
      'codes while down': summarizeCodes(whileDown),
      'slowest answer while down': secs(Math.max(0, ...whileDown.map((a) => a.end - a.start))),
      'broker restart took': secs(upAt - restartAt),
      'first 2xx after the broker was ready': secs(firstOk()!.end - upAt),
    },
  };
}

/** Drill 4: the broker SIGSTOPped (Kafka slower than the deadline): 503 on time, never a late 2xx. */
export async function stallDrill(kafka: LocalKafka, size: DrillSize, slackMs: number): Promise<DrillResult> {
  const r = await rig(kafka, size, false, 'stall');
  const node = kafka.nodes[0]!;
  const stallAt = Date.now();
  await node.kill('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, size.faultMs));
  await node.kill('SIGCONT');
  const contAt = Date.now();
  const firstOk = () => r.load.attempts.find((a) => a.start >= contAt && ok(a));
  await waitFor('a write accepted after SIGCONT', () => firstOk() !== undefined, 120_000);
  await new Promise((resolve) => setTimeout(resolve, size.settleMs));
  const c = await finish(kafka, r);
  const stalled = r.load.attempts.filter((a) => a.start >= stallAt && a.start < contAt);
  const latency = (a: Attempt): number => a.end - a.start;
  const late = r.load.attempts.filter((a) => ok(a) && latency(a) > size.requestTimeoutMs + slackMs);
  const failedLat = stalled.filter((a) => !ok(a)).map(latency);
  return {
    comparison: c,
    attempts: r.load.attempts,
    settings: { ...sizeSettings(size), 'slack allowed over the deadline (ms)': slackMs },
    figures: {
      ...common(c, r.load.attempts),
      'requests started during the stall': stalled.length,
      'their codes': summarizeCodes(stalled),
      '**late 2xx** (2xx slower than deadline + slack)': late.length,
      'slowest 2xx of the whole run': `${Math.max(0, ...r.load.attempts.filter(ok).map(latency))} ms`,
      'answer time of failures during the stall: p50 / p99 / max': `${percentile(failedLat, 50)} / ${percentile(failedLat, 99)} / ${Math.max(0, ...failedLat)} ms`,
      'first 2xx after SIGCONT': secs(firstOk()!.end - contAt),
    },
  };
}

/** Drill 3: the gateway process SIGKILLed under load: everything acknowledged before is in Kafka. */
export async function gatewayKillDrill(kafka: LocalKafka, size: DrillSize): Promise<DrillResult> {
  const r = await rig(kafka, size, false, 'crash');
  await new Promise((resolve) => setTimeout(resolve, size.settleMs));
  const killAt = Date.now();
  await r.gateway.kill('SIGKILL');
  await waitFor('writers see the dead gateway', () => r.load.attempts.some((a) => a.start > killAt));
  const ackedBeforeKill = r.load.attempts.filter((a) => ok(a) && a.end <= killAt).length;
  const c = await finish(kafka, r);
  const inFlight = r.load.attempts.filter((a) => a.start < killAt && a.end >= killAt);
  return {
    comparison: c,
    attempts: r.load.attempts,
    settings: sizeSettings(size),
    figures: {
      ...common(c, r.load.attempts),
      'requests acknowledged before the kill': ackedBeforeKill,
      'requests in flight at the kill (no answer)': inFlight.filter((a) => a.status === 0).length,
    },
  };
}

/** Longest time in [from, until] in which no request was answered 2xx: how long writes were stopped. */
function longestGap(attempts: readonly Attempt[], from: number, until: number): number {
  const ends = attempts
    .filter((a) => ok(a) && a.end >= from && a.end <= until)
    .map((a) => a.end)
    .sort((a, b) => a - b);
  let gap = 0;
  let last = from;
  for (const end of [...ends, until]) {
    gap = Math.max(gap, end - last);
    last = end;
  }
  return gap;
}

function summarizeCodes(attempts: readonly Attempt[]): string {
  const counts = new Map<string, number>();
  for (const a of attempts) {
    const key = ok(a) ? String(a.status) : (a.code ?? (a.status === 0 ? 'no answer' : String(a.status)));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return (
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ') || 'none'
  );
}
