// Graceful drain on SIGTERM, ordered so that a load balancer never sends a request to a process that will not
// answer it:
//   1. readiness fails (/readyz 503, "draining") while the process keeps serving normally, and answers carry
//      `Connection: close` so keep-alive connections are retired by the peer after a complete answer;
//   2. the drain delay passes (the balancer's health checks mark the process down: inter x fall < delay);
//   3. app.fastify.close(): the listener closes (new connections are refused, which balancers retry safely,
//      because nothing was sent), idle sockets close, requests still arriving get 503 TRIB_SHUTTING_DOWN,
//      preClose/onClose hooks close WebSockets with 1001, in-flight requests finish within their deadline;
//   4. the batcher drains and the producer flushes and disconnects (gateway.close());
//   5. exit 0, or 1 when all this took longer than the grace period. A second signal exits at once.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ERRORS, TributaryError } from '../errors.js';
import { sendProblem } from '../problem-reply.js';

export type Phase = 'serving' | 'draining' | 'closing';

/** Where the process is in its life; read by readiness, metrics and the closing hook. */
export class Lifecycle {
  phase: Phase = 'serving';

  draining(): boolean {
    return this.phase !== 'serving';
  }
}

/** Paths that keep their own answers while closing: an operator still sees why the process is not ready. */
const OBSERVABILITY = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Answers requests that arrive after close() began with 503 TRIB_SHUTTING_DOWN (Fastify's own closing answer is
 * not problem+json), and marks every answer `Connection: close` once draining began.
 */
export function installClosingHook(fastify: FastifyInstance, lifecycle: Lifecycle): void {
  // Callback style (issue 17): while serving this is one comparison, not a promise per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (lifecycle.phase === 'serving') return done();
    reply.header('connection', 'close');
    if (lifecycle.phase !== 'closing' || OBSERVABILITY.has(request.url.split('?', 1)[0]!)) return done();
    sendProblem(
      request,
      reply,
      new TributaryError(ERRORS.SHUTTING_DOWN, 'this process is shutting down; retry on another replica'),
    );
  });
}

export interface DrainOptions {
  drainDelayMs: number;
  graceMs: number;
}

export interface Drainable {
  lifecycle: Lifecycle;
  /** Closes the HTTP server (listener, in-flight requests, WebSockets), then flushes Kafka. */
  close(): Promise<void>;
}

/** Runs the drain; resolves with the exit code: 0 when everything closed within the grace period, else 1. */
export async function drain(target: Drainable, opts: DrainOptions, logger: Logger): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const overtime = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      logger.error(
        { graceMs: opts.graceMs },
        'shutdown grace period passed; exiting with requests unfinished',
      );
      resolve(1);
    }, opts.graceMs);
  });
  const orderly = (async () => {
    target.lifecycle.phase = 'draining';
    logger.info({ drainDelayMs: opts.drainDelayMs }, 'draining: /readyz now fails');
    if (opts.drainDelayMs > 0) await new Promise((r) => setTimeout(r, opts.drainDelayMs));
    target.lifecycle.phase = 'closing';
    logger.info('closing: no new connections; finishing in-flight requests');
    await target.close();
    logger.info({ ms: Date.now() - started }, 'drained');
    return 0;
  })().catch((err: unknown) => {
    logger.error({ err }, 'shutdown failed');
    return 1;
  });
  try {
    return await Promise.race([orderly, overtime]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves at the first SIGTERM/SIGINT; a second one exits the process at once (the operator will not wait). */
export function waitForSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
