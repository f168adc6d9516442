// Load-balancer settings: trusted proxies as addresses/CIDRs only, and timeouts Node accepts.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigError, defaultConfig } from '../../src/config.js';
import { timeouts, trustProxyOption } from '../../src/ops/server-options.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

describe('server options', () => {
  it('accepts addresses, CIDRs and proxy-addr names, and refuses anything else', () => {
    expect(trustProxyOption([])).toBe(false);
    expect(trustProxyOption(['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback'])).toHaveLength(5);
    for (const bad of ['true', '1', '10.0.0.0/33', '10.0.0/8', 'lb.example.com', '::1/129', '10.0.0.1/8/1']) {
      expect(() => trustProxyOption([bad]), bad).toThrow(ConfigError);
    }
  });

  it('keeps the headers timeout within the request timeout', () => {
    expect(timeouts({ headersTimeoutMs: 20_000, httpRequestTimeoutMs: 30_000 })).toEqual({
      headersTimeout: 20_000,
      requestTimeout: 30_000,
    });
    expect(timeouts({ headersTimeoutMs: 20_000, httpRequestTimeoutMs: 5000 }).headersTimeout).toBe(5000);
    expect(timeouts({ headersTimeoutMs: 20_000, httpRequestTimeoutMs: 0 })).toEqual({
      headersTimeout: 20_000,
      requestTimeout: 0,
    });
  });

  it('applies them to the server, and believes X-Forwarded-For only from a trusted proxy', async () => {
    const { logger, lines } = capturedLogger();
    const app = await buildApp({
      config: defaultConfig({
        trustProxy: ['10.1.0.0/16'],
        accessLog: 'all',
        headersTimeoutMs: 7000,
        httpRequestTimeoutMs: 9000,
      }),
      catalog: await fixtureCatalog('ingest-route.yaml'),
      logger,
      sink: { async produce() {} },
    });
    expect(app.fastify.server.headersTimeout).toBe(7000);
    expect(app.fastify.server.requestTimeout).toBe(9000);
    expect(app.fastify.server.keepAliveTimeout).toBe(72_000);
    const from = async (remoteAddress: string) => {
      lines.length = 0;
      await app.fastify.inject({
        method: 'GET',
        url: '/healthz',
        remoteAddress,
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      return lines.map((l) => JSON.parse(l)).find((l) => l.req)?.req.remoteAddress;
    };
    expect(await from('10.1.2.3')).toBe('203.0.113.9');
    expect(await from('198.51.100.1')).toBe('198.51.100.1');
    await app.fastify.close();
  });
});
