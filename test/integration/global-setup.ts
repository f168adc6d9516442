// One real broker and one Redis server for the whole integration run: a JVM start per file would cost ~2 s each
// on 2 cores. TRIBUTARY_TEST_BROKERS=host:port,... points the run at an existing cluster instead, and
// TRIBUTARY_TEST_REDIS_URL at an existing Redis. Programs the tests need are checked first (issue 12): a missing
// one stops the run at once with the apt-get line that installs it.
import type { TestProject } from 'vitest/node';
import { startLocalKafka } from '../../src/local-kafka/broker.js';
import { startTestRedis } from '../harness/redis.js';
import { requirementsProblem } from '../harness/requirements.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const problem = requirementsProblem();
  if (problem !== undefined) throw new Error(problem);
  const redisUrl = process.env['TRIBUTARY_TEST_REDIS_URL'];
  const redis = redisUrl ? undefined : await startTestRedis();
  project.provide('redisUrl', redisUrl ?? redis!.url);
  const external = process.env['TRIBUTARY_TEST_BROKERS'];
  if (external) {
    const bootstrap = external
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
    project.provide('kafkaBootstrap', bootstrap);
    return async () => {
      await redis?.stop();
    };
  }
  const kafka = await startLocalKafka({ nodes: 1, log: (msg) => console.log(`[local kafka] ${msg}`) }).catch(
    async (err: unknown) => {
      await redis?.stop();
      throw err;
    },
  );
  project.provide('kafkaBootstrap', kafka.bootstrap);
  return async () => {
    await kafka.stop();
    await redis?.stop();
  };
}
