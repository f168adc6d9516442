import { describe, expect, it } from 'vitest';
import { AdminAccess, readAdminToken, SESSION_COOKIE, SESSION_SECONDS } from '../../src/inspector/access.js';

const TOKEN = 'an-admin-token-of-some-length';

describe('inspector access (issue 16)', () => {
  it('reads the token from its variable, refusing unset and short ones', () => {
    expect(readAdminToken(undefined)).toBeUndefined();
    expect(readAdminToken({ env: 'A' }, { A: TOKEN })).toEqual({ token: Buffer.from(TOKEN) });
    expect(readAdminToken({ env: 'A' }, {})).toEqual({ problem: expect.stringContaining('not set') });
    expect(readAdminToken({ env: 'A' }, { A: 'short' })).toEqual({ problem: expect.stringContaining('16') });
  });

  it('takes a bearer header or a session cookie, which expires and ends on logout', () => {
    let now = 0;
    const access = new AdminAccess(Buffer.from(TOKEN), () => now);
    expect(access.allowed({ authorization: `Bearer ${TOKEN}` })).toBe(true);
    expect(access.allowed({ authorization: 'Bearer nope' })).toBe(false);
    expect(access.allowed({})).toBe(false);
    const id = access.login(TOKEN);
    expect(id).toMatch(/^[\w-]{43}$/);
    const cookie = `other=1; ${SESSION_COOKIE}=${id}`;
    expect(access.allowed({ cookie })).toBe(true);
    expect(access.allowed({ cookie: `${SESSION_COOKIE}=forged` })).toBe(false);
    now = SESSION_SECONDS * 1000 + 1;
    expect(access.allowed({ cookie })).toBe(false);
    const again = access.login(TOKEN) as string;
    access.logout(`${SESSION_COOKIE}=${again}`);
    expect(access.allowed({ cookie: `${SESSION_COOKIE}=${again}` })).toBe(false);
  });

  it('slows guessing to 10 wrong tokens a minute', () => {
    let now = 0;
    const access = new AdminAccess(Buffer.from(TOKEN), () => now);
    const outcomes = Array.from({ length: 11 }, () => access.login('guess'));
    expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(10);
    expect(outcomes.at(-1)).toBe('throttled');
    now = 6_000;
    expect(access.login('guess')).toBe('wrong');
  });
});
