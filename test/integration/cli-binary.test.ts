// Runs the built command line (npm test builds first), so ESM/CommonJS interop problems show up here and not
// on a user's machine. In the integration project: it needs dist/ (issue 12), and each case spawns a Node
// process, which took 5.1 s for three of them under load (past the unit project's 5 s timeout).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../../bin/tributary.js', import.meta.url).pathname;
const REDIS_PASSWORD = 'pw-REDIS-SECRET-61d0';

async function tributary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, TRIBUTARY_CATALOG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tributary command line, built (run npm run build first)', () => {
  it.each(['serve', 'check', 'topics'])('%s --help explains the command and exits 0', async (command) => {
    const { code, stdout } = await tributary(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: tributary ${command}`);
  });

  it('lists commands, and refuses unknown ones and unknown flags with exit 2', async () => {
    expect((await tributary('--help')).stdout).toMatch(/serve[\s\S]*check[\s\S]*topics/);
    expect((await tributary('nope')).code).toBe(2);
    const bad = await tributary('check', '--no-such-flag');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no-such-flag');
  });

  it('check exits 0 on the example catalog', async () => {
    const { code, stdout } = await tributary('check', '--catalog', 'examples/catalog.yaml');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok: 2 collection\(s\), 2 capture\(s\), 2 binding\(s\)/m);
  });

  it('check exits 1 and names the file and location of each problem', async () => {
    const { code, stdout } = await tributary('check', '--catalog', 'test/fixtures/catalogs/cycle/a.yaml');
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^test\/fixtures\/catalogs\/cycle\/b\.yaml:1:10: error: import\[0\]: import cycle/m,
    );
  });

  it('serve refuses a malformed setting with exit 2', async () => {
    const { code, stderr } = await tributary('serve', '--catalog', 'examples/catalog.yaml', '--port', 'x');
    expect(code).toBe(2);
    expect(stderr).toContain('--port');
  });

  it('serve refuses a trusted proxy that is not an address or CIDR with exit 2 (issue 5)', async () => {
    const args = ['serve', '--catalog', 'examples/catalog.yaml', '--trust-proxy', '10.0.0.0/8,true'];
    const { code, stderr } = await tributary(...args);
    expect(code).toBe(2);
    expect(stderr).toContain("TRIBUTARY_TRUST_PROXY: 'true'");
  });

  it('serve never echoes a Redis URL with its password, even a malformed one', async () => {
    const args = ['serve', '--catalog', 'examples/catalog.yaml', '--brokers', '127.0.0.1:1'];
    const result = await tributary(...args, '--redis-url', `http://u:${REDIS_PASSWORD}@cache`);
    expect(result.code).toBe(1);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('TRIBUTARY_REDIS_URL must be a redis://');
    expect(output).not.toContain(REDIS_PASSWORD);
  });
});
