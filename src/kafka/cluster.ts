// Cluster questions asked outside the produce path (the local Kafka's supervisor waits with them).
import kafkajs from 'kafkajs';
import './kafkajs-timeout-patch.js';

// kafkajs is CommonJS; take its exports off the default as the rest of src/kafka does.
const { Kafka, logLevel } = kafkajs;

/** True once a short-lived admin client on `bootstrap` sees every node of `ids` in the cluster; false on any error. */
export async function clusterHasNodes(bootstrap: string[], ids: number[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'tributary-local-broker',
    brokers: bootstrap,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    const seen = new Set(brokers.map((b) => b.nodeId));
    return ids.every((id) => seen.has(id));
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
