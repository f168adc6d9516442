// WebSocket writers for the fault drills: each keeps one `tributary.v1` connection open (reconnecting with a
// short backoff when it drops), pipelines a few frames of 1-3 documents with unique ids, and records every frame
// in the same ledger as the webhook writers: an `ok` answer is an acknowledgement, `failed`/`rejected` carry the
// error's status, a frame left unanswered by a dropped connection is status 0.
import WebSocket from 'ws';
import type { Attempt } from './load.js';

export interface WsLoadOptions {
  /** ws://host:port/<binding path> */
  url: string;
  writers: number;
  /** Frames sent before the oldest is answered. */
  pipeline: number;
  idPrefix: string;
  deadline: number;
  maxFrames: number;
}

interface Answer {
  seq: number;
  status: 'ok' | 'rejected' | 'failed';
  error?: { status?: number; code?: string };
}

export function startWsWriters(
  opts: WsLoadOptions,
  attempts: Attempt[],
  stopped: () => boolean,
): Promise<void>[] {
  let frames = 0;
  const more = (): boolean => !stopped() && Date.now() < opts.deadline && frames < opts.maxFrames;

  async function writer(w: number): Promise<void> {
    let seq = 0;
    while (more()) {
      await connection(w, () => seq++);
      if (more()) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** One connection's life: resolves when it closes (or the load stops). */
  function connection(w: number, nextSeq: () => number): Promise<void> {
    return new Promise((resolve) => {
      const ws = new WebSocket(opts.url, ['tributary.v1']);
      const pending: { ids: string[]; start: number }[] = [];
      const send = (): void => {
        while (pending.length < opts.pipeline && more() && ws.readyState === WebSocket.OPEN) {
          frames++;
          const seq = nextSeq();
          const count = 1 + (seq % 3);
          const ids = Array.from({ length: count }, (_, i) => `${opts.idPrefix}-ws${w}-${seq}-${i}`);
          const text = ids.map((id, i) => JSON.stringify({ id, amount: seq + i / 10, writer: w })).join('\n');
          pending.push({ ids, start: Date.now() });
          ws.send(text);
        }
        if (pending.length === 0 && !more()) ws.close(1000);
      };
      ws.on('open', send);
      ws.on('message', (data) => {
        const answer = JSON.parse(String(data)) as Answer;
        const frame = pending.shift();
        if (frame === undefined) return;
        const status = answer.status === 'ok' ? 200 : (answer.error?.status ?? 500);
        const code = answer.error?.code;
        attempts.push({
          ids: frame.ids,
          via: 'ws',
          start: frame.start,
          end: Date.now(),
          status,
          ...(code ? { code } : {}),
        });
        send();
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        const end = Date.now();
        for (const frame of pending.splice(0)) {
          attempts.push({
            ids: frame.ids,
            via: 'ws',
            start: frame.start,
            end,
            status: 0,
            error: 'connection closed',
          });
        }
        resolve();
      });
    });
  }

  return Array.from({ length: opts.writers }, (_, w) => writer(w));
}
