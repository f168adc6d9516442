// The Kafka record key: the collection key's values, as canonical JSON, so one key always lands on one partition
// and compacted topics keep the last document per key.
import { ERRORS, TributaryError } from '../errors.js';
import { parsePointer, resolveTokens } from './pointer.js';

export type KeyExtractor = (document: Record<string, unknown>, index: number) => string;

export function compileKey(pointers: readonly string[]): KeyExtractor {
  const parsed = pointers.map((p) => ({ pointer: p, tokens: parsePointer(p) }));
  return (document, index) => {
    const values: unknown[] = [];
    for (const { pointer, tokens } of parsed) {
      const value = resolveTokens(document, tokens);
      const type = typeof value;
      // The catalog check proves keys exist and are scalars; this guards schemas that cannot prove the type.
      if (!(type === 'string' || type === 'boolean' || (type === 'number' && Number.isInteger(value)))) {
        throw new TributaryError(
          ERRORS.DOCUMENT_KEY_INVALID,
          `document ${index}: key ${pointer} is not a string, integer or boolean`,
          {
            documents: [{ index, pointer, message: 'key must be a string, integer or boolean' }],
          },
        );
      }
      values.push(value);
    }
    // JSON.stringify of scalars is canonical: no key order or whitespace to vary.
    return JSON.stringify(values);
  };
}
