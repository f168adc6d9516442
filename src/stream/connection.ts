// One WebSocket connection's stream: every message (frame) gets a sequence number and exactly one answer, in frame
// order; frames go through the webhook pipeline (decode, validate, _meta) into the shared sink, so documents of
// many frames and connections share Kafka produce calls. Flow control (when to stop reading) is in flow.ts.
import type { Logger } from 'pino';
import { checkOrigin } from '../auth/origins.js';
import { checkToken } from '../auth/tokens.js';
import { decodeFrame } from '../decode/frame.js';
import type { RequestFacts } from '../document/meta.js';
import { ERRORS, TributaryError } from '../errors.js';
import {
  type PreparedDocuments,
  prepareDocuments,
  type Sink,
  validateDocuments,
} from '../ingest/pipeline.js';
import type { BindingMatch, BindingRouter } from '../ingest/router.js';
import type { Capacity } from '../ops/capacity.js';
import type { StreamObserver } from '../ops/metrics.js';
import { asTributaryError } from '../problem-reply.js';
import { errorAnswer, type Outcome, okAnswer } from './answers.js';
import { Fifo } from './fifo.js';
import { FlowControl, type Pausable } from './flow.js';

/** The parts of a ws WebSocket a stream uses (a fake implements them in unit tests). */
export interface StreamSocket extends Pausable {
  readonly readyState: number;
  send(data: string, cb?: (err?: Error) => void): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

const OPEN = 1;
/** After our close frame, how long the peer gets to answer with its own before the socket is destroyed. */
const CLOSE_GRACE_MS = 3000;
/** Heartbeats in a row with a window of unread answers after which a peer that reads nothing is dropped. */
const MAX_STALLED_BEATS = 2;

export interface StreamLimits {
  maxDocuments: number;
  /** Deepest JSON nesting (TRIBUTARY_MAX_JSON_DEPTH); the decoder's default when not given. */
  maxDepth?: number;
  maxRecordBytes: number;
  /** Deadline for Kafka to acknowledge a frame, from the moment it is handed to the sink. */
  requestTimeoutMs: number;
  windowBytes: number;
  windowDocuments: number;
}

/** Fastify's request logger (a pino child) fits: the stream logs with the handshake's request id. */
export type StreamLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface StreamDeps {
  sink: Sink;
  capacity: Capacity;
  limits: StreamLimits;
  logger: StreamLogger;
  /** Per-binding document counters (/metrics). */
  observer?: StreamObserver;
}

/** What the handshake established. The token is kept (in memory only) to re-check it when the catalog changes. */
export interface StreamHandshake {
  match: BindingMatch;
  path: string;
  origin: string | undefined;
  token: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[]> | undefined;
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
  /** The raw message until admission: a frame waiting for capacity costs its bytes, not its parsed objects. */
  data: Buffer | undefined;
  binary: boolean;
  prepared: PreparedDocuments | undefined;
  /** Documents handed to Kafka (0 until then, and for rejected frames). */
  documents: number;
  /** Documents decoded from the frame, for the metrics of a refused one (0 when it did not decode). */
  decoded: number;
  answer: string | undefined;
}

type State = 'open' | 'finishing' | 'closing' | 'gone';

export class StreamConnection {
  readonly counters: StreamCounters = { frames: 0, ok: 0, rejected: 0, failed: 0, documents: 0 };
  readonly flow: FlowControl;
  private state: State = 'open';
  private nextSeq = 1;
  /** Every frame not yet answered, in order: answers leave from the head only. */
  private readonly unanswered = new Fifo<Frame>();
  /** Frames not yet handed to the sink, in order, so one connection's documents reach Kafka in frame order. */
  private readonly intake = new Fifo<Frame>();
  private waitingForCapacity = false;
  private alive = true;
  private stalledBeats = 0;
  private match!: BindingMatch;
  private facts!: Omit<RequestFacts, 'receivedAt'>;
  private late: TributaryError | undefined;
  private close: { code: number; reason: string } = { code: 1000, reason: '' };
  private closeTimer: NodeJS.Timeout | undefined;
  private resolveFinished!: () => void;
  private readonly finished = new Promise<void>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(
    private readonly socket: StreamSocket,
    private readonly handshake: StreamHandshake,
    private readonly deps: StreamDeps,
  ) {
    this.flow = new FlowControl(socket, {
      bytes: deps.limits.windowBytes,
      documents: deps.limits.windowDocuments,
    });
    this.setMatch(handshake.match);
  }

  get isOpen(): boolean {
    return this.state !== 'gone';
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
      prepared: undefined,
      documents: 0,
      decoded: 0,
      answer: undefined,
    };
    this.counters.frames++;
    this.deps.observer?.received(this.match.binding, frame.bytes);
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
      this.flush();
    }
    return this.finished;
  }

  /** The catalog changed: keep streaming into the binding now at this path, or close 1008 if access is gone. */
  revalidate(router: BindingRouter): void {
    if (this.state !== 'open') return;
    const match = router.match(this.handshake.path);
    try {
      if (match === undefined) throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, 'the binding was removed');
      checkOrigin(match.binding.allowedOrigins, this.handshake.origin);
      checkToken(match.binding.tokens, this.handshake.token);
    } catch (err) {
      const error = asTributaryError(err);
      this.deps.logger.info(
        { code: error.code },
        'stream no longer authorized after catalog change; closing',
      );
      void this.finish(1008, 'no longer authorized for this binding', error);
      return;
    }
    this.setMatch(match);
  }

  /** The socket closed (ws 'close'), whoever closed it. Frames in flight still settle and free capacity. */
  closed(code: number): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.intake.clear();
    this.unanswered.clear();
    this.deps.logger.info({ code, ...this.counters, pauses: this.flow.pauses }, 'stream closed');
    this.resolveFinished();
  }

  /** A bug in this class or below: answer nothing more, close 1011. */
  crash(err: unknown): void {
    this.deps.logger.error({ err }, 'stream failed');
    if (this.state === 'gone' || this.state === 'closing') return;
    this.closeWith(1011, 'internal error');
  }

  private setMatch(match: BindingMatch): void {
    this.match = match;
    const idHeader = match.binding.idFromHeader;
    let headers = this.handshake.headers;
    if (idHeader !== undefined && headers[idHeader] !== undefined) {
      // One header value cannot identify thousands of frames: stream documents get their uuid as webhookId.
      headers = { ...headers };
      delete headers[idHeader];
    }
    this.facts = { headers, query: this.handshake.query, pathParams: match.pathParams };
  }

  /** Decodes, validates and admits intake frames in order; stops at the first that does not fit in capacity. */
  private pump(): void {
    for (let frame = this.intake.peek(); frame !== undefined; frame = this.intake.peek()) {
      if (this.waitingForCapacity) return;
      if (frame.prepared === undefined) {
        try {
          frame.prepared = this.prepare(frame);
        } catch (err) {
          this.intake.shift();
          this.answerError(frame, err);
          this.flush();
          continue;
        }
      }
      if (!this.deps.capacity.tryAcquire(frame.prepared.records.length, frame.prepared.bytes)) {
        this.waitForCapacity();
        return;
      }
      this.intake.shift();
      this.submit(frame, frame.prepared);
    }
  }

  private prepare(frame: Frame): PreparedDocuments {
    const { binding } = this.match;
    const docs = decodeFrame(frame.data!, frame.binary, this.deps.limits);
    frame.data = undefined;
    frame.decoded = docs.length;
    validateDocuments(binding, docs);
    const facts = { ...this.facts, receivedAt: frame.receivedAt };
    return prepareDocuments(binding, docs, facts, this.deps.limits.maxRecordBytes);
  }

  private waitForCapacity(): void {
    this.waitingForCapacity = true;
    this.flow.setWaiting(true);
    void this.deps.capacity.whenReleased().then(() => {
      this.waitingForCapacity = false;
      if (this.state !== 'open') return;
      this.guard(() => {
        this.pump();
        this.flow.setWaiting(this.waitingForCapacity);
      });
    });
  }

  private submit(frame: Frame, prepared: PreparedDocuments): void {
    const documents = prepared.records.length;
    const bytes = prepared.bytes;
    frame.prepared = undefined;
    frame.documents = documents;
    this.flow.admitted(documents);
    let produced: Promise<void>;
    try {
      produced = this.deps.sink.produce(prepared.records, Date.now() + this.deps.limits.requestTimeoutMs);
    } catch (err) {
      produced = Promise.reject(err);
    }
    produced.then(
      () => {
        this.deps.capacity.release(documents, bytes);
        this.counters.documents += documents;
        this.deps.observer?.accepted(this.match.binding, documents, bytes);
        this.settle(frame, okAnswer(frame.seq, documents), 'ok');
      },
      (err: unknown) => {
        this.deps.capacity.release(documents, bytes);
        this.answerError(frame, err);
        this.guard(() => this.flush());
      },
    );
  }

  private answerError(frame: Frame, err: unknown): void {
    const error = asTributaryError(err);
    const { text, outcome } = errorAnswer(frame.seq, error, this.handshake.path);
    if (error.status >= 500 && !error.retryable)
      this.deps.logger.error({ err, seq: frame.seq }, 'frame failed');
    else this.deps.logger.debug({ seq: frame.seq, code: error.code }, `frame ${outcome}`);
    frame.answer = text;
    this.counters[outcome]++;
    this.deps.observer?.rejected(this.match.binding, frame.decoded || 1, error.code);
  }

  private settle(frame: Frame, answer: string, outcome: Outcome): void {
    frame.answer = answer;
    this.counters[outcome]++;
    this.guard(() => this.flush());
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
