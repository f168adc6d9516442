// One Produce request through the front door: each topic's binding admitted (cached per connection), batches
// judged (partition, CRC, idempotent sequences), records of one binding accepted as one payload (all or nothing,
// KIP-467 record errors for a refusal), the listener's own offsets for an acceptance. The connection
// (connection.ts) owns the socket, answer order and backpressure.
import type { Binding } from '../catalog/model.js';
import { decodeRecords } from '../decode/records.js';
import type { TributaryError } from '../errors.js';
import type { AcceptControl, Admission } from '../ingest/front-door.js';
import { validateDocuments } from '../ingest/pipeline.js';
import { asTributaryError } from '../problem-reply.js';
import { acceptErrorCode, admissionErrorCode } from './answers.js';
import type { ListenerContext } from './context.js';
import type { PartitionAnswer, PartitionBatch, ProduceRequest, TopicAnswer } from './produce.js';
import { KAFKA_ERROR } from './protocol.js';
import type { SequenceVerdict } from './sequences.js';

export interface ProduceDeps {
  ctx: ListenerContext;
  /** The connection's admission of a binding (its credential), cached. */
  admit(binding: Binding): Promise<Admission>;
  /** The in-flight bound is full: resolves when there is room (the connection stops reading meanwhile). */
  whenRoom(): Promise<void>;
  counters: { produced: number; refused: number };
}

export interface ProduceRun {
  /** The answer's topics, once every partition is settled (Kafka acknowledged, or refused). */
  answered: Promise<TopicAnswer[]>;
  /** Every accepted group was handed to the sink (or refused): the next request may go to the door. */
  handedOff: Promise<void>;
}

const OTHER_PARTITION =
  'Invalid record in another topic-partition caused whole ProduceRequest to be invalidated';

export async function runProduce(
  request: ProduceRequest,
  receivedAt: Date,
  deps: ProduceDeps,
): Promise<ProduceRun> {
  const { ctx } = deps;
  const answers: TopicAnswer[] = request.topics.map((t) => ({ topic: t.topic, partitions: [] }));
  const refuseAll = (code: number, message: string): ProduceRun => {
    request.topics.forEach((t, i) => {
      answers[i]!.partitions = t.partitions.map((p) => refused(p.partition, code, message));
    });
    return { answered: Promise.resolve(answers), handedOff: Promise.resolve() };
  };
  if (request.transactionalId !== null) {
    return refuseAll(KAFKA_ERROR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not served');
  }
  if (request.acks !== 0 && request.acks !== 1 && request.acks !== -1) {
    return refuseAll(KAFKA_ERROR.INVALID_REQUIRED_ACKS, `acks=${request.acks}`);
  }
  const groups: Group[] = [];
  const pending: Array<Promise<void>> = [];
  const { bindings } = ctx.table();
  for (const [t, topic] of request.topics.entries()) {
    const answer = answers[t]!;
    const binding = bindings.get(topic.topic);
    let admission: Admission | undefined;
    let code: number = binding === undefined ? KAFKA_ERROR.UNKNOWN_TOPIC_OR_PARTITION : KAFKA_ERROR.NONE;
    let message = binding === undefined ? `no binding has topic '${topic.topic}'` : undefined;
    if (binding !== undefined) {
      try {
        admission = await deps.admit(binding);
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
      if (batch.partition < 0 || batch.partition >= ctx.partitions) {
        Object.assign(slotOf, { errorCode: KAFKA_ERROR.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      if (batch.corrupt !== undefined) {
        Object.assign(slotOf, { errorCode: KAFKA_ERROR.CORRUPT_MESSAGE, errorMessage: batch.corrupt });
        continue;
      }
      const verdict = sequenceOf(ctx, topic.topic, batch);
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
        const docs = decodeRecords(group.values, ctx.limits);
        validateDocuments(group.admission!.match.binding, docs);
      } catch (err) {
        // The door judges the bad group again (and refuses it the same way), so metrics and the dead-letter
        // topic see the refusal as for any payload; the other groups are refused without reaching it.
        const error = asTributaryError(err);
        for (const g of groups) if (g !== group) settleGroup(g, error, ctx, undefined);
        groups.splice(0, groups.length, group);
        break;
      }
    }
  }
  const timeout = request.timeoutMs > 0 ? request.timeoutMs : ctx.requestTimeoutMs;
  const deadline = receivedAt.getTime() + Math.min(timeout, ctx.requestTimeoutMs);
  const handedOff: Array<Promise<void>> = [];
  for (const group of groups) {
    let markHanded!: () => void;
    handedOff.push(new Promise((resolve) => (markHanded = resolve)));
    const control: AcceptControl = {
      whenRoom: () => deps.whenRoom(),
      handedOff: () => markHanded(),
    };
    const accepted = ctx.door
      .accept(group.admission!, { kind: 'records', values: group.values, receivedAt, deadline }, control)
      .then(
        () => {
          deps.counters.produced += group.values.length;
          for (const part of group.parts) {
            const offset = ctx.nextOffset(group.topic, part.batch.partition, part.batch.values.length);
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
          deps.counters.refused++;
          settleGroup(group, error, ctx, error);
        },
      )
      .finally(markHanded);
    pending.push(accepted);
  }
  return {
    answered: Promise.all(pending).then(() => answers),
    handedOff: Promise.all(handedOff).then(() => {}),
  };
}

function sequenceOf(ctx: ListenerContext, topic: string, batch: PartitionBatch): SequenceVerdict | undefined {
  if (batch.producerId < 0n) return undefined;
  return ctx.sequences.check(
    batch.producerId,
    batch.producerEpoch,
    topic,
    batch.partition,
    batch.firstSequence,
    batch.values.length,
  );
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
