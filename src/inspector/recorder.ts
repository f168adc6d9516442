// What the inspector page shows, kept in memory as the front door reports it (an IngestObserver): per binding,
// accepted and rejected documents per second over the last minutes and counts by rejection code; and the latest
// rejections, each with its problem and its documents. For a binding with a dead-letter topic a rejection shows
// what was written there (the body up to maxBodyBytes, as is); for any other binding its documents are redacted
// (src/inspector/redact.ts). Bounded: a ring of the last `keep` rejections, 300 one-second buckets per binding,
// and at most `perSecond` rejections a second parsed for the ring (a flood of bad bodies is counted, not parsed).
// Behind a load balancer the ring is also fed from the dead-letter topics (src/inspector/dead-letter-tail.ts):
// entries any replica wrote appear here, once, even those this process wrote itself (matched on request id,
// receive time and binding); the per-second counts stay this process's own.

import type { Binding } from '../catalog/model.js';
import { Budget } from '../dead-letter/budget.js';
import { decodeBytes, type EncodedBytes, encodeBytes, type RejectedEntry } from '../dead-letter/entry.js';
import { isDeadLetter } from '../dead-letter/writer.js';
import type { DocumentProblem, TributaryError } from '../errors.js';
import type { IngestObserver, Settlement } from '../ingest/front-door.js';
import { documentsOf, redact } from './redact.js';

/** Seconds of history per binding: five minutes. */
export const SECONDS = 300;

export interface Rejection {
  /** Increasing: the page asks for what is newer than the last it saw. */
  seq: number;
  at: string;
  capture: string;
  binding: string;
  transport: string;
  requestId: string | undefined;
  code: string;
  status: number;
  detail: string;
  problems: DocumentProblem[];
  /** The documents (redacted unless the binding has a dead-letter topic); undefined when not kept or not JSON. */
  documents: unknown[] | undefined;
  /** Why there are no documents, or that they are redacted. */
  note: string | undefined;
  /** The binding's dead-letter topic, when it has one (and the entry was written there). */
  deadLetter: string | undefined;
  redacted: boolean;
  /** 'replica': seen by this process; 'topic': read back from the dead-letter topic (written by any replica). */
  source: 'replica' | 'topic';
}

/** What the dead-letter tail says of itself on the page; undefined when there is no tail. */
export interface TailView {
  topics: string[];
  state: 'starting' | 'following' | 'unavailable' | 'stopped';
  reason: string | undefined;
  /** Records on the topics not read yet. */
  behind: number;
  read: number;
  /** Records that are not dead-letter entries (counted, skipped). */
  malformed: number;
  /** Entries over the parse budget (counted, not parsed). */
  skipped: number;
}

interface Series {
  capture: string;
  binding: string;
  accepted: Float64Array;
  rejected: Float64Array;
  /** The epoch second bucket `last % SECONDS` holds. */
  last: number;
  codes: Map<string, number>;
  deadLetter: string | undefined;
}

export interface BindingView {
  capture: string;
  binding: string;
  deadLetter: string | undefined;
  /** Oldest first, one value per second, the last one the current second. */
  accepted: number[];
  rejected: number[];
  codes: Record<string, number>;
}

export interface InspectorView {
  now: string;
  seconds: number;
  bindings: BindingView[];
  /** Newest first. */
  rejections: Rejection[];
  tail: TailView | undefined;
}

export class InspectorRecorder implements IngestObserver {
  private readonly series = new Map<string, Series>();
  private readonly ring: Rejection[] = [];
  private seq = 0;
  private readonly budget: Budget;
  /** The ring's rejections by identity (entry id, or request id + receive time + binding): each shown once. */
  private readonly known = new Map<string, Rejection>();
  private readonly keys = new Map<Rejection, string[]>();
  private tail: (() => TailView) | undefined;

  constructor(
    private readonly opts: { keep: number; perSecond: number; now?: () => number } = {
      keep: 200,
      perSecond: 50,
    },
  ) {
    this.budget = new Budget(opts.perSecond, Number.MAX_SAFE_INTEGER, this.now());
  }

  /** Where the page reads the tail's state from. */
  setTail(tail: () => TailView): void {
    this.tail = tail;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  refused(refusal: Parameters<IngestObserver['refused']>[0]): void {
    const { binding, error } = refusal;
    if (binding === undefined) return;
    this.count(binding, 'rejected', 1, error.code);
    if (this.budget.spend(0, this.now()) !== 'ok') return;
    // Never a body: refused before it was trusted.
    this.push(
      binding,
      error,
      {
        transport: refusal.transport,
        requestId: undefined,
        documents: undefined,
        note: 'refused before the body was trusted: not kept',
        deadLetter: undefined,
        redacted: false,
        source: 'replica',
      },
      undefined,
    );
  }

  settled(settlement: Settlement): void {
    const { binding, error } = settlement;
    if (error === undefined) {
      this.count(binding, 'accepted', settlement.documents);
      return;
    }
    this.count(binding, 'rejected', settlement.documents || 1, error.code);
    if (this.budget.spend(0, this.now()) !== 'ok') return;
    const policy = binding.deadLetter;
    const written = policy !== undefined && isDeadLetter(error);
    let shown: Shown = { documents: undefined, note: 'body not kept' };
    const raw = settlement.raw;
    if (raw !== undefined) {
      const { payload } = settlement;
      // A produce request's values are shown as NDJSON: one document per value, indexed as the problems are.
      const contentType =
        payload.kind === 'body'
          ? payload.contentType
          : payload.kind === 'records'
            ? 'application/x-ndjson'
            : undefined;
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.concat([...raw].flatMap((v) => [v, NEWLINE]));
      shown = shownDocuments(encodeBytes(bytes, written ? policy.maxBodyBytes : bytes.length), contentType);
      if (shown.documents !== undefined && !written) {
        shown = {
          documents: shown.documents.map(redact),
          note: 'values redacted: the binding has no dead-letter topic',
        };
      }
    }
    const { requestId } = settlement.admission;
    this.push(
      binding,
      error,
      {
        transport: settlement.admission.transport,
        requestId,
        ...shown,
        deadLetter: written ? policy.topic : undefined,
        redacted: shown.documents !== undefined && !written,
        source: 'replica',
      },
      written ? seenKey(requestId, settlement.payload.receivedAt.toISOString(), binding) : undefined,
    );
  }

  /**
   * An entry read back from a dead-letter topic: shown as written (values as kept, up to maxBodyBytes), unless
   * the ring already holds it (this process refused it, or the tail read it before a restart).
   * Returns false for one already shown.
   */
  deadLettered(entry: RejectedEntry, topic: string): boolean {
    const own = seenKey(entry.requestId, entry.receivedAt, { capture: entry.capture, name: entry.binding });
    const shownAlready = this.known.get(own) ?? this.known.get(entry.id);
    if (shownAlready !== undefined) {
      // Its entry id names it too from now on, and is forgotten with it when it leaves the ring.
      if (!this.known.has(entry.id)) this.remember(entry.id, shownAlready);
      return false;
    }
    const shown =
      entry.records !== undefined
        ? shownDocuments(joinRecords(entry.records), 'application/x-ndjson')
        : entry.body !== undefined
          ? shownDocuments(entry.body, entry.contentType)
          : { documents: undefined, note: 'body not kept' };
    const problem = entry.problem;
    this.add(
      {
        at: entry.receivedAt,
        capture: entry.capture,
        binding: entry.binding,
        transport: entry.transport,
        requestId: entry.requestId,
        code: problem.code,
        status: problem.status,
        detail: problem.detail,
        problems: problem.documents ?? [],
        ...shown,
        deadLetter: topic,
        redacted: false,
        source: 'topic',
      },
      entry.id,
    );
    return true;
  }

  view(filter: { binding?: string; code?: string; after?: number } = {}): InspectorView {
    const nowSecond = Math.floor(this.now() / 1000);
    const bindings: BindingView[] = [];
    for (const s of this.series.values()) {
      this.advance(s, nowSecond);
      bindings.push({
        capture: s.capture,
        binding: s.binding,
        deadLetter: s.deadLetter,
        accepted: ordered(s.accepted, nowSecond),
        rejected: ordered(s.rejected, nowSecond),
        codes: Object.fromEntries(s.codes),
      });
    }
    const rejections = this.ring
      .filter(
        (r) =>
          (filter.binding === undefined || filter.binding === `${r.capture}/${r.binding}`) &&
          (filter.code === undefined || filter.code === r.code) &&
          (filter.after === undefined || r.seq > filter.after),
      )
      .reverse();
    return {
      now: new Date(this.now()).toISOString(),
      seconds: SECONDS,
      bindings,
      rejections,
      tail: this.tail?.(),
    };
  }

  private push(
    binding: Binding,
    error: TributaryError,
    rest: Pick<
      Rejection,
      'transport' | 'requestId' | 'documents' | 'note' | 'deadLetter' | 'redacted' | 'source'
    >,
    key: string | undefined,
  ): void {
    this.add(
      {
        at: new Date(this.now()).toISOString(),
        capture: binding.capture,
        binding: binding.name,
        code: error.code,
        status: error.status,
        detail: error.message,
        problems: error.documents ?? [],
        ...rest,
      },
      key,
    );
  }

  /** Appends a rejection (named by `key`, when it has one) and trims the ring. */
  private add(rejection: Omit<Rejection, 'seq'>, key: string | undefined): void {
    const r: Rejection = { seq: ++this.seq, ...rejection };
    this.ring.push(r);
    if (key !== undefined) this.remember(key, r);
    this.trim();
  }

  /** Every key that names a rejection in the ring is listed under it, so trim() forgets it with it. */
  private remember(key: string, r: Rejection): void {
    this.known.set(key, r);
    (this.keys.get(r) ?? this.keys.set(r, []).get(r)!).push(key);
  }

  /** Drops the oldest rejections over `keep`, and the keys that named them: both stay bounded. */
  private trim(): void {
    while (this.ring.length > this.opts.keep) {
      const gone = this.ring.shift()!;
      for (const key of this.keys.get(gone) ?? []) this.known.delete(key);
      this.keys.delete(gone);
    }
  }

  private count(binding: Binding, which: 'accepted' | 'rejected', n: number, code?: string): void {
    const key = `${binding.capture}/${binding.name}`;
    let s = this.series.get(key);
    const second = Math.floor(this.now() / 1000);
    if (s === undefined) {
      s = {
        capture: binding.capture,
        binding: binding.name,
        accepted: new Float64Array(SECONDS),
        rejected: new Float64Array(SECONDS),
        last: second,
        codes: new Map(),
        deadLetter: binding.deadLetter?.topic,
      };
      this.series.set(key, s);
    }
    s.deadLetter = binding.deadLetter?.topic;
    this.advance(s, second);
    s[which][second % SECONDS]! += n;
    if (code !== undefined) s.codes.set(code, (s.codes.get(code) ?? 0) + n);
  }

  /** Zeroes the buckets of the seconds that passed without a document. */
  private advance(s: Series, second: number): void {
    if (second <= s.last) return;
    const gap = Math.min(SECONDS, second - s.last);
    for (let i = 1; i <= gap; i++) {
      const at = (s.last + i) % SECONDS;
      s.accepted[at] = 0;
      s.rejected[at] = 0;
    }
    s.last = second;
  }
}

const NEWLINE = Buffer.from('\n');

interface Shown {
  documents: unknown[] | undefined;
  note: string | undefined;
}

/** A kept body as the page shows it: its documents when it is JSON text, else why not. */
function shownDocuments(kept: EncodedBytes, contentType: string | undefined): Shown {
  if (kept.encoding === 'base64')
    return { documents: undefined, note: 'not UTF-8 text (or cut inside a character)' };
  const documents = documentsOf(decodeBytes(kept).toString('utf8'), contentType);
  if (documents !== undefined) return { documents, note: undefined };
  return { documents, note: kept.truncated ? 'cut at maxBodyBytes: not JSON' : 'not JSON' };
}

function joinRecords(records: readonly EncodedBytes[]): EncodedBytes {
  const bytes = Buffer.concat(records.flatMap((r) => [decodeBytes(r), NEWLINE]));
  const kept = encodeBytes(bytes, bytes.length);
  return { ...kept, truncated: records.some((r) => r.truncated) };
}

/** The same refusal seen by this process and read back from the topic (a sender's own X-Request-Id can repeat). */
function seenKey(requestId: string, receivedAt: string, binding: Pick<Binding, 'capture' | 'name'>): string {
  return `${requestId} ${receivedAt} ${binding.capture}/${binding.name}`;
}

function ordered(buckets: Float64Array, nowSecond: number): number[] {
  const out = new Array<number>(SECONDS);
  for (let i = 0; i < SECONDS; i++) out[i] = buckets[(nowSecond - SECONDS + 1 + i) % SECONDS]!;
  return out;
}
