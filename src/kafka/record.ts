// What the rest of the gateway hands to Kafka. No kafkajs type leaks past src/kafka.

export interface OutboundRecord {
  topic: string;
  /** Canonical JSON of the collection key values. */
  key: string;
  /** The stamped document, serialized once. */
  value: string;
  headers: Record<string, string>;
}

/** Approximate bytes a record takes on the wire (key + value + headers), for batch sizing and limits. */
export function recordSize(record: OutboundRecord): number {
  let size = Buffer.byteLength(record.key) + Buffer.byteLength(record.value) + 32;
  for (const name in record.headers) size += name.length + Buffer.byteLength(record.headers[name]!);
  return size;
}
