// One WebSocket connection's stream: every message (frame) gets a sequence number and exactly one answer, in frame
// order. What happens to a frame's documents is the front door's (src/ingest/front-door.ts: decode, validate,
// deduplicate, _meta, capacity, produce), as for a webhook; this class keeps only what is the stream's own: frame
// order into Kafka (the next frame goes to the door once the previous one was handed to the sink), answer order,
// windows (flow.ts) and liveness. Documents of many frames and connections share Kafka produce calls.
import type { Logger } from 'pino';
import { ERRORS, TributaryError } from '../errors.js';
import type { AcceptControl, Accepted, Admission, FrontDoor } from '../ingest/front-door.js';
import type { Capacity } from '../ops/capacity.js';
import { asTributaryError } from '../problem-reply.js';
import { errorAnswer, okAnswer } from './answers.js';
import { Fifo } from './fifo.js';
import { FlowControl, type FlowWindow, type Pausable } from './flow.js';

/** The parts of a ws WebSocket a stream uses (a fake implements them in unit tests). */
export interface StreamSocket extends Pausable {
  readonly readyState: number;
  send(data: string, cb?: (err?: Error) => void): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

const OPEN = 1;
/** A frame still waiting for capacity when its socket closed: nobody is left to answer. */
const GONE = new TributaryError(ERRORS.SHUTTING_DOWN, 'the stream closed');
/** After our close frame, how long the peer gets to answer with its own before the socket is destroyed. */
const CLOSE_GRACE_MS = 3000;
/** Heartbeats in a row with a window of unread answers after which a peer that reads nothing is dropped. */
const MAX_STALLED_BEATS = 2;

/** Fastify's request logger (a pino child) fits: the stream logs with the handshake's request id. */
export type StreamLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface StreamDeps {
  door: FrontDoor;
  /** The in-flight bound the door acquires from: a frame that does not fit waits for its release. */
  capacity: Capacity;
  window: FlowWindow;
  logger: StreamLogger;
}

export interface StreamCounters {
  frames: number;
  ok: number;
  rejected: number;
  failed: number;
  documents: number;
}

interface Frame {
  seq: number;
  bytes: number;
  receivedAt: Date;
  /** The raw message until it goes to the door. */
  data: Buffer | undefined;
  binary: boolean;
  /** Documents handed to Kafka (0 until then, and for rejected frames). */
  documents: number;
  answer: string | undefined;
}

type State = 'open' | 'finishing' | 'closing' | 'gone';

export class StreamConnection implements AcceptControl {
  readonly counters: StreamCounters = { frames: 0, ok: 0, rejected: 0, failed: 0, documents: 0 };
  readonly flow: FlowControl;
  private state: State = 'open';
  private nextSeq = 1;
  /** Every frame not yet answered, in order: answers leave from the head only. */
  private readonly unanswered = new Fifo<Frame>();
  /** Frames not yet given to the door, in order, so one connection's documents reach Kafka in frame order. */
  private readonly intake = new Fifo<Frame>();
  /** The frame the door has and has not yet handed to the sink; the next one waits for it. */
  private current: Frame | undefined;
  private pumping = false;
  /** Set while the current frame waits for in-flight capacity: rejects it when the stream gives up. */
  private giveUp: ((err: TributaryError) => void) | undefined;
  private alive = true;
  private stalledBeats = 0;
  private admission: Admission;
  private late: TributaryError | undefined;
  private close: { code: number; reason: string } = { code: 1000, reason: '' };
  private closeTimer: NodeJS.Timeout | undefined;
  private resolveFinished!: () => void;
  private readonly finished = new Promise<void>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(
    private readonly socket: StreamSocket,
    admission: Admission,
    private readonly deps: StreamDeps,
  ) {
    this.flow = new FlowControl(socket, deps.window);
    this.admission = admission;
  }

  get isOpen(): boolean {
    return this.state !== 'gone';
  }

  /** The route the stream was opened on. */
  get route(): string {
    return this.admission.route;
  }

  /** A message from the peer (ws 'message'). */
  receive(data: Buffer, binary: boolean): void {
    if (this.state === 'gone' || this.state === 'closing') return;
    const frame: Frame = {
      seq: this.nextSeq++,
      bytes: data.length,
      receivedAt: new Date(),
      data,
      binary,
      documents: 0,
      answer: undefined,
    };
    this.counters.frames++;
    this.flow.received(frame.bytes);
    this.unanswered.push(frame);
    if (this.late !== undefined) {
      // Read from a buffer after the pause that started a shutdown: not in flight, so answered at once.
      this.answerError(frame, this.late);
      this.flush();
      return;
    }
    this.intake.push(frame);
    this.pump();
    this.flow.update();
  }

  pong(): void {
    this.alive = true;
  }

  /**
   * Called every ping interval: a peer that did not answer the previous ping is terminated, unless the socket
   * was paused meanwhile (nothing was read then, pongs included). A peer that leaves a window of answers unread
   * for whole intervals is dropped too, since it would keep its socket paused forever.
   */
  heartbeat(): void {
    if (this.state === 'gone') return;
    const judged = !this.flow.pausedSinceLastBeat();
    if (judged && !this.alive) {
      this.deps.logger.info({ frames: this.counters.frames }, 'stream peer missed a pong; terminating');
      this.socket.terminate();
      return;
    }
    this.stalledBeats = this.flow.outboundStalled ? this.stalledBeats + 1 : 0;
    if (this.stalledBeats >= MAX_STALLED_BEATS) {
      this.deps.logger.info({ unflushed: this.flow.unflushed }, 'stream peer reads no answers; terminating');
      this.socket.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === OPEN) this.socket.ping();
  }

  /**
   * Stops reading, answers what is in flight, then closes with `code`. Frames not yet handed to Kafka (waiting for
   * global capacity) and frames still in a read buffer are answered with `late` at once.
   */
  finish(code: number, reason: string, late: TributaryError): Promise<void> {
    if (this.state === 'open') {
      this.state = 'finishing';
      this.late = late;
      this.close = { code, reason };
      this.flow.hold();
      for (let frame = this.intake.shift(); frame !== undefined; frame = this.intake.shift()) {
        this.answerError(frame, late);
      }
      this.giveUp?.(late);
      this.flush();
    }
    return this.finished;
  }

  /** The catalog changed: keep streaming into the binding now at this path, or close 1008 if access is gone. */
  revalidate(): void {
    if (this.state !== 'open') return;
    try {
      this.admission = this.deps.door.readmit(this.admission);
    } catch (err) {
      const error = asTributaryError(err);
      this.deps.logger.info(
        { code: error.code },
        'stream no longer authorized after catalog change; closing',
      );
      void this.finish(1008, 'no longer authorized for this binding', error);
    }
  }

  /** The socket closed (ws 'close'), whoever closed it. Frames in flight still settle and free capacity. */
  closed(code: number): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.intake.clear();
    this.unanswered.clear();
    this.giveUp?.(this.late ?? GONE);
    this.deps.logger.info({ code, ...this.counters, pauses: this.flow.pauses }, 'stream closed');
    this.resolveFinished();
  }

  /** A bug in this class or below: answer nothing more, close 1011. */
  crash(err: unknown): void {
    this.deps.logger.error({ err }, 'stream failed');
    if (this.state === 'gone' || this.state === 'closing') return;
    this.closeWith(1011, 'internal error');
  }

  // AcceptControl: the door reports on the current frame.

  /** The current frame's records are with the sink: the next frame may follow (frame order into Kafka). */
  handedOff(documents: number): void {
    const frame = this.current;
    if (frame === undefined) return;
    frame.documents = documents;
    this.flow.admitted(documents);
    this.current = undefined;
    this.pump();
  }

  /** The in-flight bound is full: read nothing more until it frees up, or until the stream gives up. */
  whenRoom(): Promise<void> {
    this.flow.setWaiting(true);
    return new Promise<void>((resolve, reject) => {
      this.giveUp = reject;
      void this.deps.capacity.whenReleased().then(() => {
        if (this.giveUp !== reject) return;
        this.giveUp = undefined;
        this.guard(() => this.flow.setWaiting(false));
        resolve();
      });
    });
  }

  /** Gives intake frames to the door one at a time; the loop (not recursion) goes on when one is handed off. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.current === undefined && this.state === 'open') {
        const frame = this.intake.shift();
        if (frame === undefined) break;
        this.start(frame);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(frame: Frame): void {
    this.current = frame;
    const raw = frame.data!;
    frame.data = undefined;
    this.deps.door
      .accept(
        this.admission,
        { kind: 'frame', raw, binary: frame.binary, receivedAt: frame.receivedAt },
        this,
      )
      .then(
        (accepted) => this.accepted(frame, accepted),
        (err: unknown) => this.refused(frame, err),
      );
  }

  private accepted(frame: Frame, accepted: Accepted): void {
    this.counters.documents += accepted.published;
    frame.answer = okAnswer(frame.seq, accepted.published, accepted.duplicates);
    this.counters.ok++;
    this.next(frame);
  }

  private refused(frame: Frame, err: unknown): void {
    this.answerError(frame, err);
    this.next(frame);
  }

  /** After a frame settled: answer what can be answered, and let the next frame go if this one held it. */
  private next(frame: Frame): void {
    this.guard(() => {
      if (this.current === frame) {
        this.current = undefined;
        this.giveUp = undefined;
        this.flow.setWaiting(false);
      }
      this.flush();
      this.pump();
    });
  }

  private answerError(frame: Frame, err: unknown): void {
    const error = asTributaryError(err);
    const { text, outcome } = errorAnswer(frame.seq, error, this.admission.route);
    if (error.status >= 500 && !error.retryable)
      this.deps.logger.error({ err, seq: frame.seq }, 'frame failed');
    else this.deps.logger.debug({ seq: frame.seq, code: error.code }, `frame ${outcome}`);
    frame.answer = text;
    this.counters[outcome]++;
  }

  /** Sends every answer at the head of the queue; a later frame's answer waits for all earlier ones. */
  private flush(): void {
    if (this.state === 'gone' || this.state === 'closing') return;
    for (let head = this.unanswered.peek(); head?.answer !== undefined; head = this.unanswered.peek()) {
      this.unanswered.shift();
      this.flow.answered(head.bytes, head.documents);
      this.send(head.answer);
    }
    if (this.state === 'finishing' && this.unanswered.length === 0) {
      this.closeWith(this.close.code, this.close.reason);
      return;
    }
    this.flow.update();
  }

  private send(text: string): void {
    if (this.socket.readyState !== OPEN) return;
    const size = text.length;
    this.flow.sending(size);
    this.socket.send(text, () => this.guard(() => this.flow.sent(size)));
  }

  private closeWith(code: number, reason: string): void {
    this.state = 'closing';
    if (this.socket.readyState === OPEN) this.socket.close(code, reason);
    // Read again, or the peer's close frame would sit unread behind the pause; later messages are dropped.
    this.flow.release();
    // A peer that never answers our close frame must not hold the shutdown: ws's own wait is 30 s.
    this.closeTimer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.crash(err);
    }
  }
}
