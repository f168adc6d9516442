// Baseline (b): the client ceiling. A bare producer sending the same documents with the same keys in large
// batches (acks=-1), several sends in flight, no HTTP, no validation. Run as its own process; prints one JSON
// line with its results. Options come as one JSON argument.
//
// client 'kafkajs' is the gateway's client. client 'confluent' is @confluentinc/kafka-javascript (librdkafka)
// through its KafkaJS-compatible API, measured only where it is installed (it is not a dependency: without a
// prebuilt binary it needs a native build, see docs/benchmarks.md). client 'platformatic' is @platformatic/kafka
// (pure JS, issue 6), with the Java-compatible partitioner so keys land where kafkajs puts them.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { loadCatalog } from '../../src/catalog/load.js';
import { shareMeta } from '../../src/document/meta.js';
import { prepareDocuments } from '../../src/ingest/pipeline.js';
import { orderPool } from '../lib/documents.js';
import { writeOrdersCatalog } from '../lib/gateway.js';

interface Options {
  client: 'kafkajs' | 'confluent' | 'platformatic';
  bootstrap: string[];
  topic: string;
  warmupSec: number;
  durationSec: number;
  batchDocs: number;
  inFlight: number;
  /** platformatic only: the gateway's records (built by its own code) with its defaults: idempotent, lz4. */
  asGateway?: boolean;
}

interface Message {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

interface BenchProducer {
  send(messages: Message[]): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** The slice of @confluentinc/kafka-javascript used here; typed locally because it is optional. */
interface ConfluentModule {
  KafkaJS: {
    Kafka: new (
      config: Record<string, unknown>,
    ) => {
      producer(config: Record<string, unknown>): {
        connect(): Promise<void>;
        send(record: { topic: string; messages: Message[] }): Promise<unknown>;
        disconnect(): Promise<void>;
      };
    };
  };
}

const opts = JSON.parse(process.argv[2]!) as Options;

async function connect(): Promise<BenchProducer> {
  if (opts.client === 'confluent') {
    const name = '@confluentinc/kafka-javascript';
    const { KafkaJS } = (await import(name)) as ConfluentModule;
    const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: opts.bootstrap, clientId: 'bench-confluent' } });
    const producer = kafka.producer({ kafkaJS: { acks: -1, allowAutoTopicCreation: false } });
    await producer.connect();
    return {
      send: (messages) => producer.send({ topic: opts.topic, messages }),
      disconnect: () => producer.disconnect(),
    };
  }
  if (opts.client === 'platformatic') {
    const producer = new Producer({
      clientId: 'bench-platformatic',
      bootstrapBrokers: opts.bootstrap,
      serializers: stringSerializers,
      partitioner: compatibilityPartitioner,
      acks: ProduceAcks.ALL,
      ...(opts.asGateway ? { idempotent: true, compression: 'lz4' as const } : {}),
    });
    const { topic } = opts;
    return {
      send: (messages) =>
        producer.send({
          acks: ProduceAcks.ALL,
          messages: messages.map((m) => ({ topic, key: m.key, value: m.value, headers: m.headers })),
        }),
      disconnect: () => producer.close(),
    };
  }
  const kafka = new kafkajs.Kafka({
    brokers: opts.bootstrap,
    clientId: 'bench-kafkajs',
    logLevel: kafkajs.logLevel.WARN,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    send: (messages) => producer.send({ topic: opts.topic, acks: -1, messages }),
    disconnect: () => producer.disconnect(),
  };
}

/**
 * The gateway's own records for the same documents, built by its own code (`shareMeta`, `prepareDocuments`:
 * `_meta`, key, headers) for the bench catalog's binding, so the row follows whatever the gateway sends.
 */
async function asGatewayRecords(values: string[]): Promise<Message[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-as-gateway-'));
  try {
    const { catalog, problems } = await loadCatalog(await writeOrdersCatalog(dir, opts.topic));
    if (catalog === undefined) throw new Error(`bench catalog: ${JSON.stringify(problems)}`);
    const binding = catalog.bindings[0]!;
    const shared = shareMeta(binding, {
      receivedAt: new Date(),
      headers: {},
      query: undefined,
      pathParams: undefined,
    });
    const docs = values.map((v) => JSON.parse(v) as Record<string, unknown>);
    return prepareDocuments(binding, docs, shared, Number.MAX_SAFE_INTEGER, undefined).records;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const pool = orderPool(1000);
const messages: Message[] = opts.asGateway
  ? await asGatewayRecords(pool)
  : pool.map((value) => ({ key: JSON.stringify([(JSON.parse(value) as { id: string }).id]), value }));
const producer = await connect();

let next = 0;
let acked = 0;
const latencies: number[] = [];
let measuring = false;

async function lane(until: number): Promise<void> {
  while (Date.now() < until) {
    const batch: Message[] = new Array(opts.batchDocs);
    for (let i = 0; i < opts.batchDocs; i++) batch[i] = messages[next++ % messages.length]!;
    const started = performance.now();
    await producer.send(batch);
    if (measuring) {
      latencies.push(performance.now() - started);
      acked += batch.length;
    }
  }
}

const lanes = (until: number) => Promise.all(Array.from({ length: opts.inFlight }, () => lane(until)));
await lanes(Date.now() + opts.warmupSec * 1000);
measuring = true;
console.log('measuring');
const cpu = process.cpuUsage();
const started = performance.now();
await lanes(Date.now() + opts.durationSec * 1000);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
await producer.disconnect();
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
console.log(
  JSON.stringify({
    docs: acked,
    seconds,
    cores: (used.user + used.system) / 1e6 / seconds,
    batchLatencyMs: { p50: pct(0.5), p99: pct(0.99) },
  }),
);
