// A `tributary.v1` client for the hostile WebSocket tests: sends a message (optionally split into fragments) and
// waits for its answer or for the connection to close.
import WebSocket from 'ws';

export interface FrameAnswer {
  seq: number;
  status: 'ok' | 'rejected' | 'failed';
  published?: number;
  retryable?: boolean;
  error?: { code: string; status: number };
}

export type Outcome = { answer: FrameAnswer } | { closed: number };

export class StreamClient {
  private answers: FrameAnswer[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;
  /** Messages sent on this connection: the answer to the n-th carries seq n. */
  sent = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.answers.push(JSON.parse(String(data)) as FrameAnswer);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  static open(url: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ['tributary.v1']);
      ws.once('open', () => resolve(new StreamClient(ws)));
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one message in `fragments` pieces (1 = unfragmented) and resolves with its answer or the close. */
  async send(
    payload: Buffer,
    opts: { binary: boolean; fragments?: number } = { binary: false },
  ): Promise<Outcome> {
    const pieces = Math.max(1, Math.min(opts.fragments ?? 1, payload.length));
    const size = Math.ceil(payload.length / pieces);
    this.sent++;
    for (let i = 0; i < pieces; i++) {
      const chunk = payload.subarray(i * size, Math.min(payload.length, (i + 1) * size));
      this.ws.send(chunk, { binary: opts.binary, fin: i === pieces - 1, compress: false });
    }
    return this.next();
  }

  next(): Promise<Outcome> {
    return new Promise((resolve) => {
      const check = (): void => {
        const answer = this.answers.shift();
        if (answer !== undefined) resolve({ answer });
        else if (this.closeCode !== undefined) resolve({ closed: this.closeCode });
        else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.ws.close(1000);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
