// The only module that imports kafkajs (with src/kafka/admin.ts), so the client can be swapped behind these types.
import kafkajs, { type Kafka, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ERRORS, TributaryError } from '../errors.js';

// kafkajs is CommonJS: Node's ESM loader sees only some of its exports as named ones, so take them off the default.
const { Kafka: KafkaClient, KafkaJSError, KafkaJSProtocolError, logLevel } = kafkajs;

import type { OutboundRecord } from './record.js';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TCP connect timeout per broker. */
  connectionTimeoutMs: number;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export function createKafka(conn: KafkaConnection, logger: Logger): Kafka {
  const config: KafkaConfig = {
    brokers: conn.brokers,
    clientId: conn.clientId,
    connectionTimeout: conn.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafka(logger, entry),
  };
  if (conn.ssl) config.ssl = true;
  if (conn.sasl) config.sasl = conn.sasl as KafkaConfig['sasl'];
  return new KafkaClient(config);
}

function logKafka(logger: Logger, { level, log }: LogEntry): void {
  const { message, ...extra } = log;
  const fields = { kafka: extra };
  if (level === logLevel.ERROR) logger.error(fields, `kafka: ${message}`);
  else if (level === logLevel.WARN) logger.warn(fields, `kafka: ${message}`);
  else logger.debug(fields, `kafka: ${message}`);
}

export interface ProducerOptions {
  /** Upper bound of one produce call, including its retries (the request deadline). */
  produceTimeoutMs: number;
  /** Delay between connection attempts while Kafka is unreachable. */
  reconnectDelayMs: number;
}

/**
 * One kafkajs producer per process, acks=all. It connects in the background and keeps trying, so the gateway
 * starts (and answers 503) while Kafka is down, and recovers by itself when it returns.
 */
export class KafkaProducer {
  private readonly producer: Producer;
  private isConnected = false;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Epoch ms of the last produce that Kafka acknowledged, or of the last connect. */
  lastSuccessAt = 0;

  constructor(
    kafka: Kafka,
    private readonly opts: ProducerOptions,
    private readonly logger: Logger,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      // No retries inside kafkajs: send() retries the whole batch itself (see there, and the fault drill of
      // issue 7 that lost acknowledged documents while kafkajs retried).
      retry: { retries: 0 },
      idempotent: false,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.isConnected = false;
    });
  }

  connected(): boolean {
    return this.isConnected;
  }

  /** Starts connecting; resolves after the first attempt, whatever its outcome. */
  start(): Promise<void> {
    return this.connect();
  }

  private connect(): Promise<void> {
    if (this.closed || this.isConnected) return Promise.resolve();
    this.connecting ??= this.producer
      .connect()
      .then(() => {
        this.isConnected = true;
        this.lastSuccessAt = Date.now();
        this.logger.info('kafka producer connected');
      })
      .catch((err: unknown) => {
        this.logger.warn({ err: describe(err) }, 'kafka unreachable; retrying');
        this.scheduleReconnect();
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.opts.reconnectDelayMs);
    this.retryTimer.unref();
  }

  /**
   * Produces every record with acks=all; rejects with a TributaryError.
   *
   * Retries are ours, not kafkajs's, and each resends the whole batch in a fresh sendBatch call. kafkajs 2.2.4
   * keeps one broker -> response map across its retries of a sendBatch and resends only to brokers without a
   * response; when a partition's leadership moves to a broker that already answered for other partitions,
   * that partition's records are never sent and sendBatch still resolves. Fault drill 1 (issue 7: leader
   * SIGKILLed, 3 partitions on 3 nodes) measured 6 of 32,501 acknowledged documents missing from Kafka that
   * way; see tulios/kafkajs#1303 and #1798. A fresh call re-sends records that had landed (duplicates: the
   * at-least-once the README promises) but never drops one.
   *
   * Backoff 50 ms doubling to 250 ms until the deadline: leadership moves ~3 s after a broker dies (session
   * timeout), and polling often finds the new leader within 250 ms of that; kafkajs refreshes metadata
   * after each failed attempt before it throws.
   */
  async send(records: OutboundRecord[]): Promise<void> {
    const giveUpAt = Date.now() + this.opts.produceTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sendOnce(records);
        return;
      } catch (err) {
        const error = classifyError(err);
        const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt);
        if (!error.retryable || this.closed || Date.now() + delay >= giveUpAt) throw error;
        await sleep(delay);
      }
    }
  }

  private async sendOnce(records: OutboundRecord[]): Promise<void> {
    if (!this.isConnected) {
      void this.connect();
      throw new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'not connected to Kafka');
    }
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (messages === undefined) {
        messages = [];
        byTopic.set(r.topic, messages);
      }
      messages.push({ key: r.key, value: r.value, headers: r.headers });
    }
    try {
      // One sendBatch for every topic: kafkajs then sends one ProduceRequest per leader broker.
      await this.producer.sendBatch({
        acks: -1,
        timeout: this.opts.produceTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      this.lastSuccessAt = Date.now();
    } catch (err) {
      throw classifyError(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting;
    await this.producer.disconnect().catch(() => undefined);
    this.isConnected = false;
  }
}

const RETRY_INITIAL_MS = 50;
const RETRY_MAX_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function classifyError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const protocolType = findProtocolType(err);
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

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
