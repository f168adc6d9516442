// OAUTHBEARER tokens from an OIDC provider with the client-credentials grant (RFC 6749 section 4.4): one POST with
// the client id and secret (HTTP Basic, RFC 6749 section 2.3.1), the access token kept until 80% of its lifetime
// (Kafka's Java login refreshes at the same factor, sasl.login.refresh.window.factor), then fetched again before it
// expires. Written by hand: the grant is one form POST, and no maintained npm client does only this.
import { KafkaAuthenticationError } from './failure.js';

export interface OAuthSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Per token request. */
  timeoutMs?: number;
}

interface Held {
  token: string;
  /** Epoch ms: past this the token is fetched anew (80% of its lifetime). */
  refreshAt: number;
  expiresAt: number;
}

const REFRESH_FACTOR = 0.8;
/** When the provider names no lifetime (expires_in and a JWT exp both missing). */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

export class OAuthTokenSource {
  private held: Held | undefined;
  private pending: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The `sub` claim of the last token, when it is a JWT: the principal the brokers see. */
  subject: string | undefined;

  constructor(
    private readonly settings: OAuthSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token valid for a while yet; fetches one when none is held or the held one is due for refresh. */
  token(opts: { refresh?: boolean } = {}): Promise<string> {
    const held = this.held;
    if (held !== undefined && opts.refresh !== true && this.now() < held.refreshAt)
      return Promise.resolve(held.token);
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    // A token past its refresh point but not expired still serves if the provider is briefly down.
    if (held !== undefined && this.now() < held.expiresAt) return this.pending.catch(() => held.token);
    return this.pending;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private async fetch(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.settings;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) body.set('scope', scope);
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new Error(
        `OAuth token endpoint ${origin(tokenUrl)} unreachable: ${String((err as Error).cause ?? (err as Error).message)}`,
      );
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // an error page: reported by status below
    }
    if (!res.ok || typeof json['access_token'] !== 'string') {
      // RFC 6749 section 5.2: `error` is a code such as invalid_client; never echo the body, it may hold anything.
      const code = typeof json['error'] === 'string' ? ` (${json['error'].slice(0, 64)})` : '';
      const message = `OAuth token endpoint ${origin(tokenUrl)} refused client ${clientId}: HTTP ${res.status}${code}`;
      // 400/401/403 are the provider's answers to wrong credentials or scope (RFC 6749 section 5.2); others may pass.
      if ([400, 401, 403].includes(res.status)) throw new KafkaAuthenticationError(message);
      throw new Error(message);
    }
    const token = json['access_token'];
    const claims = jwtClaims(token);
    this.subject = typeof claims?.['sub'] === 'string' ? claims['sub'] : undefined;
    const now = this.now();
    const lifetime =
      typeof json['expires_in'] === 'number' && json['expires_in'] > 0
        ? json['expires_in'] * 1000
        : typeof claims?.['exp'] === 'number'
          ? claims['exp'] * 1000 - now
          : DEFAULT_LIFETIME_MS;
    const refreshIn = Math.max(1000, Math.floor(lifetime * REFRESH_FACTOR));
    this.held = { token, refreshAt: now + refreshIn, expiresAt: now + lifetime };
    this.scheduleRefresh(refreshIn);
    return token;
  }

  /** Fetch ahead of need, so a new broker connection does not wait for the provider. */
  private scheduleRefresh(inMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Forced: a timer may fire a millisecond before Date.now() reaches refreshAt.
      void this.token({ refresh: true }).catch(() => undefined);
    }, inMs);
    this.timer.unref();
  }
}

function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'URL';
  }
}

/** The payload of a JWT, unverified (only to name the subject and the expiry); undefined for opaque tokens. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
