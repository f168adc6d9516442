// `tributary serve` and its signals, as an operator sends them: SIGHUP reloads the catalog (a broken one keeps
// the old one serving, a good one is swapped in and its new topic created); a second SIGTERM during the drain
// exits at once.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  freePort,
  type GatewayProcess,
  readyz,
  startGatewayProcess,
  waitFor,
  waitReady,
} from './gateway-process.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
const run = randomUUID().slice(0, 8);
const collection = (name: string) => `  reload/${name}:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
    topic: reload.${name}.${run}
`;
const binding = (name: string) => `      - { target: reload/${name}, resource: { name: ${name} } }\n`;
const V1 = `collections:\n${collection('a')}captures:\n  reload/hooks:\n    endpoint: { ingest: {} }\n    bindings:\n${binding('a')}`;
const V2 = `collections:\n${collection('a')}${collection('b')}captures:\n  reload/hooks:\n    endpoint: { ingest: {} }\n    bindings:\n${binding('a')}${binding('b')}`;
const BROKEN = V1.replace('key: [/id]', 'key: [/missing]');

let gateway: GatewayProcess | undefined;
afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  await gateway?.exited;
});

async function post(path: string): Promise<number> {
  const res = await fetch(`${gateway!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: randomUUID() }),
  });
  await res.arrayBuffer();
  return res.status;
}

const logged = (msg: RegExp) => gateway!.lines.some((l) => msg.test(l));

describe('tributary serve signals', () => {
  it('SIGHUP: a broken catalog keeps the old one serving; a good one is swapped in with its new topic', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-reload-'));
    const catalog = join(dir, 'catalog.yaml');
    await writeFile(catalog, V1);
    gateway = startGatewayProcess(catalog, await freePort(), {
      TRIBUTARY_BROKERS: brokers.join(','),
      TRIBUTARY_CREATE_TOPICS: 'true',
      TRIBUTARY_TOPIC_REPLICATION_FACTOR: '1',
      TRIBUTARY_TOPIC_MIN_INSYNC_REPLICAS: '1',
      TRIBUTARY_DRAIN_DELAY_MS: '20000',
      TRIBUTARY_LOG_LEVEL: 'info',
    });
    await waitReady(gateway);
    // The start-up line names the version (issue 12). Logs are flushed every 100 ms: wait for the line.
    await waitFor('the start-up line', () => logged(/ is serving"/));
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const serving = gateway.lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => /is serving$/.test(l.msg));
    expect(serving).toMatchObject({ version, msg: `tributary ${version} is serving` });
    expect(await post('/reload/hooks/a')).toBe(200);

    await writeFile(catalog, BROKEN);
    gateway.child.kill('SIGHUP');
    await waitFor('the refusal in the log', () => logged(/catalog reload refused/));
    expect(gateway.lines.find((l) => /catalog reload refused/.test(l))).toContain('key /missing');
    expect(await post('/reload/hooks/a')).toBe(200);
    expect((await readyz(gateway.url))?.status).toBe(200);

    await writeFile(catalog, V2);
    gateway.child.kill('SIGHUP');
    await waitFor('the reload in the log', () => logged(/"msg":"catalog reloaded"/));
    expect(await post('/reload/hooks/b')).toBe(200);
    const records = await readTopics(brokers, [`reload.b.${run}`]);
    expect(records).toHaveLength(1);
  });

  it('a second SIGTERM during the drain exits at once', async () => {
    gateway!.child.kill('SIGTERM');
    await waitFor('readiness to fail', async () => (await readyz(gateway!.url))?.status === 503);
    const signalled = Date.now();
    gateway!.child.kill('SIGTERM');
    const { code } = await gateway!.exited;
    expect(code).toBe(143);
    // The drain delay is 20 s: the exit came from the second signal.
    expect(Date.now() - signalled).toBeLessThan(5000);
  });
});
