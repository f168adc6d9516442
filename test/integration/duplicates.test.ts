// Two real gateway processes (`tributary serve`, the built binary) behind an imaginary load balancer, sharing
// Redis: a delivery sent to both, one after the other or at the same time, reaches Kafka once.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { githubHeaders } from '../auth/senders.js';
import { PUBLIC_URL, SECRETS } from '../auth/signed-app.js';
import { capturedLogger } from '../helpers.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
const REDIS = process.env['TRIBUTARY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const bin = new URL('../../bin/tributary.js', import.meta.url).pathname;
const catalog = new URL('../fixtures/catalogs/signed.yaml', import.meta.url).pathname;
const TOPIC = 'test.events';
const children: ChildProcess[] = [];
let urls: string[] = [];

/** Starts `tributary serve` on a free port and resolves with its URL once it logs that it is serving. */
function serve(): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'serve',
      '--catalog',
      catalog,
      '--brokers',
      brokers.join(','),
      '--port',
      '0',
      '--log-level',
      'info',
    ],
    {
      env: { ...process.env, ...SECRETS, TRIBUTARY_REDIS_URL: REDIS, TRIBUTARY_PUBLIC_URL: PUBLIC_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tributary serve did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`tributary serve exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'tributary is serving' && entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
}

beforeAll(async () => {
  const { logger } = capturedLogger('warn');
  await reconcileTopics(
    createKafka({ brokers, clientId: 't', connectionTimeoutMs: 3000 }, logger),
    [TOPIC, 'test.stripe-events'],
    { partitions: 3, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  urls = await Promise.all([serve(), serve()]);
});
afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
});

async function deliver(url: string, delivery: string, body: string) {
  const res = await fetch(`${url}/test/signed/github`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...(await githubHeaders(SECRETS.SIG_GITHUB, body, delivery)),
    },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function recordsOf(delivery: string) {
  const records = await readTopics(brokers, [TOPIC]);
  return records.filter((r) => r.headers['tributary-delivery-id'] === delivery);
}

describe('duplicate suppression across two gateway processes sharing Redis', () => {
  it('produces a delivery once when it reaches both replicas one after the other', async () => {
    const delivery = `gh-${randomUUID()}`;
    const body = JSON.stringify({ action: 'opened', delivery });
    const first = await deliver(urls[0]!, delivery, body);
    const second = await deliver(urls[1]!, delivery, body);
    expect(first).toEqual({ status: 200, body: { published: 1, webhookIds: [delivery] } });
    expect(second).toEqual({
      status: 200,
      body: { published: 0, webhookIds: [], duplicate: true, duplicates: 1 },
    });
    const records = await recordsOf(delivery);
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0]!.value!)).toMatchObject({
      action: 'opened',
      _meta: { webhookId: delivery },
    });
  });

  it('produces once when both replicas get it at the same moment; the loser is told to retry', async () => {
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const delivery = `gh-${randomUUID()}`;
      const body = JSON.stringify({ action: 'race', delivery });
      const answers = await Promise.all(urls.map((url) => deliver(url, delivery, body)));
      const published = answers.filter((a) => a.status === 200 && a.body['published'] === 1);
      expect(published, JSON.stringify(answers)).toHaveLength(1);
      for (const other of answers.filter((a) => a.body['published'] !== 1)) {
        // Either it saw the first one finished (duplicate) or still in flight (503, retryable).
        if (other.status === 503) expect(other.body['code']).toBe('TRIB_DELIVERY_IN_PROGRESS');
        else expect(other.body['duplicate']).toBe(true);
      }
      // The sender's retry of the loser is a duplicate.
      expect((await deliver(urls[1]!, delivery, body)).body['duplicate']).toBe(true);
      expect(await recordsOf(delivery)).toHaveLength(1);
    }
  });
});
