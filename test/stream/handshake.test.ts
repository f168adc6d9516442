import { describe, expect, it } from 'vitest';
import { checkProtocols, offeredProtocols, selectProtocol } from '../../src/stream/handshake.js';

describe('handshake', () => {
  it('splits offered subprotocols, repeated or comma separated', () => {
    expect(offeredProtocols(undefined)).toEqual([]);
    expect(offeredProtocols('tributary.v1, bearer.abc')).toEqual(['tributary.v1', 'bearer.abc']);
    expect(offeredProtocols(['a', 'b ,c'])).toEqual(['a', 'b', 'c']);
  });

  it('selects tributary.v1, never the bearer token offered first', () => {
    expect(selectProtocol(new Set(['bearer.abc', 'tributary.v1']))).toBe('tributary.v1');
    expect(selectProtocol(new Set(['bearer.abc']))).toBe(false);
  });

  it('requires tributary.v1 among offered protocols, and allows none', () => {
    expect(() => checkProtocols([])).not.toThrow();
    expect(() => checkProtocols(['bearer.x', 'tributary.v1'])).not.toThrow();
    expect(() => checkProtocols(['bearer.x'])).toThrow(
      expect.objectContaining({ code: 'TRIB_STREAM_UNSUPPORTED_PROTOCOL', status: 400 }),
    );
  });
});
