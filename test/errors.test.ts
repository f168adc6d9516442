// fastify keeps its error registry and its docs in step with a test; so do we.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allErrorSpecs, ERRORS, TributaryError, toProblem } from '../src/errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
// Table rows as trimmed cells, whatever the column padding the formatter chose.
const rows = doc
  .split('\n')
  .map((line) => line.split('|').map((cell) => cell.trim()))
  .filter((cells) => /^`TRIB_[A-Z0-9_]+`$/.test(cells[1] ?? ''))
  .map((cells) => ({
    code: cells[1]!.slice(1, -1),
    status: Number(cells[2]),
    retryable: cells[3] === 'yes',
  }));

describe('error registry', () => {
  it('lists every code in docs/errors.md with its status and retryability', () => {
    const documented = new Map(rows.map((r) => [r.code, r]));
    for (const spec of allErrorSpecs()) {
      expect(documented.get(spec.code), spec.code).toEqual({
        code: spec.code,
        status: spec.status,
        retryable: spec.retryable,
      });
    }
  });

  it('documents no stale code', () => {
    const codes = new Set(allErrorSpecs().map((s) => s.code));
    expect(rows.filter((r) => !codes.has(r.code))).toEqual([]);
  });

  it('keeps codes unique and retryable errors on 503/429', () => {
    const codes = allErrorSpecs().map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const s of allErrorSpecs()) if (s.retryable) expect([429, 503]).toContain(s.status);
  });

  it('renders RFC 9457 problems with the cause kept out of the body', () => {
    const err = new TributaryError(ERRORS.KAFKA_TIMEOUT, 'slow', {
      cause: new Error('secret broker detail'),
    });
    const problem = toProblem(err, '/a/b');
    expect(problem).toEqual({
      type: 'urn:tributary:error:TRIB_KAFKA_TIMEOUT',
      title: ERRORS.KAFKA_TIMEOUT.title,
      status: 503,
      code: 'TRIB_KAFKA_TIMEOUT',
      detail: 'slow',
      retryable: true,
      instance: '/a/b',
    });
    expect(err.retryAfter).toBe(1);
    expect(err.cause).toBeInstanceOf(Error);
  });
});
