// Shared test helpers: loading fixture catalogs and a quiet logger that tests can read back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { vi } from 'vitest';
import { loadCatalog } from '../src/catalog/load.js';
import type { Catalog } from '../src/catalog/model.js';
import { createLogger } from '../src/ops/logger.js';

export async function fixtureCatalog(name: string): Promise<Catalog> {
  const result = await loadCatalog(new URL(`./fixtures/catalogs/${name}`, import.meta.url).pathname);
  if (result.catalog === undefined) {
    throw new Error(`fixture ${name} has problems: ${JSON.stringify(result.problems)}`);
  }
  return result.catalog;
}

/** A logger whose every line is kept in `lines`, for tests that assert what is (not) logged. */
export function capturedLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, stream), lines };
}

let tempRoot: string | undefined;

/** A fresh directory under one per-process root that is removed when the test process exits. */
export function tempDir(prefix = 'dir-'): string {
  if (tempRoot === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'tributary-test-'));
    tempRoot = root;
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return mkdtempSync(join(tempRoot, prefix));
}

/** Everything console.log and console.error print from now on (vi.restoreAllMocks() ends it). */
export function consoleLines(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => lines.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => lines.push(args.join(' ')));
  return lines;
}
