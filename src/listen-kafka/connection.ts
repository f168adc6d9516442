// One Kafka client connection: frames in, one answer per request out, in request order (the protocol's rule).
// What happens to a produce request's records is the front door's (admit per topic, then accept: decode,
// validate, _meta, capacity, produce with acks=all), as for a webhook body; this class keeps what is the
// listener's own: framing, SASL state, sequences, offsets, answer order and TCP backpressure.
import type { Socket } from 'node:net';
import { Writer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { Credential } from '../auth/tokens.js';
import type { Binding } from '../catalog/model.js';
import { decodeRecords } from '../decode/records.js';
import { ERRORS, TributaryError } from '../errors.js';
import type { AcceptControl, Admission, FrontDoor } from '../ingest/front-door.js';
import { validateDocuments } from '../ingest/pipeline.js';
import type { Capacity } from '../ops/capacity.js';
import { asTributaryError } from '../problem-reply.js';
import { acceptErrorCode, admissionErrorCode } from './answers.js';
import { type Broker, metadataResponseBody, readMetadataRequest, type TopicMetadata } from './metadata.js';
import {
  type PartitionAnswer,
  type PartitionBatch,
  produceResponseBody,
  readProduceRequest,
  type TopicAnswer,
} from './produce.js';
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
import { isMechanism, MECHANISMS, SaslExchange, type TokenBook } from './sasl.js';
import type { Sequences, SequenceVerdict } from './sequences.js';
import { FrameError, FrameReader } from './wire.js';

/** The catalog as the listener sees it: topic -> binding, and every token for SASL. */
export interface TopicTable {
  bindings: ReadonlyMap<string, Binding>;
  book: TokenBook;
}

export interface ListenerContext {
  door: FrontDoor;
  capacity: Capacity;
  sequences: Sequences;
  table: () => TopicTable;
  broker: Broker;
  partitions: number;
  maxRequestBytes: number;
  requestTimeoutMs: number;
  /** For the pre-validation of produce requests that span several bindings. */
  limits: { maxDocuments: number; maxRecordBytes: number; maxDepth: number };
  /** The listener's own offsets, per topic and partition (not the collection topic's). */
  nextOffset(topic: string, partition: number, count: number): bigint;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

/** Requests read ahead of their answers before the socket stops being read (Java sends at most 5 in flight). */
const MAX_UNANSWERED = 16;

const OTHER_PARTITION =
  'Invalid record in another topic-partition caused whole ProduceRequest to be invalidated';

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
    const answers: TopicAnswer[] = request.topics.map((t) => ({ topic: t.topic, partitions: [] }));
    const respond = () => {
      if (slot === undefined) return;
      this.answer(
        slot,
        responseFrame(header, produceResponseBody(header.apiVersion, header.flexible, answers)),
      );
    };
    const refuseAll = (code: number, message: string) => {
      request.topics.forEach((t, i) => {
        answers[i]!.partitions = t.partitions.map((p) => refused(p.partition, code, message));
      });
      respond();
    };
    if (request.transactionalId !== null) {
      return refuseAll(KAFKA_ERROR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not served');
    }
    if (request.acks !== 0 && request.acks !== 1 && request.acks !== -1) {
      return refuseAll(KAFKA_ERROR.INVALID_REQUIRED_ACKS, `acks=${request.acks}`);
    }
    const groups: Group[] = [];
    const pending: Array<Promise<void>> = [];
    const { bindings } = this.ctx.table();
    for (const [t, topic] of request.topics.entries()) {
      const answer = answers[t]!;
      const binding = bindings.get(topic.topic);
      let admission: Admission | undefined;
      let code: number = binding === undefined ? KAFKA_ERROR.UNKNOWN_TOPIC_OR_PARTITION : KAFKA_ERROR.NONE;
      let message = binding === undefined ? `no binding has topic '${topic.topic}'` : undefined;
      if (binding !== undefined) {
        try {
          admission = await this.admit(binding);
        } catch (err) {
          const error = asTributaryError(err);
          code = admissionErrorCode(error);
          message = error.message;
        }
      }
      const group: Group = { topic: topic.topic, admission, parts: [], values: [] };
      for (const batch of topic.partitions) {
        const index = answer.partitions.length;
        answer.partitions.push(refused(batch.partition, code, message));
        if (admission === undefined) continue;
        const slotOf = answer.partitions[index]!;
        if (batch.partition < 0 || batch.partition >= this.ctx.partitions) {
          Object.assign(slotOf, { errorCode: KAFKA_ERROR.UNKNOWN_TOPIC_OR_PARTITION });
          continue;
        }
        if (batch.corrupt !== undefined) {
          Object.assign(slotOf, { errorCode: KAFKA_ERROR.CORRUPT_MESSAGE, errorMessage: batch.corrupt });
          continue;
        }
        const verdict = this.sequence(topic.topic, batch);
        if (verdict?.kind === 'refused') {
          Object.assign(slotOf, { errorCode: verdict.errorCode, errorMessage: verdict.message });
          continue;
        }
        if (verdict?.kind === 'duplicate') {
          pending.push(
            verdict.baseOffset.then((offset) => {
              if (offset === undefined) {
                Object.assign(slotOf, {
                  errorCode: KAFKA_ERROR.NOT_ENOUGH_REPLICAS,
                  errorMessage: 'the first copy of this batch failed; send it again',
                });
              } else
                Object.assign(slotOf, {
                  errorCode: KAFKA_ERROR.NONE,
                  baseOffset: offset,
                  errorMessage: undefined,
                });
            }),
          );
          continue;
        }
        group.parts.push({ answer: slotOf, batch, start: group.values.length, settle: verdict?.settle });
        for (const value of batch.values) group.values.push(value);
      }
      if (group.parts.length > 0) groups.push(group);
    }
    // All or nothing across bindings too: the front door judges one binding's records at a time, so a request
    // that spans several is judged here first (cost: its documents are decoded twice).
    if (groups.length > 1) {
      for (const group of groups) {
        try {
          const docs = decodeRecords(group.values, this.ctx.limits);
          validateDocuments(group.admission!.match.binding, docs);
        } catch (err) {
          const error = asTributaryError(err);
          for (const g of groups) settleGroup(g, error, this.ctx, g === group ? error : undefined);
          groups.length = 0;
          break;
        }
      }
    }
    const timeout = request.timeoutMs > 0 ? request.timeoutMs : this.ctx.requestTimeoutMs;
    const deadline = receivedAt.getTime() + Math.min(timeout, this.ctx.requestTimeoutMs);
    const handedOff: Array<Promise<void>> = [];
    for (const group of groups) {
      let markHanded!: () => void;
      handedOff.push(new Promise((resolve) => (markHanded = resolve)));
      const control: AcceptControl = {
        whenRoom: () => this.whenRoom(),
        handedOff: () => markHanded(),
      };
      const accepted = this.ctx.door
        .accept(group.admission!, { kind: 'records', values: group.values, receivedAt, deadline }, control)
        .then(
          () => {
            this.counters.produced += group.values.length;
            for (const part of group.parts) {
              const offset = this.ctx.nextOffset(group.topic, part.batch.partition, part.batch.values.length);
              Object.assign(part.answer, {
                errorCode: KAFKA_ERROR.NONE,
                baseOffset: offset,
                errorMessage: undefined,
              });
              part.settle?.(offset);
            }
          },
          (err: unknown) => {
            const error = asTributaryError(err);
            this.counters.refused++;
            settleGroup(group, error, this.ctx, error);
          },
        )
        .finally(markHanded);
      pending.push(accepted);
    }
    // The next request of this connection goes to the door once these records are with the sink: one
    // connection's records reach the collection in request order, and its answers still overlap.
    void Promise.all(pending).then(respond, (err: unknown) => this.fail(err));
    await Promise.all(handedOff);
  }

  private sequence(topic: string, batch: PartitionBatch): SequenceVerdict | undefined {
    if (batch.producerId < 0n) return undefined;
    return this.ctx.sequences.check(
      batch.producerId,
      batch.producerEpoch,
      topic,
      batch.partition,
      batch.firstSequence,
      batch.values.length,
    );
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

interface Group {
  topic: string;
  admission: Admission | undefined;
  parts: Array<{
    answer: PartitionAnswer;
    batch: PartitionBatch;
    /** Index of the batch's first value in `values`. */
    start: number;
    settle: ((offset: bigint | undefined) => void) | undefined;
  }>;
  values: Buffer[];
}

function refused(partition: number, errorCode: number, errorMessage: string | undefined): PartitionAnswer {
  return { partition, errorCode, baseOffset: -1n, errorMessage };
}

/**
 * A group's records were refused: every partition gets the code; with per-document problems (KIP-467) each
 * bad record is named by its index in its batch, and partitions without one say another one was bad.
 */
function settleGroup(
  group: Group,
  error: TributaryError,
  ctx: ListenerContext,
  own: TributaryError | undefined,
): void {
  const code = acceptErrorCode(error);
  for (const part of group.parts) {
    part.settle?.(undefined);
    const end = part.start + part.batch.values.length;
    const problems = own?.documents?.filter((d) => d.index >= part.start && d.index < end) ?? [];
    const recordErrors = problems.map((d) => ({
      index: d.index - part.start,
      message: d.pointer === '' ? d.message : `${d.pointer}: ${d.message}`,
    }));
    const errorMessage =
      recordErrors.length > 0
        ? `${error.code}: ${recordErrors.length} invalid record(s); record ${recordErrors[0]!.index}: ${recordErrors[0]!.message}`
        : own === undefined || own.documents !== undefined
          ? code === KAFKA_ERROR.INVALID_RECORD
            ? OTHER_PARTITION
            : `${error.code}: ${error.message}`
          : `${error.code}: ${error.message}`;
    Object.assign(part.answer, { errorCode: code, baseOffset: -1n, recordErrors, errorMessage });
  }
  ctx.logger.debug({ topic: group.topic, code: error.code }, 'kafka produce request refused');
}
