// Flow control of one stream: when to stop reading its socket and when to read again.
//
// TCP does the work: ws `pause()` stops reading the socket, the kernel's receive buffer fills, the peer's send
// buffer fills, and its writes stall (a browser's `bufferedAmount` grows). The gateway therefore holds at most
// `windowBytes` of unanswered frames, plus the frame that crossed the bound and the rest of the socket read it
// came in (ws parses a whole read, up to 64 KiB, before the pause takes effect).

/** The socket calls flow control makes; a ws WebSocket has them. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export interface FlowWindow {
  /** Bytes of frames received and not yet answered. */
  bytes: number;
  /**
   * Documents handed to Kafka and not yet answered. Bytes alone would let 1 MiB of 35-byte frames put 30,000
   * documents in flight: measured with Chromium sharing 2 cores, that is 12 s of work and a third of the frames
   * failed their 4 s deadline. Counting documents bounds the time a window takes to drain.
   */
  documents: number;
}

export class FlowControl {
  /** Bytes of frames received and not yet answered. */
  unacked = 0;
  /** Documents of admitted frames not yet answered. */
  unackedDocuments = 0;
  /** Bytes of answers handed to the socket that the peer has not taken yet (a peer that reads nothing). */
  unflushed = 0;
  /** Highest `unacked` seen: tests assert that the window holds. */
  peakUnacked = 0;
  pauses = 0;
  private paused = false;
  private waiting = false;
  private held = false;
  private done = false;
  private pausedSinceBeat = false;

  constructor(
    private readonly socket: Pausable,
    private readonly window: FlowWindow,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** True when no answer is due and the peer's answers are piling up unread. */
  get outboundStalled(): boolean {
    return this.unflushed >= this.window.bytes;
  }

  received(bytes: number): void {
    this.unacked += bytes;
    if (this.unacked > this.peakUnacked) this.peakUnacked = this.unacked;
  }

  admitted(documents: number): void {
    this.unackedDocuments += documents;
  }

  answered(frameBytes: number, documents: number): void {
    this.unacked -= frameBytes;
    this.unackedDocuments -= documents;
  }

  sending(answerBytes: number): void {
    this.unflushed += answerBytes;
  }

  sent(answerBytes: number): void {
    this.unflushed -= answerBytes;
    if (this.paused) this.update();
  }

  /** Waiting for global capacity: read nothing more until it frees up. */
  setWaiting(waiting: boolean): void {
    this.waiting = waiting;
    this.update();
  }

  /** Stop reading for good (the stream is finishing). */
  hold(): void {
    this.held = true;
    this.update();
  }

  /** Read again whatever comes (the peer's close frame); flow control is over. */
  release(): void {
    this.done = true;
    if (this.paused) {
      this.socket.resume();
      this.paused = false;
    }
  }

  /**
   * True when the socket was paused at any time since the last call: nothing was read then, pongs included, so
   * a missing pong proves nothing about the peer.
   */
  pausedSinceLastBeat(): boolean {
    const was = this.pausedSinceBeat || this.paused;
    this.pausedSinceBeat = this.paused;
    return was;
  }

  /** Pauses at the window and while held or waiting; resumes below half the window, so it does not flap. */
  update(): void {
    if (this.done) return;
    const window = this.window.bytes;
    const documents = this.window.documents;
    if (!this.paused) {
      if (
        this.held ||
        this.waiting ||
        this.unacked >= window ||
        this.unflushed >= window ||
        this.unackedDocuments >= documents
      ) {
        this.socket.pause();
        this.paused = true;
        this.pausedSinceBeat = true;
        this.pauses++;
      }
    } else if (
      !this.held &&
      !this.waiting &&
      this.unacked <= window / 2 &&
      this.unflushed <= window / 2 &&
      this.unackedDocuments <= documents / 2
    ) {
      this.socket.resume();
      this.paused = false;
    }
  }
}
