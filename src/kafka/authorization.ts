// Which of the catalog's topics Kafka's ACLs let the gateway write. Learned from the brokers' authorized
// operations (MetadataProbe.topicAccess) at start, after a produce was refused, and every minute while a topic is
// refused; and from produce errors in between. A request for a refused topic is answered TRIB_KAFKA_NOT_AUTHORIZED
// at once instead of joining a batch: a batch with a refused topic fails whole in both clients, and would take the
// documents of writable topics down with it.
import type { Logger } from 'pino';
import { ERRORS, TributaryError } from '../errors.js';
import type { MetadataProbe } from './metadata-probe.js';
import type { OutboundRecord } from './record.js';

const CLIENT_DETAIL =
  "Kafka's ACLs do not let the gateway write this binding's topic; an operator must grant WRITE";

/** Kafka refused WRITE (or DESCRIBE) on `topics`; undefined when the client's error did not say which. */
export class NotAuthorizedError extends TributaryError {
  constructor(
    readonly topics: readonly string[] | undefined,
    opts: { cause?: unknown } = {},
  ) {
    super(ERRORS.KAFKA_NOT_AUTHORIZED, CLIENT_DETAIL, opts);
  }

  /** Whether a document for `topic` in the refused batch gets this error (else a retryable 503). */
  appliesTo(topic: string, batchTopics: ReadonlySet<string>): boolean {
    return this.topics === undefined ? batchTopics.size === 1 : this.topics.includes(topic);
  }
}

export interface TopicPermissionsOptions {
  /** The catalog's topics with the bindings that write them (read each time: reloads change it). */
  bindings: () => readonly { binding: string; topic: string }[];
  /** Who Kafka sees, as far as the settings tell (connection.ts). */
  principal: string | undefined;
  recheckMs?: number;
}

const RECHECK_MS = 60_000;

export class TopicPermissions {
  /** topic -> why */
  private readonly refused = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly probe: MetadataProbe,
    private readonly opts: TopicPermissionsOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.refused.size > 0) void this.refresh();
    }, this.opts.recheckMs ?? RECHECK_MS);
    this.timer.unref();
    void this.refresh();
  }

  /** Asks Kafka again; a failure to ask keeps what is known (readiness reports Kafka being away). */
  refresh(): Promise<void> {
    this.checking ??= (async () => {
      const topics = [...new Set(this.opts.bindings().map((b) => b.topic))];
      const access = await this.probe.topicAccess(topics).catch(() => undefined);
      if (access === undefined) return;
      for (const a of access) {
        if (a.writable === false) this.refuse(a.topic, a.error ?? 'no WRITE in its authorized operations');
        else if (a.writable === true) this.grant(a.topic);
      }
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** The error for a request whose documents go to a refused topic, before anything is produced. */
  refusal(records: readonly OutboundRecord[]): NotAuthorizedError | undefined {
    if (this.refused.size === 0) return undefined;
    for (const r of records) if (this.refused.has(r.topic)) return new NotAuthorizedError([r.topic]);
    return undefined;
  }

  /** A produce was refused: remember the topics it named, and ask Kafka which ones when it did not say. */
  learn(err: NotAuthorizedError): void {
    if (err.topics === undefined) {
      void this.refresh();
      return;
    }
    for (const topic of err.topics) this.refuse(topic, 'TOPIC_AUTHORIZATION_FAILED on produce');
  }

  /** Bindings that cannot write now, for /readyz. */
  unwritable(): { binding: string; topic: string; reason: string }[] {
    return this.opts
      .bindings()
      .filter((b) => this.refused.has(b.topic))
      .map((b) => ({ ...b, reason: this.refused.get(b.topic)! }));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private refuse(topic: string, reason: string): void {
    if (this.refused.has(topic)) return;
    this.refused.set(topic, reason);
    const bindings = this.opts
      .bindings()
      .filter((b) => b.topic === topic)
      .map((b) => b.binding);
    this.logger.error(
      { topic, principal: this.opts.principal ?? 'unknown', bindings, reason },
      `kafka: principal ${this.opts.principal ?? '(unknown)'} may not write topic ${topic}; requests to ${bindings.join(', ') || 'its bindings'} get TRIB_KAFKA_NOT_AUTHORIZED until WRITE and DESCRIBE are granted`,
    );
  }

  private grant(topic: string): void {
    if (!this.refused.delete(topic)) return;
    this.logger.info({ topic }, `kafka: topic ${topic} is writable again`);
  }
}
