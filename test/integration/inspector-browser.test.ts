// The inspector in a real headless Chromium (issue 16; playwright-core driving the Debian chromium package, no
// browser downloaded): sign in with the admin token through the form, POST a bad document, and see it appear
// within 2 s without a reload, its failing JSON pointers highlighted; nothing the CSP blocks. A screenshot goes
// to test-output/inspector.png (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const brokers = inject('kafkaBootstrap');
const ADMIN = 'browser-admin-token-abcdefghijkl';
const SCREENSHOT = join(process.cwd(), 'test-output', 'inspector.png');
let gateway: Gateway;
let browser: Browser;

beforeAll(async () => {
  process.env['INSP_TOKEN'] = 'binding-token';
  process.env['BROWSER_ADMIN_TOKEN'] = ADMIN;
  const { logger } = capturedLogger('warn');
  await reconcileTopics(
    createKafka({ brokers, clientId: 't', connectionTimeoutMs: 3000 }, logger),
    ['insp.orders', 'insp.dead-letters'],
    { partitions: 1, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  gateway = await startGateway(
    defaultConfig({ brokers, port: 0, lingerMs: 5, adminToken: { env: 'BROWSER_ADMIN_TOKEN' } }),
    await fixtureCatalog('inspector.yaml'),
    logger,
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

describe('inspector page in Chromium', () => {
  it('shows a new rejection within 2 s with its failing pointers highlighted', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const complaints: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') complaints.push(m.text());
    });
    page.on('pageerror', (err) => complaints.push(err.message));
    page.on('response', (r) => {
      if (r.status() === 404) complaints.push(`404 ${r.url()}`);
    });
    await page.goto(`${gateway.url}/_tributary/inspector`);
    await page.getByLabel('Admin token').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${gateway.url}/_tributary/inspector`);
    // The token went in a POST body: the page's URL never held it.
    expect(page.url()).not.toContain(ADMIN);
    await page.getByText('No rejections yet.').waitFor();

    const res = await fetch(`${gateway.url}/insp/shop/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"o-9","amount":"nine","items":[{"sku":"a"},{"sku":5}]}',
    });
    expect(res.status).toBe(400);
    const posted = Date.now();
    const amount = page.locator('mark.fail[data-pointer="/amount"]');
    await amount.waitFor({ timeout: 2000 });
    const seenAfterMs = Date.now() - posted;
    expect(await amount.textContent()).toBe('"nine"');
    expect(await page.locator('mark.fail[data-pointer="/items/1/sku"]').textContent()).toBe('5');
    expect(await page.locator('mark.fail').count()).toBe(2);
    await expect(
      page.getByRole('heading', { name: /TRIB_VALIDATE_SCHEMA \(400\) on insp\/shop\/orders/ }),
    ).toBeTruthy();
    expect(await page.locator('#rejections').textContent()).toContain('written to insp.dead-letters');
    // The chart: one image per binding, its numbers in its accessible name.
    expect(
      await page.getByRole('img', { name: /insp\/shop\/orders: 0 accepted and 1 rejected/ }).count(),
    ).toBe(1);

    // Filters: another binding's rejection (redacted: it has no dead-letter topic), then only that binding.
    await fetch(`${gateway.url}/insp/shop/plain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"p-1"}',
    });
    await page.locator('li[data-code="TRIB_VALIDATE_SCHEMA"]').nth(1).waitFor({ timeout: 2000 });
    await page.getByLabel('Binding', { exact: true }).selectOption('insp/shop/plain');
    await expect.poll(() => page.locator('#rejections > li').count(), { timeout: 2000 }).toBe(1);
    expect(await page.locator('#rejections').textContent()).toContain('values redacted');
    await page.getByLabel('Binding', { exact: true }).selectOption('');
    await expect.poll(() => page.locator('#rejections > li').count(), { timeout: 2000 }).toBe(2);

    mkdirSync(join(process.cwd(), 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(complaints).toEqual([]);
    console.log(`inspector: rejection shown ${seenAfterMs} ms after the POST; screenshot ${SCREENSHOT}`);
    await page.close();
  });
});
