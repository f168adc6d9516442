// The server's side of tributary.v1: one answer per frame, a JSON text message (README "WebSocket protocol").
import { type TributaryError, toProblem } from '../errors.js';

export type Outcome = 'ok' | 'rejected' | 'failed';

/** `duplicates`: documents of the frame dropped as already delivered (bindings that deduplicate by pointer). */
export function okAnswer(seq: number, published: number, duplicates = 0): string {
  if (duplicates > 0)
    return `{"seq":${seq},"status":"ok","published":${published},"duplicates":${duplicates}}`;
  return `{"seq":${seq},"status":"ok","published":${published}}`;
}

/**
 * Client errors (4xx: malformed frame, schema, too large) reject the frame; nothing of it was produced and
 * sending it again cannot help. The gateway's or Kafka's (5xx) fail it, with `retryable` saying whether the same
 * frame may succeed later. `error` is the webhook's problem+json object, per-document details included.
 */
export function errorAnswer(
  seq: number,
  error: TributaryError,
  instance: string,
): { text: string; outcome: Outcome } {
  const problem = toProblem(error, instance);
  if (error.status < 500) {
    return { text: JSON.stringify({ seq, status: 'rejected', error: problem }), outcome: 'rejected' };
  }
  return {
    text: JSON.stringify({ seq, status: 'failed', retryable: error.retryable, error: problem }),
    outcome: 'failed',
  };
}
