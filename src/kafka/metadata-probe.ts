// Is Kafka answering right now, and may the gateway write to the catalog's topics? A produce that Kafka
// acknowledged proves the first; when no traffic has done so lately, one Metadata request does (a round trip with
// no topic data). The second is asked with the same request, with include_topic_authorized_operations (Metadata
// v8+, KIP-430: what the authorizer allows this principal on each topic), at start, after a produce was refused
// and every minute while a topic is refused.
//
// One connection of @platformatic/kafka's, whichever client produces: kafkajs stops at Metadata v6 (no authorized
// operations), and its admin client logged every failed reconnect (two error lines every few seconds while a
// broker was down, some after the gateway's "stopped" line: issue 12). The connection here logs nothing; the probe
// reports a failure once per cause (ConnectionReporter) and the return of Kafka once.
import { Connection, metadataV12 } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { KafkaConnection } from './connection.js';
import { type ConnectionFailure, classifyFailure } from './failure.js';
import { platformaticSecurity } from './producer-platformatic.js';

export interface MetadataProbeOptions {
  /** Readiness wants an answer from Kafka no older than this. */
  maxAgeMs: number;
}

export interface TopicAccess {
  topic: string;
  /** false: the principal may not write (or not even describe) it; undefined: the broker did not say. */
  writable: boolean | undefined;
  /** Kafka's error for the topic, if any (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_AUTHORIZATION_FAILED). */
  error?: string;
}

// AclOperation codes (org.apache.kafka.common.acl.AclOperation): ALL 2, WRITE 4.
const OP_ALL = 2;
const OP_WRITE = 4;
/** INT32_MIN: the broker left the field out (not asked, or it does not compute it). */
const OPS_OMITTED = -2147483648;
const TOPIC_AUTHORIZATION_FAILED = 29;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

export class MetadataProbe {
  private connection: Connection | undefined;
  private next = 0;
  private lastOkAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** The last failure reported, so each cause is logged once and the recovery once. */
  private failure: ConnectionFailure | undefined;
  private quiet = false;
  private reported = false;
  private connectionError: Error | undefined;

  constructor(
    private readonly conn: KafkaConnection,
    /** Epoch ms of the last produce Kafka acknowledged (RecordProducer.lastSuccessAt). */
    private readonly lastProducedAt: () => number,
    private readonly opts: MetadataProbeOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks now (in the background: an unreachable Kafka must not hold the start-up), then every third of maxAge
   * while traffic alone does not keep the answer fresh.
   */
  start(): void {
    const every = Math.max(100, Math.floor(this.opts.maxAgeMs / 3));
    this.timer = setInterval(() => {
      if (Date.now() - this.lastAnswerAt() > every) void this.check();
    }, every);
    this.timer.unref();
    void this.check();
  }

  lastAnswerAt(): number {
    return Math.max(this.lastOkAt, this.lastProducedAt());
  }

  /** Milliseconds since Kafka last answered; Infinity when it never did. */
  ageMs(): number {
    const at = this.lastAnswerAt();
    return at === 0 ? Number.POSITIVE_INFINITY : Date.now() - at;
  }

  fresh(): boolean {
    return this.ageMs() <= this.opts.maxAgeMs;
  }

  /** The last failure to reach Kafka, while it lasts. */
  currentFailure(): ConnectionFailure | undefined {
    return this.failure;
  }

  /**
   * One Metadata round trip now; resolves with the failure, or undefined when Kafka answered. `quiet`: the caller
   * reports a failure itself (serve's start-up check), and the probe logs it only if it lasts past that.
   */
  async check(opts: { quiet?: boolean } = {}): Promise<ConnectionFailure | undefined> {
    if (this.closed) return this.failure;
    this.quiet = opts.quiet === true;
    this.running ??= this.metadata([], false)
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        this.quiet = false;
      });
    await this.running;
    return this.failure;
  }

  /** What the principal may do on each topic (throws when Kafka cannot be asked). */
  async topicAccess(topics: string[]): Promise<TopicAccess[]> {
    if (topics.length === 0) return [];
    const response = await this.metadata(topics, true);
    return response.topics.map((t) => {
      const name = t.name ?? '';
      if (t.errorCode === TOPIC_AUTHORIZATION_FAILED) {
        return { topic: name, writable: false, error: 'TOPIC_AUTHORIZATION_FAILED' };
      }
      const error = t.errorCode === UNKNOWN_TOPIC_OR_PARTITION ? 'UNKNOWN_TOPIC_OR_PARTITION' : undefined;
      const ops = t.topicAuthorizedOperations;
      const writable = ops === OPS_OMITTED ? undefined : (ops & ((1 << OP_WRITE) | (1 << OP_ALL))) !== 0;
      return { topic: name, writable, ...(error === undefined ? {} : { error }) };
    });
  }

  private async metadata(
    topics: string[],
    authorizedOperations: boolean,
  ): Promise<metadataV12.MetadataResponse> {
    try {
      const connection = await this.connect();
      const response = await metadataV12.api
        .async(connection, topics, false, authorizedOperations)
        .catch((err: unknown) => {
          // Topic errors come as a ResponseError that keeps the whole response: Kafka did answer.
          const partial = (err as { response?: metadataV12.MetadataResponse }).response;
          if (partial?.topics !== undefined && (err as { code?: string }).code === 'PLT_KFK_RESPONSE')
            return partial;
          throw err;
        });
      this.lastOkAt = Date.now();
      if (this.reported) this.logger.info({ brokers: this.conn.brokers }, 'kafka answers again');
      this.failure = undefined;
      this.reported = false;
      return response;
    } catch (err) {
      const seen = this.connectionError;
      this.connectionError = undefined;
      this.report(
        classifyFailure(seen === undefined ? err : new AggregateError([seen, err], 'connection failed')),
      );
      // A fresh connection (to the next bootstrap broker) next time.
      const stale = this.connection;
      this.connection = undefined;
      await stale?.close().catch(() => undefined);
      throw err;
    }
  }

  private connecting: Promise<Connection> | undefined;

  private connect(): Promise<Connection> {
    if (this.connection?.isConnected()) return Promise.resolve(this.connection);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Connection> {
    const broker = this.conn.brokers[this.next++ % this.conn.brokers.length]!;
    const at = broker.lastIndexOf(':');
    const connection = new Connection(`${this.conn.clientId}-probe`, {
      connectTimeout: this.conn.connectionTimeoutMs,
      requestTimeout: this.opts.maxAgeMs,
      ...platformaticSecurity(this.conn),
    });
    // A TLS alert (a client certificate the broker refuses) arrives as an 'error' event, while the request only
    // sees "Connection closed": keep it to name the cause. Without a listener the event would throw.
    connection.on('error', (err: Error) => {
      this.connectionError = err;
    });
    this.connection = connection;
    await connection.connect(broker.slice(0, at), Number(broker.slice(at + 1)));
    return connection;
  }

  private report(failure: ConnectionFailure): void {
    const repeated = this.failure?.reason === failure.reason && this.reported;
    this.failure = failure;
    // Quiet: the caller logs it; a later check that finds the same cause logs it then, once.
    if (repeated || this.quiet) return;
    this.reported = true;
    const line = `kafka: ${failure.reason}`;
    const fields = { brokers: this.conn.brokers, cause: failure.kind };
    if (failure.kind === 'unreachable') this.logger.warn(fields, line);
    else this.logger.error(fields, line);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
  }
}
