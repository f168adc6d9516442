// A tributary.v1 client for browsers (README "WebSocket protocol"), dependency-free ES module.
//
// Browsers cannot set headers on a WebSocket, so the token travels as a subprotocol next to tributary.v1; the
// gateway selects tributary.v1 and never echoes the token. WebSocket.send() never blocks or fails when the
// network is slow (data piles up in `bufferedAmount`), so the client keeps its own window: it stops sending while
// too many bytes are unanswered, and resumes as answers arrive.

export class TributaryStream {
  /**
   * @param {string} url ws:// or wss:// URL of a binding's path
   * @param {{ token?: string, windowBytes?: number }} [options]
   * @returns {Promise<TributaryStream>}
   */
  static open(url, options = {}) {
    const protocols = ['tributary.v1'];
    if (options.token) protocols.push(`bearer.${options.token}`);
    const socket = new WebSocket(url, protocols);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new TributaryStream(socket, options.windowBytes ?? 1024 * 1024));
      // A refused handshake (401/403/404) shows as an error then close 1006: browsers hide the HTTP status.
      socket.onclose = (event) => reject(new Error(`connection refused or closed (${event.code})`));
    });
  }

  constructor(socket, windowBytes) {
    this.socket = socket;
    this.windowBytes = windowBytes;
    this.nextSeq = 1;
    this.unansweredBytes = 0;
    /** @type {{ seq: number, bytes: number, resolve: (answer: object) => void, reject: (e: Error) => void }[]} */
    this.pending = [];
    this.head = 0;
    this.waiters = [];
    this.closed = new Promise((resolve) => {
      socket.onclose = (event) => {
        const error = new Error(`closed ${event.code} ${event.reason}`);
        for (let i = this.head; i < this.pending.length; i++) this.pending[i].reject(error);
        this.pending = [];
        this.head = 0;
        this.wake();
        resolve(event);
      };
    });
    socket.onmessage = (event) => this.onAnswer(JSON.parse(event.data));
  }

  get protocol() {
    return this.socket.protocol;
  }

  /** Resolves when a frame of `bytes` fits in the window (always, when nothing is unanswered). */
  async ready(bytes = 0) {
    while (this.unansweredBytes > 0 && this.unansweredBytes + bytes > this.windowBytes) {
      if (this.socket.readyState !== WebSocket.OPEN) throw new Error('the stream is closed');
      await new Promise((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Sends one frame (a JSON document, a JSON array, or NDJSON lines) and resolves with its answer:
   * `{ seq, status: 'ok', published }`, `{ seq, status: 'rejected', error }` or
   * `{ seq, status: 'failed', retryable, error }`. Answers arrive in the order frames were sent.
   */
  send(frame) {
    const bytes = new TextEncoder().encode(frame).length;
    const seq = this.nextSeq++;
    this.unansweredBytes += bytes;
    const answer = new Promise((resolve, reject) => this.pending.push({ seq, bytes, resolve, reject }));
    this.socket.send(frame);
    return answer;
  }

  close() {
    this.socket.close(1000);
    return this.closed;
  }

  onAnswer(answer) {
    const frame = this.pending[this.head];
    if (frame === undefined || frame.seq !== answer.seq) {
      this.socket.close(1002, 'answer out of order');
      return;
    }
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.unansweredBytes -= frame.bytes;
    frame.resolve(answer);
    this.wake();
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Streams `count` generated documents, `perFrame` per frame (NDJSON when more than one), and summarizes the
 * answers. Used by the example page and by the gateway's browser test.
 */
export async function streamDocuments({ url, token, count, perFrame = 1, makeDocument, windowBytes }) {
  const started = performance.now();
  const stream = await TributaryStream.open(url, { token, windowBytes });
  const summary = { protocol: stream.protocol, frames: 0, ok: 0, rejected: 0, failed: 0, published: 0 };
  const answers = [];
  let expectedSeq = 1;
  let inOrder = true;
  for (let i = 0; i < count; i += perFrame) {
    const docs = [];
    for (let j = i; j < Math.min(i + perFrame, count); j++) docs.push(JSON.stringify(makeDocument(j)));
    const frame = docs.join('\n');
    await stream.ready(frame.length);
    summary.frames++;
    answers.push(
      stream.send(frame).then((answer) => {
        if (answer.seq !== expectedSeq++) inOrder = false;
        summary[answer.status]++;
        if (answer.status === 'ok') summary.published += answer.published;
        return answer;
      }),
    );
  }
  const all = await Promise.all(answers);
  const ms = performance.now() - started;
  await stream.close();
  return {
    ...summary,
    inOrder,
    ms,
    documentsPerSecond: Math.round((summary.published / ms) * 1000),
    firstProblem: all.find((a) => a.status !== 'ok'),
  };
}
