// Open-loop HTTP load at a fixed rate, for the latency curve. autocannon's overallRate releases each
// connection's share of a second in a burst at the start of the second, so at low rates most requests queue
// behind their own burst and the p99 measures the load generator (seen in this bench: p99 39 ms at 10% of peak,
// 15 ms at 90%). Here request i is due at start + i / rate, sent as soon as it is due, and its latency runs from
// when it was due (not when a socket was free), so a stalled gateway cannot hide its stall (no coordinated
// omission).
//
// Warm the generator before measuring, in the same process (bench/clients/load.ts runs the warm-up first): its
// agent, and the sockets the warm-up opened, carry on into the measured run. Against a bare node:http server on
// the other core, a fresh generator (new process, new agent, 64 sockets opened in the first ticks, code not yet
// optimised) gave p99 30-95 ms over 8 s at 3,600/s, the same generator warmed 3.5 ms (p50 1.1-1.4 ms in both):
// the worst 1% of 28,800 requests were the generator's own start.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GeneratorHealth } from '../results.js';
import { round } from './stats.js';

export interface PacedLoad {
  url: string;
  bodies: readonly string[];
  contentType: string;
  rate: number;
  durationSec: number;
  /** Keep-alive sockets the client may open (requests beyond them wait, and that wait counts). */
  maxSockets: number;
}

export interface PacedLoadResult {
  docsPerSec: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  generator: GeneratorHealth;
  /**
   * p99 from when the request actually left the generator: diagnosis only, never the reported figure (it hides the
   * generator's stalls, which a real client would not have). Far below latencyMs.p99 means the tail is the generator.
   */
  fromSendP99Ms: number;
  /** Sockets the agent opened during the run (after a warm-up, beyond those it opened: the cap was not enough). */
  socketsOpened: number;
}

/** One agent per process and socket cap, kept from the warm-up to the measured run (free sockets are unref'd). */
const agents = new Map<number, http.Agent>();

export async function runPacedLoad(load: PacedLoad): Promise<PacedLoadResult> {
  let agent = agents.get(load.maxSockets);
  if (agent === undefined) {
    agent = new http.Agent({ keepAlive: true, maxSockets: load.maxSockets });
    agents.set(load.maxSockets, agent);
  }
  const target = new URL(load.url);
  const total = Math.max(1, Math.round(load.rate * load.durationSec));
  const interval = 1000 / load.rate;
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const fromSend: number[] = [];
  let socketsOpened = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let settled = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      if (++settled === total) resolve();
    };
    const fire = (i: number): void => {
      const due = started + i * interval;
      const body = load.bodies[i % load.bodies.length]!;
      const sent = performance.now();
      sendLags.push(sent - due);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': load.contentType, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const end = performance.now();
            latencies.push(end - due);
            fromSend.push(end - sent);
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok++;
            else non2xx++;
            done();
          });
        },
      );
      req.on('socket', (socket) => {
        if (!(socket as { counted?: boolean }).counted) {
          (socket as { counted?: boolean }).counted = true;
          socketsOpened++;
        }
      });
      req.on('error', () => {
        errors++;
        done();
      });
      req.end(body);
    };
    let sent = 0;
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      while (sent < due) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  latencies.sort((a, b) => a - b);
  sendLags.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const at = (xs: number[], p: number) =>
    round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0, 1);
  const pct = (p: number) => at(latencies, p);
  return {
    docsPerSec: round(ok / seconds),
    ok,
    non2xx,
    errors,
    latencyMs: {
      p50: pct(0.5),
      p90: pct(0.9),
      p99: pct(0.99),
      max: pct(1),
      mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), 2),
    },
    generator: {
      loopDelayP99Ms: round(loop.percentile(99) / 1e6, 1),
      loopDelayMaxMs: round(loop.max / 1e6, 1),
      sendLagP99Ms: at(sendLags, 0.99),
      sendLagMaxMs: at(sendLags, 1),
    },
    fromSendP99Ms: at(fromSend, 0.99),
    socketsOpened,
  };
}
