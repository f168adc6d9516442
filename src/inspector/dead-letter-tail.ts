// The inspector's dead-letter tail (README "Inspector"): behind a load balancer each replica refuses only the
// deliveries routed to it, so the page also reads what every replica wrote to the catalog's dead-letter topics:
// the last `last` entries of each partition at start, then each new one as it is written. It feeds the
// recorder's ring (bounded by it), which shows each refusal once. Parsing is bounded too: at most `perSecond`
// records a second are parsed; over that, and for anything that is not an entry, records are counted, not kept.
// Kafka away does not touch ingest or readiness: the tail retries on its own and the page says it is unavailable.
import type { Kafka } from 'kafkajs';
import type { Binding } from '../catalog/model.js';
import { Budget } from '../dead-letter/budget.js';
import { parseDeadLetterRecord } from '../dead-letter/entry.js';
import { type TailRecord, TopicTail } from '../kafka/topic-tail.js';
import type { InspectorRecorder, TailView } from './recorder.js';

export interface DeadLetterTailOptions {
  /** Entries per partition read back at start. */
  last: number;
  /** Records parsed a second at most (a burst of `perSecond` is allowed). */
  perSecond: number;
  groupPrefix: string;
  log: { warn(obj: object, msg: string): void };
  now?: () => number;
}

/** The dead-letter topics the bindings write to, each once. */
export function deadLetterTopics(bindings: readonly Binding[]): string[] {
  return [...new Set(bindings.flatMap((b) => (b.deadLetter === undefined ? [] : [b.deadLetter.topic])))];
}

export class DeadLetterTail {
  private readonly tail: TopicTail;
  private readonly budget: Budget;
  private readonly now: () => number;
  private malformed = 0;
  private skipped = 0;

  constructor(
    kafka: Kafka,
    private readonly topics: string[],
    private readonly recorder: InspectorRecorder,
    opts: DeadLetterTailOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.budget = new Budget(opts.perSecond, Number.MAX_SAFE_INTEGER, this.now());
    this.tail = new TopicTail(kafka, {
      topics,
      last: opts.last,
      groupPrefix: opts.groupPrefix,
      log: opts.log,
      onRecord: (record) => this.take(record),
    });
    recorder.setTail(() => this.view());
  }

  start(): void {
    this.tail.start();
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }

  view(): TailView {
    const { state, reason, behind, read } = this.tail.status();
    return {
      topics: this.topics,
      state,
      reason,
      behind,
      read,
      malformed: this.malformed,
      skipped: this.skipped,
    };
  }

  /** One record read: never throws (a throw would stall the partition in kafkajs's eachMessage). */
  take(record: Pick<TailRecord, 'topic' | 'value'>): void {
    if (this.budget.spend(0, this.now()) !== 'ok') {
      this.skipped++;
      return;
    }
    try {
      const parsed = parseDeadLetterRecord(record.value?.toString('utf8') ?? null);
      // A replay's marker is not a rejection: skipped without a count.
      if (parsed?.kind === 'replayed') return;
      if (parsed === undefined) this.malformed++;
      else this.recorder.deadLettered(parsed, record.topic);
    } catch {
      // An entry of the right shape with wrong field types (a hand-written record on the topic).
      this.malformed++;
    }
  }
}
