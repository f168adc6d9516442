// Metadata (API key 3) v0-v12 (MetadataRequest.json / MetadataResponse.json): the listener names itself as the
// only broker and the leader (and sole replica) of every partition of every topic the client may write to.
import { Writer } from '@platformatic/kafka';
import type { FrameReader } from './wire.js';

/** null: every topic (v1+ null array; v0 an empty one). */
export function readMetadataRequest(r: FrameReader, version: number, flexible: boolean): string[] | null {
  const topics = r.array(flexible, (t) => {
    if (version >= 10) t.uuid();
    const name = t.string(flexible);
    if (flexible) t.taggedFields();
    return name;
  });
  // The flags after the topics (auto-creation, authorized operations) change nothing here: never read.
  if (topics === null || (version === 0 && topics.length === 0)) return null;
  return topics.filter((name): name is string => name !== null);
}

export interface Broker {
  nodeId: number;
  host: string;
  port: number;
}

export interface TopicMetadata {
  topic: string;
  errorCode: number;
  partitions: number;
}

const NO_OPERATIONS = -2147483648;
const ZERO_UUID = Buffer.alloc(16);

export function metadataResponseBody(
  version: number,
  flexible: boolean,
  broker: Broker,
  topics: TopicMetadata[],
): Writer {
  const w = Writer.create();
  if (version >= 3) w.appendInt32(0);
  w.appendArray(
    [broker],
    (b, x) => {
      b.appendInt32(x.nodeId).appendString(x.host, flexible).appendInt32(x.port);
      if (version >= 1) b.appendString(null, flexible);
    },
    flexible,
    flexible,
  );
  if (version >= 2) w.appendString('tributary', flexible);
  if (version >= 1) w.appendInt32(broker.nodeId);
  w.appendArray(
    topics,
    (t, topic) => {
      t.appendInt16(topic.errorCode).appendString(topic.topic, flexible);
      if (version >= 10) t.append(ZERO_UUID);
      if (version >= 1) t.appendBoolean(false);
      const partitions = Array.from({ length: topic.partitions }, (_, i) => i);
      t.appendArray(
        partitions,
        (p, index) => {
          p.appendInt16(0).appendInt32(index).appendInt32(broker.nodeId);
          if (version >= 7) p.appendInt32(0);
          const nodes = (n: Writer) =>
            n.appendArray([broker.nodeId], (e, id) => e.appendInt32(id), flexible, false);
          nodes(p);
          nodes(p);
          if (version >= 5) p.appendArray([], () => {}, flexible, false);
        },
        flexible,
        flexible,
      );
      if (version >= 8) t.appendInt32(NO_OPERATIONS);
    },
    flexible,
    flexible,
  );
  if (version >= 8 && version <= 10) w.appendInt32(NO_OPERATIONS);
  if (flexible) w.appendTaggedFields();
  return w;
}
