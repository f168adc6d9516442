// Issue 12: a test harness that spawns a process kills it on every exit path. A helper script owns a
// long-running child and then fails the way tests do; afterwards the child must be gone.
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spawnOwned } from './processes.js';

const owner = new URL('../fixtures/harness/owner.mjs', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

function runOwner(mode: string): { child: ChildProcess; pid: Promise<number>; output: () => string } {
  const child = spawn(process.execPath, [owner, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const pid = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /pid (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`owner exited before printing a pid: ${out}`)));
  });
  return { child, pid, output: () => out };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('owned child processes (issue 12)', () => {
  it('a missing program rejects at once with the install line, and the other children die with the owner', async () => {
    const run = runOwner('spawn-fails');
    const pid = await run.pid;
    expect(alive(pid)).toBe(true);
    expect(await exitOf(run.child)).not.toBe(0);
    expect(run.output()).toContain(
      'cannot run tributary-no-such-program: spawn tributary-no-such-program ENOENT; install it with: apt-get install -y nothing',
    );
    expect(await gone(pid)).toBe(true);
  }, 30_000);

  it('an uncaught error kills the owned children', async () => {
    const run = runOwner('throws');
    const pid = await run.pid;
    expect(await exitOf(run.child)).toBe(1);
    expect(await gone(pid)).toBe(true);
  }, 30_000);

  it('an owner killed with SIGKILL (no exit hooks) still takes its children along', async () => {
    const run = runOwner('hangs');
    const pid = await run.pid;
    run.child.kill('SIGKILL');
    await exitOf(run.child);
    expect(await gone(pid)).toBe(true);
  }, 30_000);

  it('started rejects in-process too, without an unhandled error event', async () => {
    const missing = spawnOwned('tributary-no-such-program', [], { install: 'apt-get install -y x' });
    await expect(missing.started).rejects.toThrow('install it with: apt-get install -y x');
    expect((await missing.exited).error?.message).toContain('ENOENT');
  });
});
