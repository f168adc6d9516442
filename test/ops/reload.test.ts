// Catalog reload: a checked catalog is swapped in at once; a broken one keeps the old one serving.
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { defaultConfig } from '../../src/config.js';
import { reloadCatalog, reloadOnSignal } from '../../src/ops/reload.js';
import { writeCatalog } from '../catalog/temp-catalog.js';
import { capturedLogger } from '../helpers.js';

const V1 = `collections:
  acmeCo/orders:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
captures:
  acmeCo/shop:
    endpoint: { ingest: {} }
    bindings:
      - { target: acmeCo/orders, resource: { name: orders } }
`;
const V2 = `${V1.replace(
  'captures:',
  `  acmeCo/refunds:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
captures:`,
)}      - { target: acmeCo/refunds, resource: { name: refunds } }
`;
const BROKEN = V1.replace('key: [/id]', 'key: [/nope]');

let app: App | undefined;
let stop: (() => void) | undefined;
afterEach(async () => {
  stop?.();
  await app?.fastify.close();
});

async function setup() {
  const file = await writeCatalog({ 'catalog.yaml': V1 });
  const { logger, lines } = capturedLogger();
  app = await buildApp({
    config: defaultConfig(),
    catalog: (await loadCatalog(file)).catalog!,
    logger,
    sink: { async produce() {} },
  });
  const post = async (path: string) =>
    (
      await app!.fastify.inject({
        method: 'POST',
        url: path,
        payload: '{"id":"1"}',
        headers: { 'content-type': 'application/json' },
      })
    ).statusCode;
  return { file, logger, lines, post, app };
}

describe('catalog reload', () => {
  it('refuses a broken catalog with its problems logged, then swaps in a good one and creates its topics', async () => {
    const { file, logger, lines, post, app } = await setup();
    await writeFile(file, BROKEN);
    expect(await reloadCatalog({ file, app, logger })).toBe('refused');
    expect(await post('/acmeCo/shop/orders')).toBe(200);
    const refusal = lines.map((l) => JSON.parse(l)).find((l) => /reload refused/.test(l.msg));
    expect(refusal.problems.join('\n')).toMatch(/key \/nope/);

    await writeFile(file, V2);
    const created: string[][] = [];
    expect(await reloadCatalog({ file, app, logger, ensureTopics: async (t) => void created.push(t) })).toBe(
      'reloaded',
    );
    expect(created).toEqual([['acmeCo.refunds']]);
    expect(await post('/acmeCo/shop/refunds')).toBe(200);
    const doc = (await app.fastify.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toContain('/acmeCo/shop/refunds');
    const metrics = (await app.fastify.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('tributary_catalog_reloads_total{result="refused"} 1');
    expect(metrics).toContain('tributary_catalog_reloads_total{result="reloaded"} 1');
  });

  it('keeps the old catalog when the topics of new collections cannot be created', async () => {
    const { file, logger, post, app } = await setup();
    await writeFile(file, V2);
    const result = await reloadCatalog({
      file,
      app,
      logger,
      ensureTopics: async () => {
        throw new Error('not authorized to create topics');
      },
    });
    expect(result).toBe('refused');
    expect(await post('/acmeCo/shop/refunds')).toBe(404);
  });

  it('reloads on SIGHUP and, when asked, on a file change in the catalog folder', async () => {
    const { file, logger, post, app } = await setup();
    stop = reloadOnSignal({ file, app, logger, watchFiles: true });
    await writeFile(file, V2);
    const until = Date.now() + 5000;
    while ((await post('/acmeCo/shop/refunds')) !== 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await post('/acmeCo/shop/refunds')).toBe(200);
    stop();
    stop = reloadOnSignal({ file, app, logger, watchFiles: false });
    await writeFile(file, V1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await post('/acmeCo/shop/refunds')).toBe(200); // not watching: no change yet
    process.emit('SIGHUP', 'SIGHUP');
    const until2 = Date.now() + 5000;
    while ((await post('/acmeCo/shop/refunds')) !== 404 && Date.now() < until2) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await post('/acmeCo/shop/refunds')).toBe(404);
  });
});
