// _meta from the request facts. Issue 7: a query key `__proto__` (found by fuzzing) is refused, not copied.
// Issue 6: UUIDv7 from pooled randomness.
import { describe, expect, it } from 'vitest';
import { MetaTemplate, nextUuid, type SharedMeta, shareMeta, stampMeta } from '../../src/document/meta.js';
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

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('nextUuid (pooled randomness, issue 6)', () => {
  it('makes RFC 9562 version 7 ids carrying the current time', () => {
    const before = Date.now();
    const id = nextUuid();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    const msecs = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after);
  });

  it('stays unique and strictly increasing across many pool refills', () => {
    // 20,000 ids use the 4 KiB pool 78 times over and many share a millisecond.
    const ids = Array.from({ length: 20_000 }, () => nextUuid());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(UUID_V7);
  });
});

describe('MetaTemplate (issue 17)', () => {
  const base: SharedMeta = {
    receivedAt: '2026-12-02T01:02:03.456Z',
    deliveryId: undefined,
    headers: undefined,
    query: undefined,
    pathParams: undefined,
  };
  const shapes: SharedMeta[] = [
    base,
    { ...base, deliveryId: 'evt "1"\\\u2028' },
    {
      ...base,
      deliveryId: 'd-1',
      headers: { 'x-github-event': 'push', 'user-agent': 'a "quoted" \\ agent' },
      query: { a: '1', list: ['x', 'y'] },
      pathParams: { tenant: 'acme' },
    },
    { ...base, query: { q: '\u0000' } },
    { ...base, deliveryId: 'r', replayOf: 'entry-"1"' },
  ];
  it('writes what JSON.stringify writes for the stamped _meta, for every shape', () => {
    for (const shared of shapes) {
      const template = new MetaTemplate(shared);
      for (const [index, count] of [
        [0, 1],
        [3, 5],
      ] as const) {
        const meta = stampMeta(shared, index, count);
        expect(template.json(meta)).toBe(JSON.stringify(meta));
      }
    }
  });
});
