// `deadLetter` (a binding's resource, or its capture's endpoint.ingest): where deliveries refused after
// admission are kept for inspection and replay (src/dead-letter/). Its shape and defaults' types are the catalog
// schema's; what a schema cannot say is checked here: the topic is no collection's (dead letters mixed into a
// collection's topic would reach its consumers as documents).
import type { DeadLetterPolicy, Location } from './model.js';
import { topicCollisionKey } from './names.js';
import { at, isMapping, type ProblemLog } from './problems.js';

/** 64 KiB: enough for most webhook bodies, small enough that a burst of entries stays a few MB. */
export const DEFAULT_DEAD_LETTER_BODY_BYTES = 65_536;
/** Per binding: a vendor's broken deploy fills a topic at 10 entries/s, not at the sender's rate. */
export const DEFAULT_DEAD_LETTER_PER_SECOND = 10;
export const DEFAULT_DEAD_LETTER_BYTES_PER_SECOND = 1_048_576;

export function checkDeadLetter(value: unknown): DeadLetterPolicy | undefined {
  if (!isMapping(value) || typeof value['topic'] !== 'string') return undefined;
  const number = (key: string, fallback: number): number =>
    typeof value[key] === 'number' ? value[key] : fallback;
  return {
    topic: value['topic'],
    maxBodyBytes: number('maxBodyBytes', DEFAULT_DEAD_LETTER_BODY_BYTES),
    maxPerSecond: number('maxPerSecond', DEFAULT_DEAD_LETTER_PER_SECOND),
    maxBytesPerSecond: number('maxBytesPerSecond', DEFAULT_DEAD_LETTER_BYTES_PER_SECOND),
  };
}

/** A dead-letter topic that is (or collides with, '.' vs '_') a collection's topic is refused. */
export function checkDeadLetterTopic(
  topic: string,
  collections: Iterable<{ name: string; topic: string }>,
  location: Location,
  log: ProblemLog,
): void {
  const key = topicCollisionKey(topic);
  for (const collection of collections) {
    if (topicCollisionKey(collection.topic) !== key) continue;
    log.error(
      at(location, 'topic'),
      `dead-letter topic '${topic}' is (or collides with) the topic of collection ${collection.name}: dead letters would reach its consumers`,
    );
    return;
  }
}

/** The dead-letter topics the captures name, as written (for `tributary topics`, which resolves no secret). */
export function deadLetterTopics(captures: readonly unknown[]): string[] {
  const topics = new Set<string>();
  const add = (options: unknown): void => {
    if (!isMapping(options)) return;
    const deadLetter = options['deadLetter'];
    if (isMapping(deadLetter) && typeof deadLetter['topic'] === 'string') topics.add(deadLetter['topic']);
  };
  for (const capture of captures) {
    if (!isMapping(capture) || !isMapping(capture['endpoint'])) continue;
    add(capture['endpoint']['ingest']);
    const bindings = Array.isArray(capture['bindings']) ? capture['bindings'] : [];
    for (const binding of bindings) if (isMapping(binding)) add(binding['resource']);
  }
  return [...topics];
}
