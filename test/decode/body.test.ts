import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/decode/body.js';
import { TributaryError } from '../../src/errors.js';

const limits = { maxDecodedBytes: 1024 * 1024, maxDocuments: 100 };
const json = (contentType?: string, contentEncoding?: string) => ({ contentType, contentEncoding });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return (err as TributaryError).code;
  }
  throw new Error('expected a rejection');
}

describe('decodeBody', () => {
  it('decodes one JSON object', async () => {
    expect(await decodeBody(Buffer.from('{"a":1}'), json('application/json'), limits)).toEqual([{ a: 1 }]);
  });

  it('decodes an array of objects, keeping order', async () => {
    const docs = await decodeBody(
      Buffer.from('[{"a":1},{"a":2}]'),
      json('application/json; charset=utf-8'),
      limits,
    );
    expect(docs).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('takes a missing Content-Type, +json suffixes and text/plain as JSON', async () => {
    for (const ct of [undefined, 'application/cloudevents+json', 'text/plain; charset=UTF-8']) {
      expect(await decodeBody(Buffer.from('{"a":1}'), json(ct), limits)).toEqual([{ a: 1 }]);
    }
  });

  it('decodes NDJSON with CRLF and blank lines', async () => {
    const body = Buffer.from('{"a":1}\r\n\n{"a":2}\n');
    expect(await decodeBody(body, json('application/x-ndjson'), limits)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('names the NDJSON line that is malformed', async () => {
    const err = await decodeBody(Buffer.from('{"a":1}\n{"a":\n'), json('application/x-ndjson'), limits).catch(
      (e) => e,
    );
    expect(err.code).toBe('TRIB_DECODE_INVALID_JSON');
    expect(err.message).toMatch(/^document 1:/);
  });

  it('undoes gzip, deflate (zlib and raw), br and stacked encodings', async () => {
    const body = Buffer.from('{"z":true}');
    for (const [enc, bytes] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['deflate', deflateRawSync(body)],
      ['br', brotliCompressSync(body)],
      ['gzip, br', brotliCompressSync(gzipSync(body))],
    ] as const) {
      expect(await decodeBody(bytes, json('application/json', enc), limits)).toEqual([{ z: true }]);
    }
  });

  it('refuses a gzip bomb beyond the decoded limit without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(await codeOf(decodeBody(bomb, json('application/json', 'gzip'), limits))).toBe(
      'TRIB_DECODE_BODY_TOO_LARGE',
    );
  });

  it.each([
    ['{"a":', 'application/json', undefined, 'TRIB_DECODE_INVALID_JSON'],
    ['[1,2]', 'application/json', undefined, 'TRIB_DECODE_NOT_AN_OBJECT'],
    ['"text"', 'application/json', undefined, 'TRIB_DECODE_NOT_AN_OBJECT'],
    ['  ', 'application/json', undefined, 'TRIB_DECODE_EMPTY_BODY'],
    ['[]', 'application/json', undefined, 'TRIB_DECODE_EMPTY_BODY'],
    ['{"__proto__":{"x":1}}', 'application/json', undefined, 'TRIB_DECODE_FORBIDDEN_KEY'],
    ['{"constructor":{"prototype":{"x":1}}}', 'application/json', undefined, 'TRIB_DECODE_FORBIDDEN_KEY'],
    ['<a/>', 'application/xml', undefined, 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE'],
    ['{}', 'application/json; charset=latin1', undefined, 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE'],
    ['a=b', 'application/x-www-form-urlencoded', undefined, 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE'],
    // Names of Object.prototype's members name no format and no coding (the lean webhook path hands them over).
    ['{}', '__proto__', undefined, 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE'],
    ['{}', 'constructor', undefined, 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE'],
    ['{}', 'toString; charset=utf-8', undefined, 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE'],
    ['{}', 'application/json', '__proto__', 'TRIB_DECODE_UNSUPPORTED_ENCODING'],
    ['{}', 'application/json', 'constructor', 'TRIB_DECODE_UNSUPPORTED_ENCODING'],
    ['{}', 'application/json', 'compress', 'TRIB_DECODE_UNSUPPORTED_ENCODING'],
    ['{}', 'application/json', 'gzip, gzip, gzip', 'TRIB_DECODE_UNSUPPORTED_ENCODING'],
    ['not gzip', 'application/json', 'gzip', 'TRIB_DECODE_BAD_COMPRESSION'],
  ])('refuses %j (%s, %s) with %s', async (body, ct, enc, code) => {
    expect(await codeOf(decodeBody(Buffer.from(body), json(ct, enc), limits))).toBe(code);
  });

  it('refuses invalid UTF-8 instead of replacing it', async () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(await codeOf(decodeBody(body, json('application/json'), limits))).toBe('TRIB_DECODE_INVALID_UTF8');
  });

  it('keeps a plain "constructor" property, which cannot poison a prototype', async () => {
    expect(await decodeBody(Buffer.from('{"constructor":"x"}'), json(), limits)).toEqual([
      { constructor: 'x' },
    ]);
  });

  it('does not echo the body in a JSON error (it may hold secrets)', async () => {
    const err = await decodeBody(Buffer.from('{"secret": sk_live_123}'), json(), limits).catch((e) => e);
    expect(err.code).toBe('TRIB_DECODE_INVALID_JSON');
    expect(err.message).not.toContain('sk_live_123');
  });

  it('bounds the number of documents', async () => {
    const many = JSON.stringify(Array.from({ length: 101 }, () => ({})));
    expect(await codeOf(decodeBody(Buffer.from(many), json(), limits))).toBe(
      'TRIB_DECODE_TOO_MANY_DOCUMENTS',
    );
  });

  it('lists the array elements that are not objects', async () => {
    const err = await decodeBody(Buffer.from('[{},1,{},null]'), json(), limits).catch((e) => e);
    expect(err.documents.map((d: { index: number }) => d.index)).toEqual([1, 3]);
  });
});
