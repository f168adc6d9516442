import { describe, expect, it } from 'vitest';
import type { Binding } from '../../src/catalog/model.js';
import type { RejectedEntry } from '../../src/dead-letter/entry.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { Settlement } from '../../src/ingest/front-door.js';
import { InspectorRecorder, SECONDS, type TailView } from '../../src/inspector/recorder.js';

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

describe('inspector recorder: entries read back from the dead-letter topic', () => {
  const dl = {
    ...binding,
    deadLetter: { topic: 'dl', maxBodyBytes: 1000, maxPerSecond: 10, maxBytesPerSecond: 10_000 },
  } as Binding;
  const entry = (id: string, requestId: string, over: Partial<RejectedEntry> = {}): RejectedEntry => ({
    kind: 'rejected',
    version: 1,
    id,
    capture: 'c',
    binding: 'b',
    transport: 'webhook',
    route: '/c/b',
    requestId,
    receivedAt: at.toISOString(),
    contentType: 'application/json',
    headers: {},
    body: { encoding: 'utf8', data: '{"amount":"nine"}', bytes: 17, truncated: false },
    problem: {
      code: 'TRIB_VALIDATE_SCHEMA',
      status: 400,
      detail: 'bad',
      documents: [{ index: 0, pointer: '/amount', message: 'must be number' }],
    },
    ...over,
  });

  it('shows another replica’s entry once, as written, and not again on a re-read or for its own', () => {
    const recorder = new InspectorRecorder({ keep: 10, perSecond: 10, now: () => 0 });
    // This process's own refusal (request r at `at`), then its entry read back: shown once.
    recorder.settled({
      ...settled(new TributaryError(ERRORS.VALIDATE_SCHEMA), body('{"a":1}'), Buffer.from('{"a":1}')),
      binding: dl,
    });
    expect(recorder.deadLettered(entry('e-own', 'r'), 'dl')).toBe(false);
    expect(recorder.deadLettered(entry('e-own', 'r'), 'dl')).toBe(false);
    // Another replica's: shown with its values (the binding has a dead-letter topic), marked as read back.
    expect(recorder.deadLettered(entry('e-1', 'other'), 'dl')).toBe(true);
    expect(recorder.deadLettered(entry('e-1', 'other'), 'dl')).toBe(false);
    const [theirs, mine] = recorder.view().rejections;
    expect(mine).toMatchObject({ source: 'replica', requestId: 'r' });
    expect(theirs).toMatchObject({
      source: 'topic',
      requestId: 'other',
      deadLetter: 'dl',
      documents: [{ amount: 'nine' }],
      problems: [{ pointer: '/amount' }],
      redacted: false,
    });
    expect(recorder.view().rejections).toHaveLength(2);
    // The per-second counts stay this process's own.
    expect(recorder.view().bindings[0]!.codes).toEqual({ TRIB_VALIDATE_SCHEMA: 1 });
  });

  it('forgets an own refusal’s entry id when the refusal leaves the ring (the key map stays bounded)', () => {
    const recorder = new InspectorRecorder({ keep: 1, perSecond: 10, now: () => 0 });
    const own = () =>
      recorder.settled({
        ...settled(new TributaryError(ERRORS.VALIDATE_SCHEMA), body('{"a":1}'), Buffer.from('{"a":1}')),
        binding: dl,
      });
    own();
    expect(recorder.deadLettered(entry('e-own', 'r'), 'dl')).toBe(false);
    // A second refusal pushes the first out (keep 1): its entry, read again, is shown again like any other.
    recorder.refused({
      transport: 'webhook',
      binding: dl,
      error: new TributaryError(ERRORS.AUTH_MISSING_TOKEN),
      receivedBytes: 0,
    });
    expect(recorder.deadLettered(entry('e-own', 'r'), 'dl')).toBe(true);
  });

  it('shows record values as NDJSON, says why a body is not shown, and forgets what left the ring', () => {
    const recorder = new InspectorRecorder({ keep: 2, perSecond: 10, now: () => 0 });
    recorder.deadLettered(
      entry('e-r', 'x', {
        body: undefined,
        records: [
          { encoding: 'utf8', data: '{"a":1}', bytes: 7, truncated: false },
          { encoding: 'utf8', data: '{"a":2}', bytes: 7, truncated: false },
        ],
      }),
      'dl',
    );
    recorder.deadLettered(
      entry('e-b', 'y', { body: { encoding: 'base64', data: '/w==', bytes: 1, truncated: false } }),
      'dl',
    );
    recorder.deadLettered(entry('e-n', 'z', { body: undefined }), 'dl');
    const [none, binary] = recorder.view().rejections;
    expect(none!.note).toBe('body not kept');
    expect(binary!.note).toContain('not UTF-8');
    // e-r was pushed out of the ring (keep 2): read again, it is shown again, with its documents.
    expect(recorder.deadLettered(entry('e-r', 'x', { body: undefined, records: [] }), 'dl')).toBe(true);
    expect(recorder.view().rejections[0]).toMatchObject({ documents: [] });
  });

  it('reports the tail it is given, and none without one', () => {
    const recorder = new InspectorRecorder();
    expect(recorder.view().tail).toBeUndefined();
    const tail: TailView = {
      topics: ['dl'],
      state: 'unavailable',
      reason: 'x',
      behind: 0,
      read: 0,
      malformed: 0,
      skipped: 0,
    };
    recorder.setTail(() => tail);
    expect(recorder.view().tail).toEqual(tail);
  });
});
