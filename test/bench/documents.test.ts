// The bench measures accepted documents: if its documents stopped matching its schema, every figure would be
// the cost of a 400. Checked with the gateway's own compiler.
import { describe, expect, it } from 'vitest';
import { batchBodies, makeOrder, ORDER_SCHEMA, orderPool } from '../../bench/lib/documents.js';
import { compileSchema } from '../../src/validate/compiler.js';

describe('bench documents', () => {
  it('are about 1 KiB each and all valid against the bench schema', async () => {
    const { validate } = await compileSchema(ORDER_SCHEMA as unknown as Record<string, unknown>);
    const pool = orderPool(500);
    for (const text of pool) expect(validate(JSON.parse(text))).toBeNull();
    const sizes = pool.map((t) => t.length);
    expect(Math.min(...sizes)).toBeGreaterThan(900);
    expect(Math.max(...sizes)).toBeLessThan(1200);
  });

  it('are deterministic and distinct', async () => {
    expect(JSON.stringify(makeOrder(7))).toBe(JSON.stringify(makeOrder(7)));
    expect(new Set(orderPool(100).map((t) => JSON.parse(t).id)).size).toBe(100);
  });

  it('a schema violation is caught (the check above can fail)', async () => {
    const { validate } = await compileSchema(ORDER_SCHEMA as unknown as Record<string, unknown>);
    expect(validate({ ...makeOrder(1), currency: 'euro' })).not.toBeNull();
  });

  it('batch bodies hold the asked number of documents', async () => {
    const [array] = batchBodies(1, 100, 'array');
    expect(JSON.parse(array!)).toHaveLength(100);
    const [ndjson] = batchBodies(1, 100, 'ndjson');
    expect(ndjson!.trim().split('\n')).toHaveLength(100);
  });
});
