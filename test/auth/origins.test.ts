import { describe, expect, it } from 'vitest';
import { checkOrigin } from '../../src/auth/origins.js';

describe('checkOrigin', () => {
  it('lets non-browser clients (no Origin) through whatever the list', () => {
    expect(() => checkOrigin(undefined, undefined)).not.toThrow();
    expect(() => checkOrigin(['https://a.example'], undefined)).not.toThrow();
  });

  it('admits listed origins exactly, and any with *', () => {
    expect(() => checkOrigin(['https://a.example'], 'https://a.example')).not.toThrow();
    expect(() => checkOrigin(['*'], 'https://evil.example')).not.toThrow();
    expect(() => checkOrigin(['*'], 'null')).not.toThrow();
  });

  it.each([
    [undefined, 'https://a.example'],
    [['https://a.example'], 'https://a.example.evil.example'],
    [['https://a.example'], 'http://a.example'],
    [['https://a.example'], 'https://a.example:8443'],
    [['https://a.example'], 'null'],
  ])('refuses %j for Origin %s with 403', (allowed, origin) => {
    expect(() => checkOrigin(allowed, origin)).toThrow(
      expect.objectContaining({ code: 'TRIB_AUTH_ORIGIN_NOT_ALLOWED', status: 403 }),
    );
  });
});
