// _meta from the request facts. Issue 7: a query key `__proto__` (found by fuzzing) is refused, not copied.
import { describe, expect, it } from 'vitest';
import { shareMeta } from '../../src/document/meta.js';
import { fixtureCatalog } from '../helpers.js';

describe('shareMeta', () => {
  it('refuses a __proto__ query parameter instead of copying it into _meta.query (issue 7)', async () => {
    const binding = (await fixtureCatalog('ingest-route.yaml')).bindings[0]!;
    const query = JSON.parse('{"__proto__":"x","a":"1"}') as Record<string, string>;
    const facts = { receivedAt: new Date(), headers: {}, query, pathParams: undefined };
    expect(() => shareMeta(binding, facts)).toThrow(
      expect.objectContaining({ code: 'TRIB_DECODE_FORBIDDEN_KEY' }),
    );
    expect(shareMeta(binding, { ...facts, query: { a: '1', constructor: 'x' } }).query).toEqual({
      a: '1',
      constructor: 'x',
    });
  });
});
