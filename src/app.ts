// Wires routes and stages into a Fastify instance. No business logic here.

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ingestRoutes } from '../routes/ingest.js';
import { installLeanWebhooks, leanWebhooks } from '../routes/ingest-http.js';
import { inspectorRoutes } from '../routes/inspector.js';
import { metricsRoutes } from '../routes/metrics.js';
import { openapiRoutes } from '../routes/openapi.js';
import { probeRoutes, type ReadinessCheck } from '../routes/probes.js';
import { registerStreams } from '../routes/websocket.js';
import type { Catalog } from './catalog/model.js';
import { checkPublicUrl } from './catalog/signatures.js';
import type { Config } from './config.js';
import { DeadLetterWriter } from './dead-letter/writer.js';
import { type DeliveryStore, MemoryDeliveryStore } from './ingest/deliveries.js';
import { DeliveryLedger } from './ingest/duplicates.js';
import { type DoorLimits, FrontDoor, type IngestObserver } from './ingest/front-door.js';
import type { Sink } from './ingest/pipeline.js';
import { type BindingRouter, createRouter } from './ingest/router.js';
import { AdminAccess, readAdminToken } from './inspector/access.js';
import { InspectorRecorder } from './inspector/recorder.js';
import { AccessLog } from './ops/access-log.js';
import { Capacity } from './ops/capacity.js';
import { type MetricSources, Metrics } from './ops/metrics.js';
import { type RateGate, registerOverloadGuards } from './ops/overload.js';
import { timeouts, trustProxyOption } from './ops/server-options.js';
import { installClosingHook, Lifecycle } from './ops/shutdown.js';
import { answerClientError, sendProblem } from './problem-reply.js';
import { StreamRegistry } from './stream/registry.js';

export interface AppDeps {
  config: Config;
  catalog: Catalog;
  sink: Sink;
  logger: Logger;
  checks?: ReadinessCheck[];
  /** Extra facts in the /readyz body that do not fail readiness (bindings Kafka's ACLs refuse). */
  readinessDetails?: () => Record<string, unknown>;
  /** Shared in-flight bound; one is made from the config when not given. */
  capacity?: Capacity;
  /** One is made when not given; the gateway passes its own so the batcher reports into it. */
  metrics?: Metrics;
  /** Extra metric sources (Kafka metadata age). */
  metricSources?: Omit<
    MetricSources,
    'inFlight' | 'ready' | 'draining' | 'bindings' | 'websocketConnections'
  >;
  /** Where delivery ids are remembered (Redis for replicas); an in-process store when not given. */
  deliveries?: DeliveryStore;
}

export interface App {
  fastify: FastifyInstance;
  /** Swaps the served catalog at once; requests already routed finish with the old one. */
  setCatalog(catalog: Catalog): void;
  catalog(): Catalog;
  capacity: Capacity;
  metrics: Metrics;
  /** serving -> draining (readiness fails) -> closing (new requests 503); see src/ops/shutdown.ts. */
  lifecycle: Lifecycle;
  deliveries: DeliveryLedger;
  /** Open WebSocket streams and their counters (connections, paused sockets, unanswered bytes). */
  streams: StreamRegistry;
  /** The one front door every transport admits and accepts through. */
  door: FrontDoor;
  /** Writes refusals after admission to the bindings' dead-letter topics. */
  deadLetters: DeadLetterWriter;
  /** What the inspector page shows; undefined when no admin token is configured (the page is off). */
  inspector: InspectorRecorder | undefined;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A sender's X-Request-Id is kept when it is short and plain, so it can be followed from the LB to Kafka. */
function requestIdOf(req: { headers: IncomingHttpHeaders }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(deps: AppDeps): Promise<App> {
  checkPublicUrl(deps.catalog.bindings, deps.config.publicUrl);
  let catalog = deps.catalog;
  let router: BindingRouter = createRouter(catalog);
  const capacity =
    deps.capacity ??
    new Capacity({ maxDocuments: deps.config.maxInFlightDocuments, maxBytes: deps.config.maxInFlightBytes });
  const lifecycle = new Lifecycle();
  const { headersTimeout, requestTimeout } = timeouts(deps.config);
  const deliveries = new DeliveryLedger(
    deps.deliveries ?? new MemoryDeliveryStore(deps.config.dedupeMaxEntries),
  );
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    keepAliveTimeout: deps.config.keepAliveTimeoutMs,
    clientErrorHandler: answerClientError,
    requestTimeout,
    // Node enforces headersTimeout/requestTimeout only when it sweeps its connections, every 30 s by default:
    // a slowloris client then holds its socket up to 30 s past the limit (issue 7's sockets test). 1 s is cheap.
    http: { connectionsCheckingInterval: 1000 },
    trustProxy: trustProxyOption(deps.config.trustProxy),
    // installClosingHook answers requests that arrive while closing, as problem+json (TRIB_SHUTTING_DOWN).
    return503OnClosing: false,
    genReqId: requestIdOf,
    routerOptions: { ignoreTrailingSlash: true },
    // One line per request instead of Fastify's two, or none: src/ops/access-log.ts.
    logController: new AccessLog(deps.config.accessLog),
  });
  fastify.server.headersTimeout = headersTimeout;
  fastify.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  const streams = new StreamRegistry(
    { pingIntervalMs: deps.config.wsPingIntervalMs, maxConnections: deps.config.wsMaxConnections },
    deps.logger,
  );
  const metrics = deps.metrics ?? new Metrics();
  // Registered below, after the WebSocket plugin: admissions before then cannot happen (nothing listens yet).
  let rateGate: RateGate | undefined;
  const deadLetters = new DeadLetterWriter({
    sink: deps.sink,
    count: (binding, outcome) =>
      metrics.deadLetters.inc({ capture: binding.capture, binding: binding.name, outcome }),
    log: deps.logger,
    timeoutMs: deps.config.requestTimeoutMs,
  });
  const observers: IngestObserver[] = [metrics.documentObserver, deadLetters];
  const admin = readAdminToken(deps.config.adminToken);
  if (admin !== undefined && 'problem' in admin) throw new Error(admin.problem);
  const inspector = admin === undefined ? undefined : new InspectorRecorder();
  if (inspector !== undefined) observers.push(inspector);
  const door = new FrontDoor({
    router: () => router,
    sink: deps.sink,
    capacity,
    deliveries,
    limits: doorLimits(deps.config),
    publicUrl: deps.config.publicUrl,
    rateGate: (binding) => rateGate?.(binding) ?? Promise.resolve(),
    observer: fanOut(observers),
    log: deps.logger,
  });
  // Before the webhook routes: the WebSocket plugin's hooks must apply to every route and 404.
  await registerStreams(fastify, { config: deps.config, door, capacity, streams });
  const checks: ReadinessCheck[] = [
    { name: 'catalog', ok: () => catalog.bindings.length > 0 },
    ...(deps.checks ?? []),
    { name: 'draining', ok: () => !lifecycle.draining() },
  ];
  metrics.watch({
    ...deps.metricSources,
    inFlight: () => capacity.inFlight(),
    ready: () => checks.every((c) => c.ok()),
    draining: () => lifecycle.draining(),
    bindings: () => catalog.bindings.length,
    websocketConnections: () => streams.stats().connections,
  });
  installClosingHook(fastify, lifecycle);
  metrics.observeRequests(
    fastify,
    (request) => request.ingestBinding !== undefined || isIngestRoute(request),
  );
  rateGate = await registerOverloadGuards(fastify, deps.config, deps.logger);
  await fastify.register(probeRoutes, {
    checks,
    ...(deps.readinessDetails ? { details: deps.readinessDetails } : {}),
  });
  await fastify.register(metricsRoutes, { metrics });
  await fastify.register(openapiRoutes, { catalog: () => catalog });
  if (admin !== undefined && inspector !== undefined) {
    await fastify.register(inspectorRoutes, { access: new AdminAccess(admin.token), recorder: inspector });
  }
  await fastify.register(ingestRoutes, { config: deps.config, door });
  // POSTs to bindings skip Fastify's per-request path (issue 17); which ones: leanServes in routes/ingest-http.ts.
  if (deps.config.leanWebhooks) {
    installLeanWebhooks(
      fastify,
      leanWebhooks({
        config: deps.config,
        door,
        metrics,
        lifecycle,
        log: deps.logger,
        requestId: requestIdOf,
        underPressure: () => fastify.isUnderPressure(),
      }),
    );
  }
  return {
    fastify,
    setCatalog(next) {
      checkPublicUrl(next.bindings, deps.config.publicUrl);
      router = createRouter(next);
      catalog = next;
      streams.revalidate();
    },
    catalog: () => catalog,
    capacity,
    metrics,
    lifecycle,
    deliveries,
    streams,
    door,
    deadLetters,
    inspector,
  };
}

/** One observer that tells each of `observers` in turn (metrics first: the others read no counter). */
function fanOut(observers: readonly IngestObserver[]): IngestObserver {
  return {
    refused: (refusal) => {
      for (const o of observers) o.refused(refusal);
    },
    settled: (settlement) => {
      for (const o of observers) o.settled(settlement);
    },
  };
}

/** The catch-all binding route or the not-found handler: answers of the ingest front door. */
function isIngestRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return url === undefined || url === '/*';
}

/** The front door's bounds from the settings: one mapping for serve and replay. */
export function doorLimits(config: Config): DoorLimits {
  return {
    bodyLimit: config.bodyLimit,
    maxDecodedBytes: config.decodedBodyLimit,
    maxDocuments: config.maxDocuments,
    maxDepth: config.maxJsonDepth,
    maxRecordBytes: config.maxRecordBytes,
    requestTimeoutMs: config.requestTimeoutMs,
  };
}
