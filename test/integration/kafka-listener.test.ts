// The Kafka-protocol listener against the real broker (issue 15), with clients nobody here wrote: the Java
// console producer from the cached Kafka jars (idempotent by default; one run per compression codec), kcat
// (librdkafka), kafkajs and @platformatic/kafka. Each writes good documents, a bad one (INVALID_RECORD naming the
// record) and tries a wrong token (SASL_AUTHENTICATION_FAILED); an independent consumer then reads the
// collection topic: every good document once, nothing of a refused request. Clients run concurrently (one
// broker, one gateway) to keep the added wall time small.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { ensureKafkaJars } from '../../src/local-kafka/jars.js';
import { spawnOwned } from '../harness/processes.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
const TOKEN = `kl-${randomUUID()}`;
const RUN = randomUUID().slice(0, 8);
let gateway: Gateway;
let listen: string;
let libs: string;
/** Document ids every client expects to land, and ids that must not. */
const expected = new Set<string>();
const forbidden = new Set<string>();

beforeAll(async () => {
  process.env['KL_TOKEN'] = TOKEN;
  const { logger } = capturedLogger('warn');
  await reconcileTopics(
    createKafka({ brokers, clientId: 'kl-setup', connectionTimeoutMs: 3000 }, logger),
    ['kl.docs', 'kl.other'],
    { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  [gateway, libs] = await Promise.all([
    startGateway(
      defaultConfig({
        brokers,
        port: 0,
        kafkaListen: '127.0.0.1:0',
        kafkaListenPartitions: 2,
        requestTimeoutMs: 20_000,
      }),
      await fixtureCatalog('kafka-listener.yaml'),
      logger,
    ),
    ensureKafkaJars(),
  ]);
  listen = `127.0.0.1:${gateway.kafkaListener!.address.port}`;
});
afterAll(() => gateway?.close());

const doc = (id: string, extra = '') => `{"id":"${id}"${extra}}`;

/** Runs a client to its end; output for assertions. */
async function runClient(
  command: string,
  args: string[],
  stdin: string,
): Promise<{ code: number | null; out: string }> {
  const proc = spawnOwned(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // 'close', not 'exit': a process's last output may still be in its pipes when it exits.
  const drained = new Promise<void>((resolve) => proc.child.once('close', () => resolve()));
  let out = '';
  proc.child.stdout!.on('data', (c: Buffer) => (out += c));
  proc.child.stderr!.on('data', (c: Buffer) => (out += c));
  proc.child.stdin!.end(stdin);
  const timer = setTimeout(() => void proc.stop(1000), 45_000);
  const { code } = await proc.exited;
  await drained;
  clearTimeout(timer);
  return { code, out };
}

function javaProducer(topic: string, props: Record<string, string>, lines: string[]) {
  const args = [
    '-Xmx192m',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    path.join(libs, '*'),
    'org.apache.kafka.tools.ConsoleProducer',
    '--bootstrap-server',
    listen,
    '--topic',
    topic,
  ];
  for (const [k, v] of Object.entries({ acks: 'all', 'max.block.ms': '15000', ...props }))
    args.push('--command-property', `${k}=${v}`);
  return runClient('java', args, `${lines.join('\n')}\n`);
}

const scram = (mechanism: string, password: string) => ({
  'security.protocol': 'SASL_PLAINTEXT',
  'sasl.mechanism': mechanism,
  'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="java" password="${password}";`,
});

function kcat(topic: string, props: Record<string, string>, lines: string[]) {
  const args = ['-P', '-b', listen, '-t', topic, '-X', 'acks=all'];
  for (const [k, v] of Object.entries(props)) args.push('-X', `${k}=${v}`);
  return runClient('kcat', args, `${lines.join('\n')}\n`);
}

const plain = (password: string) => ({
  'security.protocol': 'SASL_PLAINTEXT',
  'sasl.mechanisms': 'PLAIN',
  'sasl.username': 'kcat',
  'sasl.password': password,
});

describe('Kafka-protocol listener with real clients, real broker', () => {
  it('Java, kcat, kafkajs and @platformatic/kafka: good documents land, refused ones do not', async () => {
    const good = (client: string, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const id = `${RUN}-${client}-${i}`;
        expected.add(id);
        return doc(id, `,"n":${i}`);
      });
    const bad = (client: string) => {
      forbidden.add(`${RUN}-${client}-bad`);
      return [doc(`${RUN}-${client}-bad-ok`), doc(`${RUN}-${client}-bad`, ',"n":"not a number"')];
    };
    forbidden.add(`${RUN}-java-badonly`);
    const java = Promise.all([
      // Idempotent by default (InitProducerId, sequences); one run per codec, two through SCRAM.
      javaProducer('kl.hooks.open', { 'compression.type': 'gzip' }, good('java-gzip', 3)),
      javaProducer('kl.hooks.open', { 'compression.type': 'snappy' }, good('java-snappy', 3)),
      javaProducer(
        'kl.hooks.secured',
        { 'compression.type': 'lz4', ...scram('SCRAM-SHA-256', TOKEN) },
        good('java-lz4', 3),
      ),
      javaProducer(
        'kl.hooks.secured',
        { 'compression.type': 'zstd', ...scram('SCRAM-SHA-512', TOKEN) },
        good('java-zstd', 3),
      ),
      javaProducer('kl.hooks.open', {}, [doc(`${RUN}-java-badonly`, ',"n":1.5')]),
      javaProducer('kl.hooks.secured', scram('SCRAM-SHA-512', 'wrong'), [doc(`${RUN}-java-wrong`)]),
    ]);
    forbidden.add(`${RUN}-kcat-wrong`);
    const kcats = Promise.all([
      kcat('kl.hooks.secured', { ...plain(TOKEN), 'enable.idempotence': 'true' }, good('kcat', 4)),
      // Only the bad line: kcat may send lines in separate produce requests (all or nothing is per request).
      kcat('kl.hooks.open', {}, [bad('kcat')[1]!]),
      kcat('kl.hooks.secured', plain('wrong'), [doc(`${RUN}-kcat-wrong`)]),
    ]);
    const node = Promise.all([
      kafkajsClient(good('kafkajs', 5), bad('kafkajs')),
      platformatic(good('plt', 5), bad('plt')),
    ]);
    const [[gzip, snappy, lz4, zstd, invalid, wrong], [kcatGood, kcatBad, kcatWrong]] = await Promise.all([
      java,
      kcats,
      node,
    ]);
    for (const [name, run] of Object.entries({ gzip, snappy, lz4, zstd })) {
      expect([name, run.code, run.out.match(/ERROR.*/)?.[0]]).toEqual([name, 0, undefined]);
    }
    // The Java client names the record and the schema failure (KIP-467 record_errors).
    expect(invalid.out).toMatch(/InvalidRecordException/);
    expect(invalid.out).toContain('/n: must be integer');
    expect(wrong.out).toMatch(/SaslAuthenticationException/);
    expect([kcatGood.code, kcatGood.out]).toEqual([0, '']);
    // librdkafka's text for INVALID_RECORD (87); 2.0.2 does not print record_errors.
    expect(kcatBad.out).toContain('Broker failed to validate record');
    expect(kcatWrong.out).toMatch(/SASL authentication|Authentication failed|invalid credentials/i);

    const landed = await readTopics(brokers, ['kl.docs'], { expected: expected.size });
    const ids = landed.map((r) => JSON.parse(r.value!).id as string).filter((id) => id.startsWith(RUN));
    expect(ids.filter((id) => forbidden.has(id) || id.includes('-bad'))).toEqual([]);
    // Exactly once each: idempotent clients' retries are answered with the first offsets.
    expect(ids.sort()).toEqual([...expected].sort());
  });
});

async function kafkajsClient(good: string[], bad: string[]): Promise<void> {
  const kafka = (password: string) =>
    new Kafka({
      brokers: [listen],
      clientId: 'kl-kafkajs',
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
      sasl: { mechanism: 'scram-sha-256', username: 'node', password } as SASLOptions,
    });
  const producer = kafka(TOKEN).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic: 'kl.hooks.secured', acks: -1, messages: good.map((value) => ({ value })) });
    const err = await producer
      .send({ topic: 'kl.hooks.secured', acks: -1, messages: bad.map((value) => ({ value })) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'INVALID_RECORD' });
  } finally {
    await producer.disconnect();
  }
  const refused = await kafka('wrong')
    .producer()
    .connect()
    .catch((e: unknown) => e);
  expect(String(refused)).toMatch(/SASL|authentication/i);
}

async function platformatic(good: string[], bad: string[]): Promise<void> {
  const producer = new Producer({
    clientId: 'kl-platformatic',
    bootstrapBrokers: [listen],
    serializers: stringSerializers,
    idempotent: true,
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'node', password: TOKEN },
  });
  try {
    await producer.send({
      messages: good.map((value) => ({ topic: 'kl.hooks.secured', value })),
      acks: ProduceAcks.ALL,
    });
    const err = (await producer
      .send({ messages: bad.map((value) => ({ topic: 'kl.hooks.secured', value })), acks: ProduceAcks.ALL })
      .catch((e: unknown) => e)) as { errors?: Array<{ response?: unknown }> };
    const answer = JSON.stringify(err.errors?.[0]?.response, (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
    expect(answer).toContain('"errorCode":87');
    // Spread over both partitions: the bad record is named by its index in its partition's batch.
    expect(answer).toContain('"batchIndexErrorMessage":"/n: must be integer"');
  } finally {
    await producer.close();
  }
  const wrong = new Producer({
    clientId: 'kl-platformatic-wrong',
    bootstrapBrokers: [listen],
    serializers: stringSerializers,
    sasl: { mechanism: 'PLAIN', username: 'node', password: 'wrong' },
    retries: 0,
  });
  const refused = await wrong
    .send({ messages: [{ topic: 'kl.hooks.secured', value: '{"id":"never"}' }] })
    .catch((e: unknown) => e);
  await wrong.close();
  expect(messages(refused)).toMatch(/SASL_AUTHENTICATION_FAILED|invalid credentials/);
}

/** Every message of an error, its causes and aggregated errors (@platformatic/kafka nests them). */
function messages(err: unknown, depth = 0): string {
  if (typeof err !== 'object' || err === null || depth > 5) return '';
  const e = err as { message?: string; cause?: unknown; errors?: unknown[]; response?: unknown };
  const nested = [e.cause, ...(e.errors ?? [])].map((x) => messages(x, depth + 1));
  const response = JSON.stringify(e.response, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)) ?? '';
  return [e.message ?? '', response, ...nested].join(' | ');
}
