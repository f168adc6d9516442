import { describe, expect, it } from 'vitest';
import type { Binding } from '../../src/catalog/model.js';
import {
  deadLetterRecord,
  decodeBytes,
  encodeBytes,
  keptHeaderNames,
  parseDeadLetterRecord,
  rejectedEntry,
} from '../../src/dead-letter/entry.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { Settlement } from '../../src/ingest/front-door.js';

describe('dead-letter entries (issue 16)', () => {
  it('keeps UTF-8 as text, anything else (or encoded) as base64, and marks a cut body', () => {
    expect(encodeBytes(Buffer.from('{"a":"é"}'), 100)).toEqual({
      encoding: 'utf8',
      data: '{"a":"é"}',
      bytes: 10,
      truncated: false,
    });
    const binary = encodeBytes(Buffer.from([0xff, 0x00]), 100);
    expect(binary).toMatchObject({ encoding: 'base64', data: '/wA=' });
    expect(decodeBytes(binary)).toEqual(Buffer.from([0xff, 0x00]));
    expect(encodeBytes(Buffer.from('{}'), 100, true).encoding).toBe('base64');
    // Cut inside the two bytes of "é": no longer UTF-8.
    expect(encodeBytes(Buffer.from('{"a":"é"}'), 7)).toMatchObject({ encoding: 'base64', truncated: true });
  });

  it('builds an entry of kept headers only, for bodies, frames and record values', () => {
    const binding = { capture: 'conf/open', name: 'dead-letter', keepHeaders: ['user-agent'] } as Binding;
    expect(keptHeaderNames(binding)).toEqual(['user-agent']);
    expect(
      keptHeaderNames({
        ...binding,
        idFromHeader: 'x-id',
        deduplicate: { header: 'x-id', windowSeconds: 1 },
      }),
    ).toEqual(['user-agent', 'x-id']);
    const error = new TributaryError(ERRORS.VALIDATE_SCHEMA, 'bad', {
      documents: [{ index: 0, pointer: '/id', message: 'must be string' }],
    });
    const base = {
      admission: {
        transport: 'webhook',
        route: '/conf/open/dead-letter',
        requestId: 'r-1',
        headers: { 'user-agent': 'ua', authorization: 'Bearer secret', cookie: 'c=1' },
        query: { a: '1' },
      },
      binding,
      receivedBytes: 8,
      documents: 1,
      acceptedBytes: 0,
      error,
    };
    const receivedAt = new Date('2026-12-02T00:00:00Z');
    const raw = Buffer.from('{"id":7}');
    const body = rejectedEntry(
      {
        ...base,
        raw,
        payload: {
          kind: 'body',
          raw,
          contentType: 'application/json',
          contentEncoding: undefined,
          url: '/',
          receivedAt,
        },
      } as unknown as Settlement,
      error,
      { maxBodyBytes: 100 },
      'id-1',
    );
    expect(body).toEqual({
      kind: 'rejected',
      version: 1,
      id: 'id-1',
      capture: 'conf/open',
      binding: 'dead-letter',
      transport: 'webhook',
      route: '/conf/open/dead-letter',
      requestId: 'r-1',
      receivedAt: '2026-12-02T00:00:00.000Z',
      contentType: 'application/json',
      headers: { 'user-agent': 'ua' },
      query: { a: '1' },
      body: { encoding: 'utf8', data: '{"id":7}', bytes: 8, truncated: false },
      problem: {
        code: 'TRIB_VALIDATE_SCHEMA',
        status: 400,
        detail: 'bad',
        documents: [{ index: 0, pointer: '/id', message: 'must be string' }],
      },
    });
    const frame = rejectedEntry(
      { ...base, raw, payload: { kind: 'frame', raw, binary: true, receivedAt } } as unknown as Settlement,
      error,
      { maxBodyBytes: 100 },
      'id-2',
    );
    expect(frame).toMatchObject({ binary: true, body: { data: '{"id":7}' } });
    const values = [Buffer.from('{"a":1}'), Buffer.from('{"b":2}')];
    const records = rejectedEntry(
      { ...base, raw: values, payload: { kind: 'records', values, receivedAt } } as unknown as Settlement,
      error,
      { maxBodyBytes: 10 },
      'id-3',
    );
    expect(records.records).toEqual([
      { encoding: 'utf8', data: '{"a":1}', bytes: 7, truncated: false },
      { encoding: 'utf8', data: '{"b', bytes: 7, truncated: true },
    ]);
    const record = deadLetterRecord('dl', body, 'r-1');
    expect(record).toMatchObject({
      topic: 'dl',
      key: 'conf/open/dead-letter',
      headers: { 'tributary-dead-letter': 'rejected', 'x-request-id': 'r-1' },
    });
    expect(parseDeadLetterRecord(record.value)).toEqual(body);
  });

  it('reads back only dead-letter records', () => {
    expect(parseDeadLetterRecord(null)).toBeUndefined();
    expect(parseDeadLetterRecord('not json')).toBeUndefined();
    expect(parseDeadLetterRecord('7')).toBeUndefined();
    expect(parseDeadLetterRecord('{"version":2,"id":"x","kind":"rejected"}')).toBeUndefined();
    expect(parseDeadLetterRecord('{"version":1,"id":"x","kind":"other"}')).toBeUndefined();
    expect(parseDeadLetterRecord('{"version":1,"id":"x","kind":"replayed","entry":"e"}')).toMatchObject({
      entry: 'e',
    });
  });
});
