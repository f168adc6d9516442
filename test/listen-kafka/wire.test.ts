// The request decoder under hostile input (fast-check): any bytes, and valid Produce requests with bytes
// flipped, either parse or fail with FrameError (which closes the connection); nothing else may escape, since
// anything else would be a crash path. Cheap: a few thousand small frames, no sockets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMetadataRequest } from '../../src/listen-kafka/metadata.js';
import { readProduceRequest } from '../../src/listen-kafka/produce.js';
import { readRequestHeader } from '../../src/listen-kafka/protocol.js';
import { FrameError, FrameReader } from '../../src/listen-kafka/wire.js';
import { produceFrame } from './frames.js';

/** What the connection does with one frame, without the socket: header, then the body of its API. */
function parse(frame: Buffer): unknown {
  const reader = new FrameReader(frame);
  const header = readRequestHeader(reader);
  if (!header.supported) return header;
  if (header.apiKey === 0) return readProduceRequest(reader, header.apiVersion, header.flexible);
  if (header.apiKey === 3) return readMetadataRequest(reader, header.apiVersion, header.flexible);
  return header;
}

function expectContained(frame: Buffer): void {
  try {
    parse(frame);
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
  }
}

describe('Kafka request decoding', () => {
  it('reads a Produce request with each codec, flexible and not', () => {
    for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      for (const version of [3, 7, 9, 11]) {
        const parsed = parse(produceFrame(['{"id":"a"}', '{"id":"b"}'], { version, compression })) as {
          topics: Array<{ topic: string; partitions: Array<{ values: Buffer[]; corrupt?: string }> }>;
        };
        const partition = parsed.topics[0]!.partitions[0]!;
        expect([compression, version, parsed.topics[0]!.topic, partition!.corrupt]).toEqual([
          compression,
          version,
          'kl.hooks.open',
          undefined,
        ]);
        expect(partition!.values.map(String)).toEqual(['{"id":"a"}', '{"id":"b"}']);
      }
    }
  });

  it('refuses a batch whose CRC does not match', () => {
    // v7: not flexible, so the frame ends with the batch's last record.
    const frame = produceFrame(['{"id":"a"}'], { version: 7 });
    frame[frame.length - 3] = frame[frame.length - 3]! ^ 0xff;
    const parsed = parse(frame) as { topics: Array<{ partitions: Array<{ corrupt?: string }> }> };
    expect(parsed.topics[0]!.partitions[0]!.corrupt).toMatch(/CRC/);
  });

  it('contains arbitrary bytes: FrameError or a result, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectContained(Buffer.from(bytes))),
      { numRuns: 3000 },
    );
  });

  it('contains valid Produce and Metadata requests with bytes flipped or cut', () => {
    const frames = [
      produceFrame(['{"id":"a"}', '{"id":"b"}'], { version: 9, compression: 'lz4' }),
      produceFrame(['{"id":"a"}'], { version: 7, compression: 'gzip' }),
      Buffer.from('00030009000000010004667a7a7a000201000000', 'hex'),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.option(fc.nat()),
        (frame, flips, cut) => {
          const mutated = Buffer.from(frame);
          for (const [at, byte] of flips) mutated[at % mutated.length] = byte;
          expectContained(cut === null ? mutated : mutated.subarray(0, cut % mutated.length));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses an array longer than the bytes left before allocating it', () => {
    const r = new FrameReader(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    expect(() => r.array(false, (x) => x.int8())).toThrow(FrameError);
  });
});
