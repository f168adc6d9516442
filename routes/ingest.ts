// Webhook ingest: POST to a binding's path. Fastify glue over the front door (src/ingest/front-door.ts): the
// onRequest hook admits (before the body is read), the handler accepts the raw body and turns the answer into
// JSON. Nothing of the pipeline lives here.

import type { IncomingHttpHeaders } from 'node:http';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkOrigin } from '../src/auth/origins.js';
import { presentedToken } from '../src/auth/tokens.js';
import type { Config } from '../src/config.js';
import { ERRORS, TributaryError } from '../src/errors.js';
import type { Accepted, Admission, AdmitRequest, FrontDoor } from '../src/ingest/front-door.js';
import { type BindingRouter, pathOf } from '../src/ingest/router.js';
import { sendProblem } from '../src/problem-reply.js';
import { corsDelegator } from './cors.js';

export interface IngestRouteOptions {
  config: Config;
  door: FrontDoor;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the onRequest hook once the front door admitted a POST to a binding. */
    ingestAdmission: Admission | undefined;
  }
}

const EMPTY = Buffer.alloc(0);
const CONTINUE = Symbol('tributary.continue');

export async function ingestRoutes(app: FastifyInstance, opts: IngestRouteOptions): Promise<void> {
  const { config, door } = opts;

  // Keep the raw bytes: signatures are computed over them, and decoding needs Content-Encoding first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.bodyLimit }, (_req, body, done) =>
    done(null, body),
  );

  // CORS first: its hook answers allowed preflights before the token check (a preflight carries no token).
  await app.register(cors, { delegator: corsDelegator((path) => door.router().match(path)) });

  answerContinueAfterAdmission(app);

  app.decorateRequest('ingestAdmission', undefined);
  // Callback style (issue 17): a GET or probe passes with one comparison, and a POST costs the door's promise only.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'OPTIONS') {
      // A preflight from an allowed origin was answered above; one from any other origin is refused.
      const match = door.router().match(pathOf(request.url));
      try {
        if (match !== undefined) checkOrigin(match.binding.allowedOrigins, request.headers.origin);
      } catch (err) {
        return done(err as Error);
      }
      return done();
    }
    if (request.method !== 'POST') return done();
    const route = pathOf(request.url);
    let admitted: Promise<Admission>;
    try {
      admitted = door.admit(
        webhookAdmitRequest(route, request.headers, request.query as WebhookQuery, request.id),
      );
    } catch (err) {
      admitted = Promise.reject(err);
    }
    admitted.then(
      (admission) => {
        request.ingestAdmission = admission;
        request.ingestBinding = admission.match.binding;
        done();
      },
      (err: Error) => {
        // Counted by the door; the label names the binding at the path, when there is one.
        request.ingestCounted = true;
        request.ingestBinding = door.router().match(route)?.binding;
        done(err);
      },
    );
  });

  app.post('/*', async (request: FastifyRequest, reply: FastifyReply) => {
    const admission = request.ingestAdmission!;
    const receivedAt = new Date();
    request.ingestCounted = true;
    const accepted = await door.accept(admission, {
      kind: 'body',
      raw: (request.body as Buffer | undefined) ?? EMPTY,
      contentType: request.headers['content-type'],
      contentEncoding: request.headers['content-encoding'],
      url: request.url,
      receivedAt,
      deadline: receivedAt.getTime() + config.requestTimeoutMs,
    });
    return reply.code(200).send(webhookAnswer(accepted));
  });

  app.setNotFoundHandler((request, reply) => answerUnrouted(door.router(), request, reply));
}

type WebhookQuery = Record<string, unknown> | undefined;

/** What a webhook POST presents to the door, for the Fastify route and the lean path (routes/ingest-http.ts). */
export function webhookAdmitRequest(
  route: string,
  headers: IncomingHttpHeaders,
  query: WebhookQuery,
  requestId: string,
): AdmitRequest {
  const length = headers['content-length'];
  return {
    transport: 'webhook',
    route,
    origin: headers.origin,
    token: presentedToken(headers.authorization, query),
    headers,
    query,
    declaredBytes: length === undefined ? undefined : Number(length),
    requestId,
  };
}

/** The JSON of a 200: what was produced, and what was not (a duplicate, a sender's handshake). */
export function webhookAnswer(accepted: Accepted): object {
  if (accepted.handshake !== undefined) return accepted.handshake;
  const { published, webhookIds, duplicates } = accepted;
  // 2xx: the sender must stop retrying; `duplicate` says nothing was produced this time.
  if (duplicates > 0 && published === 0) return { published, webhookIds, duplicate: true, duplicates };
  if (duplicates > 0) return { published, webhookIds, duplicates };
  return { published, webhookIds };
}

/**
 * `Expect: 100-continue` (RFC 9110 §10.1.1): Node answers `100 Continue` itself unless the server listens for
 * 'checkContinue', which would invite a stranger's 2 MB upload before the token is looked at. So the request is
 * handed to Fastify without it, and `100 Continue` goes out only when the body is about to be read (preParsing
 * runs after admission). A refused one is answered at once and its connection closed: the client never sends
 * the body, so the bytes that follow on the socket could not be parsed as the next request.
 */
function answerContinueAfterAdmission(app: FastifyInstance): void {
  const server = app.server;
  if (server.listenerCount('checkContinue') === 0) {
    server.on('checkContinue', (req, res) => {
      (req as unknown as Record<symbol, boolean>)[CONTINUE] = false;
      // Whatever the answer, this connection ends with it: a refused client never sends the body.
      res.setHeader('connection', 'close');
      server.emit('request', req, res);
    });
  }
  // Callback style, not async: this runs for every POST, and most never asked for 100 Continue.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const raw = request.raw as unknown as Record<symbol, boolean>;
    if (raw[CONTINUE] === false) {
      raw[CONTINUE] = true;
      reply.raw.writeContinue();
    }
    done(null, payload);
  });
}

/** 405 with Allow on a binding path (POST, or GET with Upgrade: websocket), 404 elsewhere. */
export function answerUnrouted(
  router: BindingRouter,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const known = router.match(pathOf(request.url)) !== undefined;
  if (known) {
    reply.header('allow', 'POST, GET');
    return sendProblem(
      request,
      reply,
      new TributaryError(
        ERRORS.ROUTE_METHOD_NOT_ALLOWED,
        `${request.method} is not allowed; use POST, or GET with Upgrade: websocket`,
      ),
    );
  }
  return sendProblem(
    request,
    reply,
    new TributaryError(ERRORS.ROUTE_NOT_FOUND, `no binding at ${pathOf(request.url)}`),
  );
}
