import { describe, expect, it } from 'vitest';
import { isHeaderName } from '../../src/auth/headers.js';

describe('header names', () => {
  it('accepts RFC 9110 tokens only', () => {
    expect(isHeaderName('X-GitHub-Delivery')).toBe(true);
    expect(isHeaderName('bad header')).toBe(false);
    expect(isHeaderName('bad:header')).toBe(false);
  });
});
