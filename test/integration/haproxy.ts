// A real HAProxy (Debian package) in front of gateway processes, configured as docs/operations.md recommends.
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { spawnOwned } from '../harness/processes.js';

export interface HaproxyOptions {
  dir: string;
  port: number;
  servers: { name: string; port: number }[];
}

/**
 * Health checks on /readyz every 250 ms, down after 2 failures: a process that starts draining leaves the pool
 * within ~0.5 s + check time, well inside the drain delay. Retries only where the request was never sent
 * (conn-failure: the listener is closed or not yet open); a POST that reached a gateway is never replayed.
 */
export function haproxyConfig(opts: HaproxyOptions, socket: string): string {
  return `global
  stats socket ${socket} mode 600 level admin
  maxconn 2000

defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout check 1s
  retries 3
  option redispatch 1
  retry-on conn-failure

frontend ingest
  bind 127.0.0.1:${opts.port}
  default_backend gateways

backend gateways
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 250ms fall 2 rise 2
${opts.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`).join('\n')}
`;
}

export interface Haproxy {
  child: ChildProcess;
  output: string[];
  /** Server name -> UP / DOWN / ... as HAProxy sees it now. */
  status(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startHaproxy(opts: HaproxyOptions): Promise<Haproxy> {
  const socket = join(opts.dir, 'haproxy.sock');
  const config = join(opts.dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(opts, socket));
  // Owned: killed with the test process on every exit path; a missing binary rejects here at once (issue 12).
  const proc = spawnOwned('haproxy', ['-db', '-f', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    install: 'apt-get install -y haproxy',
  });
  const child = proc.child;
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  await proc.started;
  const status = async (): Promise<Record<string, string>> => {
    const csv = await command(socket, 'show stat');
    const result: Record<string, string> = {};
    for (const line of csv.split('\n')) {
      const cells = line.split(',');
      // show stat CSV: pxname, svname, ..., status is column 18 (index 17).
      if (cells[0] === 'gateways' && cells[1] !== 'BACKEND' && cells[1] !== 'FRONTEND') {
        result[cells[1]!] = cells[17]!;
      }
    }
    return result;
  };
  return {
    child,
    output,
    status,
    stop: () => proc.stop(),
  };
}

function command(socket: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let out = '';
    conn.on('data', (c) => {
      out += c.toString();
    });
    conn.on('end', () => resolve(out));
    conn.on('error', reject);
    conn.write(`${text}\n`);
  });
}
