import { loadCatalog } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { ConfigError, resolveConfig } from '../config.js';
import { resolveConnection } from '../kafka/connection.js';
import { classifyFailure } from '../kafka/failure.js';
import { createKafka } from '../kafka/producer-kafkajs.js';
import { reconcileTopics } from '../kafka/topics.js';
import { createLogger } from '../ops/logger.js';
import { parseFlags } from './main.js';

const HELP = `Usage: tributary topics --catalog FILE --brokers HOST:PORT[,...] [--dry-run]

Creates the catalog's missing topics with the configured partitions, replication factor (capped at the
broker count) and min.insync.replicas, and reports existing topics whose settings differ.
Exit code 0 when every topic exists (or was created) as configured, 1 when some differ or are missing.

Options:
  --catalog FILE                    catalog file; also TRIBUTARY_CATALOG
  --brokers LIST                    Kafka bootstrap servers; also TRIBUTARY_BROKERS
  --topic-partitions N              default 3; also TRIBUTARY_TOPIC_PARTITIONS
  --topic-replication-factor N      default 3; also TRIBUTARY_TOPIC_REPLICATION_FACTOR
  --topic-min-insync-replicas N     default 2; also TRIBUTARY_TOPIC_MIN_INSYNC_REPLICAS
  --dry-run                         report only, create nothing
  Connection security (TLS, SASL, OAUTHBEARER) comes from the TRIBUTARY_KAFKA_* variables, as for serve.
  -h, --help                        show this help`;

export async function topicsCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    catalog: { type: 'string' },
    brokers: { type: 'string' },
    'topic-partitions': { type: 'string' },
    'topic-replication-factor': { type: 'string' },
    'topic-min-insync-replicas': { type: 'string' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (typeof flags === 'string') {
    console.error(`tributary topics: ${flags}\n\n${HELP}`);
    return 2;
  }
  if (flags.values.help) {
    console.log(HELP);
    return 0;
  }
  const { 'dry-run': dryRun, ...settingFlags } = flags.values;
  let config: ReturnType<typeof resolveConfig>;
  try {
    config = resolveConfig(settingFlags, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`tributary topics: ${err.message}`);
    return 2;
  }
  if (config.catalog === undefined || config.brokers.length === 0) {
    console.error(`tributary topics: --catalog and --brokers are required\n\n${HELP}`);
    return 2;
  }
  const loaded = await loadCatalog(config.catalog);
  if (loaded.catalog === undefined) {
    console.error(formatProblems(loaded));
    return 1;
  }
  const logger = createLogger('warn');
  const resolved = resolveConnection(config, process.env, { clientId: `${config.kafkaClientId}-admin` });
  if (resolved.problems.length > 0) {
    for (const p of resolved.problems) console.error(`tributary topics: ${p}`);
    return 2;
  }
  const kafka = createKafka(resolved.connection, logger);
  const topics = [...loaded.catalog.collections.values()].map((c) => c.topic);
  const report = await reconcileTopics(
    kafka,
    topics,
    {
      partitions: config.topicPartitions,
      replicationFactor: config.topicReplicationFactor,
      minInsyncReplicas: config.topicMinInsyncReplicas,
    },
    { create: dryRun !== true },
  ).catch((err: unknown) => {
    console.error(`tributary topics: ${classifyFailure(err).reason}`);
    return undefined;
  });
  resolved.oauth?.close();
  if (report === undefined) return 1;
  for (const t of report.created) console.log(`created: ${t}`);
  for (const t of report.existing) console.log(`exists: ${t}`);
  for (const t of report.missing) console.log(`missing: ${t}`);
  for (const d of report.differences) {
    console.log(`differs: ${d.topic}: ${d.setting} is ${d.actual}, configured ${d.expected}`);
  }
  return report.missing.length > 0 || report.differences.length > 0 ? 1 : 0;
}
