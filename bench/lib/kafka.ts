// Topics for each measurement, and a count of what reached them: a scenario's documents/s is only reported
// next to the number of records Kafka holds, so an answer that was not backed by a write would show.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export const PARTITIONS = 3;

function admin(bootstrap: string[]) {
  return new Kafka({ brokers: bootstrap, clientId: 'tributary-bench', logLevel: logLevel.NOTHING }).admin();
}

export async function createTopics(bootstrap: string[], topics: string[]): Promise<void> {
  const a = admin(bootstrap);
  await a.connect();
  try {
    await a.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
    });
  } finally {
    await a.disconnect();
  }
}

/** Records in a topic: the sum of its partitions' end offsets (topics here are fresh, never compacted). */
export async function countRecords(bootstrap: string[], topic: string): Promise<number> {
  const a = admin(bootstrap);
  await a.connect();
  try {
    const offsets = await a.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await a.disconnect();
  }
}

let serial = 0;

/** A fresh topic name per measurement, so counts are not mixed between runs. */
export function topicFor(scenario: string): string {
  serial++;
  return `bench.${scenario}.${Date.now().toString(36)}${serial}`;
}

/**
 * Bytes the topic's log segments hold on the broker's disk (every node folder of a local Kafka data dir): record
 * batches as the producer compressed them, which is what the broker stores and replicates.
 */
export async function topicBytes(dataDir: string, topic: string): Promise<number> {
  let total = 0;
  for (const node of await readdir(dataDir)) {
    const logs = path.join(dataDir, node, 'data');
    const partitions = await readdir(logs).catch(() => [] as string[]);
    for (const dir of partitions.filter((d) => d.startsWith(`${topic}-`))) {
      for (const file of await readdir(path.join(logs, dir))) {
        if (file.endsWith('.log')) total += (await stat(path.join(logs, dir, file))).size;
      }
    }
  }
  return total;
}
