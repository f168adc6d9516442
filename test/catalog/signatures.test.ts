// `signature:` in the catalog: capture default, binding override, `scheme: none`, every problem with its place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadYaml, ORDERS, problemsOf } from './temp-catalog.js';

beforeAll(() => {
  process.env.SIG_TEST_GITHUB = 'gh-secret';
  process.env.SIG_TEST_STRIPE = 'whsec_stripe';
  process.env.SIG_TEST_WHSEC_BAD = 'not-a-whsec!';
});
afterAll(() => {
  delete process.env.SIG_TEST_GITHUB;
  delete process.env.SIG_TEST_STRIPE;
  delete process.env.SIG_TEST_WHSEC_BAD;
});

describe('signature configuration', () => {
  it('applies the capture signature to its bindings; a binding overrides it or turns it off', async () => {
    const result = await loadYaml(
      `
collections:${ORDERS}
captures:
  acmeCo/hooks:
    endpoint:
      ingest:
        signature: { scheme: github, secrets: ['\${SIG_TEST_GITHUB}'] }
    bindings:
      - { target: acmeCo/orders, resource: { name: inherits } }
      - target: acmeCo/orders
        resource:
          name: own
          signature: { scheme: stripe, secrets: ['\${SIG_TEST_STRIPE}', { file: old.txt }], tolerance: 600 }
      - { target: acmeCo/orders, resource: { name: open, signature: { scheme: none } } }
`,
      { 'old.txt': 'whsec_old\n' },
    );
    expect(problemsOf(result)).toEqual([]);
    const [inherits, own, open] = result.catalog!.bindings;
    expect(inherits!.signature?.scheme).toBe('github');
    expect(own!.signature?.scheme).toBe('stripe');
    expect(open!.signature).toBeUndefined();
  });

  it('reports every problem with its location, and never the secret', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/hooks:
    endpoint:
      ingest:
        signature: { scheme: gitlab, secrets: ['\${SIG_TEST_GITHUB}'] }
    bindings:
      - target: acmeCo/orders
        resource: { name: a, signature: { scheme: github, secrets: [plain-text-secret], prefix: x } }
  acmeCo/more:
    endpoint: { ingest: {} }
    bindings:
      - target: acmeCo/orders
        resource: { name: b, signature: { scheme: standard-webhooks, secrets: ['\${SIG_TEST_WHSEC_BAD}', '\${SIG_TEST_UNSET_X}'], tolerance: 0 } }
      - target: acmeCo/orders
        resource: { name: c, path: /c, signature: { scheme: standard-webhooks, secrets: ['\${SIG_TEST_WHSEC_BAD}'] } }
      - target: acmeCo/orders
        resource: { name: d, signature: { scheme: slack, secrets: [] } }
      - target: acmeCo/orders
        resource: { name: e, signature: { scheme: custom, secrets: ['\${SIG_TEST_GITHUB}'], header: X-Sig, signedContent: '{ts}' } }
      - target: acmeCo/orders
        resource: { name: f, signature: github }
      - target: acmeCo/orders
        resource: { name: g, signature: { scheme: none, secrets: [] } }
`);
    expect(problemsOf(result)).toEqual([
      'captures.acmeCo/hooks.endpoint.ingest.signature.scheme: scheme must be one of: standard-webhooks, svix, stripe, github, shopify, slack, twilio, custom, none',
      "captures.acmeCo/hooks.bindings[0].resource.signature.secrets[0]: secrets[0] must be '${ENV_NAME}' or { file: path }, never a plain-text secret",
      "captures.acmeCo/hooks.bindings[0].resource.signature.prefix: unknown property 'prefix' (expected one of: scheme, secrets)",
      'captures.acmeCo/more.bindings[0].resource.signature.secrets[1]: environment variable SIG_TEST_UNSET_X is not set',
      "captures.acmeCo/more.bindings[0].resource.signature.tolerance: tolerance must be a positive number of seconds: how far a signed timestamp may be from the gateway's clock, both ways (default 300)",
      "captures.acmeCo/more.bindings[1].resource.signature.secrets[0]: a Standard Webhooks secret is 'whsec_' + base64",
      "captures.acmeCo/more.bindings[2].resource.signature.secrets: secrets must be a non-empty list of '${ENV_NAME}' or { file: path } entries (several while rotating)",
      'captures.acmeCo/more.bindings[3].resource.signature.signedContent: unknown placeholder {ts}: use {body}, {timestamp}, {id}',
      'captures.acmeCo/more.bindings[3].resource.signature.signedContent: signedContent must contain {body} exactly once',
      "captures.acmeCo/more.bindings[4].resource.signature: signature must be a webhook signature such as { scheme: github, secrets: ['${GITHUB_SECRET}'] }, or { scheme: none }",
      "captures.acmeCo/more.bindings[5].resource.signature.secrets: unknown property 'secrets' (expected one of: scheme)",
      "captures.acmeCo/more.bindings[5].resource.signature.secrets: secrets must be a non-empty list of '${ENV_NAME}' or { file: path } entries (several while rotating)",
    ]);
    expect(JSON.stringify(result.problems)).not.toContain('not-a-whsec!');
    expect(JSON.stringify(result.problems)).not.toContain('gh-secret');
  });

  it("refuses to copy the custom scheme's signature header into documents", async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/hooks:
    endpoint: { ingest: {} }
    bindings:
      - target: acmeCo/orders
        resource:
          name: a
          keepHeaders: [X-Acme-Signature]
          signature: { scheme: custom, header: X-Acme-Signature, secrets: ['\${SIG_TEST_GITHUB}'] }
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/hooks.bindings[0].resource: header 'x-acme-signature' carries the binding's signature and is never copied",
    ]);
  });
});
