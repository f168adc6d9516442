// Idempotent producers' sequences, as a broker judges them: duplicates answered with the first offsets, gaps and
// stale epochs refused, a failed batch retried.
import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR } from '../../src/listen-kafka/protocol.js';
import { Sequences } from '../../src/listen-kafka/sequences.js';

describe('Sequences', () => {
  it('takes batches in order and answers a retried one with its first offset', async () => {
    const s = new Sequences();
    const { producerId, epoch } = s.initProducer(-1n, -1);
    const first = s.check(producerId, epoch, 't', 0, 0, 3);
    if (first.kind !== 'new') throw new Error(first.kind);
    first.settle(40n);
    const again = s.check(producerId, epoch, 't', 0, 0, 3);
    expect(again.kind).toBe('duplicate');
    if (again.kind === 'duplicate') expect(await again.baseOffset).toBe(40n);
    expect(s.check(producerId, epoch, 't', 0, 3, 1).kind).toBe('new');
    // Partitions and topics are separate sequences.
    expect(s.check(producerId, epoch, 't', 1, 0, 1).kind).toBe('new');
    expect(s.check(producerId, epoch, 'u', 0, 0, 1).kind).toBe('new');
  });

  it('refuses a gap, a stale epoch and an unknown producer', () => {
    const s = new Sequences();
    const { producerId, epoch } = s.initProducer(-1n, -1);
    expect(s.check(producerId, epoch, 't', 0, 5, 1)).toMatchObject({
      errorCode: KAFKA_ERROR.OUT_OF_ORDER_SEQUENCE_NUMBER,
    });
    expect(s.check(producerId, epoch + 1, 't', 0, 0, 1)).toMatchObject({
      errorCode: KAFKA_ERROR.INVALID_PRODUCER_EPOCH,
    });
    expect(s.check(producerId + 99n, 0, 't', 0, 0, 1)).toMatchObject({
      errorCode: KAFKA_ERROR.UNKNOWN_PRODUCER_ID,
    });
  });

  it('lets a failed batch be sent again, and bumps the epoch on InitProducerId with the id (KIP-360)', () => {
    const s = new Sequences();
    const { producerId, epoch } = s.initProducer(-1n, -1);
    const first = s.check(producerId, epoch, 't', 0, 0, 2);
    if (first.kind !== 'new') throw new Error(first.kind);
    first.settle(undefined);
    expect(s.check(producerId, epoch, 't', 0, 0, 2).kind).toBe('new');
    const bumped = s.initProducer(producerId, epoch);
    expect(bumped).toEqual({ producerId, epoch: epoch + 1 });
    expect(s.check(producerId, epoch + 1, 't', 0, 0, 1).kind).toBe('new');
  });

  it('forgets the oldest producer past its bound', () => {
    const s = new Sequences(2);
    const a = s.initProducer(-1n, -1);
    s.initProducer(-1n, -1);
    s.initProducer(-1n, -1);
    expect(s.check(a.producerId, 0, 't', 0, 0, 1)).toMatchObject({
      errorCode: KAFKA_ERROR.UNKNOWN_PRODUCER_ID,
    });
  });
});
