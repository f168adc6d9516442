// Core pinning (issue 17): on a machine with at least 2 cores the load generator runs on core 0 and the system
// under test (gateway, bare Fastify, bare producer) on core 1, each with `taskset -c`, so the generator never
// takes the measured process's core. The broker is not pinned (its JVM threads go where the scheduler puts
// them). Two bench runs at once on one machine pin to the same cores and stack there (seen in the latency curve:
// bare Fastify p99 145 ms at 2,356/s beside another run's server on core 1). TRIBUTARY_BENCH_PIN=0 turns pinning
// off; without taskset or with one core nothing is pinned.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export const LOAD_CPU = 0;
export const SERVER_CPU = 1;

let available: boolean | undefined;

export function pinningAvailable(): boolean {
  if (available !== undefined) return available;
  available = false;
  if (process.env['TRIBUTARY_BENCH_PIN'] === '0' || os.cpus().length < 2) return available;
  try {
    execFileSync('taskset', ['-c', String(SERVER_CPU), 'true'], { stdio: 'ignore' });
    available = true;
  } catch {
    // no taskset, or the cpuset does not allow it
  }
  return available;
}

/** `command args` run on `cpu` when pinning is available (taskset execs, so the pid is the command's). */
export function pinned(cpu: number, command: string, args: string[]): [string, string[]] {
  return pinningAvailable() ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

/** For docs/benchmarks.md: how processes were placed in this run. */
export function pinningNote(): string {
  return pinningAvailable()
    ? `load generator pinned to core ${LOAD_CPU}, system under test to core ${SERVER_CPU} (taskset); broker unpinned`
    : 'nothing pinned (taskset unavailable, fewer than 2 cores, or TRIBUTARY_BENCH_PIN=0)';
}
