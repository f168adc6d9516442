// WebSocket ingest: GET + Upgrade on a binding's path, subprotocol tributary.v1 (README "WebSocket protocol").
// Fastify glue: the handshake is admitted by the front door (src/ingest/front-door.ts) before the upgrade, and
// each frame is accepted by it; the per-connection ordering, windows and liveness live in src/stream.
//
// @fastify/websocket rather than ws on the server's 'upgrade' event by hand: it runs the upgrade request through
// Fastify's router and hooks before upgrading, so a refused handshake gets the same problem+json 401/403/404 as a
// webhook, logged with its request id and with credentials redacted, and 503 while Fastify is closing; ws
// stays the one implementation of RFC 6455 (framing, maxPayload -> 1009, ping/pong).
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { presentedToken } from '../src/auth/tokens.js';
import type { Config } from '../src/config.js';
import type { Admission, FrontDoor } from '../src/ingest/front-door.js';
import { pathOf } from '../src/ingest/router.js';
import type { Capacity } from '../src/ops/capacity.js';
import { checkProtocols, offeredProtocols, selectProtocol } from '../src/stream/handshake.js';
import type { StreamRegistry } from '../src/stream/registry.js';
import { answerUnrouted } from './ingest.js';

export interface StreamRouteOptions {
  config: Config;
  door: FrontDoor;
  capacity: Capacity;
  streams: StreamRegistry;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the handshake's admission for WebSocket upgrades to a binding. */
    streamAdmission: Admission | undefined;
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
  const { config, streams, door } = opts;
  app.decorateRequest('streamAdmission', undefined);

  app.route({
    method: 'GET',
    url: '/*',
    // Before the upgrade: a refused client gets a real HTTP answer, not an open socket closed at once.
    // 404 unknown path, 403 foreign Origin or an option streams cannot honour, 401/403 token, 400 without
    // tributary.v1 among the offered protocols: the same admission, in the same order, as a webhook's.
    onRequest: async (request) => {
      if (!request.ws) return;
      const query = request.query as Record<string, unknown> | undefined;
      const offered = offeredProtocols(request.headers['sec-websocket-protocol']);
      const route = pathOf(request.url);
      try {
        request.streamAdmission = await door.admit({
          transport: 'websocket',
          route,
          origin: request.headers.origin,
          token: presentedToken(request.headers.authorization, query, offered),
          headers: request.headers,
          query,
          requestId: request.id,
        });
      } catch (err) {
        request.ingestCounted = true;
        request.ingestBinding = door.router().match(route)?.binding;
        throw err;
      }
      checkProtocols(offered);
    },
    // A plain GET (no Upgrade): 405 on a binding path, 404 elsewhere, exactly as for other methods.
    handler: (request, reply) => answerUnrouted(door.router(), request, reply),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const admission = request.streamAdmission!;
      try {
        openStream(socket, admission, request);
      } catch (err) {
        request.log.error({ err }, 'could not open stream');
        socket.close(1011, 'internal error');
      }
    },
  });

  function openStream(socket: WebSocket, admission: Admission, request: FastifyRequest): void {
    streams.open(socket, admission, {
      door,
      capacity: opts.capacity,
      window: { bytes: config.wsWindowBytes, documents: config.wsWindowDocuments },
      logger: request.log.child({ binding: admission.match.binding.name }),
    });
  }
}
