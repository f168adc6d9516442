// The HTTP server settings that matter behind a load balancer: which proxies may speak for the client
// (X-Forwarded-*), and how long a peer may take to send a request.
import { isIP } from 'node:net';
import { ConfigError } from '../config.js';

/** proxy-addr's named ranges (what Fastify's trustProxy hands the list to). */
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRIBUTARY_TRUST_PROXY entries -> Fastify's trustProxy. Only addresses and CIDRs: Fastify ≥ 5.12.1 ignores hop
 * counts because they let a direct client spoof X-Forwarded-For, and `true` would trust anyone.
 */
export function trustProxyOption(entries: readonly string[]): string[] | false {
  for (const entry of entries) {
    if (NAMED.has(entry)) continue;
    const [address, prefix, ...more] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || more.length > 0) {
      throw new ConfigError(
        `TRIBUTARY_TRUST_PROXY: '${entry}' is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1, loopback)`,
      );
    }
  }
  return entries.length === 0 ? false : [...entries];
}

/**
 * Node refuses a headersTimeout above a non-zero requestTimeout, so the smaller wins. A requestTimeout of 0
 * (no bound) is only safe behind a proxy that bounds slow clients itself.
 */
export function timeouts(config: { headersTimeoutMs: number; httpRequestTimeoutMs: number }): {
  headersTimeout: number;
  requestTimeout: number;
} {
  const requestTimeout = config.httpRequestTimeoutMs;
  const headersTimeout =
    requestTimeout > 0 ? Math.min(config.headersTimeoutMs, requestTimeout) : config.headersTimeoutMs;
  return { headersTimeout, requestTimeout };
}
