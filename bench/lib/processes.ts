// Child processes under test and what they cost: CPU from /proc/<pid>/stat, memory from /proc/<pid>/status.
// Linux only, like the rest of the bench (it runs the broker from local jars on loopback).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { round } from './stats.js';

const TAIL_BYTES = 64 * 1024;

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The file that takes stdout and stderr. */
  logFile: string;
  /** The last 64 KiB of stdout+stderr, for error messages. */
  tail(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Output goes to a file, not a pipe this process must drain: the gateway logs every request (pino, info), and
 * reading that here would take CPU from the load generator. Production log shippers read files too.
 */
export function spawnChild(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string },
): Child {
  const fd = openSync(opts.logFile, 'a');
  const proc = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let gone = false;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  return {
    name,
    proc,
    pid: proc.pid,
    logFile: opts.logFile,
    tail: () => readTail(opts.logFile),
    exited: () => gone,
    async stop(graceMs = 10_000) {
      if (gone) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

function readTail(file: string): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const length = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Polls `url` until it answers 200; returns the milliseconds it took. Fails early if the child died. */
export async function waitForOk(url: string, child: Child | undefined, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child?.exited()) throw new Error(`${child.name} exited before ${url} answered:\n${child.tail()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${url} not ready after ${timeoutMs} ms${child ? `:\n${child.tail()}` : ''}`);
    }
    await delay(20);
  }
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** CPU seconds (user + system) the process used so far, its threads included. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export const rssBytes = (pid: number): number => statusField(pid, 'VmRSS');
/** The process's peak resident set size over its whole life. */
export const peakRssBytes = (pid: number): number => statusField(pid, 'VmHWM');

/** Busy CPU seconds of the whole machine so far (all cores), from the first line of /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  void idle;
  void iowait;
  return (user! + nice! + system! + irq! + softirq! + steal!) / clockTicks();
}

/**
 * Average cores each named process used between start() and stop(), plus `machine` (every process on the
 * machine) and `others` (machine minus the named ones): the share other users of this shared box took while
 * we measured, so a noisy number can be recognised as such.
 */
export class CpuMeter {
  private startCpu = new Map<number, number>();
  /** Last reading per pid: a child that exits before stop() keeps the CPU it used. */
  private lastCpu = new Map<number, number>();
  private startWall = 0;
  private startMachine = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Record<string, number>) {}

  start(): void {
    this.startWall = performance.now();
    this.startMachine = machineBusySeconds();
    for (const pid of Object.values(this.pids)) this.startCpu.set(pid, safeCpu(pid) ?? 0);
    this.timer = setInterval(() => this.poll(), 250);
  }

  private poll(): void {
    for (const pid of Object.values(this.pids)) {
      const cpu = safeCpu(pid);
      if (cpu !== undefined) this.lastCpu.set(pid, cpu);
    }
  }

  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.poll();
    const wall = (performance.now() - this.startWall) / 1000;
    const cores: Record<string, number> = {};
    let ours = 0;
    for (const [name, pid] of Object.entries(this.pids)) {
      const used = ((this.lastCpu.get(pid) ?? 0) - (this.startCpu.get(pid) ?? 0)) / wall;
      ours += used;
      cores[name] = round(used, 3);
    }
    const machine = (machineBusySeconds() - this.startMachine) / wall;
    cores['machine'] = round(machine, 2);
    cores['others'] = round(Math.max(0, machine - ours), 2);
    return cores;
  }
}

function safeCpu(pid: number): number | undefined {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined;
  }
}

export function mib(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

/** Polls a process's VmHWM while it lives: for children that exit on their own, taking the figure with them. */
export function watchPeakRss(pid: number, everyMs = 250): () => number {
  let peak = 0;
  const poll = (): void => {
    try {
      peak = Math.max(peak, peakRssBytes(pid));
    } catch {
      clearInterval(timer);
    }
  };
  const timer = setInterval(poll, everyMs);
  poll();
  return () => {
    poll();
    clearInterval(timer);
    return peak;
  };
}
