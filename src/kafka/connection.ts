// How the gateway reaches Kafka: brokers, TLS (system or given CAs, server name, client certificate) and SASL
// (PLAIN, SCRAM, OAUTHBEARER), resolved once from the settings for every client (producer, admin, probe).
// Secrets come from the environment or files through the catalog's resolver, and never leave this object
// except into a client's options: they are not logged, and `describeConnection` names no secret.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { resolveSecret } from '../auth/secrets.js';
import type { Config, KafkaClientKind, SaslMechanism, SecretSource } from '../config.js';
import { SETTINGS } from '../config.js';
import { OAuthTokenSource } from './oauth.js';

export interface KafkaTls {
  /** PEM; undefined: Node's bundled CAs. */
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** Expected certificate name and SNI; undefined: the broker's host. */
  servername?: string;
}

export type KafkaSasl =
  | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'oauthbearer'; token: () => Promise<string> };

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TCP connect timeout per broker. */
  connectionTimeoutMs: number;
  /** undefined: plaintext. */
  tls?: KafkaTls;
  sasl?: KafkaSasl;
  /** Who the brokers will see (for log lines about ACLs), as far as the settings tell: `User:alice`. */
  principal?: string;
}

export interface ResolvedConnection {
  connection: KafkaConnection;
  /** Settings that cannot work: unset secrets, unreadable files, a key the passphrase does not open. */
  problems: string[];
  /** Settings that work but deserve a word (SASL PLAIN over plaintext). */
  warnings: string[];
  /** The OAUTHBEARER token source, to close with the gateway. */
  oauth?: OAuthTokenSource;
}

const setting = (key: keyof Config) => SETTINGS.find((s) => s.key === key)!;
const envName = (key: keyof Config): string => setting(key).env;
const secretName = (key: keyof Config): string => `${setting(key).env} (or ${setting(key).fileEnv})`;

const TLS_KEYS = ['kafkaTlsCaFile', 'kafkaTlsServerName', 'kafkaTlsCertFile', 'kafkaTlsKeyFile'] as const;

/** The settings' connection, plus every problem at once (so `check` and `serve` report them together). */
export function resolveConnection(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  opts: { clientId?: string; cwd?: string } = {},
): ResolvedConnection {
  const cwd = opts.cwd ?? process.cwd();
  const problems: string[] = [];
  const warnings: string[] = [];
  const connection: KafkaConnection = {
    brokers: config.brokers,
    clientId: opts.clientId ?? config.kafkaClientId,
    connectionTimeoutMs: config.kafkaConnectTimeoutMs,
  };
  const readSecret = (key: keyof Config): string | undefined => {
    const source = config[key] as SecretSource | undefined;
    if (source === undefined) return undefined;
    const found =
      'env' in source
        ? resolveSecret(`\${${source.env}}`, cwd, env)
        : resolveSecret({ file: source.file }, cwd);
    if ('problem' in found) {
      problems.push(`${secretName(key)}: ${found.problem}`);
      return undefined;
    }
    return found.value.toString('utf8');
  };
  const readPem = (key: (typeof TLS_KEYS)[number]): string | undefined => {
    const file = config[key];
    if (file === undefined || key === 'kafkaTlsServerName') return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      problems.push(
        `${envName(key)}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return undefined;
    }
  };

  const tlsWanted =
    config.kafkaTls ??
    (config.kafkaSaslMechanism !== undefined || TLS_KEYS.some((k) => config[k] !== undefined));
  if (!tlsWanted && TLS_KEYS.some((k) => config[k] !== undefined)) {
    problems.push(`${envName('kafkaTls')} is false but kafka-tls settings are set`);
  }
  if (tlsWanted) {
    const tls: KafkaTls = {};
    const ca = readPem('kafkaTlsCaFile');
    const cert = readPem('kafkaTlsCertFile');
    const key = readPem('kafkaTlsKeyFile');
    const passphrase = readSecret('kafkaTlsKeyPassphrase');
    if (ca !== undefined) tls.ca = ca;
    if (config.kafkaTlsServerName !== undefined) tls.servername = config.kafkaTlsServerName;
    if ((config.kafkaTlsCertFile === undefined) !== (config.kafkaTlsKeyFile === undefined)) {
      problems.push(`${envName('kafkaTlsCertFile')} and ${envName('kafkaTlsKeyFile')} go together`);
    }
    if (config.kafkaTlsKeyPassphrase !== undefined && config.kafkaTlsKeyFile === undefined) {
      problems.push(`${secretName('kafkaTlsKeyPassphrase')} is set without ${envName('kafkaTlsKeyFile')}`);
    }
    if (cert !== undefined && key !== undefined) {
      tls.cert = cert;
      tls.key = key;
      if (passphrase !== undefined) tls.passphrase = passphrase;
      connection.principal = certificatePrincipal(cert);
    }
    const unusable = tlsMaterialProblem(tls);
    if (unusable !== undefined) problems.push(unusable);
    connection.tls = tls;
  }

  const mechanism = config.kafkaSaslMechanism;
  if (mechanism === 'plain' || mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') {
    const username = config.kafkaSaslUsername;
    const password = readSecret('kafkaSaslPassword');
    if (username === undefined)
      problems.push(`${envName('kafkaSaslUsername')} is not set (${mechanism} needs it)`);
    if (config.kafkaSaslPassword === undefined)
      problems.push(`${secretName('kafkaSaslPassword')} is not set (${mechanism} needs it)`);
    if (username !== undefined && password !== undefined) {
      connection.sasl = { mechanism, username, password };
      connection.principal = `User:${username}`;
    }
    if (mechanism === 'plain' && !tlsWanted) {
      warnings.push('SASL PLAIN without TLS sends the password in the clear');
    }
  } else if (mechanism === 'oauthbearer') {
    const oauth = resolveOAuth(config, readSecret, problems);
    if (oauth !== undefined) {
      connection.sasl = { mechanism, token: () => oauth.token() };
      connection.principal = `User:${config.kafkaOauthClientId} (the token's subject)`;
      return { connection, problems, warnings, oauth };
    }
  } else {
    const orphans = (
      ['kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaOauthTokenUrl', 'kafkaOauthClientId'] as const
    ).filter((k) => config[k] !== undefined);
    if (orphans.length > 0) {
      problems.push(
        `${orphans.map((k) => envName(k)).join(', ')} set without ${envName('kafkaSaslMechanism')}`,
      );
    }
  }
  return { connection, problems, warnings };
}

function resolveOAuth(
  config: Config,
  readSecret: (key: keyof Config) => string | undefined,
  problems: string[],
): OAuthTokenSource | undefined {
  const url = config.kafkaOauthTokenUrl;
  const clientId = config.kafkaOauthClientId;
  const secret = readSecret('kafkaOauthClientSecret');
  const before = problems.length;
  if (url === undefined) problems.push(`${envName('kafkaOauthTokenUrl')} is not set (oauthbearer needs it)`);
  else {
    const problem = tokenUrlProblem(url);
    if (problem !== undefined) problems.push(`${envName('kafkaOauthTokenUrl')}: ${problem}`);
  }
  if (clientId === undefined)
    problems.push(`${envName('kafkaOauthClientId')} is not set (oauthbearer needs it)`);
  if (config.kafkaOauthClientSecret === undefined)
    problems.push(`${secretName('kafkaOauthClientSecret')} is not set (oauthbearer needs it)`);
  if (problems.length > before || url === undefined || clientId === undefined || secret === undefined)
    return undefined;
  return new OAuthTokenSource({
    tokenUrl: url,
    clientId,
    clientSecret: secret,
    ...(config.kafkaOauthScope === undefined ? {} : { scope: config.kafkaOauthScope }),
  });
}

/** The client secret travels in the token request: https, or plain http to this machine only (tests, sidecars). */
function tokenUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol === 'http:' && loopback) return undefined;
  return 'must be https (http only on loopback): the client secret is sent in the request';
}

/** Node opens the key and checks it against the certificate here, so a wrong passphrase fails at start, once. */
function tlsMaterialProblem(tls: KafkaTls): string | undefined {
  try {
    createSecureContext({
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key, passphrase: tls.passphrase }),
    });
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const message = (err as Error).message;
    if (/BAD_DECRYPT|bad decrypt|PASSPHRASE/i.test(`${code} ${message}`)) {
      return `${envName('kafkaTlsKeyFile')}: the key does not open with ${secretName('kafkaTlsKeyPassphrase')} (wrong or missing passphrase)`;
    }
    if (/KEY_VALUES_MISMATCH/.test(code)) {
      return `${envName('kafkaTlsKeyFile')} is not the key of ${envName('kafkaTlsCertFile')}`;
    }
    return `TLS files are not usable: ${message}`;
  }
}

/** Kafka's default SSL principal is the certificate's subject DN (ssl.principal.mapping.rules may shorten it). */
function certificatePrincipal(pem: string): string | undefined {
  try {
    const subject = new X509Certificate(pem).subject.split('\n').reverse().join(',');
    return `User:${subject} (certificate subject; the cluster's principal mapping may shorten it)`;
  } catch {
    return undefined;
  }
}

/**
 * What each client library can do. Both do every mechanism today; the table stays so that a client that cannot
 * is refused at start with its reason instead of failing at the first connection.
 */
const UNSUPPORTED: Record<KafkaClientKind, Partial<Record<SaslMechanism, string>>> = {
  kafkajs: {},
  platformatic: {},
};

export function clientProblem(client: KafkaClientKind, connection: KafkaConnection): string | undefined {
  const mechanism = connection.sasl?.mechanism;
  const reason = mechanism === undefined ? undefined : UNSUPPORTED[client][mechanism];
  return reason === undefined
    ? undefined
    : `${envName('kafkaClient')}=${client} cannot authenticate with ${mechanism}: ${reason}`;
}

/** For log lines: brokers, TLS, mechanism and principal; never a secret. */
export function describeConnection(connection: KafkaConnection): Record<string, unknown> {
  return {
    brokers: connection.brokers,
    tls:
      connection.tls === undefined
        ? false
        : {
            ca: connection.tls.ca === undefined ? 'system' : 'file',
            clientCertificate: connection.tls.cert !== undefined,
            ...(connection.tls.servername === undefined ? {} : { servername: connection.tls.servername }),
          },
    sasl: connection.sasl?.mechanism ?? false,
    ...(connection.principal === undefined ? {} : { principal: connection.principal }),
  };
}

/** Settings the gateway cannot run with: connection problems, and what the chosen client cannot do. */
export function kafkaSettingsProblems(config: Config, resolved: ResolvedConnection): string[] {
  const problems = [...resolved.problems];
  const client = clientProblem(config.kafkaClient, resolved.connection);
  if (client !== undefined) problems.push(client);
  if (config.kafkaClient === 'kafkajs' && config.kafkaIdempotent === true) {
    problems.push(
      `${envName('kafkaIdempotent')}=true is refused with ${envName('kafkaClient')}=kafkajs: its idempotent mode reuses the sequence numbers of failed requests and can drop acknowledged documents (docs/reliability.md); use platformatic`,
    );
  }
  return problems;
}
