// Wires routes and stages into a Fastify instance. No business logic here.

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ingestRoutes } from '../routes/ingest.js';
import { probeRoutes, type ReadinessCheck } from '../routes/probes.js';
import type { Catalog } from './catalog/model.js';
import type { Config } from './config.js';
import type { Sink } from './ingest/pipeline.js';
import { type BindingRouter, createRouter } from './ingest/router.js';
import { Capacity } from './ops/capacity.js';
import { answerClientError, sendProblem } from './problem-reply.js';

export interface AppDeps {
  config: Config;
  catalog: Catalog;
  sink: Sink;
  logger: Logger;
  checks?: ReadinessCheck[];
  /** Shared in-flight bound; one is made from the config when not given. */
  capacity?: Capacity;
}

export interface App {
  fastify: FastifyInstance;
  /** Swaps the served catalog at once; requests already routed finish with the old one. */
  setCatalog(catalog: Catalog): void;
  catalog(): Catalog;
  capacity: Capacity;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<App> {
  let catalog = deps.catalog;
  let router: BindingRouter = createRouter(catalog);
  const capacity =
    deps.capacity ??
    new Capacity({ maxDocuments: deps.config.maxInFlightDocuments, maxBytes: deps.config.maxInFlightBytes });
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    keepAliveTimeout: deps.config.keepAliveTimeoutMs,
    clientErrorHandler: answerClientError,
    return503OnClosing: true,
    // A sender's X-Request-Id is kept when it is short and plain, so it can be followed from the LB to Kafka.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  fastify.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  await fastify.register(probeRoutes, {
    checks: [{ name: 'catalog', ok: () => catalog.bindings.length > 0 }, ...(deps.checks ?? [])],
  });
  await fastify.register(ingestRoutes, {
    config: deps.config,
    sink: deps.sink,
    capacity,
    router: () => router,
  });
  return {
    fastify,
    setCatalog(next) {
      router = createRouter(next);
      catalog = next;
    },
    catalog: () => catalog,
    capacity,
  };
}
