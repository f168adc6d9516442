// A secured single-node broker for the security tests (issue 14): certificates made here with openssl, SCRAM
// users created by the broker's own storage formatter, PLAIN users in the listener's JAAS line, OAUTHBEARER
// validated by Kafka's OAuthBearerValidatorCallbackHandler against a small OIDC provider (token endpoint + JWKS)
// served from this process, and StandardAuthorizer with ACLs. PLAINTEXT stays for the broker itself (inter-broker,
// controller) and the test's admin work; its ANONYMOUS principal is a super user, as is `admin`.
import { execFile } from 'node:child_process';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { ensureKafkaJars, type LocalKafka, startLocalKafka } from '../../src/local-kafka/broker.js';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);
const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;

export const USERS = {
  admin: 'admin-secret',
  alice: 'alice-secret',
  scram256: 'scram256-secret',
  scram512: 'scram512-secret',
} as const;
export const OAUTH_CLIENT = { id: 'tributary-oauth', secret: 'oauth-client-secret' };
export const MTLS_PRINCIPAL = 'tributary-mtls';
export const KEY_PASSPHRASE = 'key-passphrase-123';
export const TOPICS = { writable: 'secure.writable', readonly: 'secure.readonly', hidden: 'secure.hidden' };

export interface Certificates {
  dir: string;
  ca: string;
  otherCa: string;
  clientCert: string;
  /** The client key, encrypted with KEY_PASSPHRASE. */
  clientKey: string;
  passphraseFile: string;
}

/** `words` split on spaces, then `more` as they are (subjects hold spaces). */
async function openssl(dir: string, words: string, ...more: string[]): Promise<void> {
  const args = [...words.split(' '), ...more];
  try {
    await run('openssl', args, { cwd: dir });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is needed for the TLS tests: apt-get install openssl');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? String(err)}`);
  }
}

/** `<name>.key` and `<name>.crt` signed by ca.pem. */
async function signedByCa(dir: string, name: string, subject: string, extra: string[]): Promise<void> {
  await openssl(dir, `req -newkey rsa:2048 -nodes -keyout ${name}.key -out ${name}.csr`, '-subj', subject);
  await openssl(
    dir,
    `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ${name}.crt -days 2`,
    ...extra,
  );
}

/** A CA, a broker certificate for 127.0.0.1/localhost, a client certificate with an encrypted key, a stranger CA. */
export async function makeCertificates(): Promise<Certificates> {
  const dir = tempDir('tls-');
  for (const ca of ['ca', 'other-ca']) {
    await openssl(
      dir,
      `req -x509 -newkey rsa:2048 -nodes -keyout ${ca}.key -out ${ca}.pem -days 2`,
      '-subj',
      `/CN=Tributary test ${ca}`,
    );
  }
  writeFileSync(join(dir, 'broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await signedByCa(dir, 'broker', '/CN=localhost', ['-extfile', 'broker.ext']);
  // Kafka's PEM keystore: the PKCS#8 key and the certificate in one file.
  await openssl(dir, 'pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8');
  const brokerPem = ['broker.p8', 'broker.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  writeFileSync(join(dir, 'broker.pem'), brokerPem);
  await signedByCa(dir, 'client', `/CN=${MTLS_PRINCIPAL}`, []);
  await openssl(
    dir,
    'pkcs8 -topk8 -v2 aes-256-cbc -in client.key -out client.enc.key',
    '-passout',
    `pass:${KEY_PASSPHRASE}`,
  );
  const passphraseFile = join(dir, 'key-passphrase.txt');
  writeFileSync(passphraseFile, `${KEY_PASSPHRASE}\n`);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.enc.key'),
    passphraseFile,
  };
}

export interface OidcProvider {
  tokenUrl: string;
  jwksUrl: string;
  issuer: string;
  /** Token requests answered with a token. */
  issued: number;
  /** Seconds each token lives. */
  lifetimeSeconds: number;
  close(): Promise<void>;
}

/** RFC 6749 client credentials + a JWKS (RFC 7517) with one RS256 key, as Kafka's validator expects. */
export async function startOidcProvider(): Promise<OidcProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const provider: OidcProvider = {
    tokenUrl: '',
    jwksUrl: '',
    issuer: '',
    issued: 0,
    lifetimeSeconds: 3600,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/jwks') return answer(200, { keys: [jwk] });
    if (req.method !== 'POST' || req.url !== '/token') return answer(404, { error: 'not_found' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':')
        .map(decodeURIComponent);
      if (form.get('grant_type') !== 'client_credentials')
        return answer(400, { error: 'unsupported_grant_type' });
      if (id !== OAUTH_CLIENT.id || secret !== OAUTH_CLIENT.secret)
        return answer(401, { error: 'invalid_client' });
      const now = Math.floor(Date.now() / 1000);
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
      const claims = {
        iss: provider.issuer,
        sub: id,
        aud: 'kafka',
        iat: now,
        exp: now + provider.lifetimeSeconds,
        scope: form.get('scope') ?? '',
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey, 'base64url');
      provider.issued++;
      return answer(200, {
        access_token: `${header}.${payload}.${signature}`,
        token_type: 'Bearer',
        expires_in: provider.lifetimeSeconds,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.tokenUrl = `${base}/token`;
  provider.jwksUrl = `${base}/jwks`;
  provider.issuer = base;
  provider.close = () => new Promise((resolve) => server.close(() => resolve()));
  return provider;
}

export interface SecuredKafka {
  kafka: LocalKafka;
  certs: Certificates;
  oidc: OidcProvider;
  /** SASL_SSL listener: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER. */
  saslSsl: string[];
  /** SSL listener that requires a client certificate. */
  mtls: string[];
  /** PLAINTEXT, for the test's own admin work. */
  plaintext: string[];
  stop(): Promise<void>;
}

export async function startSecuredKafka(): Promise<SecuredKafka> {
  await ensureKafkaJars();
  const certs = await makeCertificates();
  const oidc = await startOidcProvider();
  const tls = (prefix: string): Record<string, string> => ({
    [`${prefix}.ssl.keystore.type`]: 'PEM',
    [`${prefix}.ssl.keystore.location`]: join(certs.dir, 'broker.pem'),
    [`${prefix}.ssl.truststore.type`]: 'PEM',
    [`${prefix}.ssl.truststore.location`]: certs.ca,
  });
  const plainUsers = Object.entries(USERS)
    .map(([user, password]) => `user_${user}="${password}"`)
    .join(' ');
  let kafka: LocalKafka;
  try {
    kafka = await startLocalKafka({
      nodes: 1,
      listeners: [
        { name: 'SASL_SSL', protocol: 'SASL_SSL' },
        { name: 'MTLS', protocol: 'SSL' },
      ],
      scramCredentials: [
        { mechanism: 'SCRAM-SHA-256', user: 'scram256', password: USERS.scram256 },
        { mechanism: 'SCRAM-SHA-512', user: 'scram512', password: USERS.scram512 },
      ],
      // Kafka 4 fetches only allowed URLs for OAUTHBEARER (KIP-1108: the JWKS and token endpoints).
      systemProperties: { 'org.apache.kafka.sasl.oauthbearer.allowed.urls': oidc.jwksUrl },
      brokerProps: {
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:ANONYMOUS;User:admin',
        'allow.everyone.if.no.acl.found': 'false',
        ...tls('listener.name.sasl_ssl'),
        ...tls('listener.name.mtls'),
        'listener.name.mtls.ssl.client.auth': 'required',
        'listener.name.mtls.ssl.principal.mapping.rules': 'RULE:^CN=([^,]+)$/$1/,DEFAULT',
        'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
        'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
        'listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
        'listener.name.sasl_ssl.oauthbearer.sasl.oauthbearer.jwks.endpoint.url': oidc.jwksUrl,
        'listener.name.sasl_ssl.oauthbearer.sasl.oauthbearer.expected.audience': 'kafka',
        'listener.name.sasl_ssl.oauthbearer.sasl.oauthbearer.expected.issuer': oidc.issuer,
        // Sessions end: clients must re-authenticate (with a refreshed token) at least this often.
        'listener.name.sasl_ssl.connections.max.reauth.ms': '60000',
      },
    });
  } catch (err) {
    await oidc.close();
    throw err;
  }
  const plaintext = kafka.bootstrap;
  try {
    await grantAcls(plaintext);
  } catch (err) {
    await kafka.stop();
    await oidc.close();
    throw err;
  }
  return {
    kafka,
    certs,
    oidc,
    saslSsl: kafka.listenerBootstrap('SASL_SSL'),
    mtls: kafka.listenerBootstrap('MTLS'),
    plaintext,
    async stop() {
      await kafka.stop();
      await oidc.close();
    },
  };
}

/** Every client principal may write `writable`, only describe `readonly`, and has nothing on `hidden`. */
async function grantAcls(plaintext: string[]): Promise<void> {
  const admin = new Kafka({
    brokers: plaintext,
    clientId: 'secured-setup',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(TOPICS).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    });
    const principals = ['alice', 'scram256', 'scram512', MTLS_PRINCIPAL, OAUTH_CLIENT.id].map(
      (p) => `User:${p}`,
    );
    const acl = (principal: string, topic: string, operation: number) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    });
    await admin.createAcls({
      acl: principals.flatMap((p) => [
        acl(p, TOPICS.writable, AclOperationTypes.WRITE),
        acl(p, TOPICS.writable, AclOperationTypes.DESCRIBE),
        acl(p, TOPICS.readonly, AclOperationTypes.DESCRIBE),
      ]),
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic back with the Java console consumer from the broker's own jars over SASL_SSL (PLAIN, as admin):
 * a client that shares no code with either producer, and checks the broker's TLS certificate itself.
 */
export async function readWithJavaConsumer(
  secured: SecuredKafka,
  topic: string,
  expected: number,
): Promise<{ key: string; value: string }[]> {
  const libs = await ensureKafkaJars();
  const props = join(secured.certs.dir, `consumer-${randomUUID()}.properties`);
  writeFileSync(
    props,
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${USERS.admin}";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${secured.certs.ca}`,
      `group.id=reader-${randomUUID()}`,
      'auto.offset.reset=earliest',
    ].join('\n'),
  );
  const { stdout } = await run(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      join(libs, '*'),
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      '--bootstrap-server',
      secured.saslSsl.join(','),
      '--topic',
      topic,
      '--from-beginning',
      '--max-messages',
      String(expected),
      '--timeout-ms',
      '30000',
      '--command-config',
      props,
      '--property',
      'print.key=true',
      '--property',
      'key.separator=\t',
    ],
    { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  ).catch((err: { stdout?: string; stderr?: string }) => {
    // --timeout-ms ends with a non-zero exit when fewer came: keep what was read, the test compares.
    if (err.stdout !== undefined) return { stdout: err.stdout };
    throw err;
  });
  return stdout
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => {
      const i = l.indexOf('\t');
      return { key: l.slice(0, i), value: l.slice(i + 1) };
    });
}
