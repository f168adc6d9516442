// The front door's refusals (TributaryError codes, src/errors.ts) as Kafka error codes: what a producer's client
// understands and how it reacts (retry, refresh metadata, fail the records). The README's error mapping table
// is this function's.
import { ERRORS, type TributaryError } from '../errors.js';
import { KAFKA_ERROR } from './protocol.js';

/** At admission (Metadata and Produce): who may not write where. */
export function admissionErrorCode(error: TributaryError): number {
  if (error.spec === ERRORS.ROUTE_NOT_FOUND) return KAFKA_ERROR.UNKNOWN_TOPIC_OR_PARTITION;
  if (error.retryable) return KAFKA_ERROR.NOT_ENOUGH_REPLICAS;
  // Missing or wrong token, foreign origin, an option this transport refuses (a webhook signature).
  return KAFKA_ERROR.TOPIC_AUTHORIZATION_FAILED;
}

/** For one produce request's documents: all or nothing, one code for every partition. */
export function acceptErrorCode(error: TributaryError): number {
  switch (error.spec) {
    case ERRORS.KAFKA_TIMEOUT:
      return KAFKA_ERROR.REQUEST_TIMED_OUT;
    case ERRORS.DECODE_TOO_MANY_DOCUMENTS:
      // The Java client splits a batch refused MESSAGE_TOO_LARGE and sends the halves.
      return KAFKA_ERROR.MESSAGE_TOO_LARGE;
    case ERRORS.KAFKA_NOT_AUTHORIZED:
      return KAFKA_ERROR.TOPIC_AUTHORIZATION_FAILED;
    case ERRORS.INTERNAL:
      return KAFKA_ERROR.UNKNOWN_SERVER_ERROR;
  }
  // Kafka down, the gateway at capacity or shutting down: not written, and retriable (NOT_ENOUGH_REPLICAS is
  // the broker's "not appended, try again"; never NOT_ENOUGH_REPLICAS_AFTER_APPEND, which means written).
  if (error.retryable) return KAFKA_ERROR.NOT_ENOUGH_REPLICAS;
  if (error.spec === ERRORS.KAFKA_RECORD_TOO_LARGE && error.documents === undefined) {
    return KAFKA_ERROR.MESSAGE_TOO_LARGE;
  }
  // Not JSON, not an object, too deep, schema, reserved _meta, key: the records are bad (KIP-467).
  return KAFKA_ERROR.INVALID_RECORD;
}
