// The documents of a refused body as the inspector shows them: parsed (JSON, a JSON array, NDJSON) so the
// page can highlight the failing JSON pointer, and, for bindings without a dead-letter topic, redacted: every
// string, number and boolean replaced by its type, so the structure (and the failing spot) stays visible while
// the values, which may be personal data nobody asked the gateway to keep, do not.

/** A redacted scalar: what it was, not its value. */
const REDACTED = { string: '‹string›', number: '‹number›', boolean: '‹boolean›' } as const;

export function redact(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = redact(inner);
    return out;
  }
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? REDACTED[type] : null;
}

/**
 * The documents `text` holds, as the request's documents are indexed (an array's elements, NDJSON's lines, or
 * the one object); undefined when it is not JSON (truncated, a form body, binary).
 */
export function documentsOf(text: string, contentType: string | undefined): unknown[] | undefined {
  const ndjson = contentType !== undefined && /ndjson|jsonl|json-seq/i.test(contentType);
  try {
    if (ndjson) {
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
    }
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return undefined;
  }
}
