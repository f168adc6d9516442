// The gateway under attack (issue 7): the real app with test/fixtures/catalogs/hostile.yaml and a sink that
// keeps what would reach Kafka, plus the invariant every answer must hold.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/model.js';
import { type Config, defaultConfig } from '../../src/config.js';
import { allErrorSpecs } from '../../src/errors.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

export const LIMITS = {
  bodyLimit: 64 * 1024,
  decodedBodyLimit: 256 * 1024,
  maxDocuments: 50,
  maxRecordBytes: 128 * 1024,
} satisfies Partial<Config>;

export interface HostileApp {
  app: App;
  catalog: Catalog;
  /** Records produced since the last take(). */
  take(): OutboundRecord[];
}

export async function hostileApp(overrides: Partial<Config> = {}): Promise<HostileApp> {
  const catalog = await fixtureCatalog('hostile.yaml');
  let produced: OutboundRecord[] = [];
  const { logger } = capturedLogger('fatal');
  const app = await buildApp({
    config: defaultConfig({ ...LIMITS, ...overrides }),
    catalog,
    logger,
    sink: {
      async produce(records) {
        produced.push(...records);
      },
    },
  });
  return {
    app,
    catalog,
    take() {
      const out = produced;
      produced = [];
      return out;
    },
  };
}

const KNOWN_CODES = new Set(allErrorSpecs().map((s) => s.code));

export type Outcome =
  | { kind: 'accepted'; documents: number }
  | { kind: 'refused'; status: number; code: string };

/**
 * The invariant of issue 7 for one answer: never 5xx; a refusal is problem+json with a registered code and a
 * 4xx status that matches it, and produced nothing; an acceptance produced exactly the documents it counted,
 * each valid against its collection, stamped with _meta, free of `__proto__` keys.
 */
export function checkAnswer(h: HostileApp, res: LightMyRequestResponse, path: string): Outcome {
  const records = h.take();
  expect(res.statusCode, `5xx for ${path}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json() as { code: string; status: number };
    expect(KNOWN_CODES.has(problem.code), problem.code).toBe(true);
    expect(problem.status).toBe(res.statusCode);
    expect(records).toEqual([]);
    return { kind: 'refused', status: res.statusCode, code: problem.code };
  }
  expect(res.statusCode).toBe(200);
  const body = res.json() as { published: number };
  checkProduced(h, records, path, body.published);
  return { kind: 'accepted', documents: records.length };
}

/** What an acceptance may produce: exactly `published` documents, each valid, stamped, free of `__proto__`. */
export function checkProduced(
  h: HostileApp,
  records: OutboundRecord[],
  path: string,
  published: number,
): void {
  expect(records).toHaveLength(published);
  const binding = h.catalog.bindings.find((b) => b.path === path);
  for (const record of records) {
    const doc = JSON.parse(record.value) as Record<string, unknown>;
    expect(hasProtoKey(doc)).toBe(false);
    const { _meta, ...sent } = doc;
    expect(_meta).toBeTypeOf('object');
    if (binding !== undefined) expect(binding.collection.validate(sent)).toBeNull();
  }
}

export { KNOWN_CODES };

/** Iterative: the documents may be nested up to the depth limit. */
function hasProtoKey(root: unknown): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
    for (const inner of Object.values(value)) stack.push(inner);
  }
  return false;
}

export function injectPost(
  h: HostileApp,
  url: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return h.app.fastify.inject({ method: 'POST', url, payload, headers });
}
