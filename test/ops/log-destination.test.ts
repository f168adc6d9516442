// The stdout destination (issue 12): a destination that refuses writes makes logging stop instead of looping, and
// the exit flush returns. /dev/full answers every write with ENOSPC, as a closed pipe answers EPIPE.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogDestination } from '../../src/ops/log-destination.js';
import { tempDir } from '../helpers.js';

describe('LogDestination', () => {
  it('buffers lines and writes them all on flushSync', () => {
    const file = join(tempDir('log-'), 'out.log');
    const fd = openSync(file, 'w');
    const destination = new LogDestination(fd);
    destination.write('one\n');
    destination.write('two\n');
    destination.flushSync();
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('drops logging for good after a write error, and flushSync returns instead of retrying', async () => {
    const fd = openSync('/dev/full', 'w');
    const destination = new LogDestination(fd);
    destination.write(`${'x'.repeat(5000)}\n`);
    await new Promise((r) => setTimeout(r, 200));
    expect(destination.broken).toBe(true);
    destination.write('more\n');
    destination.flushSync();
    closeSync(fd);
  });

  it('the exit flush gives up on an error too', () => {
    const fd = openSync('/dev/full', 'w');
    const destination = new LogDestination(fd);
    destination.write('line\n');
    destination.flushSync();
    expect(destination.broken).toBe(true);
    closeSync(fd);
  });
});
