// Produces documents of concurrent requests together. kafkajs sends one ProduceRequest per send() call and never
// merges calls, so without this every webhook would pay a full acks=all round trip of its own.
//
// A batch that is not full goes only while fewer than partialInFlight produce calls are in flight; beyond that it
// waits (as Nagle's algorithm holds small segments behind unacknowledged ones) and everything that arrived
// meanwhile goes in one call. For a client that keeps one Produce request on the wire per broker connection (the
// idempotent @platformatic/kafka) and queues further calls inside it unmerged, the gateway allows two: one on the
// wire and one encoded and queued behind it, so the client's encoding overlaps the broker's work; more would only
// queue there as small requests, each a round trip of its own (issue 17). Full batches go up to maxInFlight.
//
// Each request is a ticket; it settles exactly once: resolved when Kafka acknowledged all its records, rejected on
// the first failure or when its deadline passes. Records of a ticket that already settled are dropped before they
// are sent, so a request answered 503 while Kafka was down does not reach Kafka later.
import { ERRORS, TributaryError } from '../errors.js';
import { NotAuthorizedError } from './authorization.js';
import { type OutboundRecord, recordSize } from './record.js';

export interface BatcherOptions {
  /** How long the first record of a batch waits for company. 0 sends on the next tick. */
  lingerMs: number;
  /** A batch is sent as soon as it holds this many bytes. Keep below the broker's message.max.bytes. */
  maxBatchBytes: number;
  /** Produce calls in flight at once; further records wait and join the next batch. */
  maxInFlight: number;
  /** A batch below maxBatchBytes goes only while fewer calls are in flight (default maxInFlight; see above). */
  partialInFlight?: number;
}

export type SendBatch = (records: OutboundRecord[]) => Promise<void>;

interface Ticket {
  remaining: number;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(err: TributaryError): void;
}

interface Entry {
  record: OutboundRecord;
  size: number;
  ticket: Ticket;
}

export interface BatcherStats {
  pendingRecords: number;
  pendingBytes: number;
  inFlightBatches: number;
}

export type BatchObserver = (batch: {
  records: number;
  bytes: number;
  ms: number;
  error?: TributaryError;
}) => void;

export class Batcher {
  private pending: Entry[] = [];
  private pendingBytes = 0;
  private inFlight = 0;
  /** Records in `pending` whose request already timed out (upper bound; batches taken also drop them). */
  private expired = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: SendBatch,
    private readonly opts: BatcherOptions,
    private readonly observe?: BatchObserver,
  ) {}

  /** Resolves once Kafka acknowledged every record; rejects when any failed or deadline (epoch ms) passed. */
  produce(records: OutboundRecord[], deadline: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: records.length, settled: false, timer: undefined, resolve, reject };
      const wait = deadline - Date.now();
      if (wait <= 0) {
        reject(new TributaryError(ERRORS.KAFKA_TIMEOUT, 'request deadline passed before producing'));
        return;
      }
      if (records.length === 0) {
        resolve();
        return;
      }
      ticket.timer = setTimeout(() => {
        settle(
          ticket,
          new TributaryError(ERRORS.KAFKA_TIMEOUT, `Kafka did not acknowledge within ${wait} ms`),
        );
        this.forget(records.length);
      }, wait);
      for (const record of records) {
        const size = recordSize(record);
        this.pending.push({ record, size, ticket });
        this.pendingBytes += size;
      }
      this.schedule();
    });
  }

  /**
   * Records of requests that timed out while waiting stay in `pending` until a batch is taken. While Kafka is
   * down no batch is taken for a long time, so compact once they are the majority: pending memory stays
   * proportional to the requests still waiting, which the in-flight bound caps.
   */
  private forget(records: number): void {
    this.expired += records;
    if (this.expired < 1024 || this.expired * 2 < this.pending.length) return;
    this.pending = this.pending.filter((entry) => !entry.ticket.settled);
    this.pendingBytes = this.pending.reduce((n, entry) => n + entry.size, 0);
    this.expired = 0;
  }

  stats(): BatcherStats {
    return {
      pendingRecords: this.pending.length,
      pendingBytes: this.pendingBytes,
      inFlightBatches: this.inFlight,
    };
  }

  /** Sends what is pending now and resolves when nothing is pending or in flight (graceful shutdown). */
  drain(): Promise<void> {
    this.dispatch(true);
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.pendingBytes >= this.opts.maxBatchBytes) {
      this.dispatch();
    } else if (this.lingerTimer === undefined && !this.holding()) {
      this.lingerTimer = setTimeout(() => this.dispatch(), this.opts.lingerMs);
    }
  }

  /** A partial batch waits for a call to return; afterSend dispatches it (no linger timer meanwhile). */
  private holding(): boolean {
    return this.inFlight >= (this.opts.partialInFlight ?? this.opts.maxInFlight);
  }

  /** `flush`: a partial batch goes even while one is in flight (drain). */
  private dispatch(flush = false): void {
    if (this.lingerTimer !== undefined) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    while (
      this.inFlight < this.opts.maxInFlight &&
      this.pending.length > 0 &&
      (flush || !this.holding() || this.pendingBytes >= this.opts.maxBatchBytes)
    ) {
      const batch = this.takeBatch();
      if (batch.length > 0) this.sendBatch(batch);
    }
    this.notifyIdle();
  }

  private takeBatch(): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    let i = 0;
    for (; i < this.pending.length; i++) {
      const entry = this.pending[i]!;
      if (!entry.ticket.settled) {
        if (batch.length > 0 && bytes + entry.size > this.opts.maxBatchBytes) break;
        batch.push(entry);
        bytes += entry.size;
      }
      this.pendingBytes -= entry.size;
    }
    this.pending = this.pending.slice(i);
    return batch;
  }

  private sendBatch(batch: Entry[]): void {
    this.inFlight++;
    const started = Date.now();
    const bytes = batch.reduce((n, e) => n + e.size, 0);
    this.send(batch.map((e) => e.record)).then(
      () => {
        this.observe?.({ records: batch.length, bytes, ms: Date.now() - started });
        for (const { ticket } of batch) {
          if (ticket.settled) continue;
          if (--ticket.remaining === 0) settle(ticket);
        }
        this.afterSend();
      },
      (err: unknown) => {
        const error =
          err instanceof TributaryError
            ? err
            : new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'produce failed', { cause: err });
        this.observe?.({ records: batch.length, bytes, ms: Date.now() - started, error });
        if (error instanceof NotAuthorizedError) {
          // Only the documents of refused topics are the ACL's; the rest were batched with them and may retry.
          const topics = new Set(batch.map((e) => e.record.topic));
          const bystander = new TributaryError(
            ERRORS.KAFKA_UNAVAILABLE,
            'batched with documents for a topic Kafka refused; retry',
            { cause: error },
          );
          for (const { ticket, record } of batch)
            settle(ticket, error.appliesTo(record.topic, topics) ? error : bystander);
        } else {
          for (const { ticket } of batch) settle(ticket, error);
        }
        this.afterSend();
      },
    );
  }

  private afterSend(): void {
    this.inFlight--;
    // Records that waited for a free slot have lingered long enough: send them now.
    if (this.pending.length > 0) this.dispatch();
    else this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.pending.length > 0 || this.inFlight > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function settle(ticket: Ticket, err?: TributaryError): void {
  if (ticket.settled) return;
  ticket.settled = true;
  if (ticket.timer !== undefined) clearTimeout(ticket.timer);
  if (err === undefined) ticket.resolve();
  else ticket.reject(err);
}
