// Wires routes and stages into a Fastify instance. No business logic here.

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ingestRoutes } from '../routes/ingest.js';
import { probeRoutes, type ReadinessCheck } from '../routes/probes.js';
import type { Catalog } from './catalog/model.js';
import type { Config } from './config.js';
import { type DeliveryStore, MemoryDeliveryStore } from './ingest/deliveries.js';
import { DeliveryLedger } from './ingest/duplicates.js';
import type { Sink } from './ingest/pipeline.js';
import { type BindingRouter, createRouter } from './ingest/router.js';
import { Capacity } from './ops/capacity.js';
import { sendProblem } from './problem-reply.js';

export interface AppDeps {
  config: Config;
  catalog: Catalog;
  sink: Sink;
  logger: Logger;
  checks?: ReadinessCheck[];
  /** Shared in-flight bound; one is made from the config when not given. */
  capacity?: Capacity;
  /** Where delivery ids are remembered (Redis for replicas); an in-process store when not given. */
  deliveries?: DeliveryStore;
}

export interface App {
  fastify: FastifyInstance;
  /** Swaps the served catalog at once; requests already routed finish with the old one. */
  setCatalog(catalog: Catalog): void;
  catalog(): Catalog;
  capacity: Capacity;
  deliveries: DeliveryLedger;
}

/** Twilio signs the public URL: a binding that needs it without TRIBUTARY_PUBLIC_URL cannot verify anything. */
export function checkPublicUrl(catalog: Catalog, config: Config): void {
  if (config.publicUrl !== undefined) return;
  const needing = catalog.bindings.filter((b) => b.signature?.needsPublicUrl);
  if (needing.length > 0) {
    const names = needing.map((b) => `${b.capture}/${b.name}`).join(', ');
    throw new Error(`TRIBUTARY_PUBLIC_URL (or the signature's publicUrl) is required by ${names}`);
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<App> {
  checkPublicUrl(deps.catalog, deps.config);
  let catalog = deps.catalog;
  let router: BindingRouter = createRouter(catalog);
  const capacity =
    deps.capacity ??
    new Capacity({ maxDocuments: deps.config.maxInFlightDocuments, maxBytes: deps.config.maxInFlightBytes });
  const deliveries = new DeliveryLedger(
    deps.deliveries ?? new MemoryDeliveryStore(deps.config.dedupeMaxEntries),
  );
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    keepAliveTimeout: deps.config.keepAliveTimeoutMs,
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
    deliveries,
  });
  return {
    fastify,
    setCatalog(next) {
      checkPublicUrl(next, deps.config);
      router = createRouter(next);
      catalog = next;
    },
    catalog: () => catalog,
    capacity,
    deliveries,
  };
}
