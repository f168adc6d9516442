// Issue 12: on a machine without a program the tests need, the run stops at once with the install line.
import { execFile } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { installLine, REQUIREMENTS, requirementsProblem } from './requirements.js';

const script = new URL('./requirements.ts', import.meta.url).pathname;
const savedPath = process.env['PATH'] ?? '';
afterEach(() => {
  process.env['PATH'] = savedPath;
});

/** A PATH holding only `programs` (and node), linked to where this machine has them: haproxy is missing. */
function pathWithout(missing: string): string {
  const dir = tempDir('path-');
  for (const program of ['java', 'mvn', 'redis-server', 'haproxy', 'openssl', 'kcat']) {
    if (program === missing) continue;
    const real = savedPath
      .split(':')
      .map((d) => join(d, program))
      .find((p) => existsSync(p));
    if (real) symlinkSync(real, join(dir, program));
  }
  return dir;
}

describe('test requirements (issue 12)', () => {
  it('names each missing program and the one apt-get line that installs them', () => {
    process.env['PATH'] = pathWithout('haproxy');
    const problem = requirementsProblem();
    expect(problem).toMatch(/^the tests need (.*, )?haproxy/);
    expect(problem).toMatch(/apt-get update && apt-get install -y (.* )?haproxy/);
    expect(installLine(REQUIREMENTS)).toBe(
      'apt-get update && apt-get install -y openjdk-17-jre-headless maven haproxy chromium redis-server openssl kcat',
    );
  });

  it('fails on its own (the first step of npm test) with exit 1 and the install line', async () => {
    const env = { ...process.env, PATH: pathWithout('haproxy') };
    const result = await promisify(execFile)(process.execPath, [script], { env }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toMatch(/^npm test: the tests need (.*, )?haproxy/);
    expect((result as { stderr: string }).stderr).toContain('apt-get install -y');
  });
});
