// `node bin/tributary.js serve` as a child process (the built CLI, as operators run it): start, wait until
// ready, signal, and read its log lines back.
import type { ChildProcess } from 'node:child_process';
import { spawnOwned } from '../harness/processes.js';

export { freePort } from '../harness/ports.js';

const bin = new URL('../../bin/tributary.js', import.meta.url).pathname;

export interface GatewayProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Every stdout/stderr line so far (pino JSON). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startGatewayProcess(
  catalog: string,
  port: number,
  env: Record<string, string>,
): GatewayProcess {
  // Owned: a test that fails or times out cannot leave the gateway running (issue 12).
  const proc = spawnOwned(process.execPath, [bin, 'serve', '--catalog', catalog], {
    env: { ...process.env, TRIBUTARY_PORT: String(port), TRIBUTARY_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = proc.child;
  const lines: string[] = [];
  const collect = (chunk: Buffer) =>
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    );
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { port, url: `http://127.0.0.1:${port}`, child, lines, exited: proc.exited };
}

export async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function readyz(
  url: string,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

export async function waitReady(gateway: GatewayProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${gateway.url}/readyz (log: ${gateway.lines.slice(-5).join(' | ')})`,
    async () => (await readyz(gateway.url))?.status === 200,
    timeoutMs,
  );
}
