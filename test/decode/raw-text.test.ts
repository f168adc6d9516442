import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/decode/json.js';
import { decodeNdjson } from '../../src/decode/ndjson.js';
import { rawTextOf, spliceMeta, splitJsonArray } from '../../src/decode/raw-text.js';

describe('raw document text', () => {
  it('splits top-level array elements, whatever strings, escapes and nesting they hold', () => {
    const text = ' [ {"a":"x,]}\\"{"} , {"b":[1,{"c":[]}]},{} ,"s", 12 ,[1,2]] ';
    expect(splitJsonArray(text)).toEqual([
      '{"a":"x,]}\\"{"}',
      '{"b":[1,{"c":[]}]}',
      '{}',
      '"s"',
      '12',
      '[1,2]',
    ]);
    expect(splitJsonArray('[]')).toEqual([]);
  });

  it('agrees with JSON.parse on arbitrary arrays (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.boolean(), (values, pretty) => {
        const text = JSON.stringify(values, null, pretty ? 2 : undefined);
        const parts = splitJsonArray(text);
        expect(parts.map((p) => JSON.parse(p))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('splices _meta at the end of the object, keeping every other byte', () => {
    expect(spliceMeta('{"id": 820982911946154508 }', '{"u":1}')).toBe(
      '{"id": 820982911946154508,"_meta":{"u":1}}',
    );
    expect(spliceMeta('{ }', '{"u":1}')).toBe('{"_meta":{"u":1}}');
    expect(spliceMeta('{\n  "a": [1, 2]\n}', '{}')).toBe('{\n  "a": [1, 2],"_meta":{}}');
  });

  it('keeps big integers exactly as sent, through JSON, arrays and NDJSON (Shopify ids)', () => {
    const [one] = decodeJson('{"id":820982911946154508}');
    expect(rawTextOf(one!)).toBe('{"id":820982911946154508}');
    const many = decodeJson('[{"id":820982911946154508}, {"id":2}]');
    expect(many.map((d) => rawTextOf(d))).toEqual(['{"id":820982911946154508}', '{"id":2}']);
    const lines = decodeNdjson('{"id":820982911946154508}\r\n{"id":3}\n');
    expect(lines.map((d) => rawTextOf(d))).toEqual(['{"id":820982911946154508}', '{"id":3}']);
  });
});
