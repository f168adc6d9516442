// Webhook ingest: POST to a binding's path. Thin: the pipeline lives in src/ingest.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkToken, presentedToken } from '../src/auth/tokens.js';
import type { Config } from '../src/config.js';
import { decodeBody } from '../src/decode/body.js';
import { ERRORS, TributaryError } from '../src/errors.js';
import { prepareDocuments, type Sink, validateDocuments } from '../src/ingest/pipeline.js';
import type { BindingMatch, BindingRouter } from '../src/ingest/router.js';
import type { Capacity } from '../src/ops/capacity.js';
import { sendProblem } from '../src/problem-reply.js';

export interface IngestRouteOptions {
  config: Config;
  /** Read on every request, so a reloaded catalog takes effect at once. */
  router: () => BindingRouter;
  sink: Sink;
  capacity: Capacity;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the onRequest hook for POSTs to a binding. */
    ingestMatch: BindingMatch | undefined;
  }
}

const EMPTY = Buffer.alloc(0);

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export async function ingestRoutes(app: FastifyInstance, opts: IngestRouteOptions): Promise<void> {
  const { config, sink } = opts;
  const limits = {
    maxDecodedBytes: config.decodedBodyLimit,
    maxDocuments: config.maxDocuments,
    maxDepth: config.maxJsonDepth,
  };

  // Keep the raw bytes: signatures are computed over them, and decoding needs Content-Encoding first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.bodyLimit }, (_req, body, done) =>
    done(null, body),
  );

  // Route and authenticate before the body is read: a stranger must not make us buffer a megabyte.
  app.decorateRequest('ingestMatch', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return;
    const match = opts.router().match(pathOf(request.url));
    if (match === undefined)
      throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, `no binding at ${pathOf(request.url)}`);
    checkToken(
      match.binding.tokens,
      presentedToken(request.headers.authorization, request.query as Record<string, unknown>),
    );
    request.ingestMatch = match;
  });

  app.post('/*', async (request: FastifyRequest, reply: FastifyReply) => {
    const receivedAt = new Date();
    const deadline = receivedAt.getTime() + config.requestTimeoutMs;
    const match = request.ingestMatch!;
    const { binding } = match;
    const raw = (request.body as Buffer | undefined) ?? EMPTY;
    const docs = await decodeBody(
      raw,
      { contentType: request.headers['content-type'], contentEncoding: request.headers['content-encoding'] },
      limits,
    );
    validateDocuments(binding, docs);
    const prepared = prepareDocuments(
      binding,
      docs,
      {
        receivedAt,
        headers: request.headers,
        query: request.query as Record<string, string | string[]> | undefined,
        pathParams: match.pathParams,
      },
      config.maxRecordBytes,
    );
    if (!opts.capacity.tryAcquire(prepared.records.length, prepared.bytes)) {
      throw new TributaryError(ERRORS.OVERLOADED, 'too many documents in flight; retry shortly');
    }
    try {
      await sink.produce(prepared.records, deadline);
    } finally {
      opts.capacity.release(prepared.records.length, prepared.bytes);
    }
    return reply.code(200).send({ published: prepared.records.length, webhookIds: prepared.webhookIds });
  });

  app.setNotFoundHandler((request, reply) => {
    const known = opts.router().match(pathOf(request.url)) !== undefined;
    if (known) {
      reply.header('allow', 'POST');
      return sendProblem(
        request,
        reply,
        new TributaryError(ERRORS.ROUTE_METHOD_NOT_ALLOWED, `${request.method} is not allowed; use POST`),
      );
    }
    return sendProblem(
      request,
      reply,
      new TributaryError(ERRORS.ROUTE_NOT_FOUND, `no binding at ${pathOf(request.url)}`),
    );
  });
}
