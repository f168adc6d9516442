// The README quickstart uses examples/catalog.yaml: it must stay loadable and mean what the README says.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';

const EXAMPLE = join(import.meta.dirname, '../../examples/catalog.yaml');

describe('examples/catalog.yaml', () => {
  it('loads with no problems and no warnings', async () => {
    const result = await loadCatalog(EXAMPLE);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('serves orders and GitHub events on the documented paths and topics', async () => {
    const { catalog } = await loadCatalog(EXAMPLE);
    expect(
      catalog!.bindings.map((binding) => [binding.path, binding.collection.name, binding.collection.topic]),
    ).toEqual([
      ['/acmeCo/shop/orders', 'acmeCo/orders', 'acmeCo.orders'],
      ['/acmeCo/github/events', 'acmeCo/github/events', 'acmeCo.github.events'],
    ]);
    const github = catalog!.captures.get('acmeCo/github')!.bindings[0]!;
    expect(github).toMatchObject({ idFromHeader: 'x-github-delivery', keepHeaders: ['x-github-event'] });
    expect(github.collection.key).toEqual(['/_meta/webhookId']);
    expect(catalog!.collections.get('acmeCo/orders')!.key).toEqual(['/id']);
  });

  it('validates orders: id string, amount number, customer object', async () => {
    const { catalog } = await loadCatalog(EXAMPLE);
    const { validate } = catalog!.collections.get('acmeCo/orders')!;
    expect(
      validate({ id: 'o-1', amount: 12.5, customer: { email: 'ann@example.com', name: 'Ann' } }),
    ).toBeNull();
    expect(
      validate({ id: 1, amount: '12', customer: { email: 'nope' } })?.map((failure) => failure.pointer),
    ).toEqual(['/id', '/amount', '/customer/email']);
    expect(catalog!.collections.get('acmeCo/github/events')!.validate({ action: 'opened' })).toBeNull();
  });
});
