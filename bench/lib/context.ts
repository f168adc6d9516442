// What every scenario gets from the runner: the shared broker, the settings, a scratch folder.
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Child } from './processes.js';

export interface Settings {
  /** Measured seconds per run (after warm-up). */
  durationSec: number;
  warmupSec: number;
  /** Keep-alive connections of the HTTP load generator. */
  connections: number;
  /** Gateway and baselines are measured this many times, interleaved; medians are reported. */
  rounds: number;
  /** Documents per body in the batch scenarios. */
  batchSize: number;
  /** Idle WebSocket connections in the scale scenario. */
  idleConnections: number;
  /** Bindings in the catalog scale scenario. */
  bindings: number;
  /** Extra `serve` flags for every gateway (e.g. linger experiments). */
  gatewayFlags: string[];
}

export interface BenchContext {
  root: string;
  workDir: string;
  bootstrap: string[];
  kafkaPid: number;
  /** The local broker's data folder (node-N/data/<topic>-<partition>). */
  kafkaDataDir?: string;
  settings: Settings;
  log(message: string): void;
}

export function logFile(ctx: BenchContext, name: string): string {
  return path.join(ctx.workDir, `${name}.log`);
}

/** Waits until the child's output contains `text` (e.g. a "measuring" marker). */
export async function waitForOutput(child: Child, text: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!child.tail().includes(text)) {
    if (child.exited()) throw new Error(`${child.name} exited:\n${child.tail()}`);
    if (Date.now() - started > timeoutMs) throw new Error(`${child.name}: no '${text}' in ${timeoutMs} ms`);
    await delay(25);
  }
}
