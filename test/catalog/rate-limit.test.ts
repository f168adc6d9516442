// `rateLimit` in catalogs: checked at load, so a typo is reported by `tributary check`.
import { describe, expect, it } from 'vitest';
import { capture, loadYaml, ORDERS, problemsOf } from './temp-catalog.js';

const catalog = (endpoint: string, resource: string) => `
collections:
${ORDERS}
captures:
  acmeCo/hooks:
    endpoint: { ingest: { ${endpoint} } }
    bindings:
      - target: acmeCo/orders
        resource: { name: a${resource} }
      - target: acmeCo/orders
        resource: { name: b }
`;

describe('rateLimit', () => {
  it('resolves per binding, the binding over its capture, with durations in words or milliseconds', async () => {
    const result = await loadYaml(
      catalog(
        "rateLimit: { max: 10, timeWindow: '30 seconds' }",
        ', rateLimit: { max: 5, timeWindow: 1500 }',
      ),
    );
    expect(problemsOf(result)).toEqual([]);
    expect(result.catalog!.bindings.map((b) => b.rateLimit)).toEqual([
      { max: 5, timeWindowMs: 1500 },
      { max: 10, timeWindowMs: 30_000 },
    ]);
    const open = await loadYaml(`
collections:
${ORDERS}
captures:
${capture('acmeCo/open', '      - { target: acmeCo/orders, resource: { name: x } }')}
`);
    expect(open.catalog!.bindings[0]!.rateLimit).toBeUndefined();
    const defaultWindow = await loadYaml(catalog('rateLimit: { max: 1 }', ''));
    expect(defaultWindow.catalog!.bindings[0]!.rateLimit).toEqual({ max: 1, timeWindowMs: 60_000 });
  });

  it('reports bad limits with their location', async () => {
    const result = await loadYaml(
      catalog(
        "rateLimit: { max: 0, timeWindow: '1 fortnight' }",
        ', rateLimit: { max: 2.5, timeWindow: -1, burst: 3 }',
      ),
    );
    // The endpoint's bad limit no longer hides the binding's (issue 12).
    expect(problemsOf(result)).toEqual([
      expect.stringMatching(/^captures\.acmeCo\/hooks\.endpoint\.ingest\.rateLimit\.max: max must be/),
      expect.stringMatching(
        /^captures\.acmeCo\/hooks\.endpoint\.ingest\.rateLimit\.timeWindow: timeWindow must/,
      ),
      expect.stringMatching(/bindings\[0\]\.resource\.rateLimit\.max: max must be/),
      expect.stringMatching(/bindings\[0\]\.resource\.rateLimit\.timeWindow: timeWindow must/),
      expect.stringMatching(/bindings\[0\]\.resource\.rateLimit\.burst: unknown property 'burst'/),
    ]);
    const own = await loadYaml(catalog('', ', rateLimit: { max: 2.5, timeWindow: -1, burst: 3 }'));
    expect(problemsOf(own)).toEqual([
      expect.stringMatching(/rateLimit\.max: max must be/),
      expect.stringMatching(/rateLimit\.timeWindow: timeWindow must/),
      expect.stringMatching(/rateLimit\.burst: unknown property 'burst'/),
    ]);
    expect(problemsOf(await loadYaml(catalog('rateLimit: 5', '')))).toEqual([
      expect.stringMatching(/rateLimit: rateLimit must be a mapping/),
    ]);
  });
});
