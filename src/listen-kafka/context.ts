// What every connection of one listener shares: the front door, the topic table, sequences, offsets, limits.
import type { Logger } from 'pino';
import type { Binding } from '../catalog/model.js';
import type { FrontDoor } from '../ingest/front-door.js';
import type { Capacity } from '../ops/capacity.js';
import type { Broker } from './metadata.js';
import type { TokenBook } from './sasl.js';
import type { Sequences } from './sequences.js';

/** The catalog as the listener sees it: topic -> binding, and every token for SASL. */
export interface TopicTable {
  bindings: ReadonlyMap<string, Binding>;
  book: TokenBook;
}

export interface ListenerContext {
  door: FrontDoor;
  capacity: Capacity;
  sequences: Sequences;
  table: () => TopicTable;
  broker: Broker;
  partitions: number;
  maxRequestBytes: number;
  requestTimeoutMs: number;
  /** For the pre-validation of produce requests that span several bindings. */
  limits: { maxDocuments: number; maxRecordBytes: number; maxDepth: number };
  /** The listener's own offsets, per topic and partition (not the collection topic's). */
  nextOffset(topic: string, partition: number, count: number): bigint;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}
