// `tributary replay`: dead-letter entries submitted again through the front door's accept step (not over HTTP),
// typically after a collection's schema was fixed. Each entry becomes the payload it was (body, frame or record
// values, with its content type, kept headers, query and route) under an admission made here: it was admitted
// when first received (a dead-letter entry is only written after that), so origin, token and signature are not
// checked again, but everything after them is, against the catalog as it is now.
//
// Produced once: after an entry was accepted, a `replayed` marker naming it is written to the same topic (same
// key, so the same partition, after the entry), and a later replay skips marked entries. Should a marker be lost
// (a crash between the two writes), the documents of a second replay carry the same `_meta.uuid` as the first
// (src/document/meta.ts replayUuid) and `_meta.replayOf`, so a consumer can still drop the copy.
//
// Streamed: the topic is read twice in bounded batches, first for the markers (only the ids they name are
// kept), then for the entries, each submitted as it comes. What stays in memory for the whole run is one id per
// marker and per entry seen (to count a duplicate entry once), never a body beyond the current batch.
import type { Binding } from '../catalog/model.js';
import { requestMeta } from '../document/meta.js';
import { TributaryError } from '../errors.js';
import type { Admission, FrontDoor, Payload } from '../ingest/front-door.js';
import { recordHeaders } from '../ops/trace.js';
import { type DeadLetterRecord, decodeBytes, type RejectedEntry, type ReplayedMarker } from './entry.js';

export interface ReplayOptions {
  /** Only entries of this binding: `capture/name`, or a binding name alone. */
  binding?: string;
  /** Only entries received at or after this time. */
  since?: Date;
  /** Accept (decode, validate, key, record size) but produce nothing and write no marker. */
  dryRun: boolean;
}

export interface BindingReplay {
  accepted: number;
  /** Documents the accepted entries produced (in a dry run: would have produced). */
  documents: number;
  /** Still refused, by error code (or a reason of replay's own: TRUNCATED, NO_BINDING). */
  rejected: Record<string, number>;
  /** Skipped: already replayed (a marker names them). */
  alreadyReplayed: number;
}

export interface ReplayReport {
  /** By `capture/name`, in the order first seen. */
  bindings: Map<string, BindingReplay>;
  /** Markers that could not be written (those entries would be replayed again, with the same uuids). */
  markerFailures: number;
  /** Records on the topic that are not dead-letter records (set by whoever parses them), skipped. */
  malformed: number;
}

/**
 * One pass over the topic, start to the same end each time, in bounded batches; `each` is awaited before the
 * next batch. Replay makes two passes.
 */
export type RecordPass = (each: (batch: readonly DeadLetterRecord[]) => Promise<void>) => Promise<void>;

/** An array as a pass (tests, small topics). */
export function passOver(records: readonly DeadLetterRecord[]): RecordPass {
  return (each) => each(records);
}

export interface ReplayDeps {
  door: FrontDoor;
  /** Writes a marker to the dead-letter topic; resolves once Kafka acknowledged it. */
  mark: (entry: RejectedEntry, marker: ReplayedMarker) => Promise<void>;
  newId: () => string;
  now?: () => Date;
}

const label = (capture: string, binding: string): string => `${capture}/${binding}`;

function wanted(entry: RejectedEntry, opts: ReplayOptions): boolean {
  if (opts.binding !== undefined) {
    const full = label(entry.capture, entry.binding);
    if (opts.binding !== full && opts.binding !== entry.binding) return false;
  }
  return opts.since === undefined || Date.parse(entry.receivedAt) >= opts.since.getTime();
}

export async function replay(pass: RecordPass, opts: ReplayOptions, deps: ReplayDeps): Promise<ReplayReport> {
  const replayed = new Set<string>();
  await pass(async (batch) => {
    for (const record of batch) if (record.kind === 'replayed') replayed.add(record.entry);
  });
  const report: ReplayReport = { bindings: new Map(), markerFailures: 0, malformed: 0 };
  const seen = new Set<string>();
  await pass(async (batch) => {
    for (const record of batch) {
      if (record.kind !== 'rejected' || !wanted(record, opts) || seen.has(record.id)) continue;
      seen.add(record.id);
      await replayOne(record, report, replayed, opts, deps);
    }
  });
  return report;
}

async function replayOne(
  record: RejectedEntry,
  report: ReplayReport,
  replayed: Set<string>,
  opts: ReplayOptions,
  deps: ReplayDeps,
): Promise<void> {
  const key = label(record.capture, record.binding);
  let counts = report.bindings.get(key);
  if (counts === undefined) {
    counts = { accepted: 0, documents: 0, rejected: {}, alreadyReplayed: 0 };
    report.bindings.set(key, counts);
  }
  if (replayed.has(record.id)) {
    counts.alreadyReplayed++;
    return;
  }
  const outcome = await replayEntry(record, deps);
  if (typeof outcome === 'string') {
    counts.rejected[outcome] = (counts.rejected[outcome] ?? 0) + 1;
    return;
  }
  counts.accepted++;
  counts.documents += outcome.published;
  if (opts.dryRun) return;
  const marker: ReplayedMarker = {
    kind: 'replayed',
    version: 1,
    id: deps.newId(),
    entry: record.id,
    capture: record.capture,
    binding: record.binding,
    at: (deps.now?.() ?? new Date()).toISOString(),
    published: outcome.published,
  };
  try {
    await deps.mark(record, marker);
    replayed.add(record.id);
  } catch {
    report.markerFailures++;
  }
}

/** Accepted (what was published), or the code it is still refused with. */
async function replayEntry(entry: RejectedEntry, deps: ReplayDeps): Promise<{ published: number } | string> {
  if (entry.body?.truncated || entry.records?.some((r) => r.truncated)) return 'TRUNCATED';
  const door = deps.door;
  const match = door.router().match(entry.route);
  const binding: Binding | undefined = match?.binding;
  if (match === undefined || binding?.capture !== entry.capture || binding.name !== entry.binding) {
    return 'NO_BINDING';
  }
  const headers = entry.headers;
  const admission: Admission = {
    transport: entry.transport as Admission['transport'],
    route: entry.route,
    match,
    requestId: entry.requestId,
    origin: undefined,
    token: undefined,
    headers,
    query: entry.query,
    meta: {
      ...requestMeta(binding, { headers, query: entry.query, pathParams: match.pathParams }),
      replayOf: entry.id,
    },
    recordHeaders: { ...recordHeaders(entry.requestId, headers), 'tributary-replay-of': entry.id },
    replayOf: entry.id,
  };
  const receivedAt = new Date(entry.receivedAt);
  let payload: Payload;
  if (entry.records !== undefined) {
    payload = { kind: 'records', values: entry.records.map(decodeBytes), receivedAt };
  } else if (entry.transport === 'websocket') {
    payload = { kind: 'frame', raw: decodeBytes(entry.body!), binary: entry.binary === true, receivedAt };
  } else {
    const query = entry.query === undefined ? '' : `?${new URLSearchParams(flatQuery(entry.query))}`;
    payload = {
      kind: 'body',
      raw: decodeBytes(entry.body!),
      contentType: entry.contentType,
      contentEncoding: entry.contentEncoding,
      url: entry.route + query,
      receivedAt,
    };
  }
  try {
    const accepted = await door.accept(admission, payload);
    return { published: accepted.published };
  } catch (err) {
    return err instanceof TributaryError ? err.code : 'TRIB_INTERNAL';
  }
}

function flatQuery(query: Record<string, string | string[]>): [string, string][] {
  return Object.entries(query).flatMap(([k, v]): [string, string][] =>
    Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
  );
}
