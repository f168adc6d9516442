// A real headless Chromium streams into the gateway the way a web app would: the example page
// (examples/browser) is served from an allowed origin, offers its token as a subprotocol, and sees every frame
// acknowledged; the same page from another origin is refused before the upgrade. playwright-core drives the
// Debian chromium package; no browser is downloaded.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { defaultConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { createKafka } from '../../src/kafka/producer-kafkajs.js';
import { reconcileTopics } from '../../src/kafka/topics.js';
import { writeCatalog } from '../catalog/temp-catalog.js';
import { capturedLogger } from '../helpers.js';
import { readTopics } from './kafka-read.js';

const brokers = inject('kafkaBootstrap');
const TOPIC = 'test.browser.orders';
const TOKEN = 'browser-token-123';
const EXAMPLE = new URL('../../examples/browser/', import.meta.url);

let allowed: Server;
let foreign: Server;
let gateway: Gateway;
let browser: Browser;
let logLines: string[];

/** Serves the example page and its module, as a web app's own origin would. */
async function servePage(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const name = req.url === '/tributary-client.js' ? 'tributary-client.js' : 'index.html';
    const type = name.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
    res.end(await readFile(new URL(name, EXAMPLE)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  allowed = await servePage();
  foreign = await servePage();
  process.env['BROWSER_TEST_TOKEN'] = TOKEN;
  const file = await writeCatalog({
    'catalog.yaml': `
collections:
  test/browser/orders:
    schema:
      type: object
      required: [id, amount]
      properties: { id: { type: string }, amount: { type: number } }
    key: [/id]
    topic: ${TOPIC}
captures:
  test/browser:
    endpoint:
      ingest:
        tokens: ['\${BROWSER_TEST_TOKEN}']
        allowedOrigins: ['${originOf(allowed)}']
    bindings:
      - target: test/browser/orders
        resource: { name: orders }
`,
  });
  const loaded = await loadCatalog(file);
  if (loaded.catalog === undefined) throw new Error(JSON.stringify(loaded.problems));
  const { logger, lines } = capturedLogger('info');
  logLines = lines;
  await reconcileTopics(
    createKafka({ brokers, clientId: 't', connectionTimeoutMs: 3000 }, logger),
    [TOPIC],
    { partitions: 3, replicationFactor: 1, minInsyncReplicas: 1 },
    { create: true },
  );
  gateway = await startGateway(defaultConfig({ brokers, port: 0, lingerMs: 5 }), loaded.catalog, logger);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  allowed?.close();
  foreign?.close();
});

interface StreamResult {
  protocol: string;
  frames: number;
  ok: number;
  rejected: number;
  failed: number;
  published: number;
  inOrder: boolean;
}

async function streamFrom(origin: string, run: string, count: number): Promise<StreamResult | string> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    const url = `${gateway.url.replace('http:', 'ws:')}/test/browser/orders`;
    return await page.evaluate(
      async ({ url, token, run, count }) => {
        const stream = (globalThis as unknown as { streamDocuments: (o: object) => Promise<StreamResult> })
          .streamDocuments;
        try {
          return await stream({
            url,
            token,
            count,
            perFrame: 1,
            // A small window in the page too, so the browser pipelines under flow control.
            windowBytes: 64 * 1024,
            makeDocument: (i: number) => ({ id: `${run}-${i}`, amount: i }),
          });
        } catch (err) {
          return String(err);
        }
      },
      { url, token: TOKEN, run, count },
    );
  } finally {
    await page.close();
  }
}

describe('WebSocket from a real browser', () => {
  it('streams documents with the token in the subprotocol and sees every frame acknowledged in order', async () => {
    const run = `browser-${randomUUID()}`;
    const count = 5000;
    const result = await streamFrom(originOf(allowed), run, count);
    expect(result).toMatchObject({
      protocol: 'tributary.v1',
      frames: count,
      ok: count,
      rejected: 0,
      failed: 0,
      published: count,
      inOrder: true,
    });
    const records = (await readTopics(brokers, [TOPIC])).filter((r) => r.key?.startsWith(`["${run}-`));
    expect(records).toHaveLength(count);
    expect(new Set(records.map((r) => r.key)).size).toBe(count);
    // The token rode in Sec-WebSocket-Protocol: never logged.
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('refuses the same page from a foreign origin before the upgrade', async () => {
    const before = logLines.length;
    const result = await streamFrom(originOf(foreign), `foreign-${randomUUID()}`, 10);
    // Browsers hide the HTTP status of a refused handshake: the page only sees close 1006.
    expect(result).toMatch(/refused or closed \(1006\)/);
    const refusal = logLines
      .slice(before)
      .map((l) => JSON.parse(l) as { code?: string; res?: { statusCode: number } });
    expect(refusal.some((l) => l.code === 'TRIB_AUTH_ORIGIN_NOT_ALLOWED')).toBe(true);
    expect(refusal.some((l) => l.res?.statusCode === 403)).toBe(true);
    expect(gateway.app.streams.stats().connections).toBe(0);
  });
});
