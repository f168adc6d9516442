import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_SECONDS } from '../../src/catalog/deduplicate.js';
import { capture, loadYaml, ORDERS, problemsOf } from './temp-catalog.js';

describe('deduplicate configuration', () => {
  it('takes a header (lower-cased) or a pointer, with a window', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/hooks',
      `      - { target: acmeCo/orders, resource: { name: a, deduplicate: { header: X-GitHub-Delivery } } }
      - { target: acmeCo/orders, resource: { name: b, deduplicate: { pointer: /id, windowSeconds: 259200 } } }`,
    )}
`);
    expect(problemsOf(result)).toEqual([]);
    const [a, b] = result.catalog!.bindings;
    expect(a!.deduplicate).toEqual({ header: 'x-github-delivery', windowSeconds: DEFAULT_WINDOW_SECONDS });
    expect(b!.deduplicate).toEqual({ pointer: '/id', windowSeconds: 259200 });
  });

  it('reports each problem where it is', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/hooks',
      `      - { target: acmeCo/orders, resource: { name: a, deduplicate: { header: X-Id, pointer: /id } } }
      - { target: acmeCo/orders, resource: { name: b, deduplicate: { header: Stripe-Signature, window: 5 } } }
      - { target: acmeCo/orders, resource: { name: c, deduplicate: { pointer: /_meta/uuid, windowSeconds: 0 } } }
      - { target: acmeCo/orders, resource: { name: d, deduplicate: { pointer: id } } }
      - { target: acmeCo/orders, resource: { name: e, deduplicate: webhook-id } }`,
    )}
`);
    expect(problemsOf(result)).toEqual([
      'captures.acmeCo/hooks.bindings[0].resource.deduplicate: deduplicate must be { header: <name> } (one delivery per request) or { pointer: /json/pointer } (each document a delivery)',
      "captures.acmeCo/hooks.bindings[1].resource.deduplicate.header: header 'stripe-signature' carries a credential or signature",
      "captures.acmeCo/hooks.bindings[1].resource.deduplicate.window: unknown property 'window' (expected one of: header, pointer, windowSeconds)",
      'captures.acmeCo/hooks.bindings[2].resource.deduplicate.pointer: _meta is added by the gateway after duplicates are checked',
      'captures.acmeCo/hooks.bindings[2].resource.deduplicate.windowSeconds: windowSeconds must be a positive number of seconds: how long an id is remembered (default 86400)',
      'captures.acmeCo/hooks.bindings[3].resource.deduplicate.pointer: pointer must be an RFC 6901 JSON pointer such as /id',
      'captures.acmeCo/hooks.bindings[4].resource.deduplicate: deduplicate must be { header: <name> } (one delivery per request) or { pointer: /json/pointer } (each document a delivery)',
    ]);
  });
});
