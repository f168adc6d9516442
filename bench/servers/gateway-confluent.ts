// The gateway's own app, batcher and pipeline with @confluentinc/kafka-javascript (librdkafka) in place of kafkajs
// behind the batcher's send(records) contract: what swapping src/kafka/producer-kafkajs.ts's client would buy. Bench-only
// (the package is optional, see the client baseline); configured like `tributary serve` (same flags and
// defaults through resolveConfig), but no local Kafka, topic creation or signal handling.
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/app.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { configFlagOptions } from '../../src/cli/config-flags.js';
import { resolveConfig } from '../../src/config.js';
import type { Sink } from '../../src/ingest/pipeline.js';
import { Batcher } from '../../src/kafka/batcher.js';
import { type OutboundRecord, recordsByTopic } from '../../src/kafka/record.js';
import { createLogger } from '../../src/ops/logger.js';
import { Metrics } from '../../src/ops/metrics.js';

interface ConfluentProducer {
  connect(): Promise<void>;
  send(record: {
    topic: string;
    messages: { key: string; value: string; headers: Record<string, string> }[];
  }): Promise<unknown>;
  disconnect(): Promise<void>;
}

interface ConfluentModule {
  KafkaJS: {
    Kafka: new (
      config: Record<string, unknown>,
    ) => { producer(config: Record<string, unknown>): ConfluentProducer };
  };
}

const { values } = parseArgs({ args: process.argv.slice(2), options: configFlagOptions(), strict: false });
const config = resolveConfig(values as Record<string, string | boolean | undefined>, process.env);
const logger = createLogger(config.logLevel);
const loaded = await loadCatalog(config.catalog!);
if (loaded.catalog === undefined) throw new Error('catalog has problems');

const name = '@confluentinc/kafka-javascript';
const { KafkaJS } = (await import(name)) as ConfluentModule;
const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: config.brokers, clientId: config.kafkaClientId } });
// librdkafka's linger (default 5 ms) comes on top of the batcher's. 0 made it send partial queues at once: in
// scenario 1 the broker then used 0.58 cores instead of 0.34 for fewer documents; 2 ms measured best.
const producer = kafka.producer({
  kafkaJS: { acks: -1, allowAutoTopicCreation: false, timeout: config.requestTimeoutMs },
  'linger.ms': Number(process.env['BENCH_RDKAFKA_LINGER_MS'] ?? 2),
});
await producer.connect();

async function send(records: OutboundRecord[]): Promise<void> {
  await Promise.all(recordsByTopic(records).map((batch) => producer.send(batch)));
}

const metrics = new Metrics();
const batcher = new Batcher(
  send,
  { lingerMs: config.lingerMs, maxBatchBytes: config.batchMaxBytes, maxInFlight: config.maxInFlightBatches },
  metrics.observeBatch,
);
const sink: Sink = { produce: (records, deadline) => batcher.produce(records, deadline) };
const app = await buildApp({ config, catalog: loaded.catalog, sink, logger, metrics });
await app.fastify.listen({ host: config.host, port: config.port });
logger.info('gateway (confluent client) is serving');

process.once('SIGTERM', async () => {
  await app.fastify.close();
  await batcher.drain();
  await producer.disconnect();
  process.exit(0);
});
