import { describe, expect, it } from 'vitest';
import { nextUuid } from '../../src/document/meta.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('nextUuid (pooled randomness, issue 6)', () => {
  it('makes RFC 9562 version 7 ids carrying the current time', () => {
    const before = Date.now();
    const id = nextUuid();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    const msecs = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after);
  });

  it('stays unique and strictly increasing across many pool refills', () => {
    // 20,000 ids use the 4 KiB pool 78 times over and many share a millisecond.
    const ids = Array.from({ length: 20_000 }, () => nextUuid());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(UUID_V7);
  });
});
