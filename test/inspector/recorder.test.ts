import { describe, expect, it } from 'vitest';
import type { Binding } from '../../src/catalog/model.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { Settlement } from '../../src/ingest/front-door.js';
import { InspectorRecorder, SECONDS } from '../../src/inspector/recorder.js';

const binding = { capture: 'c', name: 'b', keepHeaders: [] } as unknown as Binding;

function settled(
  error: TributaryError | undefined,
  payload: Settlement['payload'],
  raw: Settlement['raw'],
  documents = 1,
): Settlement {
  return {
    admission: { transport: 'webhook', requestId: 'r' },
    binding,
    payload,
    raw,
    receivedBytes: 1,
    documents,
    acceptedBytes: 0,
    error,
  } as unknown as Settlement;
}

const at = new Date(0);
const body = (text: string): Settlement['payload'] => ({
  kind: 'body',
  raw: Buffer.from(text),
  contentType: 'application/json',
  contentEncoding: undefined,
  url: '/',
  receivedAt: at,
});

describe('inspector recorder (issue 16)', () => {
  it('counts per second over the last minutes and by code, and keeps the last N rejections', () => {
    let now = 1_000_000;
    const recorder = new InspectorRecorder({ keep: 2, perSecond: 100, now: () => now });
    const bad = new TributaryError(ERRORS.VALIDATE_SCHEMA);
    recorder.settled(settled(undefined, body('{}'), undefined, 3));
    recorder.settled(settled(bad, body('{"a":"x"}'), Buffer.from('{"a":"x"}')));
    now += 2000;
    recorder.settled(settled(bad, body('nope'), Buffer.from('nope')));
    recorder.refused({
      transport: 'webhook',
      binding,
      error: new TributaryError(ERRORS.AUTH_BAD_TOKEN),
      receivedBytes: 0,
    });
    recorder.refused({
      transport: 'webhook',
      binding: undefined,
      error: new TributaryError(ERRORS.ROUTE_NOT_FOUND),
      receivedBytes: 0,
    });
    const view = recorder.view();
    const [b] = view.bindings;
    expect(b!.accepted).toHaveLength(SECONDS);
    expect(b!.accepted.at(-3)).toBe(3);
    expect(b!.rejected.slice(-3)).toEqual([1, 0, 2]);
    expect(b!.codes).toEqual({ TRIB_VALIDATE_SCHEMA: 2, TRIB_AUTH_BAD_TOKEN: 1 });
    expect(view.rejections.map((r) => r.code)).toEqual(['TRIB_AUTH_BAD_TOKEN', 'TRIB_VALIDATE_SCHEMA']);
    expect(view.rejections[1]).toMatchObject({ documents: undefined, note: 'not JSON' });
    expect(recorder.view({ code: 'TRIB_AUTH_BAD_TOKEN' }).rejections).toHaveLength(1);
    expect(recorder.view({ binding: 'c/other' }).rejections).toHaveLength(0);
    expect(recorder.view({ after: 2 }).rejections).toHaveLength(1);
    now += SECONDS * 1000;
    expect(recorder.view().bindings[0]!.rejected.every((v) => v === 0)).toBe(true);
  });

  it('parses at most perSecond rejections for the ring, and notes bodies it cannot show', () => {
    const recorder = new InspectorRecorder({ keep: 10, perSecond: 2, now: () => 0 });
    const bad = new TributaryError(ERRORS.DECODE_INVALID_UTF8);
    recorder.settled(settled(bad, body(''), Buffer.from([0xff])));
    recorder.settled(settled(bad, { kind: 'records', values: [], receivedAt: at }, [Buffer.from('{"a":1}')]));
    recorder.settled(settled(bad, body('{}'), Buffer.from('{}')));
    const [values, binary] = recorder.view().rejections;
    expect(values).toMatchObject({ documents: [{ a: '‹number›' }], redacted: true });
    expect(binary!.note).toContain('not UTF-8');
    expect(recorder.view().rejections).toHaveLength(2);
    expect(recorder.view().bindings[0]!.codes).toEqual({ TRIB_DECODE_INVALID_UTF8: 3 });
  });

  it('shows a dead-letter binding its body as written, cut at maxBodyBytes', () => {
    const recorder = new InspectorRecorder({ keep: 10, perSecond: 10, now: () => 0 });
    const dl = {
      ...binding,
      deadLetter: { topic: 'dl', maxBodyBytes: 4, maxPerSecond: 1, maxBytesPerSecond: 1 },
    } as Binding;
    const text = '{"a":"long"}';
    recorder.settled({
      ...settled(new TributaryError(ERRORS.VALIDATE_SCHEMA), body(text), Buffer.from(text)),
      binding: dl,
    });
    recorder.settled({
      ...settled(new TributaryError(ERRORS.KAFKA_UNAVAILABLE), body(text), undefined),
      binding: dl,
    });
    const [kafka, cut] = recorder.view().rejections;
    expect(cut).toMatchObject({
      deadLetter: 'dl',
      documents: undefined,
      note: 'cut at maxBodyBytes: not JSON',
    });
    expect(kafka).toMatchObject({ deadLetter: undefined, note: 'body not kept' });
  });
});
