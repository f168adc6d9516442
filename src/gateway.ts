// A running gateway: Kafka producer + batcher + HTTP app, started and stopped together.
import type { Logger } from 'pino';
import { type App, buildApp } from './app.js';
import type { Catalog } from './catalog/model.js';
import type { Config } from './config.js';
import type { DeliveryStore } from './ingest/deliveries.js';
import type { Sink } from './ingest/pipeline.js';
import { DeadLetterTail, deadLetterTopics } from './inspector/dead-letter-tail.js';
import { NotAuthorizedError, TopicPermissions } from './kafka/authorization.js';
import { Batcher } from './kafka/batcher.js';
import {
  describeConnection,
  kafkaSettingsProblems,
  type ResolvedConnection,
  resolveConnection,
} from './kafka/connection.js';
import { isConfigurationFailure } from './kafka/failure.js';
import { MetadataProbe } from './kafka/metadata-probe.js';
import type { ProducerOptions, RecordProducer } from './kafka/producer.js';
import { createKafka, KafkaProducer } from './kafka/producer-kafkajs.js';
import { type KafkaListener, startKafkaListener } from './listen-kafka/listener.js';
import { Metrics } from './ops/metrics.js';

export interface Gateway {
  app: App;
  producer: RecordProducer;
  batcher: Batcher;
  /** Kafka answered recently (readiness "kafka-metadata"). */
  metadata: MetadataProbe;
  /** Topics Kafka's ACLs refuse the gateway (TRIB_KAFKA_NOT_AUTHORIZED, /readyz `cannotWrite`). */
  permissions: TopicPermissions;
  /** http://host:port once listening. */
  url: string;
  /** The Kafka-protocol listener, when --kafka-listen is set. */
  kafkaListener: KafkaListener | undefined;
  close(): Promise<void>;
}

export async function startGateway(
  config: Config,
  catalog: Catalog,
  logger: Logger,
  resolved: ResolvedConnection = resolveConnection(config),
): Promise<Gateway> {
  const problems = kafkaSettingsProblems(config, resolved);
  if (problems.length > 0) throw new Error(`Kafka settings: ${problems.join('; ')}`);
  for (const w of resolved.warnings) logger.warn(`kafka: ${w}`);
  const connection = resolved.connection;
  const metadata = new MetadataProbe(
    connection,
    () => producer?.lastSuccessAt ?? 0,
    { maxAgeMs: config.kafkaMetadataMaxAgeMs },
    logger,
  );
  // Wrong credentials, an untrusted certificate or a name mismatch cannot cure themselves: refuse to start, with
  // the one line the probe logged. Kafka merely unreachable is not that: serve starts and answers 503.
  const failure = await metadata.check({ quiet: true });
  if (failure !== undefined && isConfigurationFailure(failure)) {
    await metadata.close();
    resolved.oauth?.close();
    throw new KafkaSettingsError(failure.reason);
  }
  let deliveries: DeliveryStore | undefined;
  if (config.redisUrl !== undefined) {
    // Imported only when configured: ioredis is ~70 ms of start-up (issue 17).
    const { RedisDeliveryStore, redisUrlProblem } = await import('./ingest/deliveries-redis.js');
    const problem = redisUrlProblem(config.redisUrl);
    if (problem !== undefined) throw new Error(problem);
    deliveries = new RedisDeliveryStore(config.redisUrl, logger);
  }
  logger.info(describeConnection(connection), 'kafka connection');
  const producerOptions: ProducerOptions = {
    produceTimeoutMs: config.requestTimeoutMs,
    reconnectDelayMs: 1000,
    idempotent: config.kafkaIdempotent ?? config.kafkaClient === 'platformatic',
    compression: config.kafkaCompression,
  };
  let producer: RecordProducer | undefined;
  if (config.kafkaClient === 'platformatic') {
    // Loaded only when chosen: the default gateway does not pay for a second client's start-up.
    const { PlatformaticProducer } = await import('./kafka/producer-platformatic.js');
    producer = new PlatformaticProducer(connection, producerOptions, logger);
  } else {
    producer = new KafkaProducer(createKafka(connection, logger), producerOptions, logger);
  }
  let app: App | undefined;
  const permissions = new TopicPermissions(
    metadata,
    {
      bindings: () =>
        (app?.catalog() ?? catalog).bindings.map((b) => ({
          binding: `${b.capture}/${b.name}`,
          topic: b.collection.topic,
        })),
      principal: connection.principal,
    },
    logger,
  );
  const metrics = new Metrics();
  const batcher = new Batcher(
    (records) => producer.send(records),
    {
      lingerMs: config.lingerMs,
      maxBatchBytes: config.batchMaxBytes,
      maxInFlight: config.maxInFlightBatches,
      // One call on the wire and one queued behind it in the client (src/kafka/batcher.ts).
      partialInFlight: producer.oneProducePerBroker ? 2 : config.maxInFlightBatches,
    },
    metrics.observeBatch,
  );
  const sink: Sink = {
    produce: (records, deadline) => {
      const refusal = permissions.refusal(records);
      if (refusal !== undefined) return Promise.reject(refusal);
      return batcher.produce(records, deadline).catch((err: unknown) => {
        if (err instanceof NotAuthorizedError) permissions.learn(err);
        throw err;
      });
    },
  };
  app = await buildApp({
    config,
    catalog,
    sink,
    logger,
    checks: [
      { name: 'kafka', ok: () => producer.connected() },
      { name: 'kafka-metadata', ok: () => metadata.fresh() },
    ],
    readinessDetails: () => {
      const cannotWrite = permissions.unwritable();
      return cannotWrite.length === 0 ? {} : { cannotWrite };
    },
    metrics,
    metricSources: { kafkaMetadataAge: () => metadata.ageMs() / 1000 },
    deliveries,
  }).catch(async (err: unknown) => {
    // A Redis client left open would keep the process alive after a failed start.
    await deliveries?.close();
    await metadata.close();
    resolved.oauth?.close();
    throw err;
  });
  await producer.start();
  metadata.start();
  permissions.start();
  // Only with the page on and a dead-letter topic to read: what any replica refused (the catalog's topics at start).
  const tailTopics = deadLetterTopics(catalog.bindings);
  const tail =
    app.inspector === undefined || tailTopics.length === 0 || config.inspectorTailRecords === 0
      ? undefined
      : new DeadLetterTail(createKafka(connection, logger), tailTopics, app.inspector, {
          last: config.inspectorTailRecords,
          perSecond: config.inspectorTailPerSecond,
          groupPrefix: `${connection.clientId}-inspector`,
          log: logger,
        });
  tail?.start();
  const address = await app.fastify.listen({ host: config.host, port: config.port });
  const served = app;
  const kafkaListener =
    config.kafkaListen === undefined
      ? undefined
      : await startKafkaListener({
          config,
          catalog: () => served.catalog(),
          door: served.door,
          capacity: served.capacity,
          logger,
        }).catch(async (err: unknown) => {
          await served.fastify.close();
          await tail?.stop();
          await producer.close();
          await metadata.close();
          throw err;
        });
  return {
    app,
    producer,
    batcher,
    metadata,
    permissions,
    url: address,
    kafkaListener,
    async close() {
      // Stop taking requests, let in-flight ones finish (they await the batcher), then flush and disconnect.
      app.lifecycle.phase = 'closing';
      await Promise.all([app.fastify.close(), kafkaListener?.close()]);
      await batcher.drain();
      await tail?.stop();
      permissions.close();
      await metadata.close();
      await producer.close();
      resolved.oauth?.close();
      await deliveries?.close();
    },
  };
}

/** Kafka refuses the settings (credentials, TLS trust, certificate name): serve exits 1 with this one line. */
export class KafkaSettingsError extends Error {
  override name = 'KafkaSettingsError';
}
