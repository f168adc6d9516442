import path from 'node:path';
import type { Logger } from 'pino';
import { loadCatalog } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { type Config, ConfigError, resolveConfig } from '../config.js';
import { type Gateway, KafkaSettingsError, startGateway } from '../gateway.js';
import { type KafkaConnection, kafkaSettingsProblems, resolveConnection } from '../kafka/connection.js';
import { classifyFailure } from '../kafka/failure.js';
import { createKafka } from '../kafka/producer-kafkajs.js';
import { reconcileTopics } from '../kafka/topics.js';
import { type LocalKafka, startLocalKafka } from '../local-kafka/broker.js';
import { createLogger } from '../ops/logger.js';
import { reloadOnSignal } from '../ops/reload.js';
import { trustProxyOption } from '../ops/server-options.js';
import { drain, waitForSignal } from '../ops/shutdown.js';
import { configFlagHelp, configFlagOptions } from './config-flags.js';
import { parseFlags } from './main.js';

const HELP = `Usage: tributary serve --catalog FILE [options]

Serves every push capture of the catalog: POST to each binding's path. With no --brokers (and no
TRIBUTARY_BROKERS) a single-node Kafka is started on loopback for local use, and stopped with the gateway.
SIGTERM or SIGINT drains gracefully (see --drain-delay-ms, --shutdown-grace-ms); a second signal exits at
once. SIGHUP reloads the catalog; a catalog with problems is refused and the current one keeps serving.

Options:
${configFlagHelp()}`;

export async function serveCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, configFlagOptions());
  if (typeof flags === 'string') {
    console.error(`tributary serve: ${flags}\n\n${HELP}`);
    return 2;
  }
  if (flags.values.help) {
    console.log(HELP);
    return 0;
  }
  let config: Config;
  try {
    config = resolveConfig(flags.values, process.env);
    trustProxyOption(config.trustProxy);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`tributary serve: ${err.message}`);
    return 2;
  }
  if (config.catalog === undefined) {
    console.error(`tributary serve: --catalog is required\n\n${HELP}`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  const loaded = await loadCatalog(config.catalog);
  const kafkaProblems = kafkaSettingsProblems(config, resolveConnection(config));
  if (kafkaProblems.length > 0) {
    for (const p of kafkaProblems) console.error(`tributary serve: ${p}`);
    logger.fatal({ problems: kafkaProblems.length }, 'Kafka connection settings have problems; not starting');
    return 2;
  }
  if (loaded.catalog === undefined) {
    console.error(formatProblems(loaded));
    logger.fatal({ problems: loaded.problems.length }, 'catalog has problems; not starting');
    return 1;
  }
  for (const w of loaded.warnings) logger.warn({ location: w.location }, w.message);

  let local: LocalKafka | undefined;
  if (config.brokers.length === 0) {
    const dataDir = path.resolve(config.localKafkaDir);
    logger.info({ dataDir }, 'no brokers configured: starting a local single-node Kafka');
    local = await startLocalKafka({ nodes: 1, dataDir, log: (msg) => logger.info(msg) });
    config = { ...config, brokers: local.bootstrap };
    logger.info({ brokers: local.bootstrap }, 'local Kafka is up');
  }

  let gateway: Gateway | undefined;
  const createTopics = config.createTopics ?? local !== undefined;
  try {
    if (createTopics) {
      await ensureTopics(
        config,
        loaded.catalog.bindings.map((b) => b.collection.topic),
        logger,
      );
    }
    gateway = await startGateway(config, loaded.catalog, logger, resolveConnection(config));
    logger.info(
      { url: gateway.url, bindings: loaded.catalog.bindings.map((b) => b.path) },
      'tributary is serving',
    );
  } catch (err) {
    // One line naming the cause: Kafka refusing the settings, or whatever else stopped the start.
    if (err instanceof KafkaSettingsError) logger.fatal(`kafka: ${err.message}; not starting`);
    else if (err instanceof TopicsError) logger.fatal(`kafka: ${err.message}; not starting`);
    else logger.fatal({ err }, 'could not start');
    await local?.stop();
    return 1;
  }
  const brokersConfig = config;
  const stopReloads = reloadOnSignal({
    file: loaded.catalog.file,
    app: gateway.app,
    logger,
    watchFiles: config.watchCatalog,
    ...(createTopics
      ? { ensureTopics: (topics: string[]) => ensureTopics(brokersConfig, topics, logger) }
      : {}),
  });
  await waitForSignal(logger);
  stopReloads();
  const running = gateway;
  const code = await drain(
    { lifecycle: running.app.lifecycle, close: () => running.close() },
    { drainDelayMs: config.drainDelayMs, graceMs: config.shutdownGraceMs },
    logger,
  );
  // Past the grace period, sockets may still be open and would keep the process alive: leave now.
  if (code !== 0) process.exit(code);
  await local?.stop();
  logger.info('stopped');
  return 0;
}

class TopicsError extends Error {}

async function ensureTopics(config: Config, topics: string[], logger: Logger): Promise<void> {
  const admin: KafkaConnection = resolveConnection(config, process.env, {
    clientId: `${config.kafkaClientId}-admin`,
  }).connection;
  const kafka = createKafka(admin, logger);
  const report = await reconcileTopics(
    kafka,
    topics,
    {
      partitions: config.topicPartitions,
      replicationFactor: config.topicReplicationFactor,
      minInsyncReplicas: config.topicMinInsyncReplicas,
    },
    { create: true },
  ).catch((err: unknown) => {
    throw new TopicsError(`creating topics failed: ${classifyFailure(err).reason}`, { cause: err });
  });
  if (report.created.length > 0) logger.info({ topics: report.created }, 'created topics');
  for (const d of report.differences) logger.warn(d, 'topic setting differs from configuration');
}
