// Every setting of `tributary serve`: its flag, its environment variable and its default, in one table.
// The README's configuration reference is checked against this table (test/config.test.ts).
import { DEFAULT_MAX_JSON_DEPTH } from './decode/json-bounds.js';

export interface Config {
  catalog: string | undefined;
  brokers: string[];
  host: string;
  port: number;
  logLevel: string;
  accessLog: 'all' | 'errors' | 'off';
  bodyLimit: number;
  decodedBodyLimit: number;
  maxDocuments: number;
  maxRecordBytes: number;
  requestTimeoutMs: number;
  lingerMs: number;
  batchMaxBytes: number;
  maxInFlightBatches: number;
  kafkaClientId: string;
  kafkaClient: KafkaClientKind;
  kafkaConnectTimeoutMs: number;
  topicPartitions: number;
  topicReplicationFactor: number;
  topicMinInsyncReplicas: number;
  createTopics: boolean | undefined;
  localKafkaDir: string;
  keepAliveTimeoutMs: number;
  maxInFlightDocuments: number;
  maxInFlightBytes: number;
  drainDelayMs: number;
  shutdownGraceMs: number;
  kafkaMetadataMaxAgeMs: number;
  headersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  trustProxy: string[];
  redisUrl: string | undefined;
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
  watchCatalog: boolean;
  publicUrl: string | undefined;
  dedupeMaxEntries: number;
  wsMaxPayload: number;
  wsWindowBytes: number;
  wsWindowDocuments: number;
  wsPingIntervalMs: number;
  wsMaxConnections: number;
  maxJsonDepth: number;
}

/** The library behind the producer (src/kafka/producer.ts, src/kafka/producer-platformatic.ts). */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientKind = (typeof KAFKA_CLIENTS)[number];

type Kind = 'string' | 'int' | 'bool' | 'list';

export interface Setting {
  key: keyof Config;
  flag: string;
  env: string;
  kind: Kind;
  default: Config[keyof Config];
  help: string;
  /** The only values a 'string' setting takes. */
  choices?: readonly string[];
}

const MiB = 1024 * 1024;

export const SETTINGS: readonly Setting[] = [
  {
    key: 'catalog',
    flag: 'catalog',
    env: 'TRIBUTARY_CATALOG',
    kind: 'string',
    default: undefined,
    help: 'Catalog file (YAML or JSON)',
  },
  {
    key: 'brokers',
    flag: 'brokers',
    env: 'TRIBUTARY_BROKERS',
    kind: 'list',
    default: [],
    help: 'Kafka bootstrap servers, comma separated; empty starts a local single-node Kafka',
  },
  {
    key: 'host',
    flag: 'host',
    env: 'TRIBUTARY_HOST',
    kind: 'string',
    default: '127.0.0.1',
    help: 'Listen address (the container image sets 0.0.0.0)',
  },
  { key: 'port', flag: 'port', env: 'TRIBUTARY_PORT', kind: 'int', default: 8080, help: 'Listen port' },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'TRIBUTARY_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    help: 'pino level: fatal, error, warn, info, debug, trace',
  },
  {
    key: 'accessLog',
    flag: 'access-log',
    env: 'TRIBUTARY_ACCESS_LOG',
    kind: 'string',
    default: 'errors',
    choices: ['all', 'errors', 'off'],
    help: 'One info line per request: every request, only answers >= 400, or none',
  },
  {
    key: 'bodyLimit',
    flag: 'body-limit',
    env: 'TRIBUTARY_BODY_LIMIT',
    kind: 'int',
    default: MiB,
    help: 'Largest request body in bytes, as sent (413 above)',
  },
  {
    key: 'decodedBodyLimit',
    flag: 'decoded-body-limit',
    env: 'TRIBUTARY_DECODED_BODY_LIMIT',
    kind: 'int',
    default: 8 * MiB,
    help: 'Largest body after Content-Encoding is undone (413 above)',
  },
  {
    key: 'maxDocuments',
    flag: 'max-documents',
    env: 'TRIBUTARY_MAX_DOCUMENTS',
    kind: 'int',
    default: 10000,
    help: 'Most documents in one request',
  },
  {
    key: 'maxRecordBytes',
    flag: 'max-record-bytes',
    env: 'TRIBUTARY_MAX_RECORD_BYTES',
    kind: 'int',
    default: 1000000,
    help: "Largest stamped document; keep below the topic's max.message.bytes",
  },
  {
    key: 'requestTimeoutMs',
    flag: 'request-timeout-ms',
    env: 'TRIBUTARY_REQUEST_TIMEOUT_MS',
    kind: 'int',
    default: 4000,
    help: 'Deadline for Kafka to acknowledge a request; 503 after it',
  },
  {
    key: 'lingerMs',
    flag: 'linger-ms',
    env: 'TRIBUTARY_LINGER_MS',
    kind: 'int',
    default: 2,
    help: 'How long a batch waits for more documents before it is produced',
  },
  {
    key: 'batchMaxBytes',
    flag: 'batch-max-bytes',
    env: 'TRIBUTARY_BATCH_MAX_BYTES',
    kind: 'int',
    default: 512 * 1024,
    help: 'A batch is produced when it holds this many bytes',
  },
  {
    key: 'maxInFlightBatches',
    flag: 'max-in-flight-batches',
    env: 'TRIBUTARY_MAX_IN_FLIGHT_BATCHES',
    kind: 'int',
    default: 5,
    help: 'Produce calls in flight at once',
  },
  {
    key: 'kafkaClientId',
    flag: 'kafka-client-id',
    env: 'TRIBUTARY_KAFKA_CLIENT_ID',
    kind: 'string',
    default: 'tributary',
    help: 'Kafka client.id',
  },
  {
    key: 'kafkaClient',
    flag: 'kafka-client',
    env: 'TRIBUTARY_KAFKA_CLIENT',
    kind: 'string',
    choices: KAFKA_CLIENTS,
    default: 'platformatic',
    help: 'Producer library: platformatic (@platformatic/kafka) or kafkajs (more CPU per document)',
  },
  {
    key: 'kafkaConnectTimeoutMs',
    flag: 'kafka-connect-timeout-ms',
    env: 'TRIBUTARY_KAFKA_CONNECT_TIMEOUT_MS',
    kind: 'int',
    default: 3000,
    help: 'TCP connect timeout per broker',
  },
  {
    key: 'topicPartitions',
    flag: 'topic-partitions',
    env: 'TRIBUTARY_TOPIC_PARTITIONS',
    kind: 'int',
    default: 3,
    help: 'Partitions of topics the gateway creates',
  },
  {
    key: 'topicReplicationFactor',
    flag: 'topic-replication-factor',
    env: 'TRIBUTARY_TOPIC_REPLICATION_FACTOR',
    kind: 'int',
    default: 3,
    help: 'Replication factor of created topics (capped at the broker count)',
  },
  {
    key: 'topicMinInsyncReplicas',
    flag: 'topic-min-insync-replicas',
    env: 'TRIBUTARY_TOPIC_MIN_INSYNC_REPLICAS',
    kind: 'int',
    default: 2,
    help: 'min.insync.replicas of created topics (capped at the replication factor)',
  },
  {
    key: 'createTopics',
    flag: 'create-topics',
    env: 'TRIBUTARY_CREATE_TOPICS',
    kind: 'bool',
    default: undefined,
    help: 'serve creates missing topics; default: yes with the local Kafka, no with configured brokers',
  },
  {
    key: 'localKafkaDir',
    flag: 'local-kafka-dir',
    env: 'TRIBUTARY_LOCAL_KAFKA_DIR',
    kind: 'string',
    default: '.tributary/kafka',
    help: 'Data folder of the local Kafka that serve starts when no brokers are set',
  },
  {
    key: 'keepAliveTimeoutMs',
    flag: 'keep-alive-timeout-ms',
    env: 'TRIBUTARY_KEEP_ALIVE_TIMEOUT_MS',
    kind: 'int',
    default: 72000,
    help: 'Idle keep-alive timeout; above the 60 s idle timeout of common load balancers',
  },
  {
    key: 'maxInFlightDocuments',
    flag: 'max-in-flight-documents',
    env: 'TRIBUTARY_MAX_IN_FLIGHT_DOCUMENTS',
    kind: 'int',
    default: 100000,
    help: 'Documents accepted but not yet acknowledged, across all requests and sockets; 503 above',
  },
  {
    key: 'maxInFlightBytes',
    flag: 'max-in-flight-bytes',
    env: 'TRIBUTARY_MAX_IN_FLIGHT_BYTES',
    kind: 'int',
    default: 256 * MiB,
    help: 'Bytes of documents accepted but not yet acknowledged; 503 above',
  },
  {
    key: 'drainDelayMs',
    flag: 'drain-delay-ms',
    env: 'TRIBUTARY_DRAIN_DELAY_MS',
    kind: 'int',
    default: 0,
    help: 'On SIGTERM, serve this long with /readyz failing so load balancers stop sending first',
  },
  {
    key: 'shutdownGraceMs',
    flag: 'shutdown-grace-ms',
    env: 'TRIBUTARY_SHUTDOWN_GRACE_MS',
    kind: 'int',
    default: 25000,
    help: 'Drain delay + draining + producer flush must end within this; exit 1 past it',
  },
  {
    key: 'kafkaMetadataMaxAgeMs',
    flag: 'kafka-metadata-max-age-ms',
    env: 'TRIBUTARY_KAFKA_METADATA_MAX_AGE_MS',
    kind: 'int',
    default: 15000,
    help: 'Ready only while a produce or metadata request to Kafka succeeded within this',
  },
  {
    key: 'headersTimeoutMs',
    flag: 'headers-timeout-ms',
    env: 'TRIBUTARY_HEADERS_TIMEOUT_MS',
    kind: 'int',
    default: 20000,
    help: 'Time to receive request headers (slowloris guard); at most the HTTP request timeout',
  },
  {
    key: 'httpRequestTimeoutMs',
    flag: 'http-request-timeout-ms',
    env: 'TRIBUTARY_HTTP_REQUEST_TIMEOUT_MS',
    kind: 'int',
    default: 30000,
    help: 'Time to receive a whole request, body included; 0 disables (only behind a proxy)',
  },
  {
    key: 'trustProxy',
    flag: 'trust-proxy',
    env: 'TRIBUTARY_TRUST_PROXY',
    kind: 'list',
    default: [],
    help: 'Proxy addresses/CIDRs whose X-Forwarded-* headers are believed; empty trusts none',
  },
  {
    key: 'publicUrl',
    flag: 'public-url',
    env: 'TRIBUTARY_PUBLIC_URL',
    kind: 'string',
    default: undefined,
    help: 'Base URL senders call (before the load balancer), for signatures over the URL (Twilio)',
  },
  {
    key: 'redisUrl',
    flag: 'redis-url',
    env: 'TRIBUTARY_REDIS_URL',
    kind: 'string',
    default: undefined,
    help: 'Redis shared by replicas (rate limits, duplicate suppression); unset: each process keeps its own',
  },
  {
    key: 'maxEventLoopDelayMs',
    flag: 'max-event-loop-delay-ms',
    env: 'TRIBUTARY_MAX_EVENT_LOOP_DELAY_MS',
    kind: 'int',
    default: 1000,
    help: 'Shed webhooks with 503 while the event loop lags more than this; 0 disables',
  },
  {
    key: 'maxHeapUsedBytes',
    flag: 'max-heap-used-bytes',
    env: 'TRIBUTARY_MAX_HEAP_USED_BYTES',
    kind: 'int',
    default: 0,
    help: 'Shed webhooks with 503 while the V8 heap holds more than this; 0 disables',
  },
  {
    key: 'watchCatalog',
    flag: 'watch-catalog',
    env: 'TRIBUTARY_WATCH_CATALOG',
    kind: 'bool',
    default: false,
    help: 'Reload the catalog when a file in its folder changes (SIGHUP always reloads)',
  },
  {
    key: 'dedupeMaxEntries',
    flag: 'dedupe-max-entries',
    env: 'TRIBUTARY_DEDUPE_MAX_ENTRIES',
    kind: 'int',
    default: 100000,
    help: 'Delivery ids the in-process store keeps (least recently used evicted first)',
  },
  {
    key: 'wsMaxPayload',
    flag: 'ws-max-payload',
    env: 'TRIBUTARY_WS_MAX_PAYLOAD',
    kind: 'int',
    default: MiB,
    help: 'Largest WebSocket message in bytes; a larger one closes the connection with 1009',
  },
  {
    key: 'wsWindowBytes',
    flag: 'ws-window-bytes',
    env: 'TRIBUTARY_WS_WINDOW_BYTES',
    kind: 'int',
    // Measured (bench/websocket-stream.mjs, one-document frames): 256 KiB, 1 MiB and 4 MiB stream equally fast;
    // 4 MiB holds ~30,000 tiny frames in flight, seconds of Kafka work close to the 4 s deadline.
    default: MiB,
    help: 'Unanswered bytes per WebSocket; at this bound the gateway stops reading that socket',
  },
  {
    key: 'wsWindowDocuments',
    flag: 'ws-window-documents',
    env: 'TRIBUTARY_WS_WINDOW_DOCUMENTS',
    kind: 'int',
    // Drains in well under the 4 s deadline even at the ~2,500 documents/s measured with Chromium hogging one of
    // 2 cores; and 2,000 documents per Kafka round trip of <= 50 ms is above the ~15,000/s one process produces.
    default: 2000,
    help: 'Unanswered documents per WebSocket; at this bound the gateway stops reading that socket',
  },
  {
    key: 'wsPingIntervalMs',
    flag: 'ws-ping-interval-ms',
    env: 'TRIBUTARY_WS_PING_INTERVAL_MS',
    kind: 'int',
    default: 25000,
    help: 'WebSocket ping interval; a peer that missed the last pong is dropped. Keep below LB idle timeouts',
  },
  {
    key: 'wsMaxConnections',
    flag: 'ws-max-connections',
    env: 'TRIBUTARY_WS_MAX_CONNECTIONS',
    kind: 'int',
    default: 10000,
    help: 'Open WebSocket connections; further ones are closed with 1013 (try again later)',
  },
  {
    key: 'maxJsonDepth',
    flag: 'max-json-depth',
    env: 'TRIBUTARY_MAX_JSON_DEPTH',
    kind: 'int',
    default: DEFAULT_MAX_JSON_DEPTH,
    help: 'Deepest nesting of arrays and objects in a document (400 above)',
  },
];

export class ConfigError extends Error {}

function parseValue(setting: Setting, raw: string, source: string): Config[keyof Config] {
  switch (setting.kind) {
    case 'string':
      if (setting.choices !== undefined && !setting.choices.includes(raw))
        throw new ConfigError(`${source}: expected one of ${setting.choices.join(', ')}, got '${raw}'`);
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${source}: expected true or false, got '${raw}'`);
    }
    case 'int': {
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < 0)
        throw new ConfigError(`${source}: expected a non-negative integer, got '${raw}'`);
      return n;
    }
  }
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(
  flags: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): Config {
  const config = {} as Record<keyof Config, Config[keyof Config]>;
  for (const setting of SETTINGS) {
    const flag = flags[setting.flag];
    const fromEnv = env[setting.env];
    if (flag !== undefined) {
      config[setting.key] = typeof flag === 'boolean' ? flag : parseValue(setting, flag, `--${setting.flag}`);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      config[setting.key] = parseValue(setting, fromEnv, setting.env);
    } else {
      config[setting.key] = setting.default;
    }
  }
  return config as unknown as Config;
}

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...resolveConfig({}, {}), ...overrides };
}
