import { describe, expect, it } from 'vitest';
import { isUtf8Charset, parseMediaType } from '../../src/decode/media-type.js';

describe('parseMediaType', () => {
  it('names the format and charset, case-insensitively, with quoted parameters', () => {
    expect(parseMediaType('Application/JSON; Charset="UTF-8"')).toEqual({ format: 'json', charset: 'utf-8' });
    expect(parseMediaType('application/x-ndjson')).toEqual({ format: 'ndjson', charset: undefined });
    expect(parseMediaType('application/cloudevents+json')).toEqual({ format: 'json', charset: undefined });
    expect(parseMediaType(undefined)).toEqual({ format: 'json', charset: undefined });
    expect(parseMediaType('  ')).toEqual({ format: 'json', charset: undefined });
  });

  it('refuses what it cannot decode, the same on a repeat as the first time', () => {
    for (let round = 0; round < 2; round++) {
      expect(parseMediaType('text/html')).toBeUndefined();
      expect(parseMediaType('__proto__')).toBeUndefined();
      expect(parseMediaType('application/json; charset=latin1')).toEqual({
        format: 'json',
        charset: 'latin1',
      });
    }
  });

  it('answers a repeated header from its cache with a frozen result, and stays right past the cache bound', () => {
    const first = parseMediaType('application/json; charset=utf-8');
    expect(parseMediaType('application/json; charset=utf-8')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Distinct values beyond the bound (a flood) are parsed each time, never answered wrongly.
    for (let i = 0; i < 500; i++) {
      expect(parseMediaType(`application/json; charset=x${i}`)).toEqual({ format: 'json', charset: `x${i}` });
    }
    const long = `application/json; charset=utf-8; pad=${'x'.repeat(200)}`;
    expect(parseMediaType(long)).toEqual({ format: 'json', charset: 'utf-8' });
  });

  it('takes UTF-8 and its subsets only', () => {
    expect(isUtf8Charset(undefined)).toBe(true);
    expect(isUtf8Charset('utf8')).toBe(true);
    expect(isUtf8Charset('us-ascii')).toBe(true);
    expect(isUtf8Charset('latin1')).toBe(false);
  });
});
