// Correlation headers carried from the HTTP request onto every Kafka record it produces, so a document can be
// followed from the load balancer's log to the consumer: the request id (X-Request-Id, or the one generated) and
// W3C Trace Context (https://www.w3.org/TR/trace-context/), which OpenTelemetry's Kafka instrumentations read
// from the record headers of the same names.
import type { IncomingHttpHeaders } from 'node:http';

// version "-" trace-id "-" parent-id "-" trace-flags (§3.2). Version ff is invalid; a later version may append
// fields after a dash, which we keep as sent.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_PARENT = '0'.repeat(16);
/** §3.3: at most 32 list members; 512 characters is the length vendors must be able to propagate. */
const MAX_TRACESTATE = 512;
const TRACESTATE = /^[\x20-\x7e]*$/;

/** The traceparent as sent when it is valid, else undefined (an invalid one is dropped, per §3.2.2.1). */
export function validTraceparent(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m) return undefined;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff' || traceId === ZERO_TRACE || parentId === ZERO_PARENT) return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  return value;
}

export function recordHeaders(requestId: string, headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = { 'x-request-id': requestId };
  const traceparent = validTraceparent(headers.traceparent);
  if (traceparent === undefined) return out;
  out['traceparent'] = traceparent;
  const tracestate = headers.tracestate;
  // tracestate means nothing without its traceparent; a duplicated header is joined by Node with ", ".
  if (typeof tracestate === 'string' && tracestate.length <= MAX_TRACESTATE && TRACESTATE.test(tracestate)) {
    out['tracestate'] = tracestate;
  }
  return out;
}
