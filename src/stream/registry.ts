// Every open stream of the gateway: one ping timer for all of them, load shedding for new ones, shutdown (close
// 1001 after in-flight frames are answered) and the counters an operator (or /metrics) reads.
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { ERRORS, TributaryError } from '../errors.js';
import type { Admission } from '../ingest/front-door.js';
import { StreamConnection, type StreamCounters, type StreamDeps } from './connection.js';

export interface StreamRegistryOptions {
  /** ~25 s: under the 60 s idle timeout of ALB, nginx and ingress-nginx, and not equal to it (races). */
  pingIntervalMs: number;
  maxConnections: number;
}

export interface StreamStats {
  connections: number;
  pausedSockets: number;
  /** Bytes of frames received and not yet answered, across connections. */
  unackedBytes: number;
  /** Bytes of answers handed to sockets that the peers have not taken yet. */
  unflushedBytes: number;
  /** Connections closed at once with 1013 (over capacity or the connection limit) since start. */
  shed: number;
  /** Totals of connections still open. */
  frames: number;
  documents: number;
}

export class StreamRegistry {
  private readonly connections = new Set<StreamConnection>();
  private timer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private shed = 0;

  constructor(
    private readonly opts: StreamRegistryOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Takes over an upgraded socket. Listeners are attached synchronously, before any await: ws emits messages
   * right after the upgrade and would drop them otherwise (@fastify/websocket README).
   */
  open(socket: WebSocket, admission: Admission, deps: StreamDeps): StreamConnection | undefined {
    if (this.shuttingDown) {
      socket.close(1001, 'server shutting down');
      return undefined;
    }
    if (this.connections.size >= this.opts.maxConnections || deps.capacity.saturated()) {
      this.shed++;
      deps.logger.warn({ connections: this.connections.size }, 'shedding a new stream: at capacity');
      socket.close(1013, 'overloaded; try again later');
      return undefined;
    }
    const connection = new StreamConnection(socket, admission, deps);
    this.connections.add(connection);
    socket.on('message', (data: RawData, binary: boolean) => {
      try {
        connection.receive(toBuffer(data), binary);
      } catch (err) {
        connection.crash(err);
      }
    });
    socket.on('pong', () => connection.pong());
    socket.on('close', (code: number) => {
      this.connections.delete(connection);
      connection.closed(code);
    });
    this.startTimer();
    deps.logger.info({ path: admission.route }, 'stream opened');
    return connection;
  }

  stats(): StreamStats {
    const stats: StreamStats = {
      connections: this.connections.size,
      pausedSockets: 0,
      unackedBytes: 0,
      unflushedBytes: 0,
      shed: this.shed,
      frames: 0,
      documents: 0,
    };
    for (const c of this.connections) {
      if (c.flow.isPaused) stats.pausedSockets++;
      stats.unackedBytes += c.flow.unacked;
      stats.unflushedBytes += c.flow.unflushed;
      stats.frames += c.counters.frames;
      stats.documents += c.counters.documents;
    }
    return stats;
  }

  /** Open connections, for tests and diagnostics. */
  list(): StreamConnection[] {
    return [...this.connections];
  }

  /** A new catalog is served: each stream follows its path's binding, or closes 1008 if it lost access. */
  revalidate(): void {
    for (const c of this.connections) c.revalidate();
  }

  /** Refuses new streams, answers every in-flight frame, then closes each stream with 1001. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.stopTimer();
    const count = this.connections.size;
    if (count === 0) return;
    this.logger.info({ connections: count }, 'closing streams: answering in-flight frames first');
    const late = new TributaryError(ERRORS.SHUTTING_DOWN, 'the gateway is shutting down; send again');
    await Promise.all([...this.connections].map((c) => c.finish(1001, 'server shutting down', late)));
  }

  private startTimer(): void {
    if (this.timer !== undefined || this.opts.pingIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      for (const c of this.connections) c.heartbeat();
      if (this.connections.size === 0) this.stopTimer();
    }, this.opts.pingIntervalMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export type { StreamCounters };

/** ws hands Buffers with the default binaryType ('nodebuffer'); the other shapes only if someone changes it. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
