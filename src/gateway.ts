// A running gateway: Kafka producer + batcher + HTTP app, started and stopped together.
import type { Logger } from 'pino';
import { type App, buildApp } from './app.js';
import type { Catalog } from './catalog/model.js';
import type { Config } from './config.js';
import type { DeliveryStore } from './ingest/deliveries.js';
import { RedisDeliveryStore, redisUrlProblem } from './ingest/deliveries-redis.js';
import type { Sink } from './ingest/pipeline.js';
import { Batcher } from './kafka/batcher.js';
import { MetadataProbe } from './kafka/metadata-probe.js';
import type { ProducerOptions, RecordProducer } from './kafka/producer.js';
import { createKafka, type KafkaConnection, KafkaProducer } from './kafka/producer-kafkajs.js';
import { Metrics } from './ops/metrics.js';

export interface Gateway {
  app: App;
  producer: RecordProducer;
  batcher: Batcher;
  /** Kafka answered recently (readiness "kafka-metadata"). */
  metadata: MetadataProbe;
  /** http://host:port once listening. */
  url: string;
  close(): Promise<void>;
}

export async function startGateway(config: Config, catalog: Catalog, logger: Logger): Promise<Gateway> {
  let deliveries: DeliveryStore | undefined;
  if (config.redisUrl !== undefined) {
    const problem = redisUrlProblem(config.redisUrl);
    if (problem !== undefined) throw new Error(problem);
    deliveries = new RedisDeliveryStore(config.redisUrl, logger);
  }
  const connection: KafkaConnection = {
    brokers: config.brokers,
    clientId: config.kafkaClientId,
    connectionTimeoutMs: config.kafkaConnectTimeoutMs,
  };
  // Admin requests (the metadata probe) stay on kafkajs whichever client produces.
  const kafka = createKafka(connection, logger);
  const producerOptions: ProducerOptions = {
    produceTimeoutMs: config.requestTimeoutMs,
    reconnectDelayMs: 1000,
  };
  let producer: RecordProducer;
  if (config.kafkaClient === 'platformatic') {
    // Loaded only when chosen: the default gateway does not pay for a second client's start-up.
    const { PlatformaticProducer } = await import('./kafka/producer-platformatic.js');
    producer = new PlatformaticProducer(connection, producerOptions, logger);
  } else {
    producer = new KafkaProducer(kafka, producerOptions, logger);
  }
  const metadata = new MetadataProbe(
    kafka,
    () => producer.lastSuccessAt,
    { maxAgeMs: config.kafkaMetadataMaxAgeMs },
    logger,
  );
  const metrics = new Metrics();
  const batcher = new Batcher(
    (records) => producer.send(records),
    {
      lingerMs: config.lingerMs,
      maxBatchBytes: config.batchMaxBytes,
      maxInFlight: config.maxInFlightBatches,
    },
    metrics.observeBatch,
  );
  const sink: Sink = { produce: (records, deadline) => batcher.produce(records, deadline) };
  const app = await buildApp({
    config,
    catalog,
    sink,
    logger,
    checks: [
      { name: 'kafka', ok: () => producer.connected() },
      { name: 'kafka-metadata', ok: () => metadata.fresh() },
    ],
    metrics,
    metricSources: { kafkaMetadataAge: () => metadata.ageMs() / 1000 },
    deliveries,
  }).catch(async (err: unknown) => {
    // A Redis client left open would keep the process alive after a failed start.
    await deliveries?.close();
    throw err;
  });
  await producer.start();
  metadata.start();
  const address = await app.fastify.listen({ host: config.host, port: config.port });
  return {
    app,
    producer,
    batcher,
    metadata,
    url: address,
    async close() {
      // Stop taking requests, let in-flight ones finish (they await the batcher), then flush and disconnect.
      app.lifecycle.phase = 'closing';
      await app.fastify.close();
      await batcher.drain();
      await metadata.close();
      await producer.close();
      await deliveries?.close();
    },
  };
}
