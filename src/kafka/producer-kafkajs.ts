// kafkajs behind the gateway's producer contract (producer.ts), and the kafkajs client that admin work
// (topics.ts, metadata-probe.ts) uses whichever producer client is selected.
import { compressionsAlgorithms } from '@platformatic/kafka';
import kafkajs, {
  type CompressionTypes,
  type Kafka,
  type KafkaConfig,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaCompression } from '../config.js';
import { ERRORS, TributaryError } from '../errors.js';
import { NotAuthorizedError } from './authorization.js';
import type { KafkaConnection } from './connection.js';
import './kafkajs-timeout-patch.js';
import { type ProducerOptions, RetryingProducer } from './producer.js';

// kafkajs is CommonJS: Node's ESM loader sees only some of its exports as named ones, so take them off the default.
const {
  Kafka: KafkaClient,
  KafkaJSError,
  KafkaJSProtocolError,
  logLevel,
  CompressionTypes: Types,
  CompressionCodecs,
} = kafkajs;

/**
 * kafkajs ships gzip only and expects codecs for the rest to be registered; these are @platformatic/kafka's
 * (raw snappy and LZ4 frames from @platformatic/wasm-utils, zstd from Node's zlib), which brokers read as the
 * Java client's. Registered once per process, for producing and for reading back alike.
 */
for (const [type, name] of [
  [Types.Snappy, 'snappy'],
  [Types.LZ4, 'lz4'],
  [Types.ZSTD, 'zstd'],
] as const) {
  const codec = compressionsAlgorithms[name];
  CompressionCodecs[type] = () => ({
    compress: async (encoder: { buffer: Buffer }) => codec.compressSync(encoder.buffer),
    decompress: async (buffer: Buffer) => codec.decompressSync(buffer),
  });
}

const KAFKAJS_COMPRESSION: Record<KafkaCompression, CompressionTypes> = {
  none: Types.None,
  gzip: Types.GZIP,
  snappy: Types.Snappy,
  lz4: Types.LZ4,
  zstd: Types.ZSTD,
};

import { type OutboundRecord, recordsByTopic } from './record.js';

export type { KafkaConnection } from './connection.js';

export function createKafka(conn: KafkaConnection, logger: Logger): Kafka {
  const config: KafkaConfig = {
    brokers: conn.brokers,
    clientId: conn.clientId,
    connectionTimeout: conn.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafka(logger, entry),
  };
  if (conn.tls !== undefined) {
    // tls.connect options as they are: ca replaces Node's bundled CAs, servername is checked and sent as SNI.
    config.ssl = { ...conn.tls, rejectUnauthorized: true };
  }
  const sasl = conn.sasl;
  if (sasl?.mechanism === 'oauthbearer') {
    // kafkajs asks on every (re)authentication; the source hands out a held token until 80% of its lifetime.
    config.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: await sasl.token() }),
    };
  } else if (sasl !== undefined) {
    config.sasl = {
      mechanism: sasl.mechanism,
      username: sasl.username,
      password: sasl.password,
    } as KafkaConfig['sasl'];
  }
  return new KafkaClient(config);
}

/**
 * kafkajs's own lines go to debug: it logs every failed connection attempt and retry (two lines every few
 * seconds per client while a broker is down, some after the gateway said "stopped": issue 12), and names no cure.
 * The gateway reports Kafka's state itself, once per change and with the cause (producer.ts, metadata-probe.ts).
 */
function logKafka(logger: Logger, { log }: LogEntry): void {
  const { message, ...extra } = log;
  logger.debug({ kafka: extra }, `kafka: ${message}`);
}

/**
 * The kafkajs producer (TRIBUTARY_KAFKA_CLIENT=kafkajs; @platformatic/kafka is the default).
 *
 * Retries are ours (RetryingProducer.send), not kafkajs's: kafkajs 2.2.4 keeps one broker -> response map across
 * its retries of a sendBatch and resends only to brokers without a response; when a partition's leadership moves
 * to a broker that already answered for other partitions, that partition's records are never sent and sendBatch
 * still resolves. Fault drill 1 (issue 7: leader SIGKILLed, 3 partitions on 3 nodes) measured 6 of 32,501
 * acknowledged documents missing from Kafka that way; see tulios/kafkajs#1303 and #1798. kafkajs refreshes
 * metadata after each failed attempt before it throws, so the next fresh call finds the new leader.
 *
 * Not idempotent, so not zero-duplicate: a whole-batch resend after a lost acknowledgement writes the batch twice.
 * kafkajs's own idempotent mode cannot fix that here: it rolls a failed request's sequence numbers back and
 * hands them to the next batch (producer/sendMessages.js, eosManager.updateSequence(-n)), so after a timed-out
 * request that did land, the next batch of the same size is taken by the broker as its duplicate and dropped
 * while acknowledged (a loss); and its retries keep the lost-partition bug above. TRIBUTARY_KAFKA_IDEMPOTENT=true
 * is refused with kafkajs (gateway.ts).
 */
export class KafkaProducer extends RetryingProducer {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  protected readonly client = 'kafkajs';

  constructor(kafka: Kafka, opts: ProducerOptions, logger: Logger) {
    super(opts, logger);
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      // No retries inside kafkajs: send() retries the whole batch itself (see above, and the fault drill of
      // issue 7 that lost acknowledged documents while kafkajs retried).
      retry: { retries: 0 },
      idempotent: false,
    });
    this.compression = KAFKAJS_COMPRESSION[opts.compression ?? 'none'];
    this.producer.on(this.producer.events.DISCONNECT, () => this.disconnected());
  }

  protected open(): Promise<void> {
    return this.producer.connect();
  }

  protected async produce(records: OutboundRecord[]): Promise<void> {
    // One sendBatch for every topic: kafkajs then sends one ProduceRequest per leader broker.
    await this.producer.sendBatch({
      acks: -1,
      timeout: this.opts.produceTimeoutMs,
      compression: this.compression,
      topicMessages: recordsByTopic(records),
    });
  }

  protected shutdown(): Promise<void> {
    return this.producer.disconnect();
  }

  protected classify(err: unknown): TributaryError {
    return classifyError(err);
  }
}

export function classifyError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const protocolType = findProtocolType(err);
  // kafkajs names no topic in either place it refuses one: its Metadata (KafkaJSProtocolError) or Produce errors.
  if (protocolType === 'TOPIC_AUTHORIZATION_FAILED' || /Not authorized to access topics/.test(String(err))) {
    return new NotAuthorizedError(undefined, { cause: err });
  }
  if (protocolType === 'MESSAGE_TOO_LARGE' || protocolType === 'RECORD_LIST_TOO_LARGE') {
    return new TributaryError(ERRORS.KAFKA_RECORD_TOO_LARGE, 'Kafka refused a record as too large', {
      cause: err,
    });
  }
  if (err instanceof KafkaJSError && /timeout|timed out/i.test(err.message)) {
    return new TributaryError(ERRORS.KAFKA_TIMEOUT, 'Kafka did not acknowledge in time', { cause: err });
  }
  return new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'Kafka did not take the documents', { cause: err });
}

/** kafkajs wraps the broker's error in KafkaJSNumberOfRetriesExceeded / KafkaJSAggregateError; dig it out. */
function findProtocolType(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  if (err instanceof KafkaJSProtocolError) return err.type;
  const nested = err as { cause?: unknown; originalError?: unknown; errors?: unknown[] };
  for (const inner of [nested.cause, nested.originalError, ...(nested.errors ?? [])]) {
    const found = findProtocolType(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
