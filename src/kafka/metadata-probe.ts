// Is Kafka answering right now? kafkajs keeps a producer "connected" after its broker died until a request
// fails, so readiness cannot rest on the connection flag alone. A produce that Kafka acknowledged proves it;
// when no traffic has done so lately, a cheap DescribeCluster request (one round trip, no topic data) does.
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

export interface MetadataProbeOptions {
  /** Readiness wants an answer from Kafka no older than this. */
  maxAgeMs: number;
}

export class MetadataProbe {
  private admin: Admin | undefined;
  private lastOkAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    /** Epoch ms of the last produce Kafka acknowledged (KafkaProducer.lastSuccessAt). */
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

  private async check(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
      await withTimeout(
        (async () => {
          await this.admin!.connect();
          await this.admin!.describeCluster();
        })(),
        this.opts.maxAgeMs,
      );
      this.lastOkAt = Date.now();
    } catch (err) {
      this.logger.debug(
        { err: err instanceof Error ? err.message : String(err) },
        'kafka metadata check failed',
      );
      // A fresh client next time: kafkajs may keep a dead connection to a broker that went away.
      const stale = this.admin;
      this.admin = undefined;
      await stale?.disconnect().catch(() => undefined);
    } finally {
      this.running = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
