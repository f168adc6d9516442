// The Kafka-protocol listener (issue 15): a TCP (or TLS) server that standard Kafka producers write to, as the
// only broker of one topic per binding. Off unless --kafka-listen is set. Each connection is a KafkaConnection;
// this file owns the server, the connection limit, the topic table built from the served catalog, and the
// listener's own offsets.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/model.js';
import type { Config } from '../config.js';
import type { FrontDoor } from '../ingest/front-door.js';
import type { Capacity } from '../ops/capacity.js';
import { KafkaConnection } from './connection.js';
import type { ListenerContext, TopicTable } from './context.js';
import { tokenBook } from './sasl.js';
import { Sequences } from './sequences.js';

export interface KafkaListenerDeps {
  config: Config;
  catalog: () => Catalog;
  door: FrontDoor;
  capacity: Capacity;
  logger: Logger;
}

export interface KafkaListener {
  /** host:port as bound (the port is the real one when 0 was asked for). */
  address: { host: string; port: number };
  connections(): number;
  close(): Promise<void>;
}

/** `host:port`, `[v6]:port` or `:port`; throws a message naming the setting. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new Error(`--kafka-listen: expected host:port (port 0-65535), got '${value}'`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export async function startKafkaListener(deps: KafkaListenerDeps): Promise<KafkaListener> {
  const { config, logger } = deps;
  const { host, port } = parseListenAddress(config.kafkaListen!);
  let served: Catalog | undefined;
  let table: TopicTable = { bindings: new Map(), book: { digests: [], scram: [] } };
  const currentTable = (): TopicTable => {
    const catalog = deps.catalog();
    if (catalog !== served) {
      served = catalog;
      const bindings = new Map<string, (typeof catalog.bindings)[number]>();
      for (const binding of catalog.bindings) {
        if (binding.kafkaTopic !== undefined) bindings.set(binding.kafkaTopic, binding);
      }
      table = { bindings, book: tokenBook(catalog.bindings) };
    }
    return table;
  };
  const offsets = new Map<string, bigint>();
  const connections = new Set<KafkaConnection>();
  let nextId = 1;
  const ctx: ListenerContext = {
    door: deps.door,
    capacity: deps.capacity,
    sequences: new Sequences(),
    table: currentTable,
    broker: { nodeId: 0, host: '', port: 0 },
    partitions: config.kafkaListenPartitions,
    maxRequestBytes: config.kafkaListenMaxRequestBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    limits: {
      maxDocuments: config.maxDocuments,
      maxRecordBytes: config.maxRecordBytes,
      maxDepth: config.maxJsonDepth,
    },
    nextOffset(topic, partition, count) {
      const key = `${partition}\u0000${topic}`;
      const base = offsets.get(key) ?? 0n;
      offsets.set(key, base + BigInt(count));
      return base;
    },
    logger,
  };
  const onConnection = (socket: Socket) => {
    if (connections.size >= config.kafkaListenMaxConnections) {
      logger.warn({ connections: connections.size }, 'kafka listener at its connection limit; refusing one');
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection = new KafkaConnection(socket, `kafka-${nextId++}`, ctx);
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  };
  let server: Server;
  if (config.kafkaListenTlsCertFile !== undefined || config.kafkaListenTlsKeyFile !== undefined) {
    if (config.kafkaListenTlsCertFile === undefined || config.kafkaListenTlsKeyFile === undefined) {
      throw new Error('--kafka-listen-tls-cert-file and --kafka-listen-tls-key-file go together');
    }
    server = createTlsServer(
      { cert: readFileSync(config.kafkaListenTlsCertFile), key: readFileSync(config.kafkaListenTlsKeyFile) },
      onConnection,
    );
  } else server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
  ctx.broker = {
    nodeId: 0,
    host: config.kafkaListenAdvertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host),
    port: actualPort,
  };
  logger.info(
    {
      host,
      port: actualPort,
      advertised: `${ctx.broker.host}:${actualPort}`,
      tls: config.kafkaListenTlsCertFile !== undefined,
    },
    'kafka listener started',
  );
  return {
    address: { host, port: actualPort },
    connections: () => connections.size,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // In-flight produce requests are answered (they end within the request timeout), then connections end.
      const grace = setTimeout(() => {
        for (const c of connections) c.destroy();
      }, config.requestTimeoutMs + 1000);
      await Promise.all([...connections].map((c) => c.finish()));
      await closed;
      clearTimeout(grace);
    },
  };
}
