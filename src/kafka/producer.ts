// What the gateway needs from a Kafka producer, and the part every client shares: connecting in the background
// with reconnects, and resending whole batches until the deadline. The clients (kafkajs in producer-kafkajs.ts,
// @platformatic/kafka in producer-platformatic.ts) only supply one produce attempt and their error mapping.
import type { Logger } from 'pino';
import type { KafkaCompression } from '../config.js';
import { ERRORS, TributaryError } from '../errors.js';
import { classifyFailure } from './failure.js';
import type { OutboundRecord } from './record.js';

export interface ProducerOptions {
  /** Upper bound of one produce call, including its retries (the request deadline). */
  produceTimeoutMs: number;
  /** Delay between connection attempts while Kafka is unreachable. */
  reconnectDelayMs: number;
  /** Retries inside the client with the same producer id and sequences (platformatic only; default there: on). */
  idempotent?: boolean;
  compression?: KafkaCompression;
}

/** The gateway's producer, whichever client is behind it (TRIBUTARY_KAFKA_CLIENT). */
export interface RecordProducer {
  /** Epoch ms of the last produce that Kafka acknowledged, or of the last connect. */
  readonly lastSuccessAt: number;
  connected(): boolean;
  /** Starts connecting; resolves after the first attempt, whatever its outcome. */
  start(): Promise<void>;
  /** Produces every record with acks=all; rejects with a TributaryError. */
  send(records: OutboundRecord[]): Promise<void>;
  /**
   * True when the client puts one Produce request on the wire per broker connection and queues further send()
   * calls inside it, each still its own request: the batcher then holds partial batches beyond two in flight.
   */
  readonly oneProducePerBroker: boolean;
  close(): Promise<void>;
}

/**
 * One producer per process, acks=all. It connects in the background and keeps trying, so the gateway starts
 * (and answers 503) while Kafka is down, and recovers by itself when it returns.
 */
export abstract class RetryingProducer implements RecordProducer {
  private isConnected = false;
  private connecting: Promise<void> | undefined;
  protected closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  lastSuccessAt = 0;

  constructor(
    protected readonly opts: ProducerOptions,
    protected readonly logger: Logger,
  ) {}

  /** Which library produces (TRIBUTARY_KAFKA_CLIENT), for the logs. */
  protected abstract readonly client: string;
  /**
   * True when the client retries a failed produce itself, idempotently: then a produce that failed is never sent
   * again by send() (a fresh call would carry new sequence numbers, and a batch that had landed would land twice).
   */
  protected readonly retriesInClient: boolean = false;
  readonly oneProducePerBroker: boolean = false;
  /** Connects the client (resolves once it can produce). */
  protected abstract open(): Promise<void>;
  /** One produce attempt of every record with acks=all, in as few requests as the client makes. */
  protected abstract produce(records: OutboundRecord[]): Promise<void>;
  protected abstract shutdown(): Promise<void>;
  /** The client's error as a TributaryError: too large, timeout, else unavailable. */
  protected abstract classify(err: unknown): TributaryError;

  connected(): boolean {
    return this.isConnected;
  }

  /** The client reports that it lost its connection for good (it will not produce before a reconnect). */
  protected disconnected(): void {
    this.isConnected = false;
  }

  start(): Promise<void> {
    return this.connect();
  }

  private connect(): Promise<void> {
    if (this.closed || this.isConnected) return Promise.resolve();
    this.connecting ??= this.open()
      .then(() => {
        this.isConnected = true;
        this.lastSuccessAt = Date.now();
        this.logger.info({ client: this.client }, 'kafka producer connected');
      })
      .catch((err: unknown) => {
        // One line per cause comes from the metadata probe (metadata-probe.ts), which asks Kafka on its own
        // connection; a line per reconnect attempt here would repeat it every second.
        const failure = classifyFailure(err);
        this.logger.debug(
          { client: this.client, cause: failure.kind, err: failure.reason },
          'kafka producer cannot connect; retrying',
        );
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
   * Without client retries (kafkajs, or platformatic with TRIBUTARY_KAFKA_IDEMPOTENT=false) retries are ours, and
   * each resends the whole batch in a fresh call: a client that retries inside one call can lose records it never
   * resent while still resolving (kafkajs did, see producer-kafkajs.ts). A fresh call re-sends records that had
   * landed (duplicates: at-least-once) but never drops one. With idempotent client retries (retriesInClient) only
   * attempts that sent nothing (not connected yet) are repeated here.
   *
   * Backoff 50 ms doubling to 250 ms until the deadline: leadership moves ~3 s after a broker dies (session
   * timeout), and polling often finds the new leader within 250 ms of that.
   */
  async send(records: OutboundRecord[]): Promise<void> {
    const giveUpAt = Date.now() + this.opts.produceTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      let sent = false;
      try {
        if (!this.isConnected) {
          void this.connect();
          throw new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'not connected to Kafka');
        }
        sent = true;
        await this.produce(records);
        this.lastSuccessAt = Date.now();
        return;
      } catch (err) {
        const error = err instanceof TributaryError ? err : this.classify(err);
        const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt);
        if (sent && this.retriesInClient) throw error;
        if (!error.retryable || this.closed || Date.now() + delay >= giveUpAt) throw error;
        await sleep(delay);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting;
    await this.shutdown().catch(() => undefined);
    this.isConnected = false;
  }
}

const RETRY_INITIAL_MS = 50;
const RETRY_MAX_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
