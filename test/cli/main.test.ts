// The command dispatcher in-process (no dist/, no child process): help, unknown commands and flags, --version.
// The built binary is exercised by test/integration/cli-binary.test.ts.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { unsupportedNode } from '../../src/cli/version.js';
import { consoleLines } from '../helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tributary command line', () => {
  it.each(['serve', 'check', 'topics', 'replay'])(
    '%s --help explains the command and exits 0',
    async (command) => {
      const lines = consoleLines();
      expect(await main([command, '--help'])).toBe(0);
      expect(lines.join('\n')).toContain(`Usage: tributary ${command}`);
    },
  );

  it('lists commands, and refuses unknown ones and unknown flags with exit 2', async () => {
    let lines = consoleLines();
    expect(await main(['--help'])).toBe(0);
    expect(lines.join('\n')).toMatch(/serve[\s\S]*check[\s\S]*topics/);
    expect(await main([])).toBe(2);
    lines = consoleLines();
    expect(await main(['nope'])).toBe(2);
    expect(lines.join('\n')).toContain("unknown command 'nope'");
    lines = consoleLines();
    expect(await main(['check', '--no-such-flag'])).toBe(2);
    expect(lines.join('\n')).toContain('no-such-flag');
  });

  it.each(['--version', '-v'])('%s prints the version from package.json (issue 12)', async (flag) => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const lines = consoleLines();
    expect(await main([flag])).toBe(0);
    expect(lines).toEqual([`tributary ${version}`]);
  });

  it('check takes the catalog as a positional argument, and refuses a missing one with exit 2', async () => {
    let lines = consoleLines();
    expect(await main(['check', 'examples/catalog.yaml'])).toBe(0);
    expect(lines.join('\n')).toMatch(/^ok: /m);
    lines = consoleLines();
    const saved = process.env['TRIBUTARY_CATALOG'];
    delete process.env['TRIBUTARY_CATALOG'];
    try {
      expect(await main(['check'])).toBe(2);
      expect(lines.join('\n')).toContain('tributary check: --catalog is required');
      lines = consoleLines();
      expect(await main(['topics', '--catalog', 'examples/catalog.yaml'])).toBe(2);
      expect(lines.join('\n')).toContain('tributary topics: --brokers is required');
    } finally {
      if (saved !== undefined) process.env['TRIBUTARY_CATALOG'] = saved;
    }
  });

  it('check ignores settings it does not take: a malformed TRIBUTARY_PORT fails serve, not check', async () => {
    process.env['TRIBUTARY_PORT'] = 'x';
    try {
      consoleLines();
      expect(await main(['check', 'examples/catalog.yaml'])).toBe(0);
      expect(await main(['serve', '--catalog', 'examples/catalog.yaml'])).toBe(2);
    } finally {
      delete process.env['TRIBUTARY_PORT'];
    }
  });

  it('refuses a Node.js that package.json engines does not admit, naming both versions', async () => {
    expect(unsupportedNode('v22.22.0')).toBeUndefined();
    expect(unsupportedNode('v24.6.0')).toBeUndefined();
    expect(unsupportedNode('v26.1.0')).toBeUndefined();
    for (const old of ['v20.20.2', 'v22.12.0', 'v23.11.0', 'v24.5.0']) {
      expect(unsupportedNode(old)).toContain(`this is ${old}`);
    }
    expect(unsupportedNode('v20.20.2')).toContain('Node.js ^22.22.0 || >=24.6.0');
    const real = process.version;
    Object.defineProperty(process, 'version', { value: 'v20.20.2', configurable: true });
    try {
      const lines = consoleLines();
      expect(await main(['check', 'examples/catalog.yaml'])).toBe(1);
      expect(lines.join('\n')).toContain('this is v20.20.2');
      expect(await main(['--version'])).toBe(0);
    } finally {
      Object.defineProperty(process, 'version', { value: real, configurable: true });
    }
  });
});
