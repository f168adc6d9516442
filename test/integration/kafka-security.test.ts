// Issue 14: every connection mechanism end to end against one secured broker (secured-kafka.ts), with each
// producer client: SASL PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER over TLS, and mutual TLS with an
// encrypted client key; records read back by the Java console consumer; ACL refusals answered
// TRIB_KAFKA_NOT_AUTHORIZED; wrong credentials, an unknown CA, a name mismatch and a missing client certificate
// refused at start with one line naming the cause and never the secret.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/model.js';
import { type Config, defaultConfig, type KafkaClientKind } from '../../src/config.js';
import { type Gateway, KafkaSettingsError, startGateway } from '../../src/gateway.js';
import { NotAuthorizedError } from '../../src/kafka/authorization.js';
import { resolveConnection } from '../../src/kafka/connection.js';
import type { RecordProducer } from '../../src/kafka/producer.js';
import { createKafka, KafkaProducer } from '../../src/kafka/producer-kafkajs.js';
import { PlatformaticProducer } from '../../src/kafka/producer-platformatic.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { loadYaml } from '../catalog/temp-catalog.js';
import { capturedLogger } from '../helpers.js';
import {
  KEY_PASSPHRASE,
  MTLS_PRINCIPAL,
  OAUTH_CLIENT,
  readWithJavaConsumer,
  type SecuredKafka,
  startSecuredKafka,
  TOPICS,
  USERS,
} from './secured-kafka.js';

let secured: SecuredKafka;
beforeAll(async () => {
  secured = await startSecuredKafka();
}, 180_000);
afterAll(async () => {
  await secured?.stop();
});

type Mechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer' | 'mtls';

/** Settings and environment for one mechanism, as an operator would give them. */
function settings(mechanism: Mechanism, client: KafkaClientKind): { config: Config; env: NodeJS.ProcessEnv } {
  const base = { kafkaClient: client, kafkaTlsCaFile: secured.certs.ca, requestTimeoutMs: 5000 };
  switch (mechanism) {
    case 'mtls':
      return {
        config: defaultConfig({
          ...base,
          brokers: secured.mtls,
          kafkaTlsCertFile: secured.certs.clientCert,
          kafkaTlsKeyFile: secured.certs.clientKey,
          kafkaTlsKeyPassphrase: { file: secured.certs.passphraseFile },
        }),
        env: {},
      };
    case 'oauthbearer':
      return {
        config: defaultConfig({
          ...base,
          brokers: secured.saslSsl,
          kafkaSaslMechanism: 'oauthbearer',
          kafkaOauthTokenUrl: secured.oidc.tokenUrl,
          kafkaOauthClientId: OAUTH_CLIENT.id,
          kafkaOauthClientSecret: { env: 'TEST_OAUTH_SECRET' },
          kafkaOauthScope: 'kafka',
        }),
        env: { TEST_OAUTH_SECRET: OAUTH_CLIENT.secret },
      };
    default: {
      const user = mechanism === 'plain' ? 'alice' : mechanism === 'scram-sha-256' ? 'scram256' : 'scram512';
      return {
        config: defaultConfig({
          ...base,
          brokers: secured.saslSsl,
          kafkaSaslMechanism: mechanism,
          kafkaSaslUsername: user,
          kafkaSaslPassword: { env: 'TEST_SASL_PASSWORD' },
        }),
        env: { TEST_SASL_PASSWORD: USERS[user] },
      };
    }
  }
}

function producerFor(mechanism: Mechanism, client: KafkaClientKind, logger = capturedLogger('fatal').logger) {
  const { config, env } = settings(mechanism, client);
  const resolved = resolveConnection(config, env);
  expect(resolved.problems).toEqual([]);
  const opts = { produceTimeoutMs: 5000, reconnectDelayMs: 200 };
  const producer: RecordProducer =
    client === 'platformatic'
      ? new PlatformaticProducer(resolved.connection, { ...opts, idempotent: true }, logger)
      : new KafkaProducer(createKafka(resolved.connection, logger), opts, logger);
  return { producer, resolved };
}

const record = (topic: string, tag: string): OutboundRecord => ({
  topic,
  key: JSON.stringify([tag]),
  value: JSON.stringify({ tag }),
  headers: { 'x-tag': tag },
});

async function writeTempCatalog(yaml: string): Promise<Catalog> {
  const loaded = await loadYaml(yaml);
  if (loaded.catalog === undefined) throw new Error(JSON.stringify(loaded.problems));
  return loaded.catalog;
}

const MECHANISMS: Mechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', 'mtls'];
const CLIENTS: KafkaClientKind[] = ['platformatic', 'kafkajs'];
const written: string[] = [];

describe.each(CLIENTS)('%s producer', (client) => {
  describe.each(MECHANISMS)('over %s', (mechanism) => {
    let producer: RecordProducer;
    let close: () => void;
    beforeAll(async () => {
      const made = producerFor(mechanism, client);
      producer = made.producer;
      close = () => made.resolved.oauth?.close();
      await producer.start();
    });
    afterAll(async () => {
      await producer?.close();
      close?.();
    });

    it('connects and writes the writable topic', async () => {
      expect(producer.connected()).toBe(true);
      const tag = `${client}-${mechanism}-${randomUUID()}`;
      await producer.send([record(TOPICS.writable, tag)]);
      written.push(tag);
    });

    it('gets TRIB_KAFKA_NOT_AUTHORIZED for a topic without WRITE, and for one it may not even describe', async () => {
      for (const topic of [TOPICS.readonly, TOPICS.hidden]) {
        const began = Date.now();
        const err = await producer.send([record(topic, 'denied')]).catch((e: unknown) => e);
        expect(err, topic).toBeInstanceOf(NotAuthorizedError);
        expect(err).toMatchObject({ code: 'TRIB_KAFKA_NOT_AUTHORIZED', status: 403, retryable: false });
        // Refused at once, not retried until the deadline.
        expect(Date.now() - began).toBeLessThan(4000);
        if (client === 'platformatic') expect((err as NotAuthorizedError).topics).toEqual([topic]);
      }
    });
  });
});

describe('read back by an independent client', () => {
  it('finds every record written over every mechanism with the Java console consumer', async () => {
    expect(written).toHaveLength(MECHANISMS.length * CLIENTS.length);
    const records = await readWithJavaConsumer(secured, TOPICS.writable, written.length);
    const tags = records.map((r) => (JSON.parse(r.value) as { tag: string }).tag);
    expect(tags.sort()).toEqual([...written].sort());
  }, 120_000);
});

describe('the gateway over SCRAM-SHA-512 with ACLs', () => {
  let gateway: Gateway;
  const captured = capturedLogger('info');
  beforeAll(async () => {
    const catalog = await writeTempCatalog(`
collections:
  acme/writable: { schema: { type: object, required: [id] }, key: [/id], topic: ${TOPICS.writable} }
  acme/readonly: { schema: { type: object, required: [id] }, key: [/id], topic: ${TOPICS.readonly} }
captures:
  acme/app:
    endpoint: { ingest: {} }
    bindings:
      - { target: acme/writable, resource: { name: writable } }
      - { target: acme/readonly, resource: { name: readonly } }
`);
    const { config, env } = settings('scram-sha-512', 'platformatic');
    gateway = await startGateway(
      { ...config, port: 0 },
      catalog,
      captured.logger,
      resolveConnection(config, env),
    );
  });
  afterAll(() => gateway?.close());

  const post = (name: string) =>
    fetch(`${gateway.url}/acme/app/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID() }),
    });

  it('writes where the ACLs allow, answers 403 TRIB_KAFKA_NOT_AUTHORIZED where not, and says so in /readyz and the log', async () => {
    expect((await post('writable')).status).toBe(200);
    const denied = await post('readonly');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 'TRIB_KAFKA_NOT_AUTHORIZED', retryable: false });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      cannotWrite: [{ binding: 'acme/app/readonly', topic: TOPICS.readonly }],
    });
    const line = captured.lines.find((l) => l.includes('may not write topic'));
    expect(line).toContain(TOPICS.readonly);
    expect(line).toContain('User:scram512');
    const all = captured.lines.join('\n');
    expect(all).not.toContain(USERS.scram512);
  });
});

// Issue 16: the inspector's dead-letter tail connects with the same secured settings; where the ACLs refuse it
// Read (here: Describe only on the dead-letter topic, no group), the page says so, and ingest and /readyz are as
// they were.
describe('the inspector tail over SCRAM-SHA-512 without Read ACLs', () => {
  let gateway: Gateway;
  const ADMIN = 'secured-admin-token-abcdefgh';
  beforeAll(async () => {
    const catalog = await writeTempCatalog(`
collections:
  acme/writable: { schema: { type: object, required: [id] }, key: [/id], topic: ${TOPICS.writable} }
captures:
  acme/app:
    endpoint: { ingest: {} }
    bindings:
      - { target: acme/writable, resource: { name: w, deadLetter: { topic: ${TOPICS.readonly} } } }
`);
    const { config, env } = settings('scram-sha-512', 'platformatic');
    process.env['SECURED_ADMIN_TOKEN'] = ADMIN;
    const withPage = { ...config, port: 0, adminToken: { env: 'SECURED_ADMIN_TOKEN' } };
    gateway = await startGateway(
      withPage,
      catalog,
      capturedLogger('fatal').logger,
      resolveConnection(config, env),
    );
  });
  afterAll(() => gateway?.close());

  it('is unavailable with Kafka’s reason, while ingest and readiness go on', async () => {
    const state = async () =>
      (await (
        await fetch(`${gateway.url}/_tributary/inspector/api/state`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json()) as { tail: { state: string; reason: string } };
    const until = Date.now() + 30_000;
    while ((await state()).tail.state !== 'unavailable' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const { tail } = await state();
    expect(tail.state).toBe('unavailable');
    // Past TLS and SASL (the offsets of the topic were read: Describe); kafkajs names a group it may not use
    // "Failed to find group coordinator".
    expect(tail.reason).toMatch(/authoriz|coordinator/i);
    const res = await fetch(`${gateway.url}/acme/app/w`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID() }),
    });
    expect(res.status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
  });
});

describe('refused at start, with one line naming the cause', () => {
  async function refusal(config: Config, env: NodeJS.ProcessEnv): Promise<{ reason: string; log: string }> {
    const captured = capturedLogger('debug');
    const catalog = await writeTempCatalog(`
collections:
  acme/writable: { schema: { type: object, required: [id] }, key: [/id], topic: ${TOPICS.writable} }
captures:
  acme/app: { endpoint: { ingest: {} }, bindings: [{ target: acme/writable, resource: { name: w } }] }
`);
    const err = await startGateway(
      { ...config, port: 0 },
      catalog,
      captured.logger,
      resolveConnection(config, env),
    ).then(
      async (g) => {
        await g.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KafkaSettingsError);
    return { reason: (err as Error).message, log: captured.lines.join('\n') };
  }

  it.each(CLIENTS)('%s: a wrong SCRAM password', async (client) => {
    const { config } = settings('scram-sha-256', client);
    const { reason, log } = await refusal(config, { TEST_SASL_PASSWORD: 'not-the-password' });
    expect(reason).toMatch(/SASL credentials/);
    expect(reason + log).not.toContain('not-the-password');
  });

  it('an unknown CA', async () => {
    const { config, env } = settings('plain', 'platformatic');
    const { reason } = await refusal({ ...config, kafkaTlsCaFile: secured.certs.otherCa }, env);
    expect(reason).toMatch(/not signed by a trusted CA/);
  });

  it('a certificate name mismatch', async () => {
    const { config, env } = settings('plain', 'platformatic');
    const { reason } = await refusal({ ...config, kafkaTlsServerName: 'kafka.example.com' }, env);
    expect(reason).toMatch(/does not name the host/);
  });

  it('no client certificate where the listener requires one', async () => {
    const { config } = settings('mtls', 'platformatic');
    const { reason } = await refusal(
      {
        ...config,
        kafkaTlsCertFile: undefined,
        kafkaTlsKeyFile: undefined,
        kafkaTlsKeyPassphrase: undefined,
      },
      {},
    );
    expect(reason).toMatch(/client certificate|TLS handshake/);
  });

  it('a wrong OAuth client secret', async () => {
    const { config } = settings('oauthbearer', 'platformatic');
    const { reason, log } = await refusal(config, { TEST_OAUTH_SECRET: 'wrong-oauth-secret' });
    expect(reason).toMatch(/refused client tributary-oauth: HTTP 401 \(invalid_client\)/);
    expect(reason + log).not.toContain('wrong-oauth-secret');
  });

  it('a key passphrase that does not open the key is a settings problem before any connection', () => {
    const { config } = settings('mtls', 'platformatic');
    const resolved = resolveConnection({ ...config, kafkaTlsKeyPassphrase: { env: 'P' } }, { P: 'wrong' });
    expect(resolved.problems.join()).toMatch(/does not open/);
    expect(resolved.problems.join()).not.toContain(KEY_PASSPHRASE);
  });
});

describe('OAUTHBEARER token refresh', () => {
  it('fetches a new token before the old one expires and keeps producing with it', async () => {
    secured.oidc.lifetimeSeconds = 4;
    const { producer, resolved } = producerFor('oauthbearer', 'platformatic');
    try {
      const before = secured.oidc.issued;
      await producer.start();
      await producer.send([record(TOPICS.writable, `refresh-${randomUUID()}`)]);
      // Refreshed at 80% of 4 s, ahead of need.
      await new Promise((r) => setTimeout(r, 3600));
      expect(secured.oidc.issued).toBeGreaterThanOrEqual(before + 2);
      await producer.send([record(TOPICS.writable, `refresh-${randomUUID()}`)]);
    } finally {
      secured.oidc.lifetimeSeconds = 3600;
      await producer.close();
      resolved.oauth?.close();
    }
  });
});

// The principal named for mTLS comes from the certificate (for log lines about ACLs).
it('names the mTLS principal from the client certificate', () => {
  const { config } = settings('mtls', 'platformatic');
  expect(resolveConnection(config, {}).connection.principal).toContain(`CN=${MTLS_PRINCIPAL}`);
});

// reconcileTopics (serve --create-topics, tributary topics) over SASL_SSL as admin.
it('reconciles topics over SASL_SSL with the admin client', async () => {
  const { config } = settings('plain', 'platformatic');
  const resolved = resolveConnection(
    { ...config, kafkaSaslUsername: 'admin' },
    { TEST_SASL_PASSWORD: USERS.admin },
  );
  const report = await reconcileTopics(
    createKafka(resolved.connection, capturedLogger('fatal').logger),
    [TOPICS.writable],
    { partitions: 2, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: false },
  );
  expect(report.existing).toEqual([TOPICS.writable]);
});
