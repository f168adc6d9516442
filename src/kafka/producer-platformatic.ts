// @platformatic/kafka (pure JavaScript) behind the gateway's producer contract (producer.ts); selected with
// TRIBUTARY_KAFKA_CLIENT=platformatic. Issue 6, measured on 2 shared cores (npm run bench, one broker): the bare
// client spent ~5 µs of CPU per document against kafkajs's ~15 (500 per send) and ~19 (20 per send), and the
// gateway at a fixed 1,000 documents/s ~163 µs per document against ~204 (ids platformatic, cost-platformatic).
import {
  compatibilityPartitioner,
  GenericError,
  type ProducerOptions as PlatformaticOptions,
  ProduceAcks,
  Producer,
  stringSerializers,
  TimeoutError,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import { ERRORS, TributaryError } from '../errors.js';
import { type ProducerOptions, RetryingProducer } from './producer.js';
import type { KafkaConnection } from './producer-kafkajs.js';
import type { OutboundRecord } from './record.js';

type StringProducer = Producer<string, string, string, string>;

const CLIENT_TIMEOUT_MARGIN_MS = 2000;

/**
 * What the client does with a batch, read in its source (1.35.0, dist/clients/producer/producer.js): one send()
 * groups the records by leader broker and sends one ProduceRequest per broker; a partition error in a response
 * (parseResponse) or a failed request fails the whole send() once every broker answered. It never resolves with
 * a partition unacknowledged. Its own retries are turned off (`retries: 0`, `repeatOnStaleMetadata: false`) so
 * that every retry is ours, of the whole batch, in a fresh send() (RetryingProducer.send); it then needs to be
 * told to forget its cached leaders after a failure, which kafkajs does by itself.
 */
export class PlatformaticProducer extends RetryingProducer {
  private readonly producer: StringProducer;
  protected readonly client = 'platformatic';

  constructor(conn: KafkaConnection, opts: ProducerOptions, logger: Logger) {
    super(opts, logger);
    const options: PlatformaticOptions<string, string, string, string> & { requestTimeout: number } = {
      clientId: conn.clientId,
      bootstrapBrokers: conn.brokers,
      connectTimeout: conn.connectionTimeoutMs,
      // The broker's wait for the in-sync replicas. The client's own wait is longer, so that the broker's
      // REQUEST_TIMED_OUT normally arrives first: in 1.35.0 a response that comes after the client gave up is
      // not consumed (connection.js #onData returns early on `timedOut`), and the next one on that connection
      // then fails it with UnexpectedCorrelationIdError. Past the deadline the batcher has answered 503 anyway.
      timeout: opts.produceTimeoutMs,
      requestTimeout: opts.produceTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
      retries: 0,
      repeatOnStaleMetadata: false,
      acks: ProduceAcks.ALL,
      idempotent: false,
      autocreateTopics: false,
      serializers: stringSerializers,
      // Java's (and kafkajs's) murmur2 partitioner: a key lands on the same partition with either client. The
      // client's default keeps the sign bit and sends some keys elsewhere.
      partitioner: compatibilityPartitioner,
    };
    if (conn.ssl) options.tls = {};
    if (conn.sasl) {
      const mechanism = conn.sasl.mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
      options.sasl = { mechanism, username: conn.sasl.username, password: conn.sasl.password };
    }
    this.producer = new Producer(options);
  }

  /** One Metadata round trip to a bootstrap broker: Kafka answers, like kafkajs's connect(). */
  protected async open(): Promise<void> {
    await this.producer.metadata({ topics: [], forceUpdate: true });
  }

  protected async produce(records: OutboundRecord[]): Promise<void> {
    try {
      // Records already have the shape of its messages, and it builds its own from them (1.35.0 send() never
      // writes to the objects it is given), so a retry can hand over the same ones.
      await this.producer.send({ messages: records, acks: ProduceAcks.ALL });
    } catch (err) {
      // Leaders may have moved or a broker died: the next attempt asks Kafka again instead of trusting the cache.
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

export function classifyPlatformaticError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const causes = flatten(err);
  const apiIds = new Set(causes.map((e) => (e as { apiId?: unknown }).apiId));
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
