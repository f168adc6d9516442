// Issue 12: `tributary serve | head -1`, or a log shipper that died. Once stdout's reader is gone, SIGTERM must
// still end the process within the shutdown grace period: pino's sonic-boom retried the failed write forever on
// exit, and no signal was handled again (src/ops/log-destination.ts).
import { describe, expect, it } from 'vitest';
import { spawnOwned } from '../harness/processes.js';

const bin = new URL('../../bin/tributary.js', import.meta.url).pathname;
const catalog = new URL('../../examples/catalog.yaml', import.meta.url).pathname;

describe('serve with a closed stdout (issue 12)', () => {
  it('exits on SIGTERM within the grace period after the reader of its stdout went away', async () => {
    // An unreachable broker keeps the producer logging reconnect attempts: lines keep coming after the close.
    const args = ['serve', '--catalog', catalog, '--brokers', '127.0.0.1:1', '--port', '0'];
    const gateway = spawnOwned(
      process.execPath,
      [bin, ...args, '--log-level', 'debug', '--drain-delay-ms', '0', '--shutdown-grace-ms', '3000'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await gateway.started;
    const stdout = gateway.child.stdout!;
    // Like `head -1`: read the first line, then close the pipe's read end.
    await new Promise<void>((resolve) => stdout.once('data', () => resolve()));
    stdout.destroy();
    // Let more lines (and their failing writes) pile up before the signal.
    await new Promise((r) => setTimeout(r, 2000));
    gateway.child.kill('SIGTERM');
    const exit = await Promise.race([
      gateway.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000)),
    ]);
    await gateway.stop(1000);
    expect(exit).not.toBe('hung');
    expect(exit).toMatchObject({ signal: null });
  }, 60_000);
});
