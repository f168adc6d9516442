import { describe, expect, it } from 'vitest';
import { loadTopics } from '../../src/catalog/load.js';
import { capture, loadYaml, ORDERS, problemsOf, writeCatalog } from './temp-catalog.js';

describe('deadLetter in the catalog (issue 16)', () => {
  it('is inherited from the capture, overridden per binding, with defaults', async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/hooks:
    endpoint: { ingest: { deadLetter: { topic: acme.dead } } }
    bindings:
      - { target: acmeCo/orders, resource: { name: a } }
      - { target: acmeCo/orders, resource: { name: b, deadLetter: { topic: b.dead, maxBodyBytes: 10 } } }
${capture('acmeCo/none', '      - { target: acmeCo/orders, resource: { name: c } }')}`);
    expect(problemsOf(result)).toEqual([]);
    const [a, b, c] = result.catalog!.bindings;
    expect(a!.deadLetter).toEqual({
      topic: 'acme.dead',
      maxBodyBytes: 65536,
      maxPerSecond: 10,
      maxBytesPerSecond: 1048576,
    });
    expect(b!.deadLetter).toMatchObject({ topic: 'b.dead', maxBodyBytes: 10 });
    expect(c!.deadLetter).toBeUndefined();
  });

  it("refuses a collection's topic, also one differing only by '.' vs '_'", async () => {
    const result = await loadYaml(`
collections:${ORDERS}
captures:
  acmeCo/hooks:
    endpoint: { ingest: { deadLetter: { topic: acmeCo_orders } } }
    bindings:
      - { target: acmeCo/orders, resource: { name: a } }
      - { target: acmeCo/orders, resource: { name: b } }
`);
    expect(problemsOf(result)).toEqual([
      "captures.acmeCo/hooks.endpoint.ingest.deadLetter.topic: dead-letter topic 'acmeCo_orders' is (or collides with) the topic of collection acmeCo/orders: dead letters would reach its consumers",
    ]);
    const shape = await loadYaml(`
collections:${ORDERS}
${capture('acmeCo/x', '      - { target: acmeCo/orders, resource: { name: a, deadLetter: { maxBodyBytes: -1 } } }')}`);
    expect(problemsOf(shape).length).toBeGreaterThan(0);
  });

  it('adds dead-letter topics to what `tributary topics` creates', async () => {
    const file = await writeCatalog({
      'catalog.yaml': `
collections:${ORDERS}
captures:
  acmeCo/hooks:
    endpoint: { ingest: { tokens: ["\${UNSET_FOR_TOPICS}"], deadLetter: { topic: acme.dead } } }
    bindings:
      - { target: acmeCo/orders, resource: { name: a, deadLetter: { topic: a.dead } } }
`,
    });
    expect((await loadTopics(file)).topics).toEqual(['acmeCo.orders', 'acme.dead', 'a.dead']);
  });
});
