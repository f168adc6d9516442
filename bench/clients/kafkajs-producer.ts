// Baseline (b): the client ceiling. A bare producer sending the same documents with the same keys in large
// batches (acks=-1), several sends in flight, no HTTP, no validation. Run as its own process; prints one JSON
// line with its results. Options come as one JSON argument.
//
// client 'kafkajs' is the gateway's client. client 'confluent' is @confluentinc/kafka-javascript (librdkafka)
// through its KafkaJS-compatible API, measured only where it is installed (it is not a dependency: without a
// prebuilt binary it needs a native build, see docs/benchmarks.md). client 'platformatic' is @platformatic/kafka
// (pure JS, issue 6), with the Java-compatible partitioner so keys land where kafkajs puts them.
import { randomUUID } from 'node:crypto';
import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { orderPool } from '../lib/documents.js';

interface Options {
  client: 'kafkajs' | 'confluent' | 'platformatic';
  bootstrap: string[];
  topic: string;
  warmupSec: number;
  durationSec: number;
  batchDocs: number;
  inFlight: number;
  /** platformatic only: produce records as the gateway does (its defaults: idempotent, lz4, five headers). */
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
 * What the gateway adds to each record (src/ingest/pipeline.ts): `_meta` in the value and five headers, with
 * values of the same lengths; the ids are random per record, as the gateway's UUIDv7 are.
 */
function asGatewayRecord(value: string): Message {
  const uuid = randomUUID();
  const meta = `"_meta":{"uuid":"${uuid}","receivedAt":"2026-12-02T10:00:00.000Z","webhookId":"${uuid}"}`;
  return {
    key: JSON.stringify([(JSON.parse(value) as { id: string }).id]),
    value: `{${meta},${value.slice(1)}`,
    headers: {
      'content-type': 'application/json',
      'tributary-capture': 'acme/orders',
      'tributary-binding': 'orders',
      'tributary-uuid': uuid,
      'tributary-webhook-id': uuid,
    },
  };
}

const messages: Message[] = orderPool(1000).map((value) =>
  opts.asGateway
    ? asGatewayRecord(value)
    : { key: JSON.stringify([(JSON.parse(value) as { id: string }).id]), value },
);
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
