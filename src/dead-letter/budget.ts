// A rate and byte budget per binding (token buckets refilled continuously, full after one second): a sender
// stuck on a broken payload costs the dead-letter topic at most maxPerSecond entries and maxBytesPerSecond bytes,
// and whatever is over is counted as dropped at once, never queued.

export type Spend = 'ok' | 'rate' | 'bytes';

export class Budget {
  private entries: number;
  private bytes: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly bytesPerSecond: number,
    now: number,
  ) {
    this.entries = perSecond;
    this.bytes = bytesPerSecond;
    this.at = now;
  }

  /** Takes one entry of `size` bytes when both buckets hold enough; else says which one is empty. */
  spend(size: number, now: number): Spend {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.at = now;
    this.entries = Math.min(this.perSecond, this.entries + elapsed * this.perSecond);
    this.bytes = Math.min(this.bytesPerSecond, this.bytes + elapsed * this.bytesPerSecond);
    if (this.entries < 1) return 'rate';
    // An entry larger than the whole byte budget could never be written: it is dropped, not waited for.
    if (this.bytes < size) return 'bytes';
    this.entries -= 1;
    this.bytes -= size;
    return 'ok';
  }
}
