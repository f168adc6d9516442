// WebSocket ingest: GET + Upgrade on a binding's path, subprotocol tributary.v1 (README "WebSocket protocol").
// Thin: the per-connection state machine lives in src/stream.
//
// @fastify/websocket rather than ws on the server's 'upgrade' event by hand: it runs the upgrade request through
// Fastify's router and hooks before upgrading, so a refused handshake gets the same problem+json 401/403/404 as a
// webhook, logged with its request id and with credentials redacted, and 503 while Fastify is closing; ws
// stays the one implementation of RFC 6455 (framing, maxPayload -> 1009, ping/pong).
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { checkOrigin } from '../src/auth/origins.js';
import { checkToken, presentedToken, queryWithoutToken } from '../src/auth/tokens.js';
import type { Config } from '../src/config.js';
import { checkQueryKeys } from '../src/document/meta.js';
import { ERRORS, TributaryError } from '../src/errors.js';
import type { Sink } from '../src/ingest/pipeline.js';
import { type BindingRouter, pathOf } from '../src/ingest/router.js';
import type { Capacity } from '../src/ops/capacity.js';
import type { StreamObserver } from '../src/ops/metrics.js';
import type { StreamHandshake } from '../src/stream/connection.js';
import { checkProtocols, offeredProtocols, selectProtocol } from '../src/stream/handshake.js';
import type { StreamRegistry } from '../src/stream/registry.js';
import { answerUnrouted } from './ingest.js';

export interface StreamRouteOptions {
  config: Config;
  router: () => BindingRouter;
  sink: Sink;
  capacity: Capacity;
  streams: StreamRegistry;
  /** Per-binding document counters (/metrics). */
  observer?: StreamObserver;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the handshake check for WebSocket upgrades to a binding. */
    streamHandshake: StreamHandshake | undefined;
  }
}

/**
 * Registers the WebSocket plugin on `app` itself (not in a child context): its hooks must see every upgrade
 * request, including those that end in a 404, so their sockets are destroyed after the answer.
 */
export async function registerStreams(app: FastifyInstance, opts: StreamRouteOptions): Promise<void> {
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: opts.config.wsMaxPayload,
      // Off: ws warns of "catastrophic memory fragmentation", and compression of attacker-influenced data next
      // to secrets is the CRIME/BREACH pattern (OWASP WebSocket cheat sheet).
      perMessageDeflate: false,
      // The registry tracks connections; ws's own set would be a second copy.
      clientTracking: false,
      handleProtocols: selectProtocol,
    },
    // A preClose hook, so every graceful path (fastify.close() from SIGTERM handling or tests) closes streams
    // with 1001 after their in-flight frames are answered, while the producer is still running.
    preClose: async () => {
      await opts.streams.shutdown();
    },
    // Socket errors (oversize message -> 1009, invalid UTF-8 -> 1007, resets): ws already closes with the right
    // code; terminating here would discard that close frame.
    errorHandler: (error, _socket, request) => {
      request.log.info({ code: (error as { code?: string }).code, message: error.message }, 'stream error');
    },
  });
  await app.register(streamRoutes, opts);
}

async function streamRoutes(app: FastifyInstance, opts: StreamRouteOptions): Promise<void> {
  const { config, streams } = opts;
  app.decorateRequest('streamHandshake', undefined);

  app.route({
    method: 'GET',
    url: '/*',
    // Before the upgrade: a refused client gets a real HTTP answer, not an open socket closed at once.
    onRequest: async (request) => {
      if (!request.ws) return;
      request.streamHandshake = authorizeHandshake(opts.router(), request);
    },
    // A plain GET (no Upgrade): 405 on a binding path, 404 elsewhere, exactly as for other methods.
    handler: (request, reply) => answerUnrouted(opts.router(), request, reply),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const handshake = request.streamHandshake!;
      try {
        openStream(socket, handshake, request);
      } catch (err) {
        request.log.error({ err }, 'could not open stream');
        socket.close(1011, 'internal error');
      }
    },
  });

  function openStream(socket: WebSocket, handshake: StreamHandshake, request: FastifyRequest): void {
    streams.open(socket, handshake, {
      sink: opts.sink,
      capacity: opts.capacity,
      limits: {
        maxDocuments: config.maxDocuments,
        maxDepth: config.maxJsonDepth,
        maxRecordBytes: config.maxRecordBytes,
        requestTimeoutMs: config.requestTimeoutMs,
        windowBytes: config.wsWindowBytes,
        windowDocuments: config.wsWindowDocuments,
      },
      logger: request.log.child({ binding: handshake.match.binding.name }),
      ...(opts.observer ? { observer: opts.observer } : {}),
    });
  }
}

/** 404 unknown path, 403 foreign Origin, 401/403 token, 400 without tributary.v1 among offered protocols. */
function authorizeHandshake(router: BindingRouter, request: FastifyRequest): StreamHandshake {
  const path = pathOf(request.url);
  const match = router.match(path);
  if (match === undefined) throw new TributaryError(ERRORS.ROUTE_NOT_FOUND, `no binding at ${path}`);
  const origin = request.headers.origin;
  checkOrigin(match.binding.allowedOrigins, origin);
  const offered = offeredProtocols(request.headers['sec-websocket-protocol']);
  const query = request.query as Record<string, unknown> | undefined;
  const token = presentedToken(request.headers.authorization, query, offered);
  checkToken(match.binding.tokens, token);
  checkProtocols(offered);
  checkQueryKeys(query);
  return { match, path, origin, token, headers: request.headers, query: queryWithoutToken(query) };
}
