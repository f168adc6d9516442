import { describe, expect, it } from 'vitest';
import { rawTextOf } from '../../src/decode/raw-text.js';
import { decodeRecords } from '../../src/decode/records.js';

const limits = { maxDocuments: 3, maxRecordBytes: 64 };
const values = (...texts: string[]) => texts.map((t) => Buffer.from(t));

describe('decodeRecords', () => {
  it('decodes one object per value and keeps each value text for the record', () => {
    const docs = decodeRecords(values(' {"a":1} ', '{"b":2}'), limits);
    expect(docs).toEqual([{ a: 1 }, { b: 2 }]);
    expect(rawTextOf(docs[0]!)).toBe('{"a":1}');
  });

  it("names every bad value by index, with the first value's code", () => {
    expect(() => decodeRecords(values('{"a":1}', 'nope', '', '[]'), { ...limits, maxDocuments: 4 })).toThrow(
      expect.objectContaining({
        code: 'TRIB_DECODE_INVALID_JSON',
        documents: [
          expect.objectContaining({ index: 1 }),
          expect.objectContaining({ index: 2 }),
          expect.objectContaining({ index: 3 }),
        ],
      }),
    );
  });

  it('refuses empty requests, too many values, oversized values and invalid UTF-8', () => {
    expect(() => decodeRecords([], limits)).toThrow(
      expect.objectContaining({ code: 'TRIB_DECODE_EMPTY_BODY' }),
    );
    expect(() => decodeRecords(values('{}', '{}', '{}', '{}'), limits)).toThrow(
      expect.objectContaining({ code: 'TRIB_DECODE_TOO_MANY_DOCUMENTS' }),
    );
    expect(() => decodeRecords(values(`{"a":"${'x'.repeat(80)}"}`), limits)).toThrow(
      expect.objectContaining({ code: 'TRIB_DECODE_BODY_TOO_LARGE' }),
    );
    expect(() => decodeRecords([Buffer.from([0x7b, 0xff, 0x7d])], limits)).toThrow(
      expect.objectContaining({ code: 'TRIB_DECODE_INVALID_UTF8' }),
    );
  });
});
