// The command dispatcher in-process (no dist/, no child process): help, unknown commands and flags, --version.
// The built binary is exercised by test/integration/cli-binary.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { consoleLines } from '../helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tributary command line', () => {
  it.each(['serve', 'check', 'topics'])('%s --help explains the command and exits 0', async (command) => {
    const lines = consoleLines();
    expect(await main([command, '--help'])).toBe(0);
    expect(lines.join('\n')).toContain(`Usage: tributary ${command}`);
  });

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
});
