// Creates the catalog's topics and reports existing ones whose settings differ from what is configured.
import kafkajs, { type Kafka } from 'kafkajs';

const { ConfigResourceTypes } = kafkajs;

export interface TopicSettings {
  partitions: number;
  /** Capped at the number of brokers, so a single local broker still works. */
  replicationFactor: number;
  minInsyncReplicas: number;
}

export interface TopicReport {
  created: string[];
  existing: string[];
  missing: string[];
  /** Existing topics whose partitions, replication factor or min.insync.replicas differ from the settings. */
  differences: { topic: string; setting: string; expected: number; actual: number }[];
  /** Settings lowered to what the cluster allows (the expected values above are the lowered ones). */
  capped: { setting: string; configured: number; used: number; why: string }[];
}

export async function reconcileTopics(
  kafka: Kafka,
  topics: readonly string[],
  settings: TopicSettings,
  opts: { create: boolean },
): Promise<TopicReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const rf = Math.min(settings.replicationFactor, cluster.brokers.length);
    const minIsr = Math.min(settings.minInsyncReplicas, rf);
    const present = new Set(await admin.listTopics());
    const wanted = [...new Set(topics)];
    const missing = wanted.filter((t) => !present.has(t));
    const existing = wanted.filter((t) => present.has(t));
    const report: TopicReport = { created: [], existing, missing: [], differences: [], capped: [] };
    const brokers = cluster.brokers.length;
    if (rf < settings.replicationFactor) {
      const why = `the cluster has ${brokers} broker${brokers === 1 ? '' : 's'}`;
      report.capped.push({
        setting: 'replication.factor',
        configured: settings.replicationFactor,
        used: rf,
        why,
      });
    }
    if (minIsr < settings.minInsyncReplicas) {
      const why = `at most the replication factor, ${rf}`;
      report.capped.push({
        setting: 'min.insync.replicas',
        configured: settings.minInsyncReplicas,
        used: minIsr,
        why,
      });
    }
    if (missing.length > 0 && opts.create) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: settings.partitions,
          replicationFactor: rf,
          configEntries: [{ name: 'min.insync.replicas', value: String(minIsr) }],
        })),
      });
      report.created = missing;
    } else {
      report.missing = missing;
    }
    if (existing.length > 0) {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: existing });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: existing.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['min.insync.replicas'],
        })),
      });
      for (const t of metadata) {
        const partitions = t.partitions.length;
        const replicas = t.partitions[0]?.replicas.length ?? 0;
        if (partitions !== settings.partitions) {
          report.differences.push({
            topic: t.name,
            setting: 'partitions',
            expected: settings.partitions,
            actual: partitions,
          });
        }
        if (replicas !== rf) {
          report.differences.push({
            topic: t.name,
            setting: 'replication.factor',
            expected: rf,
            actual: replicas,
          });
        }
      }
      for (const resource of configs.resources) {
        const entry = resource.configEntries.find((e) => e.configName === 'min.insync.replicas');
        const actual = Number(entry?.configValue);
        if (entry !== undefined && actual !== minIsr) {
          report.differences.push({
            topic: resource.resourceName,
            setting: 'min.insync.replicas',
            expected: minIsr,
            actual,
          });
        }
      }
    }
    return report;
  } finally {
    await admin.disconnect();
  }
}
