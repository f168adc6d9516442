// The README's read-back command (issue 12): Kafka's console consumer from the cached jars, run exactly as the
// README writes it with only the port and topic swapped for the test broker's, prints the record the gateway wrote.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { readDist } from '../../src/local-kafka/jars.js';
import { capturedLogger } from '../helpers.js';

const brokers = inject('kafkaBootstrap');
const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(`${root}README.md`, 'utf8');

describe("the README's console consumer command", () => {
  it('reads a record back from the cached jars', async () => {
    const line = readme.split('\n').find((l) => l.startsWith('java -cp ') && l.includes('ConsoleConsumer'));
    expect(line).toBeDefined();
    // The jars the README names are the ones the local Kafka uses (scripts/kafka/pom.xml's version).
    const { version } = await readDist();
    expect(line).toContain(`'.cache/kafka/${version}/libs/*'`);
    expect(line).toContain('--bootstrap-server 127.0.0.1:9092 --topic acmeCo.orders');

    const topic = `readback.${randomUUID().slice(0, 8)}`;
    const kafka = createKafka(
      { brokers, clientId: 'readback', connectionTimeoutMs: 3000 },
      capturedLogger().logger,
    );
    await reconcileTopics(
      kafka,
      [topic],
      { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
      { create: true },
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: '["o-1"]', value: '{"id":"o-1"}' }] });
    await producer.disconnect();

    // The README's words, split as a shell would (the one quoted argument keeps its '*'), port and topic swapped.
    const args = line!
      .match(/'[^']*'|\S+/g)!
      .slice(1)
      .map((a) => a.replace(/^'(.*)'$/, '$1'))
      .map((a) => (a === '127.0.0.1:9092' ? brokers[0]! : a === 'acmeCo.orders' ? topic : a));
    const { stdout } = await promisify(execFile)(
      'java',
      [...args, '--max-messages', '1', '--timeout-ms', '30000'],
      {
        cwd: root,
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('["o-1"]\t{"id":"o-1"}');
  }, 90_000);
});
