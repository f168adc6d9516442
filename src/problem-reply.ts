// Turns any error into an RFC 9457 problem+json answer with a stable code. Fastify's own errors (body too large,
// bad Content-Length ...) are mapped onto the registry so clients see one vocabulary.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorSpec, TributaryError, toProblem } from './errors.js';

const FASTIFY_CODES: Record<string, ErrorSpec> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.DECODE_BODY_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.DECODE_UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERRORS.DECODE_EMPTY_BODY,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERRORS.BAD_REQUEST,
  FST_ERR_CTP_EMPTY_TYPE: ERRORS.DECODE_UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_TYPE: ERRORS.DECODE_UNSUPPORTED_MEDIA_TYPE,
};

export function asTributaryError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const fastifyErr = err as Partial<FastifyError> | null;
  const mapped = fastifyErr?.code === undefined ? undefined : FASTIFY_CODES[fastifyErr.code];
  if (mapped !== undefined) return new TributaryError(mapped, fastifyErr?.message, { cause: err });
  const status = fastifyErr?.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new TributaryError(ERRORS.BAD_REQUEST, fastifyErr?.message, { cause: err });
  }
  return new TributaryError(ERRORS.INTERNAL, 'internal error', { cause: err });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const err = asTributaryError(error);
  request.problemCode = err.code;
  logProblem(request.log, err, error);
  reply.headers(problemHeaders(err));
  return reply
    .code(err.status)
    .type('application/problem+json')
    .send(toProblem(err, request.url.split('?', 1)[0]));
}

/** The log line of a problem answer: an error for our faults, a warning for retryable ones, else info. */
export function logProblem(
  log: Pick<FastifyBaseLogger, 'error' | 'warn' | 'info'>,
  err: TributaryError,
  error: unknown,
): void {
  if (err.status >= 500 && !err.retryable) log.error({ err: error }, 'request failed');
  else if (err.retryable) log.warn({ code: err.code, cause: describeCause(err) }, err.message);
  else log.info({ code: err.code }, err.message);
}

/** Retry-After, WWW-Authenticate and the error's own headers (rate-limit counters). */
export function problemHeaders(err: TributaryError): Record<string, string> {
  const headers: Record<string, string> = { ...err.headers };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  if (err.challenge !== undefined) headers['www-authenticate'] = err.challenge;
  return headers;
}

function describeCause(err: TributaryError): string | undefined {
  const cause = err.cause;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined;
}

/**
 * Fastify's clientErrorHandler: what Node answers before a request exists (headers or body too slow, a
 * malformed request line, oversized headers) in the same problem+json vocabulary, instead of Fastify's
 * default `{"error":...}` body without a code (issue 7: slowloris clients must get a coded 4xx too).
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // A reset socket has nobody left to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const spec =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ERRORS.REQUEST_TIMEOUT
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ERRORS.HEADERS_TOO_LARGE
        : ERRORS.BAD_REQUEST;
  const body = JSON.stringify(toProblem(new TributaryError(spec)));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
