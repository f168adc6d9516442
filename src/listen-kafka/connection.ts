// One Kafka client connection: frames in, one answer per request out, in request order (the protocol's rule).
// What happens to a produce request's records is the front door's (admit per topic, then accept: decode,
// validate, _meta, capacity, produce with acks=all), as for a webhook body; this class keeps what is the
// listener's own: framing, SASL state, answer order and TCP backpressure (a Produce request's own steps are
// produce-flow.ts's).
import type { Socket } from 'node:net';
import { Writer } from '@platformatic/kafka';
import type { Credential } from '../auth/tokens.js';
import type { Binding } from '../catalog/model.js';
import { ERRORS, TributaryError } from '../errors.js';
import type { Admission } from '../ingest/front-door.js';
import { asTributaryError } from '../problem-reply.js';
import { admissionErrorCode } from './answers.js';
import type { ListenerContext } from './context.js';
import { metadataResponseBody, readMetadataRequest, type TopicMetadata } from './metadata.js';
import { produceResponseBody, readProduceRequest } from './produce.js';
import { runProduce } from './produce-flow.js';
import {
  API,
  apiVersionsBody,
  frameLength,
  KAFKA_ERROR,
  type RequestHeader,
  readRequestHeader,
  responseFrame,
  unsupportedFrame,
} from './protocol.js';
import { isMechanism, MECHANISMS, SaslExchange } from './sasl.js';
import { FrameError, FrameReader } from './wire.js';

/** Requests read ahead of their answers before the socket stops being read (Java sends at most 5 in flight). */
const MAX_UNANSWERED = 16;

interface Slot {
  frame: Buffer | undefined;
  /** Close the connection once this answer is written (a failed SASL exchange). */
  closeAfter?: boolean;
}

export class KafkaConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The length of the frame being read, once its prefix is in; 0 before. */
  private needed = 0;
  private readonly intake: Buffer[] = [];
  private readonly slots: Slot[] = [];
  private busy = false;
  private waitingForRoom = 0;
  private paused = false;
  private closed = false;
  private finishing: (() => void) | undefined;
  private credential: Credential | undefined;
  private user: string | undefined;
  private sasl: SaslExchange | undefined;
  private admissions = new WeakMap<Binding, Promise<Admission>>();
  readonly counters = { requests: 0, produced: 0, refused: 0 };

  constructor(
    private readonly socket: Socket,
    private readonly id: string,
    private readonly ctx: ListenerContext,
  ) {
    socket.on('data', (chunk: Buffer) => this.guard(() => this.receive(chunk)));
    socket.on('close', () => {
      this.closed = true;
      this.finishing?.();
    });
    socket.on('error', (err) => ctx.logger.debug({ err, connection: id }, 'kafka client socket error'));
  }

  /** Stops reading, answers what is in flight, then ends the connection. */
  finish(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.finishing = resolve;
      this.intake.length = 0;
      this.socket.pause();
      this.maybeEnd();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.finishing !== undefined) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    // Chunks are joined only once a whole frame is there: a 1 MiB request in 64 KiB reads is copied once.
    while (this.buffered >= 4 + this.needed) {
      const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [head];
      if (this.needed === 0) {
        this.needed = frameLength(head.readInt32BE(0), this.ctx.maxRequestBytes);
        continue;
      }
      this.intake.push(head.subarray(4, 4 + this.needed));
      const rest = head.subarray(4 + this.needed);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.needed = 0;
    }
    this.pump();
    this.flow();
  }

  /** TCP backpressure: unread bytes stay in the kernel while requests wait for capacity or answers pile up. */
  private flow(): void {
    const full = this.waitingForRoom > 0 || this.intake.length > 0 || this.slots.length >= MAX_UNANSWERED;
    if (full && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!full && this.paused && this.finishing === undefined) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private pump(): void {
    while (!this.busy && this.intake.length > 0 && this.slots.length < MAX_UNANSWERED) {
      const frame = this.intake.shift()!;
      this.busy = true;
      this.counters.requests++;
      this.handle(frame).then(
        () => this.next(),
        (err: unknown) => {
          this.fail(err);
          this.next();
        },
      );
    }
  }

  private next(): void {
    this.busy = false;
    this.guard(() => {
      this.pump();
      this.flow();
    });
  }

  /** Reads one request and reserves its answer's place; resolves when the next request may be handled. */
  private async handle(frame: Buffer): Promise<void> {
    const reader = new FrameReader(frame);
    const header = readRequestHeader(reader);
    if (!header.supported) {
      this.ctx.logger.debug(
        { connection: this.id, apiKey: header.apiKey, version: header.apiVersion },
        'kafka request not served: UNSUPPORTED_VERSION',
      );
      this.answer(this.slot(), unsupportedFrame(header));
      return;
    }
    if (this.sasl !== undefined && header.apiKey !== API.SASL_AUTHENTICATE) {
      throw new FrameError('a SaslHandshake must be followed by SaslAuthenticate');
    }
    switch (header.apiKey) {
      case API.API_VERSIONS:
        this.answer(this.slot(), responseFrame(header, apiVersionsBody(header.apiVersion, 0)));
        return;
      case API.METADATA:
        return this.metadata(reader, header);
      case API.SASL_HANDSHAKE:
        return this.handshake(reader, header);
      case API.SASL_AUTHENTICATE:
        return this.authenticate(reader, header);
      case API.INIT_PRODUCER_ID:
        return this.initProducerId(reader, header);
      default:
        return this.produce(reader, header);
    }
  }

  private async metadata(reader: FrameReader, header: RequestHeader): Promise<void> {
    const slot = this.slot();
    const names = readMetadataRequest(reader, header.apiVersion, header.flexible);
    const { bindings } = this.ctx.table();
    const topics: TopicMetadata[] = [];
    const partitions = this.ctx.partitions;
    if (names === null) {
      // Every topic this connection may write to; the others are not named to it.
      for (const [topic, binding] of bindings) {
        const code = await this.admissionCode(binding);
        if (code === KAFKA_ERROR.NONE) topics.push({ topic, errorCode: code, partitions });
      }
    } else {
      for (const topic of names) {
        const binding = bindings.get(topic);
        const code =
          binding === undefined ? KAFKA_ERROR.UNKNOWN_TOPIC_OR_PARTITION : await this.admissionCode(binding);
        topics.push({ topic, errorCode: code, partitions: code === KAFKA_ERROR.NONE ? partitions : 0 });
      }
    }
    const body = metadataResponseBody(header.apiVersion, header.flexible, this.ctx.broker, topics);
    this.answer(slot, responseFrame(header, body));
  }

  private async handshake(reader: FrameReader, header: RequestHeader): Promise<void> {
    const mechanism = reader.string(false) ?? '';
    const known = isMechanism(mechanism);
    const code =
      header.apiVersion === 0
        ? KAFKA_ERROR.UNSUPPORTED_VERSION
        : known
          ? KAFKA_ERROR.NONE
          : KAFKA_ERROR.UNSUPPORTED_SASL_MECHANISM;
    if (code === KAFKA_ERROR.NONE && known) {
      this.sasl = new SaslExchange(mechanism, () => this.ctx.table().book);
    }
    const body = Writer.create()
      .appendInt16(code)
      .appendArray([...MECHANISMS], (w, m) => w.appendString(m, false), false, false);
    this.answer(this.slot(), responseFrame(header, body));
  }

  private async authenticate(reader: FrameReader, header: RequestHeader): Promise<void> {
    const bytes = reader.bytes(header.flexible) ?? Buffer.alloc(0);
    const slot = this.slot();
    const exchange = this.sasl;
    const step = exchange?.step(bytes) ?? { kind: 'failed' as const, message: 'no SaslHandshake first' };
    const body = Writer.create();
    if (step.kind === 'failed') {
      this.sasl = undefined;
      this.ctx.logger.info(
        { connection: this.id, mechanism: exchange?.mechanism },
        'kafka client SASL authentication failed',
      );
      body.appendInt16(KAFKA_ERROR.SASL_AUTHENTICATION_FAILED).appendString(step.message, header.flexible);
      body.appendBytes(Buffer.alloc(0), header.flexible);
      slot.closeAfter = true;
    } else {
      body.appendInt16(KAFKA_ERROR.NONE).appendString(null, header.flexible);
      body.appendBytes(step.bytes, header.flexible);
      if (step.kind === 'done') {
        this.sasl = undefined;
        this.credential = step.credential;
        this.user = step.user;
        this.admissions = new WeakMap();
        this.ctx.logger.debug(
          { connection: this.id, user: this.user, mechanism: exchange!.mechanism },
          'kafka client authenticated',
        );
      }
    }
    if (header.apiVersion >= 1) body.appendInt64(0n);
    if (header.flexible) body.appendTaggedFields();
    this.answer(slot, responseFrame(header, body));
  }

  private async initProducerId(reader: FrameReader, header: RequestHeader): Promise<void> {
    const transactionalId = reader.string(header.flexible);
    reader.int32();
    let producerId = -1n;
    let epoch = -1;
    if (header.apiVersion >= 3) {
      producerId = reader.int64();
      epoch = reader.int16();
    }
    const body = Writer.create().appendInt32(0);
    if (transactionalId !== null) {
      // Transactions would need the coordinator APIs; a transactional producer learns it at once.
      body.appendInt16(KAFKA_ERROR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED).appendInt64(-1n).appendInt16(-1);
    } else {
      const granted = this.ctx.sequences.initProducer(producerId, epoch);
      body.appendInt16(KAFKA_ERROR.NONE).appendInt64(granted.producerId).appendInt16(granted.epoch);
    }
    if (header.flexible) body.appendTaggedFields();
    this.answer(this.slot(), responseFrame(header, body));
  }

  private async produce(reader: FrameReader, header: RequestHeader): Promise<void> {
    const receivedAt = new Date();
    const request = readProduceRequest(reader, header.apiVersion, header.flexible);
    const slot = request.acks === 0 ? undefined : this.slot();
    const { answered, handedOff } = await runProduce(request, receivedAt, {
      ctx: this.ctx,
      admit: (binding) => this.admit(binding),
      whenRoom: () => this.whenRoom(),
      counters: this.counters,
    });
    void answered.then(
      (answers) => {
        if (slot === undefined) return;
        const body = produceResponseBody(header.apiVersion, header.flexible, answers);
        this.answer(slot, responseFrame(header, body));
      },
      (err: unknown) => this.fail(err),
    );
    // The next request of this connection goes to the door once these records are with the sink: one
    // connection's records reach the collection in request order, and its answers still overlap.
    await handedOff;
  }

  private admit(binding: Binding): Promise<Admission> {
    let admission = this.admissions.get(binding);
    if (admission === undefined) {
      admission = this.ctx.door
        .admit({
          transport: 'kafka',
          route: binding.path,
          origin: undefined,
          token: this.credential,
          headers: {},
          query: undefined,
          requestId: this.id,
        })
        .then((admitted) => {
          if (admitted.match.binding !== binding) {
            throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, `the topic's binding is not at ${binding.path}`);
          }
          return admitted;
        });
      admission.catch(() => {});
      this.admissions.set(binding, admission);
    }
    return admission;
  }

  private async admissionCode(binding: Binding): Promise<number> {
    try {
      await this.admit(binding);
      return KAFKA_ERROR.NONE;
    } catch (err) {
      return admissionErrorCode(asTributaryError(err));
    }
  }

  /** The in-flight bound is full: the socket is not read until it frees up (or the connection closes). */
  private whenRoom(): Promise<void> {
    if (this.closed) return Promise.reject(new TributaryError(ERRORS.SHUTTING_DOWN, 'the connection closed'));
    this.waitingForRoom++;
    this.flow();
    return this.ctx.capacity.whenReleased().then(() => {
      this.waitingForRoom--;
      this.guard(() => this.flow());
      if (this.closed) throw new TributaryError(ERRORS.SHUTTING_DOWN, 'the connection closed');
    });
  }

  private slot(): Slot {
    const slot: Slot = { frame: undefined };
    this.slots.push(slot);
    return slot;
  }

  /** Fills a slot and writes every answer at the head of the queue: a later answer waits for earlier ones. */
  private answer(slot: Slot, frame: Buffer): void {
    slot.frame = frame;
    while (this.slots[0]?.frame !== undefined) {
      const head = this.slots.shift()!;
      if (!this.closed) this.socket.write(head.frame!);
      if (head.closeAfter) {
        this.closed = true;
        this.socket.end();
      }
    }
    this.flow();
    this.maybeEnd();
  }

  private maybeEnd(): void {
    if (this.finishing !== undefined && this.slots.length === 0 && !this.busy) {
      // Not end(): a client that never closes its side would hold the server open.
      this.socket.destroySoon();
      this.finishing();
    }
  }

  /** Malformed frames and protocol violations close the connection with a log line; nothing else is answered. */
  private fail(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (err instanceof FrameError) {
      this.ctx.logger.warn(
        { connection: this.id, reason: err.message },
        'malformed Kafka request; closing the connection',
      );
    } else this.ctx.logger.error({ err, connection: this.id }, 'kafka connection failed; closing');
    this.socket.destroy();
    this.finishing?.();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(err);
    }
  }
}
