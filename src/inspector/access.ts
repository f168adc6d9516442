// Who may see the inspector: the holder of the admin token (TRIBUTARY_ADMIN_TOKEN or its _FILE), presented as
// `Authorization: Bearer` (scripts) or once in a POSTed login form that sets a session cookie (browsers). Never
// in a URL: URLs reach access logs, proxies' logs and browser history. The session id is random and not the
// token, so the cookie jar never holds the token itself, and logging out ends the session on the server.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { resolveSecret } from '../auth/secrets.js';
import type { SecretSource } from '../config.js';
import { Budget } from '../dead-letter/budget.js';

export const SESSION_COOKIE = 'tributary_inspector';
/** Eight hours: a working day, then log in again. */
export const SESSION_SECONDS = 8 * 3600;
const MAX_SESSIONS = 100;

/** The admin token from its source, or a problem to report; undefined source: the inspector is off. */
export function readAdminToken(
  source: SecretSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { token: Buffer } | { problem: string } | undefined {
  if (source === undefined) return undefined;
  const found =
    'env' in source
      ? resolveSecret(`\${${source.env}}`, process.cwd(), env)
      : resolveSecret(source, process.cwd());
  if ('problem' in found) return { problem: `TRIBUTARY_ADMIN_TOKEN: ${found.problem}` };
  if (found.value.length < 16) return { problem: 'TRIBUTARY_ADMIN_TOKEN: use at least 16 characters' };
  return { token: found.value };
}

/** A clock that runs 60 times slower: a Budget of 10 "per second" then refills 10 a minute. */
const minutes = (ms: number): number => ms / 60;

const digest = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest();

export class AdminAccess {
  private readonly token: Buffer;
  /** Session id digest (hex) -> expiry in epoch ms, oldest first. */
  private readonly sessions = new Map<string, number>();
  /** Guessing is slowed to 10 wrong tokens a minute, for all clients together. */
  private readonly failures: Budget;

  constructor(
    token: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.token = digest(token);
    this.failures = new Budget(10, Number.MAX_SAFE_INTEGER, minutes(now()));
  }

  /** Constant-time: digests of equal length, so neither the token's length nor a prefix shows in the timing. */
  private matches(presented: string): boolean {
    return timingSafeEqual(digest(presented), this.token);
  }

  /** A new session id for a correct token; 'wrong' or 'throttled' otherwise. */
  login(presented: string): string | 'wrong' | 'throttled' {
    if (this.matches(presented)) {
      const id = randomBytes(32).toString('base64url');
      this.sessions.set(digest(id).toString('hex'), this.now() + SESSION_SECONDS * 1000);
      while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
      return id;
    }
    return this.failures.spend(0, minutes(this.now())) === 'ok' ? 'wrong' : 'throttled';
  }

  logout(cookieHeader: string | undefined): void {
    const id = sessionOf(cookieHeader);
    if (id !== undefined) this.sessions.delete(digest(id).toString('hex'));
  }

  allowed(headers: { authorization?: string | undefined; cookie?: string | undefined }): boolean {
    const auth = headers.authorization;
    if (auth !== undefined && /^bearer /i.test(auth)) return this.matches(auth.slice(7).trim());
    const id = sessionOf(headers.cookie);
    if (id === undefined) return false;
    const key = digest(id).toString('hex');
    const expires = this.sessions.get(key);
    if (expires === undefined) return false;
    if (expires < this.now()) {
      this.sessions.delete(key);
      return false;
    }
    return true;
  }
}

function sessionOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
