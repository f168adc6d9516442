// Baseline (d): the peer a user would otherwise deploy, the Strimzi Kafka Bridge, taking the same documents one
// per POST on its produce endpoint (`POST /topics/<topic>`, application/vnd.kafka.json.v2+json) with
// kafka.producer.acks=all, under the same load as scenario 1. It validates no schema, so it does less work.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, logFile } from '../lib/context.js';
import { makeOrder } from '../lib/documents.js';
import { freePort } from '../lib/gateway.js';
import { countRecords, createTopics, topicFor } from '../lib/kafka.js';
import { measureHttp } from '../lib/measure-http.js';
import { spawnChild, waitForOk } from '../lib/processes.js';
import type { Measurement } from '../results.js';

const execFileAsync = promisify(execFile);

export class BridgeUnavailable extends Error {}

/** Resolves the bridge's jars once into .cache/strimzi-bridge/<version>/libs; throws BridgeUnavailable. */
export async function ensureBridgeJars(root: string): Promise<string> {
  const pom = path.join(root, 'bench', 'bridge', 'pom.xml');
  const version = /<bridge\.version>\s*([^<\s]+)\s*</.exec(await readFile(pom, 'utf8'))?.[1] ?? 'unknown';
  const libs = path.join(root, '.cache', 'strimzi-bridge', version, 'libs');
  if (existsSync(path.join(libs, `kafka-bridge-${version}.jar`))) return libs;
  await mkdir(libs, { recursive: true });
  try {
    await execFileAsync(
      'mvn',
      [
        '-B',
        '-U',
        '-f',
        pom,
        'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${libs}`,
      ],
      { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
    );
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ''}`;
    const missing = /Could not find artifact (\S+) in central/.exec(out);
    if (missing) {
      // As of this writing the bridge ships only as release archives on GitHub and as a container image.
      throw new BridgeUnavailable(
        `${missing[1]} is not on Maven Central (Maven: "Could not find artifact ${missing[1]} in central", ` +
          'while other io.strimzi artifacts resolve); the bridge is distributed as GitHub release archives and ' +
          'a container image, and neither is reachable from this machine',
      );
    }
    const reason = out.split('\n').find((l) => l.includes('[ERROR]')) ?? String(err);
    throw new BridgeUnavailable(
      `Maven could not resolve io.strimzi:kafka-bridge:${version}: ${reason.replace('[ERROR] ', '').trim()}`,
    );
  }
  return libs;
}

/** The same documents as scenario 1, in the bridge's v2 JSON envelope, one record per request. */
function bridgeBodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const doc = makeOrder(i);
    return JSON.stringify({ records: [{ key: JSON.stringify([doc['id']]), value: doc }] });
  });
}

export async function measureStrimziBridge(
  ctx: BenchContext,
  round: number,
  libs: string,
): Promise<Measurement> {
  const topic = topicFor('bridge');
  await createTopics(ctx.bootstrap, [topic]);
  return measureHttp(ctx, {
    id: 'bridge',
    round,
    load: { bodies: bridgeBodies(1000), docsPerBody: 1, contentType: 'application/vnd.kafka.json.v2+json' },
    start: async () => {
      const port = await freePort();
      const config = path.join(ctx.workDir, `bridge-${round}.properties`);
      await writeFile(
        config,
        [
          'bridge.id=tributary-bench',
          `kafka.bootstrap.servers=${ctx.bootstrap.join(',')}`,
          'kafka.producer.acks=all',
          'http.enabled=true',
          'http.host=127.0.0.1',
          `http.port=${port}`,
          'http.consumer.enabled=false',
          'http.producer.enabled=true',
          '',
        ].join('\n'),
      );
      const child = spawnChild(
        'strimzi-bridge',
        'java',
        [
          '-Xmx512m',
          `-Dvertx.cacheDirBase=${ctx.workDir}`,
          `-Dlog4j2.configurationFile=${path.join(ctx.root, 'scripts', 'kafka', 'log4j2.properties')}`,
          '-cp',
          `${libs}/*`,
          'io.strimzi.kafka.bridge.Application',
          `--config-file=${config}`,
        ],
        { logFile: logFile(ctx, `bridge-r${round}`) },
      );
      await waitForOk(`http://127.0.0.1:${port}/ready`, child, 120_000);
      return { child, url: `http://127.0.0.1:${port}/topics/${topic}` };
    },
    count: () => countRecords(ctx.bootstrap, topic),
    note: 'no schema validation',
  });
}
