// Writes every delivery refused after admission to its binding's dead-letter topic (README "Dead letters").
// It is a front-door observer (src/ingest/front-door.ts): the door tells it once per payload, synchronously, just
// before the refusal goes back to the sender. Everything here is off that answer path: the budget is checked in
// that call (a few comparisons), the entry is built and produced in a later turn, and a failed or slow write is
// counted, never thrown: the sender's 4xx cannot wait for it or fail because of it.
import type { Binding } from '../catalog/model.js';
import { nextUuid } from '../document/meta.js';
import type { TributaryError } from '../errors.js';
import type { IngestObserver, Settlement } from '../ingest/front-door.js';
import type { Sink } from '../ingest/pipeline.js';
import { Budget } from './budget.js';
import { deadLetterRecord, rejectedEntry } from './entry.js';

export type DeadLetterOutcome =
  | 'written'
  | 'failed'
  | 'dropped_rate'
  | 'dropped_bytes'
  | 'dropped_backlog'
  | 'unauthenticated'
  | 'not_admitted';

export interface DeadLetterWriterDeps {
  sink: Sink;
  /** Counts each outcome (tributary_dead_letter_entries_total). */
  count: (binding: Binding, outcome: DeadLetterOutcome) => void;
  log: { warn(obj: object, msg: string): void };
  /** Kafka's deadline for one entry. */
  timeoutMs: number;
  /** Entries built or in flight at once, over every binding; more are dropped (a stalled Kafka holds them). */
  maxPending?: number;
  now?: () => number;
  /** A later turn: setImmediate, so the refusal's answer is written first. */
  defer?: (run: () => void) => void;
}

/** What only this module decides: a refusal that replay after a fix could turn into an acceptance. */
export function isDeadLetter(error: TributaryError): boolean {
  // 4xx and not retryable: decode, validation, reserved _meta, too large, key, ACL. 503s and 429s are the
  // sender's to retry; 401s never reach here (an unsigned body is refused before it is trusted).
  return !error.retryable && error.status >= 400 && error.status < 500 && error.status !== 401;
}

export class DeadLetterWriter implements IngestObserver {
  private readonly budgets = new WeakMap<Binding, Budget>();
  private pending = 0;
  private readonly maxPending: number;
  private readonly now: () => number;
  private readonly defer: (run: () => void) => void;

  constructor(private readonly deps: DeadLetterWriterDeps) {
    this.maxPending = deps.maxPending ?? 256;
    this.now = deps.now ?? Date.now;
    this.defer = deps.defer ?? ((run) => setImmediate(run));
  }

  /** Entries being built or produced now. */
  inFlight(): number {
    return this.pending;
  }

  /**
   * Refused before the payload was trusted: only counted. Unauthenticated or unsigned (a stranger must not be
   * able to fill the topic), or refused at admission for another reason (origin, rate limit, a declared size
   * over the limit, an option the transport cannot honour): no byte of those bodies was read.
   */
  refused(refusal: Parameters<IngestObserver['refused']>[0]): void {
    const binding = refusal.binding;
    if (binding?.deadLetter === undefined) return;
    const code = refusal.error.code;
    this.deps.count(
      binding,
      code.startsWith('TRIB_AUTH_') && code !== 'TRIB_AUTH_ORIGIN_NOT_ALLOWED'
        ? 'unauthenticated'
        : 'not_admitted',
    );
  }

  settled(settlement: Settlement): void {
    const { binding, error, raw } = settlement;
    const policy = binding.deadLetter;
    if (policy === undefined || error === undefined || raw === undefined || !isDeadLetter(error)) return;
    if (this.pending >= this.maxPending) {
      this.deps.count(binding, 'dropped_backlog');
      return;
    }
    let budget = this.budgets.get(binding);
    if (budget === undefined) {
      budget = new Budget(policy.maxPerSecond, policy.maxBytesPerSecond, this.now());
      this.budgets.set(binding, budget);
    }
    // What the entry will weigh at most: the kept body as base64 plus its envelope.
    const size = Math.ceil((Math.min(settlement.receivedBytes, policy.maxBodyBytes) * 4) / 3) + 1024;
    const spent = budget.spend(size, this.now());
    if (spent !== 'ok') {
      this.deps.count(binding, spent === 'rate' ? 'dropped_rate' : 'dropped_bytes');
      return;
    }
    this.pending++;
    this.defer(() => {
      let produced: Promise<void>;
      try {
        const entry = rejectedEntry(settlement, error, policy, nextUuid());
        produced = this.deps.sink.produce(
          [deadLetterRecord(policy.topic, entry, entry.requestId)],
          this.now() + this.deps.timeoutMs,
        );
      } catch (err) {
        produced = Promise.reject(err);
      }
      produced.then(
        () => {
          this.pending--;
          this.deps.count(binding, 'written');
        },
        (err: unknown) => {
          this.pending--;
          this.deps.count(binding, 'failed');
          this.deps.log.warn(
            { err, binding: `${binding.capture}/${binding.name}`, topic: policy.topic },
            'dead-letter entry not written',
          );
        },
      );
    });
  }
}
