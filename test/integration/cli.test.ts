// The commands in-process against the real broker: `topics` creates and reports, `serve` serves until SIGTERM.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { consoleLines, tempDir } from '../helpers.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap').join(',');

function catalogWithTopic(topic: string): string {
  const dir = tempDir('cli-');
  const file = join(dir, 'catalog.yaml');
  writeFileSync(
    file,
    `collections:\n  cli/things:\n    schema: { type: object, required: [id], properties: { id: { type: string } } }\n    key: [/id]\n    topic: ${topic}\ncaptures:\n  cli/cap:\n    endpoint: { ingest: {} }\n    bindings:\n      - target: cli/things\n        resource: { name: things }\n`,
  );
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('tributary topics', () => {
  it('creates missing topics, then reports them as existing, and reports differing settings', async () => {
    const topic = `cli-${randomUUID()}`;
    const catalog = catalogWithTopic(topic);
    const base = ['topics', '--catalog', catalog, '--brokers', brokers, '--topic-partitions', '2'];

    let lines = consoleLines();
    expect(await main([...base, '--dry-run'])).toBe(1);
    expect(lines).toContain(`missing: ${topic}`);

    lines = consoleLines();
    expect(await main(base)).toBe(0);
    expect(lines).toContain(`created: ${topic}`);

    lines = consoleLines();
    expect(await main(base)).toBe(0);
    expect(lines).toContain(`exists: ${topic}`);

    lines = consoleLines();
    expect(await main([...base.slice(0, -1), '4'])).toBe(1);
    // Once per topic, and the replication factor of 3 said to be capped on one broker (issue 12).
    expect(lines.filter((l) => l.includes(topic))).toEqual([
      `differs: ${topic}: partitions is 2, configured 4`,
    ]);
    expect(lines).toContain('capped: replication.factor 3 -> 1 (the cluster has 1 broker)');
  });

  it('needs none of the captures’ secrets: it reads only collections and topics (issue 12)', async () => {
    const topic = `cli-${randomUUID()}`;
    const file = catalogWithTopic(topic);
    const text = readFileSync(file, 'utf8').replace(
      'endpoint: { ingest: {} }',
      'endpoint: { ingest: { tokens: ["${CLI_TEST_UNSET_TOKEN}"] } }',
    );
    writeFileSync(file, text);
    delete process.env['CLI_TEST_UNSET_TOKEN'];
    const lines = consoleLines();
    expect(await main(['topics', '--catalog', file, '--brokers', brokers])).toBe(0);
    expect(lines).toContain(`created: ${topic}`);
  });
});

describe('tributary serve', () => {
  it('serves the catalog against configured brokers and stops cleanly on SIGTERM', async () => {
    const topic = `cli-${randomUUID()}`;
    const catalog = catalogWithTopic(topic);
    const port = await freePort();
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    const serving = main([
      'serve',
      '--catalog',
      catalog,
      '--brokers',
      brokers,
      '--port',
      String(port),
      '--create-topics',
      '--drain-delay-ms',
      '0',
      '--log-level',
      'warn',
    ]);
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${port}/cli/cap/things`, {
      method: 'POST',
      body: '{"id":"x1"}',
    });
    expect(res.status).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await serving).toBe(0);
    stdout.mockRestore();
    // serve arms 'second signal exits at once' handlers; remove only those, not the runner's own.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const listener of process.listeners(signal))
        if (!before.has(listener)) process.off(signal, listener);
    }
    const records = await readTopics(brokers.split(','), [topic]);
    expect(records.map((r) => r.key)).toEqual(['["x1"]']);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('refuses to start with a broken catalog (exit 1)', async () => {
    const dir = tempDir('cli-');
    writeFileSync(join(dir, 'bad.yaml'), 'colections: {}\n');
    const lines = consoleLines();
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['serve', '--catalog', join(dir, 'bad.yaml'), '--brokers', brokers])).toBe(1);
    stdout.mockRestore();
    expect(lines.join('\n')).toMatch(/unknown property 'colections'/);
  });
});
