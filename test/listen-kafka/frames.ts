// Kafka request frames built by hand (without the length prefix), for tests that speak to the listener raw.
import { createRecordsBatch, Writer } from '@platformatic/kafka';

/** A Produce request (correlation id 7) of `values` to kl.hooks.open partition 0, acks=all. */
export function produceFrame(
  values: string[],
  opts: {
    version?: number;
    compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
    /** An idempotent batch: producer id, epoch and first sequence. */
    producer?: { id: bigint; epoch: number; sequence: number };
  } = {},
): Buffer {
  const version = opts.version ?? 9;
  const flexible = version >= 9;
  const batch = createRecordsBatch(
    values.map((v) => ({ topic: 't', value: Buffer.from(v) })),
    {
      compression: opts.compression ?? 'none',
      ...(opts.producer === undefined
        ? {}
        : {
            producerId: opts.producer.id,
            producerEpoch: opts.producer.epoch,
            firstSequence: opts.producer.sequence,
          }),
    },
  ).buffer;
  const w = Writer.create().appendInt16(0).appendInt16(version).appendInt32(7).appendString('fuzz', false);
  if (flexible) w.appendTaggedFields();
  w.appendString(null, flexible).appendInt16(-1).appendInt32(1000);
  w.appendArray(
    [0],
    (t) => {
      t.appendString('kl.hooks.open', flexible);
      t.appendArray([0], (p) => p.appendInt32(0).appendBytes(batch, flexible), flexible, flexible);
    },
    flexible,
    flexible,
  );
  if (flexible) w.appendTaggedFields();
  return w.buffer;
}

/** InitProducerId v0 (correlation id 8), no transactional id. */
export function initProducerIdFrame(): Buffer {
  return Writer.create()
    .appendInt16(22)
    .appendInt16(0)
    .appendInt32(8)
    .appendString('fuzz', false)
    .appendString(null, false)
    .appendInt32(60000).buffer;
}
