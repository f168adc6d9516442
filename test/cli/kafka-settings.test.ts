// Issue 14: `tributary check` and `serve` report Kafka connection settings that cannot work (an unset secret, an
// unreadable file) before anything connects, and never print a secret. Runs the built CLI like main.test.ts.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const catalog = fileURLToPath(new URL('../../examples/catalog.yaml', import.meta.url));

async function tributary(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, TRIBUTARY_CATALOG: '', ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('Kafka connection settings on the command line', () => {
  it('check reports an unset SASL password and an unreadable CA file, and exits 1', async () => {
    const { code, out } = await tributary(
      {
        TRIBUTARY_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        TRIBUTARY_KAFKA_SASL_USERNAME: 'tributary',
        TRIBUTARY_KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem',
      },
      'check',
      '--catalog',
      catalog,
    );
    expect(code).toBe(1);
    expect(out).toContain(
      'kafka settings: TRIBUTARY_KAFKA_SASL_PASSWORD (or TRIBUTARY_KAFKA_SASL_PASSWORD_FILE) is not set',
    );
    expect(out).toContain('TRIBUTARY_KAFKA_TLS_CA_FILE: cannot read /nonexistent/ca.pem: ENOENT');
  });

  it('serve refuses the same before starting anything, exit 2, without printing the secret it has', async () => {
    const { code, out } = await tributary(
      {
        TRIBUTARY_BROKERS: '127.0.0.1:1',
        TRIBUTARY_KAFKA_SASL_MECHANISM: 'oauthbearer',
        TRIBUTARY_KAFKA_OAUTH_CLIENT_SECRET: 'very-secret-value',
      },
      'serve',
      '--catalog',
      catalog,
    );
    expect(code).toBe(2);
    expect(out).toContain('TRIBUTARY_KAFKA_OAUTH_TOKEN_URL is not set (oauthbearer needs it)');
    expect(out).not.toContain('very-secret-value');
  });

  it('a flag never takes a secret value: only its file', async () => {
    const { code, out } = await tributary({}, 'serve', '--kafka-sasl-password', 'x', '--catalog', catalog);
    expect(code).toBe(2);
    expect(out).toMatch(/Unknown option '--kafka-sasl-password'/);
  });
});
