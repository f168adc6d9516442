// Where the process's log lines go: stdout, buffered. Written here rather than taken from sonic-boom (pino's
// destination) because of what happens when stdout's reader is gone (`tributary serve | head -1`, a log shipper
// that died): sonic-boom 4's flushSync, which pino runs on exit, retries every write error other than EAGAIN
// forever, 100 ms apart, in a synchronous loop. EPIPE never clears, so the process never exits, and SIGTERM,
// a second SIGTERM and SIGINT are never handled: the shutdown grace period could not bound exit (issue 12).
// Here a write error other than EAGAIN drops logging for good, and the exit flush gives up after a deadline.
//
// Buffering: up to 4 KiB or 100 ms per write(2). pino's default stream issues one write per line whenever it is
// idle, which under load means one syscall per request; this cut the access log's cost per request by about half
// (issue 6, measured with bench/). A SIGKILL loses at most the last 100 ms of lines.
import { write, writeSync } from 'node:fs';

const MIN_LENGTH = 4096;
const FLUSH_INTERVAL_MS = 100;
/** How long the exit flush waits for a reader that is there but slow (EAGAIN) before it drops the rest. */
const EXIT_FLUSH_MS = 1000;

const pause = new Int32Array(new SharedArrayBuffer(4));

export class LogDestination {
  private pending = '';
  /** The chunk of the async write in progress, rewritten by the exit flush if that write never finished. */
  private inFlight: Buffer | undefined;
  /** Set by a write error other than EAGAIN: the reader is gone, nothing more is written. */
  broken = false;

  constructor(private readonly fd = 1) {
    setInterval(() => this.flush(), FLUSH_INTERVAL_MS).unref();
    process.on('exit', () => this.flushSync());
  }

  write(line: string): boolean {
    if (!this.broken) {
      this.pending += line;
      if (this.pending.length >= MIN_LENGTH) this.flush();
    }
    return true;
  }

  flush(): void {
    if (this.inFlight !== undefined || this.broken || this.pending === '') return;
    const chunk = Buffer.from(this.pending);
    this.pending = '';
    this.inFlight = chunk;
    write(this.fd, chunk, 0, chunk.length, null, (err, written) => {
      this.inFlight = undefined;
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') this.pending = chunk.toString() + this.pending;
        else this.drop();
      } else if (written < chunk.length) {
        this.pending = chunk.subarray(written).toString() + this.pending;
      }
    });
  }

  /** On exit: writes what is left, within EXIT_FLUSH_MS, and never loops on an error. */
  flushSync(): void {
    if (this.broken) return;
    let data = Buffer.concat([this.inFlight ?? Buffer.alloc(0), Buffer.from(this.pending)]);
    this.inFlight = undefined;
    this.pending = '';
    const deadline = Date.now() + EXIT_FLUSH_MS;
    while (data.length > 0) {
      try {
        data = data.subarray(writeSync(this.fd, data));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= deadline) {
          this.drop();
          return;
        }
        Atomics.wait(pause, 0, 0, 10);
      }
    }
  }

  private drop(): void {
    this.broken = true;
    this.pending = '';
  }
}
