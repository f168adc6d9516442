// Loopback load for the fault drills: writers post documents with unique ids and keep a ledger of every
// answer. Bounded in count and time, and stops by itself (the workplace rule for load tests).
import http from 'node:http';
import { startWsWriters } from './load-ws.js';

export interface Attempt {
  ids: string[];
  /** Webhook request or WebSocket frame. */
  via?: 'ws';
  /** Epoch ms when the request was started and when its answer (or failure) arrived. */
  start: number;
  end: number;
  /** HTTP status, or 0 when the connection failed or the client timed out. */
  status: number;
  code?: string;
  error?: string;
}

export interface LoadOptions {
  url: string;
  writers: number;
  /** Hard bounds: the load stops at whichever comes first (or at stop()). */
  maxRequests: number;
  maxMs: number;
  /** Documents per request cycle through 1..docsPerRequest, so multi-document bodies are exercised too. */
  docsPerRequest?: number;
  /** Pause between a writer's requests; 0 = back to back. */
  pauseMs?: number;
  /** The client gives up on a request after this long (status 0). */
  clientTimeoutMs?: number;
  idPrefix: string;
  /** WebSocket writers (tributary.v1) beside the webhook writers; their frames go into the same ledger. */
  wsWriters?: number;
  /** Frames a WebSocket writer sends before the oldest is answered. */
  wsPipeline?: number;
}

export interface Load {
  attempts: Attempt[];
  /** Resolves when every writer stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function startLoad(opts: LoadOptions): Load {
  const attempts: Attempt[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.writers });
  const deadline = Date.now() + opts.maxMs;
  let started = 0;
  let stopped = false;
  const perRequest = opts.docsPerRequest ?? 3;

  async function writer(w: number): Promise<void> {
    for (let seq = 0; !stopped && Date.now() < deadline && started < opts.maxRequests; seq++) {
      started++;
      const count = 1 + (seq % perRequest);
      const ids = Array.from({ length: count }, (_, i) => `${opts.idPrefix}-${w}-${seq}-${i}`);
      const docs = ids.map((id, i) => ({ id, amount: seq + i / 10, writer: w }));
      const body = JSON.stringify(docs.length === 1 ? docs[0] : docs);
      attempts.push(await post(opts.url, body, ids, agent, opts.clientTimeoutMs ?? 30_000));
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  }

  const ws =
    opts.wsWriters === undefined || opts.wsWriters === 0
      ? []
      : startWsWriters(
          {
            url: opts.url.replace(/^http/, 'ws'),
            writers: opts.wsWriters,
            pipeline: opts.wsPipeline ?? 4,
            idPrefix: opts.idPrefix,
            deadline,
            maxFrames: opts.maxRequests,
          },
          attempts,
          () => stopped,
        );
  const done = Promise.all([...Array.from({ length: opts.writers }, (_, w) => writer(w)), ...ws]).then(() => {
    agent.destroy();
  });
  return {
    attempts,
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

function post(
  url: string,
  body: string,
  ids: string[],
  agent: http.Agent,
  timeoutMs: number,
): Promise<Attempt> {
  const start = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (a: Omit<Attempt, 'ids' | 'start' | 'end'>): void => {
      if (settled) return;
      settled = true;
      resolve({ ids, start, end: Date.now(), ...a });
    };
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          let code: string | undefined;
          if (status >= 300) {
            try {
              code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
            } catch {
              code = undefined;
            }
          }
          finish({ status, ...(code === undefined ? {} : { code }) });
        });
        res.on('error', (err) => finish({ status: 0, error: err.message }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error('client timeout'));
    });
    req.on('error', (err) => finish({ status: 0, error: err.message }));
    req.end(body);
  });
}

/** Ids of every document the gateway acknowledged (2xx). */
export function acknowledgedIds(attempts: readonly Attempt[]): string[] {
  return attempts.filter((a) => a.status >= 200 && a.status < 300).flatMap((a) => a.ids);
}

export interface Comparison {
  requests: number;
  acknowledged: number;
  found: number;
  lost: number;
  lostIds: string[];
  duplicates: number;
  /** Documents answered non-2xx that reached Kafka anyway (allowed: at-least-once after a 503). */
  unacknowledgedFound: number;
  statuses: Record<string, number>;
}

/** Compares the ledger with the ids read back from Kafka (one entry per record, duplicates included). */
export function compare(attempts: readonly Attempt[], foundIds: readonly string[]): Comparison {
  const counts = new Map<string, number>();
  for (const id of foundIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const acked = acknowledgedIds(attempts);
  const ackedSet = new Set(acked);
  const lostIds = acked.filter((id) => !counts.has(id));
  let duplicates = 0;
  for (const n of counts.values()) duplicates += n - 1;
  let unacknowledgedFound = 0;
  for (const id of counts.keys()) if (!ackedSet.has(id)) unacknowledgedFound++;
  const statuses: Record<string, number> = {};
  for (const a of attempts) {
    const key = a.status === 0 ? 'no answer' : String(a.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    requests: attempts.length,
    acknowledged: acked.length,
    found: counts.size,
    lost: lostIds.length,
    lostIds: lostIds.slice(0, 20),
    duplicates,
    unacknowledgedFound,
    statuses,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
