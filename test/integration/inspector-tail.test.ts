// The inspector behind a load balancer (issue 16): two gateways share one dead-letter topic; a bad POST to A
// appears in B's inspector API and on B's page in a real headless Chromium (its failing pointer highlighted),
// read back from the topic, within 2 s. A screenshot goes to test-output/inspector-tail.png (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import type { InspectorView } from '../../src/inspector/recorder.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const brokers = inject('kafkaBootstrap');
const ADMIN = 'tail-admin-token-abcdefghijklmn';
const TOPIC = 'insp.tail-dead-letters';
const SCREENSHOT = join(process.cwd(), 'test-output', 'inspector-tail.png');
let a: Gateway;
let b: Gateway;
let browser: Browser;

async function state(gateway: Gateway): Promise<InspectorView> {
  const res = await fetch(`${gateway.url}/_tributary/inspector/api/state`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as InspectorView;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  process.env['INSP_TOKEN'] = 'binding-token';
  process.env['TAIL_ADMIN_TOKEN'] = ADMIN;
  const { logger } = capturedLogger('warn');
  await reconcileTopics(
    createKafka({ brokers, clientId: 't', connectionTimeoutMs: 3000 }, logger),
    ['insp.orders', TOPIC],
    { partitions: 2, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  const catalog = await fixtureCatalog('inspector-tail.yaml');
  const config = defaultConfig({ brokers, port: 0, lingerMs: 5, adminToken: { env: 'TAIL_ADMIN_TOKEN' } });
  [a, b] = await Promise.all([startGateway(config, catalog, logger), startGateway(config, catalog, logger)]);
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
  // Both tails joined their group and sought their start: what is written from now on reaches them.
  await until(
    'both tails following',
    async () => {
      const [sa, sb] = await Promise.all([state(a), state(b)]);
      return sa.tail?.state === 'following' && sb.tail?.state === 'following' ? true : undefined;
    },
    30_000,
  );
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([a?.close(), b?.close()]);
});

describe('inspector dead-letter tail: every replica’s rejections', () => {
  it('shows a rejection POSTed to A on B’s API and page, once on A, with the pointer highlighted', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const complaints: string[] = [];
    page.on('pageerror', (err) => complaints.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error') complaints.push(m.text());
    });
    await page.goto(`${b.url}/_tributary/inspector`);
    await page.getByLabel('Admin token').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${b.url}/_tributary/inspector`);
    await page.getByText(`Following ${TOPIC} (every replica)`).waitFor({ timeout: 5000 });

    const requestId = `tail-${Date.now()}`;
    const res = await fetch(`${a.url}/insp/shop/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: '{"id":"o-7","amount":"seven"}',
    });
    expect(res.status).toBe(400);
    const posted = Date.now();
    const amount = page.locator('mark.fail[data-pointer="/amount"]');
    await amount.waitFor({ timeout: 2000 });
    const seenAfterMs = Date.now() - posted;
    expect(await amount.textContent()).toBe('"seven"');
    expect(await page.locator('#rejections').textContent()).toContain(
      'read back from the topic: any replica',
    );

    const onB = (await state(b)).rejections.filter((r) => r.requestId === requestId);
    expect(onB).toHaveLength(1);
    expect(onB[0]).toMatchObject({
      source: 'topic',
      code: 'TRIB_VALIDATE_SCHEMA',
      deadLetter: TOPIC,
      documents: [{ id: 'o-7', amount: 'seven' }],
    });
    // A saw it itself and reads its own entry back: still one rejection there.
    await until(
      'A read its own entry back',
      async () => ((await state(a)).tail!.read >= 1 ? true : undefined),
      5000,
    );
    const onA = (await state(a)).rejections.filter((r) => r.requestId === requestId);
    expect(onA.map((r) => r.source)).toEqual(['replica']);
    // B's chart is B's own traffic: it refused nothing.
    expect((await state(b)).bindings.every((x) => Object.keys(x.codes).length === 0)).toBe(true);

    mkdirSync(join(process.cwd(), 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(complaints).toEqual([]);
    console.log(
      `inspector tail: A's rejection on B's page ${seenAfterMs} ms after the POST; screenshot ${SCREENSHOT}`,
    );
    await page.close();
  });
});
