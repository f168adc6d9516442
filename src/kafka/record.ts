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

/** Records grouped by topic, in order, for clients whose produce calls take one topic's messages at a time. */
export function recordsByTopic(
  records: readonly OutboundRecord[],
): { topic: string; messages: OutboundRecord[] }[] {
  const byTopic = new Map<string, OutboundRecord[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic);
    if (messages === undefined) byTopic.set(record.topic, [record]);
    else messages.push(record);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
