// Lean webhook path (issue 17): a POST to a binding is answered straight from Node's 'request' event, without
// Fastify's per-request machinery (routing, Request/Reply objects, a child logger, six hook stages, the content
// type parser, reply serialisation), which was ~35% of a webhook's CPU. Same front door, same answers: admission
// before the body is read, the body bounded as Fastify bounds it, problem+json from the one error registry, the
// same metrics and access-log lines. Everything else (probes, metrics, docs, inspector, WebSocket upgrades,
// preflights, 404/405) and every request leanServes() declines go to Fastify unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance } from 'fastify';
import inject from 'light-my-request';
import type { Logger } from 'pino';
import type { Binding } from '../src/catalog/model.js';
import type { Config } from '../src/config.js';
import { ERRORS, TributaryError, toProblem } from '../src/errors.js';
import type { FrontDoor } from '../src/ingest/front-door.js';
import { pathOf } from '../src/ingest/router.js';
import type { Metrics } from '../src/ops/metrics.js';
import type { Lifecycle } from '../src/ops/shutdown.js';
import { asTributaryError, logProblem, problemHeaders } from '../src/problem-reply.js';
import { webhookAdmitRequest, webhookAnswer } from './ingest.js';

export interface LeanWebhookOptions {
  config: Config;
  door: FrontDoor;
  metrics: Metrics;
  lifecycle: Lifecycle;
  log: Logger;
  /** The same request id Fastify would give (a sender's short X-Request-Id, else a UUID). */
  requestId: (req: IncomingMessage) => string;
  /**
   * @fastify/under-pressure's verdict: under pressure, Fastify's hook answers the 503. Read per request: it
   * compares figures the plugin samples on its own timer, cheaper than caching it per event-loop turn.
   */
  underPressure: () => boolean;
}

/**
 * The one place that decides which POSTs take the lean path. Declined, and served by the Fastify route:
 * bindings with allowedOrigins (their CORS answer headers come from @fastify/cors), `Expect: 100-continue`
 * (answered after admission by routes/ingest.ts), a process no longer serving (the closing hook's answers),
 * under pressure (its 503), and any process behind a trusted proxy (the access log's client address is Fastify's
 * proxy-aware request.ip).
 */
export function leanServes(binding: Binding, req: IncomingMessage, opts: LeanWebhookOptions): boolean {
  return (
    binding.allowedOrigins === undefined &&
    req.headers.expect === undefined &&
    opts.lifecycle.phase === 'serving' &&
    opts.config.trustProxy.length === 0 &&
    !opts.underPressure()
  );
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const EMPTY = Buffer.alloc(0);

/** Returns a handler that answers a request and says true, or says false and leaves it to Fastify. */
export function leanWebhooks(
  opts: LeanWebhookOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { config, door, metrics } = opts;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '/';
    const route = pathOf(url);
    const match = door.router().match(route);
    if (match === undefined || !leanServes(match.binding, req, opts)) return false;
    const started = performance.now();
    const id = opts.requestId(req);
    const q = url.indexOf('?');
    const query = q < 0 ? {} : (parseQuery(url.slice(q + 1)) as Record<string, unknown>);
    let binding: Binding | undefined = match.binding;
    let counted = false;
    const answer = (status: number, type: string, body: string, headers?: Record<string, string>) => {
      // @fastify/cors says Vary: Origin on every answer of the Fastify route; so does this one.
      res.writeHead(status, {
        ...headers,
        vary: 'Origin',
        'content-type': type,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return status;
    };
    // The line src/ops/access-log.ts writes for a Fastify request (its `req` serializer reads these fields).
    const accessLine = (log: Logger, status: number) =>
      log.info(
        {
          req: { id, method: 'POST', url, ip: req.socket.remoteAddress },
          res: { statusCode: status },
          responseTime: performance.now() - started,
        },
        'request completed',
      );
    const fail = (error: unknown): void => {
      const err = asTributaryError(error);
      const log = opts.log.child({ reqId: id });
      logProblem(log, err, error);
      const status = answer(
        err.status,
        PROBLEM_TYPE,
        JSON.stringify(toProblem(err, route)),
        problemHeaders(err),
      );
      metrics.countAnswer(binding, status, err.code, counted);
      if (config.accessLog !== 'off') accessLine(log, status);
    };
    let admitted: ReturnType<FrontDoor['admit']>;
    try {
      admitted = door.admit(webhookAdmitRequest(route, req.headers, query, id));
    } catch (err) {
      admitted = Promise.reject(err);
    }
    admitted.then(
      (admission) =>
        readBody(req, config.bodyLimit, (bodyErr, raw) => {
          if (bodyErr !== undefined) return fail(bodyErr);
          const receivedAt = new Date();
          counted = true;
          door
            .accept(admission, {
              kind: 'body',
              raw: raw ?? EMPTY,
              contentType: req.headers['content-type'],
              contentEncoding: req.headers['content-encoding'],
              url,
              receivedAt,
              deadline: receivedAt.getTime() + config.requestTimeoutMs,
            })
            .then((accepted) => {
              const status = answer(200, JSON_TYPE, JSON.stringify(webhookAnswer(accepted)));
              metrics.countAnswer(admission.match.binding, status, undefined, true);
              if (config.accessLog === 'all') accessLine(opts.log.child({ reqId: id }), status);
            }, fail)
            // No Fastify around this path to catch a throw while answering: log it, never an unhandled rejection.
            .catch((err: unknown) => opts.log.error({ err, reqId: id }, 'answering a webhook failed'));
        }),
      (err: unknown) => {
        // Counted by the door; the label names the binding at the path.
        counted = true;
        binding = door.router().match(route)?.binding;
        fail(err);
      },
    );
    return true;
  };
}

/**
 * The body as Fastify's raw parser reads it (fastify/lib/content-type-parser.js rawBody): refused past `limit`
 * as received, and a Content-Length the bytes do not match is a 400. A Content-Length over the limit never gets
 * here: the door refused it at admission (declaredBytes).
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  done: (err: TributaryError | undefined, body?: Buffer) => void,
): void {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) {
      off();
      return done(new TributaryError(ERRORS.DECODE_BODY_TOO_LARGE));
    }
    chunks.push(chunk);
  };
  const onEnd = (err?: Error) => {
    off();
    if (err != null) return done(new TributaryError(ERRORS.BAD_REQUEST, err.message, { cause: err }));
    if (!Number.isNaN(declared) && received !== declared) {
      return done(new TributaryError(ERRORS.BAD_REQUEST, 'Request body size did not match Content-Length'));
    }
    done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  };
  const off = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onEnd);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onEnd);
}

/**
 * Puts `take` in front of Fastify's own request listener, for the server and for fastify.inject() alike (tests
 * inject, and must exercise what production runs).
 */
export function installLeanWebhooks(
  fastify: FastifyInstance,
  take: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const server = fastify.server;
  const [fastifyHandler] = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  if (fastifyHandler === undefined) throw new Error('Fastify installed no request listener');
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    if (!take(req, res)) fastifyHandler(req, res);
  };
  server.removeListener('request', fastifyHandler);
  server.on('request', dispatch);
  const injectFastify = fastify.inject.bind(fastify);
  const injectLean = (options: Parameters<typeof inject>[1], callback?: Parameters<typeof inject>[2]) =>
    // Chained inject() (no options) keeps Fastify's own; it is not used for POSTs to bindings.
    options === undefined
      ? injectFastify()
      : inject(
          (req, res) =>
            fastify.ready((err) => {
              if (err) res.emit('error', err);
              else dispatch(req, res);
            }),
          options,
          callback as never,
        );
  (fastify as unknown as { inject: unknown }).inject = injectLean;
}
