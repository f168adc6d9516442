// The Kafka protocol as this listener speaks it (https://kafka.apache.org/protocol, and the message specs in
// kafka-clients' common/message/*.json): which APIs and versions it advertises, the request header, response
// framing, and the error codes it answers with.
import { Writer } from '@platformatic/kafka';
import { FrameError, type FrameReader } from './wire.js';

export const API = {
  PRODUCE: 0,
  FETCH: 1,
  FIND_COORDINATOR: 10,
  METADATA: 3,
  SASL_HANDSHAKE: 17,
  API_VERSIONS: 18,
  INIT_PRODUCER_ID: 22,
  SASL_AUTHENTICATE: 36,
} as const;

interface ApiRange {
  key: number;
  min: number;
  max: number;
  /** First flexible version (compact types, tagged fields, request header v2); Infinity: none. */
  flexible: number;
  /** Advertised but not served (answered like an unknown API): librdkafka's feature detection needs it. */
  unserved?: true;
}

// Produce 0-2 are advertised though only record batch v2 is read: "due to a bug in librdkafka, these versions
// have to be included in the api versions response" (KAFKA-18659). Produce stops at 11: v12 is transactions v2,
// v13 names topics by id (KIP-516). Metadata stops at 12 (v13 only adds a top-level error), InitProducerId at 4
// (5-6 are two-phase commit). SaslHandshake v0 is advertised because librdkafka looks for it ("SASL Handshake
// not supported by broker" otherwise), but a v0 handshake (SASL tokens unframed after it) is refused
// UNSUPPORTED_VERSION in its answer: clients that know SaslAuthenticate send v1.
export const SUPPORTED: readonly ApiRange[] = [
  { key: API.PRODUCE, min: 0, max: 11, flexible: 9 },
  { key: API.METADATA, min: 0, max: 12, flexible: 9 },
  { key: API.SASL_HANDSHAKE, min: 0, max: 1, flexible: Number.POSITIVE_INFINITY },
  { key: API.API_VERSIONS, min: 0, max: 4, flexible: 3 },
  { key: API.INIT_PRODUCER_ID, min: 0, max: 4, flexible: 2 },
  { key: API.SASL_AUTHENTICATE, min: 0, max: 2, flexible: 2 },
  // librdkafka enables record batch v2 only when the broker lists Fetch v4 (and zstd with Fetch v10), and lz4
  // only with FindCoordinator (rdkafka_feature.c): without them it sends magic-v0 message sets. Listed for that;
  // a client that does send one gets the UNSUPPORTED_VERSION answer, as for any API not served.
  { key: API.FETCH, min: 4, max: 12, flexible: 12, unserved: true },
  { key: API.FIND_COORDINATOR, min: 0, max: 0, flexible: 3, unserved: true },
];

const BY_KEY = new Map(SUPPORTED.map((api) => [api.key, api]));

/** Kafka's error codes used here (org.apache.kafka.common.protocol.Errors). */
export const KAFKA_ERROR = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  NOT_ENOUGH_REPLICAS: 19,
  INVALID_REQUIRED_ACKS: 21,
  TOPIC_AUTHORIZATION_FAILED: 29,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUEST: 42,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  INVALID_RECORD: 87,
} as const;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** The API and version are served: the body may be read (with `flexible` encoding). */
  supported: boolean;
  flexible: boolean;
}

/** Request header v1 (v2 adds tagged fields, in flexible versions); the reader is left at the body. */
export function readRequestHeader(reader: FrameReader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.string(false);
  const api = BY_KEY.get(apiKey);
  const supported =
    api !== undefined && api.unserved !== true && apiVersion >= api.min && apiVersion <= api.max;
  const flexible = supported && apiVersion >= api.flexible;
  if (flexible) reader.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId, supported, flexible };
}

/**
 * A whole response frame: length, header (v0: correlation id; v1 adds tagged fields in flexible versions,
 * except ApiVersions, whose response header stays v0 so a client can read it before it knows the versions).
 */
export function responseFrame(header: RequestHeader, body: Writer): Buffer {
  const head = Writer.create().appendInt32(header.correlationId);
  if (header.flexible && header.apiKey !== API.API_VERSIONS) head.appendTaggedFields();
  const out = Writer.create().appendFrom(head).appendFrom(body);
  return out.prependLength().buffer;
}

/** ApiVersions response (any version; `UNSUPPORTED_VERSION` answers in v0, per KIP-511). */
export function apiVersionsBody(version: number, errorCode: number): Writer {
  const flexible = version >= 3;
  const w = Writer.create().appendInt16(errorCode);
  w.appendArray(
    [...SUPPORTED],
    (e, api) => e.appendInt16(api.key).appendInt16(api.min).appendInt16(api.max),
    flexible,
    flexible,
  );
  if (version >= 1) w.appendInt32(0);
  if (flexible) w.appendTaggedFields();
  return w;
}

/**
 * The answer to a request this listener does not serve (an API it never advertised, or a version outside the
 * range): an ApiVersions-v0-shaped UNSUPPORTED_VERSION with the supported ranges, the protocol's own "I do not
 * speak this" (KIP-511). A client that asked for ApiVersions retries with a version in the range.
 */
export function unsupportedFrame(header: RequestHeader): Buffer {
  return responseFrame({ ...header, flexible: false }, apiVersionsBody(0, KAFKA_ERROR.UNSUPPORTED_VERSION));
}

/** The frame length prefix; throws when it cannot be a request. */
export function frameLength(prefix: number, maxBytes: number): number {
  // 8 bytes: api key, version, correlation id, client id length: the least a request header holds.
  if (prefix < 10) throw new FrameError(`frame of ${prefix} bytes`);
  if (prefix > maxBytes) throw new FrameError(`frame of ${prefix} bytes exceeds the ${maxBytes}-byte limit`);
  return prefix;
}
