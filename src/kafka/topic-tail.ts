// Follows topics from their last `last` records per partition on (the inspector's dead-letter tail,
// src/inspector/dead-letter-tail.ts): read-only, no committed offsets, restarted with a backoff while Kafka is away.
//
// kafkajs, as the topic reader and the admin work are, whichever producer client the gateway uses. Neither client
// can fetch without joining a group (@platformatic/kafka's Consumer requires a groupId too; its bare fetch API
// wants topic ids and partition leaders resolved by hand), so each tail is a group of one, named per process
// (`<groupPrefix>-<uuid>`; the gateway's prefix is `<clientId>-inspector`), that never commits: every replica reads every partition, and the start offset is
// always the one sought here, never a stored one. The group's only trace is an empty entry the coordinator
// expires (offsets.retention.minutes); the ACLs it needs are Read on the topics and on that group prefix.
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';

export interface TailRecord {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

export type TailState = 'starting' | 'following' | 'unavailable' | 'stopped';

export interface TailStatus {
  state: TailState;
  /** Why it is unavailable (Kafka's message), when it is. */
  reason: string | undefined;
  /** Records handed over since start. */
  read: number;
  /** Records still to read on the partitions followed (end offsets at the last fetch minus what was read). */
  behind: number;
}

export interface TopicTailOptions {
  topics: readonly string[];
  /** Records per partition read back at start (the rest of the history is left alone). */
  last: number;
  onRecord: (record: TailRecord) => void;
  log: { warn(obj: object, msg: string): void };
  groupPrefix: string;
  /** Delay before a new attempt after Kafka failed; doubles up to 30 s. */
  retryMs?: number;
  /** Bytes one fetch brings per partition: what one partition's batch can hold in memory at once. */
  maxBytesPerPartition?: number;
}

export class TopicTail {
  private consumer: Consumer | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly current: TailStatus = { state: 'starting', reason: undefined, read: 0, behind: 0 };

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: TopicTailOptions,
  ) {}

  status(): TailStatus {
    return { ...this.current };
  }

  /** Returns at once: the first attempt and any later one run in the background. */
  start(): void {
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.current.state = 'stopped';
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => {});
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const consumer = this.kafka.consumer({
      groupId: `${this.opts.groupPrefix}-${randomUUID()}`,
      maxBytesPerPartition: this.opts.maxBytesPerPartition ?? 1024 * 1024,
      maxBytes: 4 * 1024 * 1024,
      // kafkajs's own restart would keep its sought offsets: ours seeks again from the ends it reads anew.
      retry: { retries: 2, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => this.failed(consumer, payload.error));
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.current.behind = Math.max(0, Number(payload.offsetLag));
    });
    // stop() may come while this attempt is connecting: a consumer connected after it is disconnected here.
    const abandoned = async (): Promise<boolean> => {
      if (!this.stopped) return false;
      await consumer.disconnect().catch(() => {});
      return true;
    };
    try {
      const starts = await this.startOffsets();
      if (await abandoned()) return;
      await consumer.connect();
      for (const topic of this.opts.topics) await consumer.subscribe({ topic, fromBeginning: false });
      if (await abandoned()) return;
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          this.current.read++;
          this.opts.onRecord({ topic, partition, offset: message.offset, value: message.value });
        },
      });
      // Sought after run(), as kafkajs requires; applied when the (only) member is assigned the partitions.
      for (const s of starts) consumer.seek(s);
      if (await abandoned()) return;
      this.current.state = 'following';
      this.current.reason = undefined;
      this.failures = 0;
    } catch (err) {
      this.failed(consumer, err);
    }
  }

  private async startOffsets(): Promise<{ topic: string; partition: number; offset: string }[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const starts: { topic: string; partition: number; offset: string }[] = [];
      let behind = 0;
      for (const topic of this.opts.topics) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const high = BigInt(p.high);
          const low = BigInt(p.low);
          const lastN = high - BigInt(this.opts.last);
          const from = lastN > low ? lastN : low;
          behind += Number(high - from);
          starts.push({ topic, partition: p.partition, offset: from.toString() });
        }
      }
      this.current.behind = behind;
      return starts;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  private failed(consumer: Consumer, err: unknown): void {
    if (this.stopped || this.consumer !== consumer) return;
    this.consumer = undefined;
    const reason = err instanceof Error ? err.message : String(err);
    if (this.current.state !== 'unavailable') {
      this.opts.log.warn({ err, topics: this.opts.topics }, 'dead-letter tail unavailable; retrying');
    }
    this.current.state = 'unavailable';
    this.current.reason = reason;
    void consumer.disconnect().catch(() => {});
    const delay = Math.min(30_000, (this.opts.retryMs ?? 1000) * 2 ** this.failures++);
    this.retry = setTimeout(() => void this.attempt(), delay);
    this.retry.unref();
  }
}
