// Child processes of the test harness (gateways, HAProxy, Redis): none may outlive the test process, on any exit
// path. Issue 12: a missing haproxy binary emitted an 'error' nobody listened to, the hook waited 120 s, and the
// two gateways it had started kept running with parent 1 long after vitest exited.
//   - every child is tracked and SIGKILLed from a process 'exit' hook (normal exit, thrown error, process.exit);
//   - on Linux it is started under `setpriv --pdeathsig KILL`, so the kernel kills it when the test process
//     dies without running hooks (SIGKILL, a vitest timeout that kills the fork, a native crash);
//   - a spawn that fails (ENOENT) rejects `exited` and `started` at once instead of hanging a hook.
// Imports node: modules only, so a plain `node` can load it too (test/harness/processes.test.ts does).
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface OwnedProcess {
  child: ChildProcess;
  /** Resolves when the process ended, whatever the cause; never rejects. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  /** Resolves once the OS started the process; rejects with an install hint when it could not be run. */
  started: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let hooked = false;

function killAllOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** The processes this test process started that are still running (for tests of this module). */
export function liveProcesses(): number[] {
  return [...live].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;

/**
 * Starts `command` owned by this process. `install` names what to install when the command is missing, e.g.
 * `apt-get install -y haproxy`, so a missing tool fails in milliseconds with the line that fixes it.
 */
export function spawnOwned(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { install?: string } = {},
): OwnedProcess {
  const { install, ...spawnOptions } = options;
  const resolved = command.includes('/') ? command : onPath(command);
  const missing = (why: string) =>
    new Error(`cannot run ${command}: ${why}${install ? `; install it with: ${install}` : ''}`);
  killAllOnExit();
  // A command not on PATH is spawned as it is, so that ENOENT arrives as an 'error' (under setpriv it would be
  // setpriv's exit code 127).
  const [file, argv] =
    setpriv && resolved ? [setpriv, ['--pdeathsig', 'KILL', resolved, ...args]] : [command, [...args]];
  const child = spawn(file, argv, spawnOptions);
  live.add(child);
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (err) => {
        spawnError = missing(err.message);
        live.delete(child);
        resolve({ code: null, signal: null, error: spawnError });
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      });
    },
  );
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    void exited.then(() => {
      if (spawnError) reject(spawnError);
    });
  });
  // A caller that never awaits `started` must not turn a missing binary into an unhandled rejection.
  started.catch(() => {});
  return {
    child,
    exited,
    started,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
