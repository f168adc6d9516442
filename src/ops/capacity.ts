// A global bound on documents and bytes in flight (accepted, not yet answered), shared by the webhook and
// WebSocket front doors: past it the gateway sheds load instead of buffering until it runs out of memory.

export interface CapacityLimits {
  maxDocuments: number;
  maxBytes: number;
}

export class Capacity {
  private documents = 0;
  private bytes = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly limits: CapacityLimits) {}

  /**
   * Takes room for a request, or returns false when it does not fit. A request larger than the whole bound is
   * still admitted when nothing else is in flight, so one big (but within body limits) request is never starved.
   */
  tryAcquire(documents: number, bytes: number): boolean {
    const idle = this.documents === 0 && this.bytes === 0;
    if (
      !idle &&
      (this.documents + documents > this.limits.maxDocuments || this.bytes + bytes > this.limits.maxBytes)
    ) {
      return false;
    }
    this.documents += documents;
    this.bytes += bytes;
    return true;
  }

  release(documents: number, bytes: number): void {
    this.documents = Math.max(0, this.documents - documents);
    this.bytes = Math.max(0, this.bytes - bytes);
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next release: streaming senders wait here (with their socket paused) instead of failing. */
  whenReleased(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** True when nothing more fits: new WebSocket connections are shed (close 1013) instead of queued. */
  saturated(): boolean {
    return this.documents >= this.limits.maxDocuments || this.bytes >= this.limits.maxBytes;
  }

  inFlight(): { documents: number; bytes: number } {
    return { documents: this.documents, bytes: this.bytes };
  }
}
