// Webhook ingest: POST to a binding's path. Thin: the pipeline lives in src/ingest.
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkOrigin, corsDelegator } from '../src/auth/cors.js';
import { checkToken, presentedToken, queryWithoutToken } from '../src/auth/tokens.js';
import type { Config } from '../src/config.js';
import { decodeBody } from '../src/decode/body.js';
import { decodeForm } from '../src/decode/form.js';
import type { Document } from '../src/decode/json.js';
import { checkQueryKeys } from '../src/document/meta.js';
import { ERRORS, TributaryError } from '../src/errors.js';
import { type DeliveryClaim, type DeliveryLedger, deliveryIds } from '../src/ingest/duplicates.js';
import { isGithubPing, slackHandshakeAnswer } from '../src/ingest/handshakes.js';
import { prepareDocuments, type Sink, validateDocuments } from '../src/ingest/pipeline.js';
import { type BindingMatch, type BindingRouter, pathOf } from '../src/ingest/router.js';
import type { Capacity } from '../src/ops/capacity.js';
import { recordHeaders } from '../src/ops/trace.js';
import { sendProblem } from '../src/problem-reply.js';

export interface IngestRouteOptions {
  config: Config;
  /** Read on every request, so a reloaded catalog takes effect at once. */
  router: () => BindingRouter;
  sink: Sink;
  capacity: Capacity;
  /** Duplicate suppression for bindings with `resource.deduplicate`. */
  deliveries: DeliveryLedger;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the onRequest hook for POSTs to a binding. */
    ingestMatch: BindingMatch | undefined;
  }
}

const EMPTY = Buffer.alloc(0);

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

  // CORS first: its hook answers allowed preflights before the token check (a preflight carries no token).
  await app.register(cors, { delegator: corsDelegator((path) => opts.router().match(path)) });

  // Route and authenticate before the body is read: a stranger must not make us buffer a megabyte.
  app.decorateRequest('ingestMatch', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') {
      // A preflight from an allowed origin was answered above; one from any other origin is refused.
      const match = opts.router().match(pathOf(request.url));
      if (match !== undefined) checkOrigin(match.binding, request.headers.origin);
      return;
    }
    if (request.method !== 'POST') return;
    const match = opts.router().match(pathOf(request.url));
    if (match === undefined)
      throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, `no binding at ${pathOf(request.url)}`);
    checkOrigin(match.binding, request.headers.origin);
    checkToken(
      match.binding.tokens,
      presentedToken(request.headers.authorization, request.query as Record<string, unknown>),
    );
    // Before the body is read, on the query as parsed: copying it would turn the key into a prototype change.
    checkQueryKeys(request.query as object | undefined);
    request.ingestMatch = match;
  });

  app.post('/*', async (request: FastifyRequest, reply: FastifyReply) => {
    const receivedAt = new Date();
    const deadline = receivedAt.getTime() + config.requestTimeoutMs;
    const match = request.ingestMatch!;
    const { binding } = match;
    const raw = (request.body as Buffer | undefined) ?? EMPTY;
    request.bodyBytes = raw.length;
    // Signatures cover the bytes as sent: checked before anything decodes them.
    binding.signature?.verify({
      body: raw,
      headers: request.headers,
      url: request.url,
      publicUrl: config.publicUrl,
      now: receivedAt.getTime() / 1000,
    });
    if (isGithubPing(binding, request.headers)) {
      return reply.code(200).send({ published: 0, webhookIds: [], ping: true });
    }
    let docs = await decodeBody(
      raw,
      { contentType: request.headers['content-type'], contentEncoding: request.headers['content-encoding'] },
      limits,
      decodeForm,
    );
    request.documentCount = docs.length;
    const handshake = slackHandshakeAnswer(binding, docs);
    if (handshake !== undefined) return reply.code(200).send(handshake);
    validateDocuments(binding, docs);
    let claim: DeliveryClaim | undefined;
    let ids: Array<string | undefined> | undefined;
    if (binding.deduplicate !== undefined) {
      const policy = binding.deduplicate;
      claim = await opts.deliveries.claim(
        binding,
        policy,
        deliveryIds(policy, request.headers, docs),
        deadline,
        request.log,
      );
      const fresh = claim.duplicate.flatMap((dup, i) => (dup ? [] : [i]));
      if (fresh.length === 0) {
        await claim.settle(true);
        // 2xx: the sender must stop retrying; `duplicate` says nothing was produced this time.
        return reply
          .code(200)
          .send({ published: 0, webhookIds: [], duplicate: true, duplicates: docs.length });
      }
      ids = fresh.map((i) => claim!.ids[i]);
      docs = fresh.map((i) => docs[i]!);
    }
    let answer: { published: number; webhookIds: string[] };
    try {
      answer = await produceDocuments(request, match, docs, ids, receivedAt, deadline);
    } catch (err) {
      await claim?.settle(false);
      throw err;
    }
    // Recorded as delivered before the 2xx leaves: a sender retrying the moment it sees the answer must be told
    // "duplicate", not "in progress".
    await claim?.settle(true);
    if (claim !== undefined && answer.published < claim.ids.length) {
      return reply.code(200).send({ ...answer, duplicates: claim.ids.length - answer.published });
    }
    return reply.code(200).send(answer);
  });

  async function produceDocuments(
    request: FastifyRequest,
    match: BindingMatch,
    docs: Document[],
    ids: Array<string | undefined> | undefined,
    receivedAt: Date,
    deadline: number,
  ): Promise<{ published: number; webhookIds: string[] }> {
    const { binding } = match;
    const prepared = prepareDocuments(
      binding,
      docs,
      {
        receivedAt,
        headers: request.headers,
        query: queryWithoutToken(request.query as Record<string, unknown> | undefined),
        pathParams: match.pathParams,
      },
      config.maxRecordBytes,
      recordHeaders(request.id, request.headers),
    );
    request.acceptedBytes = prepared.bytes;
    // The sender's delivery id travels with each record, so consumers can deduplicate exactly.
    ids?.forEach((id, i) => {
      if (id !== undefined) prepared.records[i]!.headers['tributary-delivery-id'] = id;
    });
    if (!opts.capacity.tryAcquire(prepared.records.length, prepared.bytes)) {
      throw new TributaryError(ERRORS.OVERLOADED, 'too many documents in flight; retry shortly');
    }
    try {
      await sink.produce(prepared.records, deadline);
    } finally {
      opts.capacity.release(prepared.records.length, prepared.bytes);
    }
    return { published: prepared.records.length, webhookIds: prepared.webhookIds };
  }

  app.setNotFoundHandler((request, reply) => answerUnrouted(opts.router(), request, reply));
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
