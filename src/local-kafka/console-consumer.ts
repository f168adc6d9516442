// The command that reads a topic of the local Kafka back with Apache Kafka's own console consumer, run from the
// cached jars (no Kafka download, no kcat). `serve` logs it with the live address when it starts the local
// Kafka; the README gives it for a pinned port (--local-kafka-port), and test/integration/read-back.test.ts runs
// the README's line against a real broker.
import path from 'node:path';
import { ensureKafkaJars } from './jars.js';

export const CONSOLE_CONSUMER = 'org.apache.kafka.tools.consumer.ConsoleConsumer';

/** The argv (without `java`) that prints each record of `topic` as key, tab, value. */
export function consoleConsumerArgs(libs: string, bootstrap: string, topic: string): string[] {
  return [
    '-cp',
    path.join(libs, '*'),
    CONSOLE_CONSUMER,
    '--bootstrap-server',
    bootstrap,
    '--topic',
    topic,
    '--from-beginning',
    '--property',
    'print.key=true',
  ];
}

/** The same as one shell line, with TOPIC left for the reader, paths relative to the working directory. */
export async function consoleConsumerCommand(bootstrap: string): Promise<string> {
  const libs = path.relative(process.cwd(), await ensureKafkaJars()) || '.';
  const args = consoleConsumerArgs(libs, bootstrap, 'TOPIC').map((a) => (a.includes('*') ? `'${a}'` : a));
  return `java ${args.join(' ')}`;
}
