// WebSocket load from the runner process (ws): several connections, each streaming frames pipelined up to a
// window of unanswered frames; the time to each frame's answer is its ack latency. Protocol: tributary.v1
// (README "WebSocket protocol"): every frame is answered once, in order, {"seq": n, "status": "ok", ...}.
import WebSocket from 'ws';
import { round } from './stats.js';

export interface WsLoad {
  url: string;
  frames: readonly string[];
  docsPerFrame: number;
  connections: number;
  /** Unanswered frames per connection. */
  window: number;
  durationSec: number;
}

export interface WsLoadResult {
  durationSec: number;
  frames: number;
  okDocs: number;
  notOk: number;
  docsPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

interface Answer {
  seq: number;
  status: string;
}

export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['tributary.v1'], { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
  });
}

export async function runWsLoad(load: WsLoad): Promise<WsLoadResult> {
  const sockets = await Promise.all(Array.from({ length: load.connections }, () => openSocket(load.url)));
  const latencies: number[] = [];
  let okDocs = 0;
  let notOk = 0;
  let frames = 0;
  let next = 0;
  const started = performance.now();
  const until = started + load.durationSec * 1000;
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          const sentAt: number[] = [];
          let sent = 0;
          let answered = 0;
          const send = (): void => {
            while (sent - answered < load.window && performance.now() < until) {
              sentAt[sent] = performance.now();
              sent++;
              ws.send(load.frames[next++ % load.frames.length]!);
            }
            if (answered === sent) resolve();
          };
          ws.on('message', (data) => {
            const answer = JSON.parse(String(data)) as Answer;
            const at = sentAt[answer.seq - 1];
            if (at !== undefined) latencies.push(performance.now() - at);
            answered++;
            frames++;
            if (answer.status === 'ok') okDocs += load.docsPerFrame;
            else notOk++;
            send();
          });
          ws.once('close', (code) =>
            answered < sent ? reject(new Error(`closed with ${code}`)) : resolve(),
          );
          ws.once('error', reject);
          send();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const ws of sockets) ws.close(1000);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0, 1);
  return {
    durationSec: round(seconds, 2),
    frames,
    okDocs,
    notOk,
    docsPerSec: round(okDocs / seconds),
    latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1) },
  };
}
