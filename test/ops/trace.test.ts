// Request id and W3C Trace Context onto Kafka record headers.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { recordHeaders, validTraceparent } from '../../src/ops/trace.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace headers', () => {
  it('accepts valid traceparents and drops invalid ones (W3C Trace Context §3.2)', () => {
    expect(validTraceparent(TP)).toBe(TP);
    expect(validTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).toBeDefined();
    for (const bad of [
      `${TP}-extra`, // version 00 has exactly four fields
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      'garbage',
      undefined,
    ]) {
      expect(validTraceparent(bad), String(bad)).toBeUndefined();
    }
  });

  it('keeps tracestate only with a valid traceparent', () => {
    expect(recordHeaders('r1', { traceparent: TP, tracestate: 'vendor=abc' })).toEqual({
      'x-request-id': 'r1',
      traceparent: TP,
      tracestate: 'vendor=abc',
    });
    expect(recordHeaders('r1', { traceparent: 'nope', tracestate: 'vendor=abc' })).toEqual({
      'x-request-id': 'r1',
    });
    expect(recordHeaders('r1', { traceparent: TP, tracestate: 'x'.repeat(600) })).not.toHaveProperty(
      'tracestate',
    );
  });

  it('puts the X-Request-Id (or the generated id) and traceparent on every record of a request', async () => {
    const produced: OutboundRecord[] = [];
    const app = await buildApp({
      config: defaultConfig(),
      catalog: await fixtureCatalog('ingest-route.yaml'),
      logger: capturedLogger().logger,
      sink: {
        async produce(records) {
          produced.push(...records);
        },
      },
    });
    const res = await app.fastify.inject({
      method: 'POST',
      url: '/test/shop/orders',
      payload: '[{"id":"a","amount":1},{"id":"b","amount":2}]',
      headers: { 'content-type': 'application/json', 'x-request-id': 'lb-123', traceparent: TP },
    });
    expect(res.statusCode).toBe(200);
    expect(produced.map((r) => [r.headers['x-request-id'], r.headers['traceparent']])).toEqual([
      ['lb-123', TP],
      ['lb-123', TP],
    ]);
    await app.fastify.inject({
      method: 'POST',
      url: '/test/shop/orders',
      payload: '{"id":"c","amount":1}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'has spaces and is odd' },
    });
    const generated = produced[2]!.headers['x-request-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(produced[2]!.headers).not.toHaveProperty('traceparent');
    await app.fastify.close();
  });
});
