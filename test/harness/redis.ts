// A throwaway Redis server for the test run, started the way the local Kafka is: by the suite, on a free loopback
// port, with nothing persisted, and killed with the test process whatever happens (test/harness/processes.ts).
// So the tests need the redis-server program, not a server someone left running on 6379.
import { createConnection } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './ports.js';
import { type OwnedProcess, spawnOwned } from './processes.js';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startTestRedis(timeoutMs = 10_000): Promise<TestRedis> {
  const port = await freePort();
  const redis: OwnedProcess = spawnOwned(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], install: 'apt-get install -y redis-server' },
  );
  const output: string[] = [];
  redis.child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  await redis.started;
  const until = Date.now() + timeoutMs;
  let exited = false;
  void redis.exited.then(() => {
    exited = true;
  });
  while (!(await ping(port))) {
    if (exited || Date.now() > until) {
      await redis.stop();
      throw new Error(`redis-server did not answer on port ${port}: ${output.join('').slice(-500)}`);
    }
    await delay(50);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => redis.stop() };
}
