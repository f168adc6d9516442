// Spelling rules for the names a catalog declares. Flow's are from estuary/flow crates/models (references):
// TOKEN_CHAR = \p{Letter}\p{Number}\-_. and CATALOG_NAME = TOKEN(/TOKEN)*.

const CATALOG_NAME = /^[\p{L}\p{N}\-_.]+(\/[\p{L}\p{N}\-_.]+)*$/u;
const TOKEN = /^[\p{L}\p{N}\-_.]+$/u;

/** Collection and capture names: `acmeCo/github/events`. No leading, trailing or double `/`, no spaces. */
export function isCatalogName(name: string): boolean {
  return CATALOG_NAME.test(name);
}

/** A single name part, as binding `resource.name` must be (it becomes a path segment by default). */
export function isToken(name: string): boolean {
  return TOKEN.test(name);
}

// Kafka's rule (clients/.../internals/Topic.java): legal chars, 1..249 long, and not `.` or `..`.
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Why a Kafka topic name is illegal, or undefined when it is fine. */
export function topicProblem(topic: string): string | undefined {
  if (topic === '.' || topic === '..') return `topic '${topic}' is not allowed by Kafka`;
  if (topic.length > 249) return `topic '${topic.slice(0, 40)}...' is longer than Kafka's 249 characters`;
  if (!TOPIC.test(topic)) {
    return `topic '${topic}' is not a valid Kafka topic name (only ASCII letters, digits, '.', '_' and '-')`;
  }
  return undefined;
}

/** The topic a collection writes to when it names none. */
export function defaultTopic(collection: string): string {
  return collection.replace(/\//g, '.');
}

/** Kafka replaces `.` with `_` in metric names, so it refuses topics that differ only there. */
export function topicCollisionKey(topic: string): string {
  return topic.replace(/\./g, '_');
}

/**
 * RFC 6901 pointer -> unescaped reference tokens, or a reason it is malformed. Flow's grammar:
 * (/([^/~]|(~[01]))+)*, so `""` (the whole document) and `/` (an empty token) are refused as keys.
 */
export function parsePointer(pointer: string): { tokens: string[] } | { problem: string } {
  if (pointer === '') return { problem: `'' points at the whole document, which cannot be a key` };
  if (!pointer.startsWith('/'))
    return { problem: `'${pointer}' is not a JSON pointer: it must start with '/'` };
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (raw === '') return { problem: `'${pointer}' has an empty reference token` };
    if (/~(?![01])/.test(raw)) {
      return { problem: `'${pointer}' has a '~' that is not escaped as '~0' or '~1'` };
    }
    tokens.push(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return { tokens };
}
