// The command dispatcher in-process (no dist/, no child process): help, unknown commands and flags, --version.
// The built binary is exercised by test/integration/cli-binary.test.ts.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
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
});
