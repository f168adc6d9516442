import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, SETTINGS } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
/** Table rows as trimmed cells, whatever the column padding. */
const rows = readme
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim())
      .join(' | '),
  );

describe('configuration', () => {
  it('documents every setting in the README with its flag, variable and default', () => {
    for (const s of SETTINGS) {
      const def =
        s.default === undefined ? '—' : Array.isArray(s.default) ? '(none)' : `\`${String(s.default)}\``;
      // A secret's row names its variable and the _FILE variable (its flag names the file: never the value).
      const env = s.fileEnv === undefined ? `\`${s.env}\`` : `\`${s.env}\` or \`${s.fileEnv}\``;
      expect(
        rows.some((row) => row.startsWith(`\`--${s.flag}\` | ${env} | ${def} |`)),
        s.env,
      ).toBe(true);
    }
  });

  it('takes flags over environment over defaults', () => {
    const c = resolveConfig({ port: '9000' }, { TRIBUTARY_PORT: '9100', TRIBUTARY_BROKERS: 'a:1, b:2' });
    expect(c.port).toBe(9000);
    expect(c.brokers).toEqual(['a:1', 'b:2']);
    expect(c.bodyLimit).toBe(1024 * 1024);
    expect(resolveConfig({}, { TRIBUTARY_CREATE_TOPICS: 'no' }).createTopics).toBe(false);
  });

  it('refuses malformed values with the name of the setting', () => {
    expect(() => resolveConfig({}, { TRIBUTARY_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => resolveConfig({}, { TRIBUTARY_PORT: 'eighty' })).toThrow(/TRIBUTARY_PORT/);
    expect(() => resolveConfig({ 'access-log': 'some' }, {})).toThrow(
      /--access-log: expected one of all, errors, off/,
    );
    expect(resolveConfig({}, { TRIBUTARY_ACCESS_LOG: 'errors' }).accessLog).toBe('errors');
    expect(() => resolveConfig({ 'create-topics': 'maybe' }, {})).toThrow(/--create-topics/);
    expect(() => resolveConfig({}, { TRIBUTARY_KAFKA_CLIENT: 'rdkafka' })).toThrow(
      /TRIBUTARY_KAFKA_CLIENT: expected one of kafkajs, platformatic/,
    );
    expect(resolveConfig({ 'kafka-client': 'kafkajs' }, {}).kafkaClient).toBe('kafkajs');
    expect(resolveConfig({}, {}).kafkaClient).toBe('platformatic');
  });

  it('reads a secret from its variable or from a file, never both, and never from a flag (issue 14)', () => {
    expect(resolveConfig({}, { TRIBUTARY_KAFKA_SASL_PASSWORD: 's3cret' }).kafkaSaslPassword).toEqual({
      env: 'TRIBUTARY_KAFKA_SASL_PASSWORD',
    });
    expect(resolveConfig({}, { TRIBUTARY_KAFKA_SASL_PASSWORD_FILE: '/run/p' }).kafkaSaslPassword).toEqual({
      file: '/run/p',
    });
    expect(resolveConfig({ 'kafka-sasl-password-file': '/x' }, {}).kafkaSaslPassword).toEqual({ file: '/x' });
    expect(() =>
      resolveConfig({}, { TRIBUTARY_KAFKA_SASL_PASSWORD: 'a', TRIBUTARY_KAFKA_SASL_PASSWORD_FILE: '/p' }),
    ).toThrow(/both set/);
    expect(SETTINGS.some((s) => s.flag === 'kafka-sasl-password')).toBe(false);
    expect(resolveConfig({}, {}).kafkaSaslPassword).toBeUndefined();
  });
});
