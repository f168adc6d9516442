// @platformatic/kafka (pure JavaScript) behind the gateway's producer contract (producer.ts); selected with
// TRIBUTARY_KAFKA_CLIENT=platformatic. Issue 6, measured on 2 shared cores (npm run bench, one broker): the bare
// client spent ~5 µs of CPU per document against kafkajs's ~15 (500 per send) and ~19 (20 per send), and the
// gateway at a fixed 1,000 documents/s ~163 µs per document against ~204 (ids platformatic, cost-platformatic).
import {
  GenericError,
  type MessageToProduce,
  type ProducerOptions as PlatformaticOptions,
  ProduceAcks,
  Producer,
  type Serializers,
  stringSerializer,
  TimeoutError,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import { ERRORS, TributaryError } from '../errors.js';
import { NotAuthorizedError } from './authorization.js';
import type { KafkaConnection } from './connection.js';
import { javaCompatiblePartitioner } from './murmur2.js';
import { type ProducerOptions, RetryingProducer } from './producer.js';
import type { OutboundRecord } from './record.js';

/** Header values are strings, or the bytes of one already encoded (headerValueBytes passes them through). */
type StringProducer = Producer<string, string, string, string | Buffer>;

const CLIENT_TIMEOUT_MARGIN_MS = 2000;
/** The client's backoff between its own retries of a produce: 50 ms doubling to 250 ms (as the gateway's own). */
const RETRY_INITIAL_MS = 50;
const RETRY_MAX_MS = 250;

/**
 * What the client does with a batch, read in its source (2.12.1, dist/clients/producer/producer.js): one send()
 * groups the records by leader broker and sends one ProduceRequest per broker; a partition error in a response
 * (parseResponse) or a failed request fails the whole send() once every broker answered. It never resolves with
 * a partition unacknowledged.
 *
 * Idempotent (the default): the client retries each broker's request itself with the same producer id and
 * sequence numbers, after refreshing metadata, so a request whose acknowledgement was lost (leader failover) is
 * written once: the new leader answers the repeat as a duplicate. Its retries are bounded to about the request
 * deadline (retriesWithin); a send that still fails drops the producer id (the client starts a new one), its
 * documents were answered 503 and may have landed. The gateway never resends such a batch: a resend under a new
 * producer id is what wrote duplicates (68 of 139,947 in issue 7's failover drill).
 *
 * Not idempotent (TRIBUTARY_KAFKA_IDEMPOTENT=false): the client's retries are off and RetryingProducer resends
 * whole batches in fresh send() calls, at least once; the client then must forget its cached leaders itself.
 *
 * Throughput (issue 17): idempotent, the client forces maxInflights to 1 (producer.js constructor), so one
 * Produce request per broker connection is on the wire and the batcher's other in-flight batches queue inside the
 * client. Turning idempotence off did not raise WebSocket throughput (docs/s 17.8k/25.3k on vs 19.8k/15.0k off,
 * alternating): the broker answers one connection's requests one at a time anyway. A process's rate is then
 * about documents per request (batchMaxBytes: ~345 bench documents of ~1.5 KB per 512 KiB) over one request's
 * time; more connections (more processes) are what adds requests in parallel. So the batcher lets at most
 * two partial batches be in flight (oneProducePerBroker) and merges what would have queued here as more requests.
 */
export class PlatformaticProducer extends RetryingProducer {
  private readonly producer: StringProducer;
  protected readonly client = 'platformatic';
  protected override readonly retriesInClient: boolean;
  override readonly oneProducePerBroker: boolean;

  constructor(conn: KafkaConnection, opts: ProducerOptions, logger: Logger) {
    super(opts, logger);
    const idempotent = opts.idempotent ?? true;
    this.retriesInClient = idempotent;
    const options: PlatformaticOptions<string, string, string, string | Buffer> & { requestTimeout: number } =
      {
        clientId: conn.clientId,
        bootstrapBrokers: conn.brokers,
        connectTimeout: conn.connectionTimeoutMs,
        // The broker's wait for the in-sync replicas. The client's own wait is longer, so that the broker's
        // REQUEST_TIMED_OUT normally arrives first: a response that comes after the client gave up is not consumed
        // (connection.js #onData returns early on `timedOut`). Past the deadline the batcher has answered 503 anyway.
        timeout: opts.produceTimeoutMs,
        requestTimeout: opts.produceTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
        retries: idempotent ? retriesWithin(opts.produceTimeoutMs) : 0,
        retryDelay: (_client, _operation, attempt) =>
          Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** (attempt - 1)),
        repeatOnStaleMetadata: idempotent,
        acks: ProduceAcks.ALL,
        idempotent,
        compression: opts.compression ?? 'none',
        autocreateTopics: false,
        serializers: SERIALIZERS,
        // Java's (and kafkajs's) murmur2 partitioner: a key lands on the same partition with either client. The
        // client's default keeps the sign bit and sends some keys elsewhere; its compatibilityPartitioner is the
        // same function in BigInt arithmetic (murmur2.ts).
        partitioner: PARTITIONER,
      };
    Object.assign(options, platformaticSecurity(conn));
    this.producer = new Producer(options);
    // The client's own choice, written into the options it was given (2.x: maxInflights 1 when idempotent).
    this.oneProducePerBroker = (options as { maxInflights?: number }).maxInflights === 1;
  }

  /** One Metadata round trip to a bootstrap broker: Kafka answers, like kafkajs's connect(). */
  protected async open(): Promise<void> {
    // retries 0: a down or misconfigured Kafka is reported at once; RetryingProducer reconnects on its own clock.
    await this.producer.metadata({ topics: [], forceUpdate: true, retries: 0 });
  }

  protected async produce(records: OutboundRecord[]): Promise<void> {
    try {
      // Fresh messages per call; the client's own retries reuse them (2.12.1 send() never writes to them).
      await this.producer.send({ messages: toMessages(records), acks: ProduceAcks.ALL });
    } catch (err) {
      // Leaders may have moved or a broker died: the next send asks Kafka again instead of trusting the cache.
      this.producer.clearMetadata();
      throw err;
    }
  }

  protected async shutdown(): Promise<void> {
    await this.producer.close();
  }

  protected classify(err: unknown): TributaryError {
    return classifyPlatformaticError(err);
  }
}

/**
 * Header names are the gateway's own few (src/ingest/pipeline.ts, src/ops/trace.ts), the same on every record:
 * encoded once instead of once per record (issue 17). The client only reads the buffers it is given. Bounded all
 * the same, should a caller ever pass names of its own.
 */
const HEADER_KEYS = new Map<string, Buffer>();
const MAX_HEADER_KEYS = 64;

export function headerKeyBytes(key?: string): Buffer | undefined {
  return typeof key === 'string' ? encodedOnce(HEADER_KEYS, MAX_HEADER_KEYS, key) : undefined;
}

/** UTF-8 bytes of `text`, kept in `cache` while it holds fewer than `limit` (past that, encoded each time). */
function encodedOnce(cache: Map<string, Buffer>, limit: number, text: string): Buffer {
  let bytes = cache.get(text);
  if (bytes === undefined) {
    bytes = Buffer.from(text, 'utf8');
    if (cache.size < limit) cache.set(text, bytes);
  }
  return bytes;
}

/** Values encoded by toMessages are passed through; the client's string serializer would copy a Buffer. */
export function headerValueBytes(value?: string | Buffer): Buffer | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** The partitioner the producer hands the client (bench/batch-ab.mjs does what the client does with it). */
export const PARTITIONER = javaCompatiblePartitioner;

export const SERIALIZERS: Serializers<string, string, string, string | Buffer> = {
  key: stringSerializer,
  value: stringSerializer,
  headerKey: headerKeyBytes,
  headerValue: headerValueBytes,
};

/**
 * Headers whose value is one of a few per catalog (the media type, capture and binding names, the dead-letter
 * kind): their bytes are kept, so a record encodes only its own ids. Bounded: a catalog has far fewer bindings.
 */
const CONSTANT_HEADERS = new Set([
  'content-type',
  'tributary-capture',
  'tributary-binding',
  'tributary-dead-letter',
]);
const CONSTANT_VALUES = new Map<string, Buffer>();
const MAX_CONSTANT_VALUES = 16_384;

/**
 * The client's messages for our records, headers as a Map: given an object, the client makes one per record
 * (Object.entries, new Map) and encodes every value. Measured (issue 17): the client's per-record build and
 * batch encoding of 357 bench records with six headers 4.49 -> 4.07 µs per record (6.15 -> 5.64 with lz4);
 * bench/batch-ab.mjs, paired medians of the whole accept path per document: 0.95-0.97x.
 */
export function toMessages(
  records: readonly OutboundRecord[],
): MessageToProduce<string, string, string, string | Buffer>[] {
  const messages = new Array<MessageToProduce<string, string, string, string | Buffer>>(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const headers = new Map<string, string | Buffer>();
    for (const name in record.headers) {
      const value = record.headers[name]!;
      headers.set(
        name,
        CONSTANT_HEADERS.has(name) ? encodedOnce(CONSTANT_VALUES, MAX_CONSTANT_VALUES, value) : value,
      );
    }
    messages[i] = { topic: record.topic, key: record.key, value: record.value, headers };
  }
  return messages;
}

/**
 * Retries whose backoff (50, 100, 200, then 250 ms) adds up to the deadline: the client gives up about when the
 * batcher has answered 503, so an in-flight slot is not held for long after (each attempt may add one request
 * timeout while a broker is stalled). 18 for the 4 s default.
 */
export function retriesWithin(deadlineMs: number): number {
  let retries = 0;
  for (let total = 0; total < deadlineMs; retries++)
    total += Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** retries);
  return retries;
}

/** TLS and SASL as the client's options: tls.connect options as they are, SASL mechanism names upper case. */
export function platformaticSecurity(
  conn: KafkaConnection,
): Pick<PlatformaticOptions<string, string, string, string>, 'tls' | 'sasl'> {
  const out: Pick<PlatformaticOptions<string, string, string, string>, 'tls' | 'sasl'> = {};
  if (conn.tls !== undefined) out.tls = { ...conn.tls, rejectUnauthorized: true };
  const sasl = conn.sasl;
  if (sasl?.mechanism === 'oauthbearer') {
    // Called on every (re)authentication (the client re-authenticates at 80% of the broker's session lifetime).
    out.sasl = { mechanism: 'OAUTHBEARER', token: () => sasl.token() };
  } else if (sasl !== undefined) {
    const mechanism = sasl.mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    out.sasl = { mechanism, username: sasl.username, password: sasl.password };
  }
  return out;
}

export function classifyPlatformaticError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const causes = flatten(err);
  const apiIds = new Set(causes.map((e) => (e as { apiId?: unknown }).apiId));
  if (apiIds.has('TOPIC_AUTHORIZATION_FAILED')) {
    return new NotAuthorizedError(deniedTopics(causes), { cause: err });
  }
  if (apiIds.has('MESSAGE_TOO_LARGE') || apiIds.has('RECORD_LIST_TOO_LARGE')) {
    return new TributaryError(ERRORS.KAFKA_RECORD_TOO_LARGE, 'Kafka refused a record as too large', {
      cause: err,
    });
  }
  if (apiIds.has('REQUEST_TIMED_OUT') || causes.some((e) => e instanceof TimeoutError)) {
    return new TributaryError(ERRORS.KAFKA_TIMEOUT, 'Kafka did not acknowledge in time', { cause: err });
  }
  return new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'Kafka did not take the documents', { cause: err });
}

/** The client nests errors (MultipleErrors per broker, per retry, ResponseError per partition) and causes. */
function flatten(err: unknown, depth = 0, into: Error[] = []): Error[] {
  if (depth > 6 || !(err instanceof Error)) return into;
  into.push(err);
  if (GenericError.isGenericError(err) || err instanceof AggregateError) {
    for (const inner of (err as { errors?: unknown[] }).errors ?? []) flatten(inner, depth + 1, into);
  }
  flatten(err.cause, depth + 1, into);
  return into;
}

/**
 * Topics named by TOPIC_AUTHORIZATION_FAILED errors: a ResponseError keeps the response, and each of its
 * ProtocolErrors the path into it (`/topics/2` in Metadata, `/responses/0/partition_responses/1` in Produce).
 * undefined when one cannot be placed (the caller then treats every topic of the batch as unknown).
 */
function deniedTopics(causes: Error[]): string[] | undefined {
  const topics = new Set<string>();
  for (const e of causes) {
    const { response, errors } = e as { response?: unknown; errors?: unknown };
    if (response === undefined || !Array.isArray(errors)) continue;
    for (const inner of errors as { apiId?: unknown; path?: unknown }[]) {
      if (inner.apiId !== 'TOPIC_AUTHORIZATION_FAILED') continue;
      const match = typeof inner.path === 'string' ? /^\/(topics|responses)\/(\d+)/.exec(inner.path) : null;
      const list = match === null ? undefined : (response as Record<string, unknown>)[match[1]!];
      const entry = Array.isArray(list) ? (list[Number(match![2])] as { name?: unknown }) : undefined;
      if (typeof entry?.name !== 'string') return undefined;
      topics.add(entry.name);
    }
  }
  return topics.size === 0 ? undefined : [...topics];
}
