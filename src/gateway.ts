// A running gateway: Kafka producer + batcher + HTTP app, started and stopped together.
import type { Logger } from 'pino';
import { type App, buildApp } from './app.js';
import type { Catalog } from './catalog/model.js';
import type { Config } from './config.js';
import type { DeliveryStore } from './ingest/deliveries.js';
import { RedisDeliveryStore, redisUrlProblem } from './ingest/deliveries-redis.js';
import type { Sink } from './ingest/pipeline.js';
import { Batcher } from './kafka/batcher.js';
import { createKafka, KafkaProducer } from './kafka/producer.js';

export interface Gateway {
  app: App;
  producer: KafkaProducer;
  batcher: Batcher;
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
  const kafka = createKafka(
    {
      brokers: config.brokers,
      clientId: config.kafkaClientId,
      connectionTimeoutMs: config.kafkaConnectTimeoutMs,
    },
    logger,
  );
  const producer = new KafkaProducer(
    kafka,
    { produceTimeoutMs: config.requestTimeoutMs, reconnectDelayMs: 1000 },
    logger,
  );
  const batcher = new Batcher((records) => producer.send(records), {
    lingerMs: config.lingerMs,
    maxBatchBytes: config.batchMaxBytes,
    maxInFlight: config.maxInFlightBatches,
  });
  const sink: Sink = { produce: (records, deadline) => batcher.produce(records, deadline) };
  const app = await buildApp({
    config,
    catalog,
    sink,
    logger,
    checks: [{ name: 'kafka', ok: () => producer.connected() }],
    deliveries,
  }).catch(async (err: unknown) => {
    // A Redis client left open would keep the process alive after a failed start.
    await deliveries?.close();
    throw err;
  });
  await producer.start();
  const address = await app.fastify.listen({ host: config.host, port: config.port });
  return {
    app,
    producer,
    batcher,
    url: address,
    async close() {
      // Stop taking requests, let in-flight ones finish (they await the batcher), then flush and disconnect.
      await app.fastify.close();
      await batcher.drain();
      await producer.close();
      await deliveries?.close();
    },
  };
}
