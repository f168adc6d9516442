import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/decode/body.js';
import { decodeForm, parseFormPairs } from '../../src/decode/form.js';

const limits = { maxDecodedBytes: 1024 * 1024, maxDocuments: 100 };
const FORM = { contentType: 'application/x-www-form-urlencoded', contentEncoding: undefined };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('form bodies', () => {
  it('turns a Twilio form into one document of strings, decoding + and percent-escapes as UTF-8', () => {
    const body = 'MessageSid=SM1&From=%2B14158675310&Body=Hello+w%C3%B6rld+%26+more&NumMedia=0';
    expect(decodeForm(body)).toEqual([
      { MessageSid: 'SM1', From: '+14158675310', Body: 'Hello wörld & more', NumMedia: '0' },
    ]);
  });

  it('makes an array of a repeated name, skips empty pieces, takes a name without = as empty', () => {
    expect(decodeForm('a=1&&b&a=2&a=3&')).toEqual([{ a: ['1', '2', '3'], b: '' }]);
    expect(parseFormPairs('x=1=2')).toEqual([['x', '1=2']]);
  });

  it("takes GitHub's and Slack's payload=<json> as the JSON document itself", () => {
    const json = { action: 'opened', repository: { full_name: 'octo/hello' } };
    expect(decodeForm(`payload=${encodeURIComponent(JSON.stringify(json))}`)).toEqual([json]);
    // Anything else named payload stays a field.
    expect(decodeForm('payload=hello')).toEqual([{ payload: 'hello' }]);
    expect(decodeForm('payload=%7B%7D&x=1')).toEqual([{ payload: '{}', x: '1' }]);
  });

  it('refuses malformed escapes, invalid UTF-8, __proto__, and broken JSON in payload', () => {
    expect(codeOf(() => decodeForm('a=%E0%A4%A'))).toBe('TRIB_DECODE_INVALID_FORM');
    expect(codeOf(() => decodeForm('a=%ff'))).toBe('TRIB_DECODE_INVALID_FORM');
    expect(codeOf(() => decodeForm('a=100%'))).toBe('TRIB_DECODE_INVALID_FORM');
    expect(codeOf(() => decodeForm('__proto__=x'))).toBe('TRIB_DECODE_FORBIDDEN_KEY');
    const poisoned = encodeURIComponent('{"__proto__":{"admin":true}}');
    expect(codeOf(() => decodeForm(`payload=${poisoned}`))).toBe('TRIB_DECODE_FORBIDDEN_KEY');
    expect(codeOf(() => decodeForm('payload=%7Bnope'))).toBe('TRIB_DECODE_INVALID_JSON');
  });

  it('is what decodeBody uses for application/x-www-form-urlencoded when given', async () => {
    const docs = await decodeBody(Buffer.from('text=94070&command=%2Fweather'), FORM, limits, decodeForm);
    expect(docs).toEqual([{ text: '94070', command: '/weather' }]);
    await expect(decodeBody(Buffer.from('a=1'), FORM, limits)).rejects.toMatchObject({
      code: 'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE',
    });
  });
});
