// What the inspector page shows, kept in memory as the front door reports it (an IngestObserver): per binding,
// accepted and rejected documents per second over the last minutes and counts by rejection code; and the latest
// rejections, each with its problem and its documents. For a binding with a dead-letter topic a rejection shows
// what was written there (the body up to maxBodyBytes, as is); for any other binding its documents are redacted
// (src/inspector/redact.ts). Bounded: a ring of the last `keep` rejections, 300 one-second buckets per binding,
// and at most `perSecond` rejections a second parsed for the ring (a flood of bad bodies is counted, not parsed).

import type { Binding } from '../catalog/model.js';
import { Budget } from '../dead-letter/budget.js';
import { decodeBytes, encodeBytes } from '../dead-letter/entry.js';
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
}

export class InspectorRecorder implements IngestObserver {
  private readonly series = new Map<string, Series>();
  private readonly ring: Rejection[] = [];
  private seq = 0;
  private readonly budget: Budget;

  constructor(
    private readonly opts: { keep: number; perSecond: number; now?: () => number } = {
      keep: 200,
      perSecond: 50,
    },
  ) {
    this.budget = new Budget(opts.perSecond, Number.MAX_SAFE_INTEGER, this.now());
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
    this.push(binding, error, {
      transport: refusal.transport,
      requestId: undefined,
      documents: undefined,
      note: 'refused before the body was trusted: not kept',
      deadLetter: undefined,
      redacted: false,
    });
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
    let documents: unknown[] | undefined;
    let note: string | undefined;
    const raw = settlement.raw;
    if (raw === undefined) note = 'body not kept';
    else {
      const { payload } = settlement;
      // A produce request's values are shown as NDJSON: one document per value, indexed as the problems are.
      const contentType =
        payload.kind === 'body'
          ? payload.contentType
          : payload.kind === 'records'
            ? 'application/x-ndjson'
            : undefined;
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.concat([...raw].flatMap((v) => [v, NEWLINE]));
      const kept = encodeBytes(bytes, written ? policy.maxBodyBytes : bytes.length);
      if (kept.encoding === 'base64') note = 'not UTF-8 text (or cut inside a character)';
      else {
        documents = documentsOf(decodeBytes(kept).toString('utf8'), contentType);
        if (documents === undefined) note = kept.truncated ? 'cut at maxBodyBytes: not JSON' : 'not JSON';
      }
      if (documents !== undefined && !written) {
        documents = documents.map(redact);
        note = 'values redacted: the binding has no dead-letter topic';
      }
    }
    this.push(binding, error, {
      transport: settlement.admission.transport,
      requestId: settlement.admission.requestId,
      documents,
      note,
      deadLetter: written ? policy.topic : undefined,
      redacted: documents !== undefined && !written,
    });
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
    return { now: new Date(this.now()).toISOString(), seconds: SECONDS, bindings, rejections };
  }

  private push(
    binding: Binding,
    error: TributaryError,
    rest: Pick<Rejection, 'transport' | 'requestId' | 'documents' | 'note' | 'deadLetter' | 'redacted'>,
  ): void {
    this.ring.push({
      seq: ++this.seq,
      at: new Date(this.now()).toISOString(),
      capture: binding.capture,
      binding: binding.name,
      code: error.code,
      status: error.status,
      detail: error.message,
      problems: error.documents ?? [],
      ...rest,
    });
    if (this.ring.length > this.opts.keep) this.ring.shift();
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

function ordered(buckets: Float64Array, nowSecond: number): number[] {
  const out = new Array<number>(SECONDS);
  for (let i = 0; i < SECONDS; i++) out[i] = buckets[(nowSecond - SECONDS + 1 + i) % SECONDS]!;
  return out;
}
