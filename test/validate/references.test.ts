import { describe, expect, it } from 'vitest';
import { externalReferences } from '../../src/validate/references.js';

describe('externalReferences', () => {
  const schema = {
    $id: 'https://example.com/schemas/order.json',
    properties: {
      customer: { $ref: 'customer.json' },
      line: { $ref: '#/$defs/line' },
      note: { $ref: 'https://other.example/note.json#/$defs/text' },
    },
    $defs: { line: { type: 'object' } },
  };

  it('lists the resources outside the schema, resolved against its $id, without fragments', () => {
    expect(externalReferences(schema, undefined, '2020-12')).toEqual([
      'https://example.com/schemas/customer.json',
      'https://other.example/note.json',
    ]);
  });

  it('answers per retrieval URI when the schema sets no base of its own', () => {
    // Computed once per schema object (start-up, issue 17), so the cache must not hand one base's answer to another.
    const relative = { properties: { a: { $ref: 'a.json' } } };
    expect(externalReferences(relative, 'file:///x/one.json', '2020-12')).toEqual(['file:///x/a.json']);
    expect(externalReferences(relative, 'file:///y/two.json', '2020-12')).toEqual(['file:///y/a.json']);
    expect(externalReferences(relative, undefined, '2020-12')).toEqual(['a.json']);
  });

  it('reads `id` as the base under draft-04 only', () => {
    const old = { id: 'https://example.com/a/root.json', properties: { b: { $ref: 'b.json' } } };
    expect(externalReferences(old, undefined, 'draft-04')).toEqual(['https://example.com/a/b.json']);
    expect(externalReferences(old, undefined, '2020-12')).toEqual(['b.json']);
  });
});
