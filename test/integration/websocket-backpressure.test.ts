// "A fast sender can never make the gateway buffer without bound": with the broker stalled (SIGSTOP), a client
// that keeps writing fills its own send buffer while the gateway's socket stays paused and its unanswered bytes
// stay within the window. This file runs its own broker so it can stop it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { type LocalKafka, startLocalKafka } from '../../src/local-kafka/broker.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { readTopics } from './kafka-read.js';
import { type Answer, collectAnswers, openStream } from './stream-client.js';

const WINDOW = 64 * 1024;
const READ_CHUNK = 64 * 1024;
let kafka: LocalKafka;
let gateway: Gateway;

beforeAll(async () => {
  process.env['STREAM_TEST_TOKEN'] = 'backpressure-token';
  kafka = await startLocalKafka({ nodes: 1 });
  const { logger } = capturedLogger('error');
  await reconcileTopics(
    createKafka({ brokers: kafka.bootstrap, clientId: 't', connectionTimeoutMs: 1000 }, logger),
    ['test.stream.orders'],
    { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  gateway = await startGateway(
    // A deadline longer than the stall: every frame must end up acknowledged, none failed.
    defaultConfig({ brokers: kafka.bootstrap, port: 0, requestTimeoutMs: 30_000, wsWindowBytes: WINDOW }),
    await fixtureCatalog('stream.yaml'),
    logger,
  );
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await kafka?.stop();
});

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

describe('WebSocket backpressure with a stalled broker', () => {
  it('pauses the socket and bounds what the gateway holds while the client out-writes Kafka', async () => {
    const run = `stall-${randomUUID()}`;
    const url = `${gateway.url.replace('http:', 'ws:')}/test/open/services`;
    const ws = await openStream(url);
    const pad = 'p'.repeat(2000);
    const frame = (i: number) => JSON.stringify({ id: `${run}-${i}-${pad}`, amount: i });
    // Warm up: the producer is connected and the topic's leader known before the stall.
    const first = collectAnswers(ws, 1);
    ws.send(frame(0));
    expect((await first)[0]!.status).toBe('ok');
    ws.removeAllListeners('message');

    const answers: Answer[] = [];
    ws.on('message', (data: Buffer) => answers.push(JSON.parse(String(data))));
    await kafka.nodes[0]!.kill('SIGSTOP');
    let sent = 1;
    let writing = true;
    // The client writes as fast as its socket takes data, and then some: ws queues what TCP refuses.
    const writer = (async () => {
      while (writing) {
        // It stops at 8 MiB of its own backlog, only to keep the test short.
        if (ws.bufferedAmount < 8 * 1024 * 1024) for (let k = 0; k < 50; k++) ws.send(frame(sent++));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const stats = () => gateway.app.streams.stats();
    try {
      expect(await until(() => stats().pausedSockets === 1, 10_000)).toBe(true);
      // The client's unsent bytes grow past what the gateway could hold; the gateway takes nothing more.
      expect(await until(() => ws.bufferedAmount > 4 * 1024 * 1024, 20_000)).toBe(true);
      const framesWhilePaused = stats().frames;
      await new Promise((r) => setTimeout(r, 500));
      expect(stats().frames).toBe(framesWhilePaused);
      expect(stats().pausedSockets).toBe(1);
      expect(stats().unackedBytes).toBeLessThanOrEqual(WINDOW + READ_CHUNK);
      expect(answers).toHaveLength(0);
    } finally {
      writing = false;
      await writer;
      await kafka.nodes[0]!.kill('SIGCONT');
    }

    expect(await until(() => answers.length === sent - 1, 60_000)).toBe(true);
    expect(answers.map((a) => a.seq)).toEqual(Array.from({ length: sent - 1 }, (_, i) => i + 2));
    expect(answers.filter((a) => a.status !== 'ok')).toEqual([]);
    const [connection] = gateway.app.streams.list();
    expect(connection!.flow.peakUnacked).toBeLessThanOrEqual(WINDOW + READ_CHUNK);
    ws.close();

    const records = await readTopics(kafka.bootstrap, ['test.stream.orders']);
    const ids = new Set(records.map((r) => JSON.parse(r.value!).id));
    expect(ids.size).toBe(sent);
    for (let i = 0; i < sent; i++) expect(ids.has(`${run}-${i}-${pad}`)).toBe(true);
  }, 120_000);
});
