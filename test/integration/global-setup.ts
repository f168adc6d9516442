// One real broker for the whole integration run: a JVM start per file would cost ~2 s each on 2 cores.
// TRIBUTARY_TEST_BROKERS=host:port,... points the run at an existing cluster instead.
import type { TestProject } from 'vitest/node';
import { startLocalKafka } from '../../src/local-kafka/broker.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['TRIBUTARY_TEST_BROKERS'];
  if (external) {
    const bootstrap = external
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
    project.provide('kafkaBootstrap', bootstrap);
    return async () => {};
  }
  const kafka = await startLocalKafka({ nodes: 1, log: (msg) => console.log(`[local kafka] ${msg}`) });
  project.provide('kafkaBootstrap', kafka.bootstrap);
  return () => kafka.stop();
}
