import { describe, expect, it } from 'vitest';
import { documentsOf, redact } from '../../src/inspector/redact.js';

describe('inspector redaction (issue 16)', () => {
  it('keeps the structure and replaces every value by its type', () => {
    expect(redact({ a: 'x', b: [1, true, null, { c: 'y' }] })).toEqual({
      a: '‹string›',
      b: ['‹number›', '‹boolean›', null, { c: '‹string›' }],
    });
  });

  it('indexes documents as the request does: array elements, NDJSON lines, one object', () => {
    expect(documentsOf('[{"a":1},{"a":2}]', 'application/json')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(documentsOf('{"a":1}\n\n{"a":2}\n', 'application/x-ndjson')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(documentsOf('{"a":1}', undefined)).toEqual([{ a: 1 }]);
    expect(documentsOf('{"a":', 'application/json')).toBeUndefined();
  });
});
