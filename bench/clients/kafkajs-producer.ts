// Baseline (b): the client ceiling. A bare kafkajs producer sending the same documents with the same keys in
// large batches (acks=-1), several sends in flight, no HTTP, no validation. Run as its own process; prints one
// JSON line with its results. Options come as one JSON argument.
import kafkajs from 'kafkajs';
import { orderPool } from '../lib/documents.js';

const { Kafka, logLevel } = kafkajs;

interface Options {
  bootstrap: string[];
  topic: string;
  warmupSec: number;
  durationSec: number;
  batchDocs: number;
  inFlight: number;
}

const opts = JSON.parse(process.argv[2]!) as Options;
const messages = orderPool(1000).map((value) => ({
  key: JSON.stringify([(JSON.parse(value) as { id: string }).id]),
  value,
}));
const kafka = new Kafka({ brokers: opts.bootstrap, clientId: 'bench-kafkajs', logLevel: logLevel.WARN });
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

let next = 0;
let acked = 0;
const latencies: number[] = [];
let measuring = false;

async function lane(until: number): Promise<void> {
  while (Date.now() < until) {
    const batch = new Array(opts.batchDocs);
    for (let i = 0; i < opts.batchDocs; i++) batch[i] = messages[next++ % messages.length];
    const started = performance.now();
    await producer.send({ topic: opts.topic, acks: -1, messages: batch });
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
