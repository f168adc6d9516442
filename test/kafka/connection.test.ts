// Issue 14: the Kafka connection settings resolve into one connection for every client, with every problem at
// once and never a secret in a problem or in describeConnection.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { describeConnection, kafkaSettingsProblems, resolveConnection } from '../../src/kafka/connection.js';
import { tempDir } from '../helpers.js';

describe('resolveConnection', () => {
  it('is plaintext without settings, and TLS as soon as SASL or a TLS file is set', () => {
    expect(resolveConnection(defaultConfig(), {}).connection.tls).toBeUndefined();
    const sasl = resolveConnection(
      defaultConfig({
        kafkaSaslMechanism: 'scram-sha-512',
        kafkaSaslUsername: 'u',
        kafkaSaslPassword: { env: 'PW' },
      }),
      { PW: 'hunter2' },
    );
    expect(sasl.problems).toEqual([]);
    expect(sasl.connection.tls).toEqual({});
    expect(sasl.connection.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'hunter2' });
    expect(sasl.connection.principal).toBe('User:u');
    expect(JSON.stringify(describeConnection(sasl.connection))).not.toContain('hunter2');
    const plaintext = resolveConnection(
      defaultConfig({
        kafkaTls: false,
        kafkaSaslMechanism: 'plain',
        kafkaSaslUsername: 'u',
        kafkaSaslPassword: { env: 'PW' },
      }),
      { PW: 'x' },
    );
    expect(plaintext.connection.tls).toBeUndefined();
    expect(plaintext.warnings.join()).toMatch(/in the clear/);
  });

  it('reports an unset secret, an unreadable file and settings without their mechanism, all at once', () => {
    const { problems } = resolveConnection(
      defaultConfig({
        kafkaSaslMechanism: 'plain',
        kafkaTlsCaFile: '/nonexistent/ca.pem',
      }),
      {},
    );
    expect(problems).toEqual([
      'TRIBUTARY_KAFKA_TLS_CA_FILE: cannot read /nonexistent/ca.pem: ENOENT',
      'TRIBUTARY_KAFKA_SASL_USERNAME is not set (plain needs it)',
      'TRIBUTARY_KAFKA_SASL_PASSWORD (or TRIBUTARY_KAFKA_SASL_PASSWORD_FILE) is not set (plain needs it)',
    ]);
    expect(resolveConnection(defaultConfig({ kafkaSaslUsername: 'u' }), {}).problems).toEqual([
      'TRIBUTARY_KAFKA_SASL_USERNAME set without TRIBUTARY_KAFKA_SASL_MECHANISM',
    ]);
    const unsetEnv = resolveConnection(
      defaultConfig({
        kafkaSaslMechanism: 'plain',
        kafkaSaslUsername: 'u',
        kafkaSaslPassword: { file: 'missing.txt' },
      }),
      {},
      { cwd: '/nonexistent' },
    );
    expect(unsetEnv.problems.join()).toMatch(
      /TRIBUTARY_KAFKA_SASL_PASSWORD \(or .*_FILE\): cannot read secret file/,
    );
  });

  it('reads a secret file like a catalog secret (trailing newline dropped)', () => {
    const dir = tempDir('secret-');
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const { connection, problems } = resolveConnection(
      defaultConfig({
        kafkaSaslMechanism: 'plain',
        kafkaSaslUsername: 'u',
        kafkaSaslPassword: { file: 'pw' },
      }),
      {},
      { cwd: dir },
    );
    expect(problems).toEqual([]);
    expect(connection.sasl).toMatchObject({ password: 'from-file' });
  });

  it('wants every OAUTHBEARER setting, and https for the token endpoint off loopback', () => {
    const partial = resolveConnection(defaultConfig({ kafkaSaslMechanism: 'oauthbearer' }), {});
    expect(partial.problems).toHaveLength(3);
    const plainHttp = resolveConnection(
      defaultConfig({
        kafkaSaslMechanism: 'oauthbearer',
        kafkaOauthTokenUrl: 'http://idp.example.com/token',
        kafkaOauthClientId: 'c',
        kafkaOauthClientSecret: { env: 'S' },
      }),
      { S: 's' },
    );
    expect(plainHttp.problems.join()).toMatch(/must be https/);
    const ok = resolveConnection(
      defaultConfig({
        kafkaSaslMechanism: 'oauthbearer',
        kafkaOauthTokenUrl: 'http://127.0.0.1:9/token',
        kafkaOauthClientId: 'c',
        kafkaOauthClientSecret: { env: 'S' },
      }),
      { S: 's' },
    );
    expect(ok.problems).toEqual([]);
    expect(ok.connection.sasl?.mechanism).toBe('oauthbearer');
    ok.oauth?.close();
  });

  it('refuses TRIBUTARY_KAFKA_IDEMPOTENT=true with kafkajs at start', () => {
    const config = defaultConfig({ kafkaClient: 'kafkajs', kafkaIdempotent: true });
    expect(kafkaSettingsProblems(config, resolveConnection(config, {})).join()).toMatch(
      /refused with TRIBUTARY_KAFKA_CLIENT=kafkajs/,
    );
    const platformatic = defaultConfig({ kafkaIdempotent: true });
    expect(kafkaSettingsProblems(platformatic, resolveConnection(platformatic, {}))).toEqual([]);
  });
});
