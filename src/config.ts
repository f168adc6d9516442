// Every setting of `tributary serve`, once: its key names the flag (kebab-case) and the environment variable
// (TRIBUTARY_ + the flag in upper snake case); its default names its type, and `Config` is derived from this table.
// The README's configuration reference is checked against it (test/config.test.ts).
import { DEFAULT_MAX_JSON_DEPTH } from './decode/json-bounds.js';

/** The library behind the producer (src/kafka/producer-kafkajs.ts, src/kafka/producer-platformatic.ts). */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientKind = (typeof KAFKA_CLIENTS)[number];

export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

type Kind = 'string' | 'int' | 'bool' | 'list' | 'secret';

/**
 * Where a secret setting's value is: in its environment variable, or in a file named by its `-file` flag or `_FILE`
 * variable (Kubernetes and Docker secrets). Never on the command line, where every local user sees it in `ps`.
 * Read with the catalog's resolver (src/auth/secrets.ts), so problems read alike.
 */
export type SecretSource = { env: string } | { file: string };

/** How one setting is read; `T` is its type in `Config`. */
interface SettingSpec<T> {
  kind: Kind;
  default: T;
  help: string;
  /** The only values a 'string' setting takes. */
  choices?: readonly string[];
}

const int = (value: number, help: string): SettingSpec<number> => ({ kind: 'int', default: value, help });
const text = (value: string, help: string): SettingSpec<string> => ({ kind: 'string', default: value, help });
const optionalText = (help: string): SettingSpec<string | undefined> => ({
  kind: 'string',
  default: undefined,
  help,
});
const list = (help: string): SettingSpec<string[]> => ({ kind: 'list', default: [], help });
const bool = <D extends boolean | undefined>(value: D, help: string): SettingSpec<boolean | D> => ({
  kind: 'bool',
  default: value,
  help,
});
const secret = (help: string): SettingSpec<SecretSource | undefined> => ({
  kind: 'secret',
  default: undefined,
  help,
});
const optionalChoice = <const C extends readonly string[]>(
  choices: C,
  help: string,
): SettingSpec<C[number] | undefined> => ({ kind: 'string', default: undefined, help, choices });
const choice = <const C extends readonly string[]>(
  choices: C,
  value: C[number],
  help: string,
): SettingSpec<C[number]> => ({ kind: 'string', default: value, help, choices });

const MiB = 1024 * 1024;

const SPECS = {
  catalog: optionalText('Catalog file (YAML or JSON)'),
  brokers: list('Kafka bootstrap servers, comma separated; empty starts a local single-node Kafka'),
  host: text('127.0.0.1', 'Listen address (the container image sets 0.0.0.0)'),
  port: int(8080, 'Listen port'),
  logLevel: text('info', 'pino level: fatal, error, warn, info, debug, trace'),
  accessLog: choice(
    ['all', 'errors', 'off'],
    'errors',
    'One info line per request: every request, only answers >= 400, or none',
  ),
  leanWebhooks: bool(
    true,
    'Answer POSTs to bindings without Fastify per-request hooks (routes/ingest-http.ts); false for A/B runs',
  ),
  bodyLimit: int(MiB, 'Largest request body in bytes, as sent (413 above)'),
  decodedBodyLimit: int(8 * MiB, 'Largest body after Content-Encoding is undone (413 above)'),
  maxDocuments: int(10000, 'Most documents in one request'),
  maxRecordBytes: int(1000000, "Largest stamped document; keep below the topic's max.message.bytes"),
  requestTimeoutMs: int(4000, 'Deadline for Kafka to acknowledge a request; 503 after it'),
  lingerMs: int(2, 'How long a batch waits for more documents before it is produced'),
  batchMaxBytes: int(512 * 1024, 'A batch is produced when it holds this many bytes'),
  maxInFlightBatches: int(5, 'Produce calls in flight at once'),
  kafkaClientId: text('tributary', 'Kafka client.id'),
  kafkaClient: choice(
    KAFKA_CLIENTS,
    'platformatic',
    'Producer library: platformatic (@platformatic/kafka) or kafkajs (more CPU per document)',
  ),
  kafkaConnectTimeoutMs: int(3000, 'TCP connect timeout per broker'),
  kafkaIdempotent: bool(
    undefined,
    'Idempotent producer: retries keep the producer id and sequence numbers, so a failover writes no duplicates; default: on with platformatic (kafkajs cannot, see docs/reliability.md)',
  ),
  // Measured (bench "compression", docs/benchmarks.md): lz4 stored 30% of the bytes of none per document for
  // ~20% more gateway CPU; zstd 19% for ~35% more, gzip 24% for ~125% more.
  kafkaCompression: choice(
    KAFKA_COMPRESSIONS,
    'lz4',
    'Compression of produced record batches: none, gzip, snappy, lz4 or zstd',
  ),
  // Connection security (src/kafka/connection.ts turns these into each client's options).
  kafkaTls: bool(
    undefined,
    'Connect to Kafka over TLS; default: on when a SASL mechanism or any other kafka-tls setting is set',
  ),
  kafkaTlsCaFile: optionalText(
    "PEM bundle of the CAs that sign the brokers' certificates; unset: system CAs",
  ),
  kafkaTlsServerName: optionalText(
    "Name expected in the brokers' certificates (and sent as SNI); unset: each broker's host",
  ),
  kafkaTlsCertFile: optionalText('Client certificate (PEM, chain allowed) for mutual TLS'),
  kafkaTlsKeyFile: optionalText('Private key (PEM) of the client certificate'),
  kafkaTlsKeyPassphrase: secret('Passphrase of an encrypted client key'),
  kafkaSaslMechanism: optionalChoice(
    SASL_MECHANISMS,
    'SASL mechanism: plain, scram-sha-256, scram-sha-512 or oauthbearer; unset: no SASL',
  ),
  kafkaSaslUsername: optionalText('SASL PLAIN/SCRAM user name (Confluent Cloud: the API key)'),
  kafkaSaslPassword: secret('SASL PLAIN/SCRAM password (Confluent Cloud: the API secret)'),
  kafkaOauthTokenUrl: optionalText(
    'OAUTHBEARER: OIDC token endpoint (client-credentials grant); https, or http on loopback',
  ),
  kafkaOauthClientId: optionalText('OAUTHBEARER: client id'),
  kafkaOauthClientSecret: secret('OAUTHBEARER: client secret'),
  kafkaOauthScope: optionalText('OAUTHBEARER: scope requested with the token (space separated); unset: none'),
  topicPartitions: int(3, 'Partitions of topics the gateway creates'),
  topicReplicationFactor: int(3, 'Replication factor of created topics (capped at the broker count)'),
  topicMinInsyncReplicas: int(2, 'min.insync.replicas of created topics (capped at the replication factor)'),
  createTopics: bool(
    undefined,
    'serve creates missing topics; default: yes with the local Kafka, no with configured brokers',
  ),
  localKafkaDir: text(
    '.tributary/kafka',
    'Data folder of the local Kafka that serve starts when no brokers are set',
  ),
  localKafkaPort: int(
    0,
    'Listener port of that local Kafka (pin it to read topics back with a fixed address); 0 picks a free port',
  ),
  keepAliveTimeoutMs: int(
    72000,
    'Idle keep-alive timeout; above the 60 s idle timeout of common load balancers',
  ),
  maxInFlightDocuments: int(
    100000,
    'Documents accepted but not yet acknowledged, across all requests and sockets; 503 above',
  ),
  maxInFlightBytes: int(256 * MiB, 'Bytes of documents accepted but not yet acknowledged; 503 above'),
  // 5 s: HAProxy as docs/operations.md configures it (inter 1s fall 2) takes a process out within ~3 s, and
  // Kubernetes endpoint removal takes a few seconds. With 0 the rolling-restart drill failed 13 of 6,279
  // requests behind HAProxy; with 2,000 ms none of 14,531 (issue 12).
  drainDelayMs: int(
    5000,
    'On SIGTERM, serve this long with /readyz failing so load balancers stop sending first (0: close at once)',
  ),
  shutdownGraceMs: int(25000, 'Drain delay + draining + producer flush must end within this; exit 1 past it'),
  kafkaMetadataMaxAgeMs: int(
    15000,
    'Ready only while a produce or metadata request to Kafka succeeded within this',
  ),
  headersTimeoutMs: int(
    20000,
    'Time to receive request headers (slowloris guard); at most the HTTP request timeout',
  ),
  httpRequestTimeoutMs: int(
    30000,
    'Time to receive a whole request, body included; 0 disables (only behind a proxy)',
  ),
  trustProxy: list('Proxy addresses/CIDRs whose X-Forwarded-* headers are believed; empty trusts none'),
  publicUrl: optionalText(
    'Base URL senders call (before the load balancer), for signatures over the URL (Twilio)',
  ),
  redisUrl: optionalText(
    'Redis shared by replicas (rate limits, duplicate suppression); unset: each process keeps its own',
  ),
  maxEventLoopDelayMs: int(
    1000,
    'Shed webhooks with 503 while the event loop lags more than this; 0 disables',
  ),
  maxHeapUsedBytes: int(0, 'Shed webhooks with 503 while the V8 heap holds more than this; 0 disables'),
  watchCatalog: bool(false, 'Reload the catalog when a file in its folder changes (SIGHUP always reloads)'),
  dedupeMaxEntries: int(
    100000,
    'Delivery ids the in-process store keeps (least recently used evicted first)',
  ),
  wsMaxPayload: int(MiB, 'Largest WebSocket message in bytes; a larger one closes the connection with 1009'),
  // Measured (bench/websocket-stream.mjs, one-document frames): 256 KiB, 1 MiB and 4 MiB stream equally fast;
  // 4 MiB holds ~30,000 tiny frames in flight, seconds of Kafka work close to the 4 s deadline.
  wsWindowBytes: int(
    MiB,
    'Unanswered bytes per WebSocket; at this bound the gateway stops reading that socket',
  ),
  // Drains in well under the 4 s deadline even at the ~2,500 documents/s measured with Chromium hogging one of
  // 2 cores; and 2,000 documents per Kafka round trip of <= 50 ms is above the ~15,000/s one process produces.
  wsWindowDocuments: int(
    2000,
    'Unanswered documents per WebSocket; at this bound the gateway stops reading that socket',
  ),
  wsPingIntervalMs: int(
    25000,
    'WebSocket ping interval; a peer that missed the last pong is dropped. Keep below LB idle timeouts',
  ),
  wsMaxConnections: int(
    10000,
    'Open WebSocket connections; further ones are closed with 1013 (try again later)',
  ),
  // The Kafka-protocol listener (src/listen-kafka/, README "Kafka-protocol listener").
  kafkaListen: optionalText(
    'Serve the Kafka protocol on host:port (one topic per binding, SASL PLAIN/SCRAM with capture tokens); unset: off',
  ),
  kafkaListenAdvertisedHost: optionalText(
    'Host the listener names as its broker address in Metadata; default: its listen host (127.0.0.1 for 0.0.0.0)',
  ),
  kafkaListenPartitions: int(1, 'Partitions each binding topic of the Kafka listener has'),
  // 8 MiB: above the Java producer's max.request.size (1 MiB) and librdkafka's message.max.bytes (1,000,000).
  kafkaListenMaxRequestBytes: int(
    8 * MiB,
    'Largest Kafka request frame; a larger one closes the connection (Kafka socket.request.max.bytes)',
  ),
  kafkaListenMaxConnections: int(1000, 'Open Kafka client connections; further ones are refused'),
  kafkaListenTlsCertFile: optionalText(
    'TLS certificate (PEM, chain allowed) of the Kafka listener; unset: plain TCP',
  ),
  kafkaListenTlsKeyFile: optionalText('Private key (PEM) of that certificate'),
  adminToken: secret(
    'Token for the inspector page at /_tributary/inspector (16+ characters); unset: the page is off',
  ),
  // The inspector's dead-letter tail (src/inspector/dead-letter-tail.ts): the page's ring holds 200 rejections.
  inspectorTailRecords: int(
    50,
    "Dead-letter entries per partition the inspector reads back at start, then follows (every replica's); 0: off",
  ),
  inspectorTailPerSecond: int(
    200,
    'Dead-letter records a second the inspector tail parses at most; more are counted as skipped',
  ),
  maxJsonDepth: int(
    DEFAULT_MAX_JSON_DEPTH,
    'Deepest nesting of arrays and objects in a document (400 above)',
  ),
} satisfies Record<string, SettingSpec<unknown>>;

type Specs = typeof SPECS;
export type Config = { [K in keyof Specs]: Specs[K]['default'] };

export interface Setting extends SettingSpec<Config[keyof Config]> {
  key: keyof Config;
  /** A secret's flag names its file (`--kafka-sasl-password-file`): the value itself is never a flag. */
  flag: string;
  env: string;
  /** Secrets only: the variable naming a file that holds the value (`TRIBUTARY_KAFKA_SASL_PASSWORD_FILE`). */
  fileEnv?: string;
}

/** The table in declaration order, with each setting's flag and variable. */
export const SETTINGS: readonly Setting[] = Object.entries(SPECS).map(([key, spec]) => {
  const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const env = `TRIBUTARY_${name.toUpperCase().replaceAll('-', '_')}`;
  if (spec.kind === 'secret') {
    return { ...spec, key: key as keyof Config, flag: `${name}-file`, env, fileEnv: `${env}_FILE` };
  }
  return { ...spec, key: key as keyof Config, flag: name, env };
});

export class ConfigError extends Error {}

function parseValue(setting: Setting, raw: string, source: string): Config[keyof Config] {
  switch (setting.kind) {
    case 'secret':
      return { file: raw };
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
    if (setting.fileEnv !== undefined) {
      config[setting.key] = secretSource(setting, flag, env);
    } else if (flag !== undefined) {
      config[setting.key] = typeof flag === 'boolean' ? flag : parseValue(setting, flag, `--${setting.flag}`);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      config[setting.key] = parseValue(setting, fromEnv, setting.env);
    } else {
      config[setting.key] = setting.default;
    }
  }
  return config as unknown as Config;
}

function secretSource(
  setting: Setting,
  flag: string | boolean | undefined,
  env: NodeJS.ProcessEnv,
): SecretSource | undefined {
  const fileEnv = setting.fileEnv!;
  const file = typeof flag === 'string' ? flag : env[fileEnv] || undefined;
  const inEnv = env[setting.env] !== undefined && env[setting.env] !== '';
  if (file !== undefined && inEnv) {
    throw new ConfigError(`${setting.env} and ${fileEnv} (or --${setting.flag}) are both set; set one`);
  }
  if (file !== undefined) return { file };
  return inEnv ? { env: setting.env } : undefined;
}

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...resolveConfig({}, {}), ...overrides };
}
