// Streaming over WebSocket into a real Kafka broker: pipelined frames answered in order with exactly their
// documents in the topic, rejected frames that produce nothing, limits, dead peers, and the window holding.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import type { Catalog } from '../../src/catalog/model.js';
import { type Config, defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { readTopics } from './kafka-read.js';
import { closeOf, openStream, streamFrames } from './stream-client.js';

const brokers = inject('kafkaBootstrap');
const TOPIC = 'test.stream.orders';
const WINDOW = 16 * 1024;
let catalog: Catalog;
let gateway: Gateway;
/** Small window and a short ping interval, for the flow-control and liveness cases. */
let tight: Gateway;

async function start(overrides: Partial<Config>): Promise<Gateway> {
  const { logger } = capturedLogger('warn');
  // A 30 s Kafka deadline: these cases assert order and completeness, and with two suites at once on 2 cores
  // Kafka took longer than the default 4 s for some of thousands of pipelined frames (issue 12). Deadlines
  // themselves are tested in kafka-outage.test.ts.
  const config = defaultConfig({ brokers, port: 0, lingerMs: 5, requestTimeoutMs: 30_000, ...overrides });
  return startGateway(config, catalog, logger);
}

beforeAll(async () => {
  process.env['STREAM_TEST_TOKEN'] = 'integration-token';
  catalog = await fixtureCatalog('stream.yaml');
  const { logger } = capturedLogger('warn');
  await reconcileTopics(
    createKafka({ brokers, clientId: 't', connectionTimeoutMs: 3000 }, logger),
    [TOPIC, 'test.stream.events'],
    { partitions: 3, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  gateway = await start({});
  tight = await start({ wsWindowBytes: WINDOW, wsPingIntervalMs: 1000 });
});
afterAll(async () => {
  await gateway?.close();
  await tight?.close();
});

const wsUrl = (g: Gateway, path: string) => `${g.url.replace('http:', 'ws:')}${path}`;
const doc = (id: string, amount = 1) => JSON.stringify({ id, amount });

/** Frames of 1, 3 (array) and 2 (NDJSON) documents in turn; returns them with each frame's document count. */
function mixedFrames(run: string, count: number): { frames: string[]; counts: number[]; ids: string[] } {
  const frames: string[] = [];
  const counts: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const own = [0, 1, 2].map((j) => `${run}-${i}-${j}`);
    if (i % 3 === 0) {
      frames.push(doc(own[0]!, i));
      counts.push(1);
      ids.push(own[0]!);
    } else if (i % 3 === 1) {
      frames.push(`[${own.map((id) => doc(id, i)).join(',')}]`);
      counts.push(3);
      ids.push(...own);
    } else {
      frames.push(`${doc(own[0]!, i)}\n${doc(own[1]!, i)}\n`);
      counts.push(2);
      ids.push(own[0]!, own[1]!);
    }
  }
  return { frames, counts, ids };
}

async function recordsOf(run: string) {
  const records = await readTopics(brokers, [TOPIC]);
  return records.filter((r) => r.key?.startsWith(`["${run}-`));
}

describe('WebSocket streaming into Kafka', () => {
  it('answers thousands of pipelined frames in order, and Kafka holds exactly their documents', async () => {
    const run = `pipe-${randomUUID()}`;
    const { frames, counts, ids } = mixedFrames(run, 6000);
    const ws = await openStream(wsUrl(gateway, '/test/stream/orders'), {
      headers: { authorization: 'Bearer integration-token' },
    });
    const answers = await streamFrames(ws, frames);
    expect(answers.map((a) => a.seq)).toEqual(frames.map((_, i) => i + 1));
    expect(answers.filter((a) => a.status !== 'ok')).toEqual([]);
    expect(answers.map((a) => a.published)).toEqual(counts);
    ws.close();

    const records = await recordsOf(run);
    expect(records).toHaveLength(ids.length);
    expect(records.map((r) => JSON.parse(r.key!)[0]).sort()).toEqual([...ids].sort());
    const sample = records.find((r) => r.key === `["${run}-1-2"]`)!;
    const value = JSON.parse(sample.value!);
    expect(value).toMatchObject({ id: `${run}-1-2`, amount: 1 });
    expect(value._meta.webhookId).toBe(value._meta.uuid);
    expect(sample.headers).toMatchObject({
      'tributary-capture': 'test/stream',
      'tributary-binding': 'orders',
    });
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('rejects bad frames with per-document details, produces nothing of them, and keeps the connection', async () => {
    const run = `rej-${randomUUID()}`;
    const frames = Array.from({ length: 200 }, (_, i) =>
      i % 10 === 5 ? `[${doc(`${run}-${i}-a`)},{"id":"${run}-${i}-b","amount":"x"}]` : doc(`${run}-${i}`),
    );
    frames.push('{"id": broken');
    const ws = await openStream(wsUrl(gateway, '/test/open/services'));
    const answers = await streamFrames(ws, frames);
    const rejected = answers.filter((a) => a.status === 'rejected');
    expect(rejected.map((a) => a.seq)).toEqual([
      ...Array.from({ length: 20 }, (_, k) => k * 10 + 6),
      frames.length,
    ]);
    expect(rejected[0]!.error).toMatchObject({
      code: 'TRIB_VALIDATE_SCHEMA',
      documents: [{ index: 1, pointer: '/amount', keyword: 'type' }],
    });
    expect(rejected.at(-1)!.error!.code).toBe('TRIB_DECODE_INVALID_JSON');
    expect(answers.filter((a) => a.status === 'ok')).toHaveLength(180);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();

    const keys = (await recordsOf(run)).map((r) => JSON.parse(r.key!)[0]);
    expect(keys).toHaveLength(180);
    expect(keys.some((k: string) => k.endsWith('-a') || k.endsWith('-b'))).toBe(false);
  });

  it('closes 1009 on a message over the 1 MiB default limit', async () => {
    const ws = await openStream(wsUrl(gateway, '/test/open/services'));
    const closed = closeOf(ws);
    ws.send(doc('x'.repeat(1024 * 1024)));
    expect(await closed).toBe(1009);
  });
});

describe('WebSocket flow control and liveness', () => {
  it('stops reading at the window while the client writes on, and still answers every frame', async () => {
    const run = `win-${randomUUID()}`;
    const frames = Array.from({ length: 4000 }, (_, i) => doc(`${run}-${i}`, i));
    const ws = await openStream(wsUrl(tight, '/test/open/services'));
    const answers = await streamFrames(ws, frames);
    const [connection] = tight.app.streams.list();
    expect(answers.map((a) => a.seq)).toEqual(frames.map((_, i) => i + 1));
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    expect(connection!.flow.pauses).toBeGreaterThan(0);
    // The window, plus at most one socket read (64 KiB) that was already parsed when the pause came.
    expect(connection!.flow.peakUnacked).toBeLessThanOrEqual(WINDOW + 64 * 1024);
    expect(connection!.flow.peakUnacked).toBeGreaterThanOrEqual(WINDOW);
    ws.close();
    expect(await recordsOf(run)).toHaveLength(frames.length);
  });

  it('terminates a peer that stops answering pings, and keeps one that answers', async () => {
    const dead = await openStream(wsUrl(tight, '/test/open/services'), { autoPong: false });
    const live = await openStream(wsUrl(tight, '/test/open/services'));
    const started = Date.now();
    expect(await closeOf(dead)).toBe(1006);
    // Terminated between one and two intervals after its first missed pong; generous for 2 shared cores.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(live.readyState).toBe(WebSocket.OPEN);
    await expect.poll(() => tight.app.streams.stats().connections).toBe(1);
    live.close();
  });
});
