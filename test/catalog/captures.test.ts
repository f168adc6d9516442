// Capture and binding rules: targets, names, paths, headers, endpoints.
import { describe, expect, it } from 'vitest';
import { SECRET_HEADERS } from '../../src/catalog/secret-headers.js';
import { capture, loadYaml, ORDERS, problemsOf, warningsOf } from './temp-catalog.js';

describe('bindings', () => {
  it('refuses an unknown target', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', '      - { target: acmeCo/order, resource: { name: orders } }')}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.bindings[0].target: unknown target collection 'acmeCo/order'",
    ]);
  });

  it('refuses duplicate binding names within a capture, not across captures', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: orders } }
      - { target: acmeCo/orders, resource: { name: orders, path: /other } }`,
    )}${capture('acmeCo/store', '      - { target: acmeCo/orders, resource: { name: orders } }')}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.bindings[1].resource.name: binding name 'orders' is already used by captures.acmeCo/shop.bindings[0]",
    ]);
  });

  it('refuses unknown properties in resource, binding, capture and collection', async () => {
    const result = await loadYaml(`
collections:
  acmeCo/orders:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
    topc: x
captures:
  acmeCo/shop:
    endpoint: { ingest: {} }
    interval: 5m
    bindings:
      - { target: acmeCo/orders, disable: true, resource: { name: orders, pth: /x } }
`);
    expect(problemsOf(result).map((problem) => problem.split(':')[0])).toEqual([
      'collections.acmeCo/orders.topc',
      'captures.acmeCo/shop.interval',
      'captures.acmeCo/shop.bindings[0].disable',
      'captures.acmeCo/shop.bindings[0].resource.pth',
    ]);
  });

  it('refuses duplicate paths and templates matching the same requests, across captures', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: '/hooks/{org}' } }
      - { target: acmeCo/orders, resource: { name: b, path: /same } }`,
    )}${capture(
      'acmeCo/store',
      `      - { target: acmeCo/orders, resource: { name: a, path: '/hooks/{tenant}' } }
      - { target: acmeCo/orders, resource: { name: b, path: /same } }
      - { target: acmeCo/orders, resource: { name: c, path: /acmeCo/shop/d } }`,
    )}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/store.bindings[0].resource.path: path '/hooks/{tenant}' matches the same requests as '/hooks/{org}' of binding acmeCo/shop/a (captures.acmeCo/shop.bindings[0].resource.path)",
      "captures.acmeCo/store.bindings[1].resource.path: path '/same' is already used by binding acmeCo/shop/b (captures.acmeCo/shop.bindings[1].resource.path)",
    ]);
  });

  it('refuses a default path that collides with an explicit one, at resource.name', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: /acmeCo/shop/b } }
      - { target: acmeCo/orders, resource: { name: b } }`,
    )}
`);
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(
        /^captures.acmeCo\/shop.bindings\[1\].resource.name: path '\/acmeCo\/shop\/b' is already used/,
      ),
    ]);
  });

  it.each([
    ['/healthz', "would match requests for '/healthz'"],
    ['/docs/api', "would match requests under '/docs/'"],
    ['/_tributary/x', "would match requests under '/_tributary/'"],
    ['/{org}/events', "would match requests under '/healthz/'"],
    ['github', "must start with '/'"],
    ['/a/{x}/{x}', 'appears twice'],
  ])('refuses path %s', async (path, problem) => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', `      - { target: acmeCo/orders, resource: { name: a, path: '${path}' } }`)}
`);
    expect(problemsOf(result)).toEqual([expect.stringContaining(problem)]);
    expect(result.problems[0]?.location.path).toBe('captures.acmeCo/shop.bindings[0].resource.path');
  });

  it('accepts path templates and a path that merely starts like a reserved one', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: '/github/{org}/{repo}' } }
      - { target: acmeCo/orders, resource: { name: b, path: /docsy } }`,
    )}
`);
    expect(result.problems).toEqual([]);
  });

  it.each(SECRET_HEADERS)('refuses keeping the secret header %s, in any case', async (header) => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', `      - { target: acmeCo/orders, resource: { name: a, keepHeaders: [${header.toUpperCase()}] } }`)}
`);
    expect(problemsOf(result)).toEqual([
      `captures.acmeCo/shop.bindings[0].resource.keepHeaders[0]: header '${header}' carries a credential or signature and is never copied into documents`,
    ]);
  });

  it('refuses a secret header as idFromHeader and a malformed header name', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture('acmeCo/shop', `      - { target: acmeCo/orders, resource: { name: a, idFromHeader: Stripe-Signature, keepHeaders: ['bad header'] } }`)}
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/shop.bindings[0].resource.idFromHeader: header 'stripe-signature' carries a credential or signature and is never copied into documents",
      'captures.acmeCo/shop.bindings[0].resource.keepHeaders[0]: keepHeaders[0] must be an HTTP header name (RFC 9110 token)',
    ]);
  });

  it('warns about and skips a pull capture', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/pull:
    endpoint: { connector: { image: ghcr.io/estuary/source-postgres:dev, config: {} } }
    bindings:
      - { target: acmeCo/nowhere, resource: { table: x } }
`);
    expect(result.problems).toEqual([]);
    expect(warningsOf(result)).toEqual([
      'captures.acmeCo/pull.endpoint: pull capture acmeCo/pull is not served by this gateway',
    ]);
    expect(result.catalog!.captures.size).toBe(0);
  });

  it('refuses an endpoint that is neither ingest nor connector', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/shop:
    endpoint: { local: {} }
    bindings: []
`);
    expect(problemsOf(result)).toEqual([
      'captures.acmeCo/shop.endpoint: endpoint must be { ingest: {...} } for a push capture, or { connector: ... } for a pull capture',
      "captures.acmeCo/shop.endpoint.local: unknown property 'local' (expected one of: ingest, connector)",
    ]);
  });
});

describe('path overlaps', () => {
  it('warns when a template partly overlaps a literal path', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:${capture(
      'acmeCo/shop',
      `      - { target: acmeCo/orders, resource: { name: a, path: /hooks/github } }
      - { target: acmeCo/orders, resource: { name: b, path: '/hooks/{source}' } }`,
    )}
`);
    expect(result.problems).toEqual([]);
    expect(warningsOf(result)).toEqual([
      expect.stringMatching(
        /^captures.acmeCo\/shop.bindings\[1\].resource.path: path '\/hooks\/\{source\}' overlaps '\/hooks\/github'/,
      ),
    ]);
  });
});
