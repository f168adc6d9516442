import { loadTopics } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { resolveConnection } from '../kafka/connection.js';
import { classifyFailure } from '../kafka/failure.js';
import { createKafka } from '../kafka/producer-kafkajs.js';
import { reconcileTopics, type TopicReport } from '../kafka/topics.js';
import { createLogger } from '../ops/logger.js';
import { configFlagOptions } from './config-flags.js';
import { prologue } from './prologue.js';

const HELP = `Usage: tributary topics --catalog FILE --brokers HOST:PORT[,...] [--dry-run]

Creates the catalog's missing topics with the configured partitions, replication factor (capped at the
broker count) and min.insync.replicas, and reports existing topics whose settings differ: one line per topic,
and one per setting the cluster made lower. Reads only the catalog's collections: the captures' secrets need
not be set. Exit code 0 when every topic exists (or was created) as configured, 1 when some differ or are missing.

Options:
  --catalog FILE                    catalog file; also TRIBUTARY_CATALOG
  --brokers LIST                    Kafka bootstrap servers; also TRIBUTARY_BROKERS
  --topic-partitions N              default 3; also TRIBUTARY_TOPIC_PARTITIONS
  --topic-replication-factor N      default 3; also TRIBUTARY_TOPIC_REPLICATION_FACTOR
  --topic-min-insync-replicas N     default 2; also TRIBUTARY_TOPIC_MIN_INSYNC_REPLICAS
  --dry-run                         report only, create nothing
  Connection security (TLS, SASL, OAUTHBEARER) comes from the TRIBUTARY_KAFKA_* variables, as for serve;
  every other setting of 'tributary serve --help' is taken too.
  -h, --help                        show this help`;

/** One line per topic (created, exists, missing, or differs with every differing setting), then the caps. */
export function topicLines(report: TopicReport): string[] {
  const lines = [
    ...report.created.map((t) => `created: ${t}`),
    ...report.missing.map((t) => `missing: ${t}`),
  ];
  for (const topic of report.existing) {
    const differences = report.differences.filter((d) => d.topic === topic);
    lines.push(
      differences.length === 0
        ? `exists: ${topic}`
        : `differs: ${topic}: ${differences.map((d) => `${d.setting} is ${d.actual}, configured ${d.expected}`).join('; ')}`,
    );
  }
  for (const c of report.capped) {
    lines.push(`capped: ${c.setting} ${c.configured} -> ${c.used} (${c.why})`);
  }
  return lines;
}

export async function topicsCommand(argv: string[]): Promise<number> {
  const invocation = prologue(
    {
      name: 'topics',
      help: HELP,
      // Every setting, so the Kafka connection (client id, timeouts, and whatever secures it) is serve's.
      options: { ...configFlagOptions(), 'dry-run': { type: 'boolean' } },
      requires: ['brokers'],
    },
    argv,
  );
  if (typeof invocation === 'number') return invocation;
  const { config, flags } = invocation;
  const loaded = await loadTopics(config.catalog);
  if (loaded.topics === undefined) {
    console.error(formatProblems(loaded));
    return 1;
  }
  const resolved = resolveConnection(config, process.env, { clientId: `${config.kafkaClientId}-admin` });
  if (resolved.problems.length > 0) {
    for (const p of resolved.problems) console.error(`tributary topics: ${p}`);
    return 2;
  }
  const kafka = createKafka(resolved.connection, createLogger('warn'));
  const report = await reconcileTopics(
    kafka,
    loaded.topics,
    {
      partitions: config.topicPartitions,
      replicationFactor: config.topicReplicationFactor,
      minInsyncReplicas: config.topicMinInsyncReplicas,
    },
    { create: flags['dry-run'] !== true },
  ).catch((err: unknown) => {
    console.error(`tributary topics: ${classifyFailure(err).reason}`);
    return undefined;
  });
  resolved.oauth?.close();
  if (report === undefined) return 1;
  for (const line of topicLines(report)) console.log(line);
  return report.missing.length > 0 || report.differences.length > 0 ? 1 : 0;
}
