// Idempotent producers (KIP-98): InitProducerId hands out (producer id, epoch); each batch carries the sequence
// of its first record per partition. A retried batch whose sequences were already taken is answered as a
// broker answers it, with the offsets it got the first time, so a client's own retries never duplicate a
// document; a batch that skips sequences is refused OUT_OF_ORDER_SEQUENCE_NUMBER.
//
// Kept per process and in memory: after a restart a producer's id is unknown and its next batch (sequence
// > 0) is answered UNKNOWN_PRODUCER_ID, on which clients reset their sequences (Java since KIP-360).
import { KAFKA_ERROR } from './protocol.js';

/** Batches remembered per producer and partition: the Java client keeps at most 5 in flight. */
const REMEMBERED = 10;

interface Entry {
  first: number;
  last: number;
  /** The batch's outcome once settled: its base offset, or undefined when it failed (a retry may take it). */
  settled: Promise<bigint | undefined>;
  failed: boolean;
}

interface PartitionState {
  epoch: number;
  /** The sequence the next new batch must start at. */
  next: number;
  entries: Entry[];
}

export type SequenceVerdict =
  | { kind: 'new'; settle: (baseOffset: bigint | undefined) => void }
  | { kind: 'duplicate'; baseOffset: Promise<bigint | undefined> }
  | { kind: 'refused'; errorCode: number; message: string };

/** Producer ids and per-partition sequences. Non-idempotent batches (producer id -1) bypass it. */
export class Sequences {
  // Ids start from the clock so that a restarted listener does not hand a new producer the id of an old one.
  private nextId = BigInt(Date.now()) * 1000n;
  private readonly producers = new Map<bigint, { epoch: number; partitions: Map<string, PartitionState> }>();

  constructor(private readonly maxProducers = 100_000) {}

  /** InitProducerId: a new id, or (v3+, the producer's own id and epoch) the same id with the next epoch. */
  initProducer(producerId: bigint, epoch: number): { producerId: bigint; epoch: number } {
    const known = producerId >= 0n ? this.producers.get(producerId) : undefined;
    if (known !== undefined && known.epoch === epoch && epoch < 32767) {
      known.epoch = epoch + 1;
      known.partitions.clear();
      return { producerId, epoch: known.epoch };
    }
    const id = this.nextId++;
    // Oldest first (Map order): a flood of InitProducerId cannot grow memory without bound.
    if (this.producers.size >= this.maxProducers) {
      const oldest = this.producers.keys().next().value;
      if (oldest !== undefined) this.producers.delete(oldest);
    }
    this.producers.set(id, { epoch: 0, partitions: new Map() });
    return { producerId: id, epoch: 0 };
  }

  /** Judges one batch of `count` records; a 'new' verdict must be settled exactly once. */
  check(
    producerId: bigint,
    epoch: number,
    topic: string,
    partition: number,
    first: number,
    count: number,
  ): SequenceVerdict {
    const producer = this.producers.get(producerId);
    if (producer === undefined) {
      return {
        kind: 'refused',
        errorCode: KAFKA_ERROR.UNKNOWN_PRODUCER_ID,
        message: 'unknown producer id: call InitProducerId',
      };
    }
    if (epoch !== producer.epoch) {
      return {
        kind: 'refused',
        errorCode: KAFKA_ERROR.INVALID_PRODUCER_EPOCH,
        message: `producer epoch ${epoch} is not the current ${producer.epoch}`,
      };
    }
    const key = `${partition}\u0000${topic}`;
    let state = producer.partitions.get(key);
    if (state === undefined) {
      state = { epoch, next: 0, entries: [] };
      producer.partitions.set(key, state);
    }
    const last = first + count - 1;
    const earlier = state.entries.find((e) => e.first === first && e.last === last);
    if (earlier !== undefined && !earlier.failed) return { kind: 'duplicate', baseOffset: earlier.settled };
    if (earlier === undefined && first !== state.next) {
      return {
        kind: 'refused',
        errorCode: KAFKA_ERROR.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `sequence ${first} where ${state.next} was expected`,
      };
    }
    let resolve!: (offset: bigint | undefined) => void;
    const entry: Entry = {
      first,
      last,
      failed: false,
      settled: new Promise((r) => {
        resolve = r;
      }),
    };
    if (earlier !== undefined) state.entries.splice(state.entries.indexOf(earlier), 1);
    else state.next = last + 1;
    state.entries.push(entry);
    if (state.entries.length > REMEMBERED) state.entries.shift();
    return {
      kind: 'new',
      settle: (offset) => {
        entry.failed = offset === undefined;
        resolve(offset);
      },
    };
  }
}
