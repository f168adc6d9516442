// Kafka's primitive types (https://kafka.apache.org/protocol#protocol_types), read from a request frame.
// Hand-written rather than @platformatic/kafka's Reader: that one trusts lengths (a string may run past the
// frame, an array of 2^31 entries allocates before it fails), and a server reads bytes from strangers. Every
// read here is bounds-checked and fails with one FrameError, which closes the connection (never the process).
// Responses are written with @platformatic/kafka's Writer, which fits as it is.

/** The frame cannot be parsed: the connection is closed with a log line. */
export class FrameError extends Error {
  override name = 'FrameError';
}

export class FrameReader {
  position = 0;

  constructor(readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.position;
  }

  private take(n: number): number {
    if (n < 0 || this.position + n > this.buffer.length) {
      throw new FrameError(`truncated frame: ${n} bytes wanted at ${this.position} of ${this.buffer.length}`);
    }
    const at = this.position;
    this.position += n;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }
  uuid(): Buffer {
    return this.bytesOf(16);
  }

  /** Unsigned LEB128, at most 5 bytes (a 32-bit value). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer.readUInt8(this.take(1));
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new FrameError('varint out of range');
        return value;
      }
    }
    throw new FrameError('varint longer than 5 bytes');
  }

  private bytesOf(n: number): Buffer {
    const at = this.take(n);
    return this.buffer.subarray(at, at + n);
  }

  /** STRING / NULLABLE_STRING, or COMPACT_ variants in flexible versions. */
  string(compact: boolean): string | null {
    const length = compact ? this.uvarint() - 1 : this.int16();
    if (length < 0) return null;
    return this.bytesOf(length).toString('utf8');
  }

  bytes(compact: boolean): Buffer | null {
    const length = compact ? this.uvarint() - 1 : this.int32();
    if (length < 0) return null;
    return this.bytesOf(length);
  }

  /** ARRAY / COMPACT_ARRAY; null for a null array. Each entry takes at least one byte, so a length beyond the
   * bytes left is refused before anything is allocated. */
  array<T>(compact: boolean, entry: (r: FrameReader) => T): T[] | null {
    const length = compact ? this.uvarint() - 1 : this.int32();
    if (length < 0) return null;
    if (length > this.remaining)
      throw new FrameError(`array of ${length} entries in ${this.remaining} bytes`);
    const out: T[] = new Array(length);
    for (let i = 0; i < length; i++) out[i] = entry(this);
    return out;
  }

  /** A flexible version's tagged fields: none of the requests served here has one it needs, so all are skipped. */
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }
}
