// WebSocket streaming throughput and memory: `npm run build && node bench/websocket-stream.mjs`.
//
// Starts a local Kafka (full JIT, as for benchmarks) and the gateway as its own process (`tributary serve`), so
// its RSS is the gateway's alone, then:
//   1. a Node client streams 100,000 documents through one connection, 1 per frame and 100 per frame (NDJSON),
//      keeping a 4 MiB window of unanswered bytes; every answer must be ok and in order, and Kafka must have
//      gained exactly 100,000 records;
//   2. headless Chromium does the same from the example page (examples/browser);
//   3. a client out-writes Kafka: it writes as fast as its socket takes data, ignoring answers, first against
//      a running broker and then against a stalled one (SIGSTOP); the gateway's RSS is sampled every 50 ms.
// Prints one JSON line per scenario. Figures depend on the machine; the script prints its CPU count and versions.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { startLocalKafka } from '../dist/src/local-kafka/broker.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const TOPIC = 'bench.stream.orders';
const MiB = 1024 * 1024;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rssOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)[1]);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

async function startGateway(catalog, brokers, extraArgs = []) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/tributary.js'),
      'serve',
      '--catalog',
      catalog,
      '--brokers',
      brokers.join(','),
      '--port',
      String(port),
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { child, base, ws: base.replace('http:', 'ws:') };
    } catch {}
    await sleep(100);
  }
  throw new Error('gateway did not become ready');
}

async function stopGateway(g) {
  g.child.kill('SIGTERM');
  await new Promise((r) => g.child.once('exit', r));
}

async function topicEnd(admin) {
  const offsets = await admin.fetchTopicOffsets(TOPIC);
  return offsets.reduce((n, p) => n + Number(p.high), 0);
}

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['tributary.v1']);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One connection, `perFrame` documents per frame, at most `windowBytes` unanswered. */
async function nodeStream(url, { count, perFrame, windowBytes, run }) {
  const ws = await open(url);
  const frames = Math.ceil(count / perFrame);
  const sizes = new Uint32Array(frames + 1);
  let unanswered = 0;
  let answered = 0;
  let published = 0;
  let problems = 0;
  let wake = () => {};
  ws.on('message', (data) => {
    const a = JSON.parse(data);
    if (a.seq !== answered + 1 || a.status !== 'ok') problems++;
    answered++;
    published += a.published ?? 0;
    unanswered -= sizes[a.seq];
    wake();
  });
  const started = performance.now();
  for (let f = 0; f < frames; f++) {
    const lines = [];
    for (let i = f * perFrame; i < Math.min((f + 1) * perFrame, count); i++) {
      lines.push(`{"id":"${run}-${i}","amount":${i}}`);
    }
    const frame = lines.join('\n');
    while (unanswered > 0 && unanswered + frame.length > windowBytes) await new Promise((r) => (wake = r));
    sizes[f + 1] = frame.length;
    unanswered += frame.length;
    ws.send(frame);
  }
  while (answered < frames) await new Promise((r) => (wake = r));
  const ms = performance.now() - started;
  ws.close();
  return { frames, published, problems, ms, docsPerSecond: Math.round((published / ms) * 1000) };
}

async function browserStream(browser, pageUrl, wsUrl, { count, perFrame, run }) {
  const page = await browser.newPage();
  await page.goto(pageUrl);
  const result = await page.evaluate(
    ({ wsUrl, count, perFrame, run }) =>
      window.streamDocuments({
        url: wsUrl,
        count,
        perFrame,
        windowBytes: 4 * 1024 * 1024,
        makeDocument: (i) => ({ id: `${run}-${i}`, amount: i }),
      }),
    { wsUrl, count, perFrame, run },
  );
  await page.close();
  return result;
}

/** Writes as fast as the socket takes data (bounded only by the client's own 64 MiB backlog) for `ms`. */
async function outWrite(g, url, { ms, stall, kafka }) {
  const ws = await open(url);
  let answers = 0;
  let failed = 0;
  let rejected = 0;
  let outOfOrder = 0;
  let lastSeq = 0;
  ws.on('message', (data) => {
    const a = JSON.parse(data);
    answers++;
    if (a.status === 'failed') failed++;
    if (a.status === 'rejected') rejected++;
    if (a.seq !== lastSeq + 1) outOfOrder++;
    lastSeq = a.seq;
  });
  const base = await rssOf(g.child.pid);
  let peak = base.rss;
  const sampler = setInterval(async () => {
    peak = Math.max(peak, (await rssOf(g.child.pid)).rss);
  }, 50);
  if (stall) await kafka.nodes[0].kill('SIGSTOP');
  let sent = 0;
  let maxBacklog = 0;
  const doc = (i) => `{"id":"ow-${i}-${'p'.repeat(100)}","amount":${i}}`;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ws.bufferedAmount < 64 * MiB) for (let k = 0; k < 100; k++) ws.send(doc(sent++));
    maxBacklog = Math.max(maxBacklog, ws.bufferedAmount);
    await new Promise((r) => setImmediate(r));
  }
  if (stall) await kafka.nodes[0].kill('SIGCONT');
  const drainStarted = Date.now();
  while (answers < sent && Date.now() - drainStarted < 300_000) await sleep(50);
  clearInterval(sampler);
  ws.close();
  return {
    sentFrames: sent,
    answers,
    failed,
    rejected,
    outOfOrder,
    clientBacklogMaxMiB: +(maxBacklog / MiB).toFixed(1),
    gatewayRssBeforeMiB: +(base.rss / MiB).toFixed(1),
    gatewayRssPeakMiB: +(peak / MiB).toFixed(1),
    drainSeconds: (Date.now() - drainStarted) / 1000,
  };
}

async function main() {
  console.log(
    JSON.stringify({ node: process.version, cpus: os.cpus().length, model: os.cpus()[0]?.model, docs: DOCS }),
  );
  const kafka = await startLocalKafka({ nodes: 1, fastStartup: false });
  const page = createServer(async (req, res) => {
    const name = req.url === '/tributary-client.js' ? 'tributary-client.js' : 'index.html';
    res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' });
    res.end(await readFile(path.join(ROOT, 'examples/browser', name)));
  });
  await new Promise((r) => page.listen(0, '127.0.0.1', r));
  const pageOrigin = `http://127.0.0.1:${page.address().port}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tributary-bench-'));
  const catalog = path.join(dir, 'catalog.yaml');
  await writeFile(
    catalog,
    `collections:
  bench/orders:
    schema:
      type: object
      required: [id, amount]
      properties: { id: { type: string }, amount: { type: number } }
    key: [/id]
    topic: ${TOPIC}
captures:
  bench/stream:
    endpoint: { ingest: { allowedOrigins: ['${pageOrigin}'] } }
    bindings:
      - target: bench/orders
        resource: { name: orders }
`,
  );
  const admin = new kafkajs.Kafka({ brokers: kafka.bootstrap, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }] });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  try {
    let g = await startGateway(catalog, kafka.bootstrap, ['--topic-replication-factor', '1']);
    const url = `${g.ws}/bench/stream/orders`;
    // Warm-up (JIT, producer metadata): a cold first run measured 3,500 documents/s instead of ~14,000.
    await nodeStream(url, { count: 20_000, perFrame: 1, windowBytes: 4 * MiB, run: 'warm' });
    for (const perFrame of [1, 100]) {
      const before = await topicEnd(admin);
      const r = await nodeStream(url, { count: DOCS, perFrame, windowBytes: 4 * MiB, run: `n${perFrame}` });
      const inKafka = (await topicEnd(admin)) - before;
      console.log(JSON.stringify({ scenario: 'node client', perFrame, ...r, inKafka }));
    }
    for (const perFrame of [1, 100]) {
      const before = await topicEnd(admin);
      const r = await browserStream(browser, pageOrigin, url, { count: DOCS, perFrame, run: `b${perFrame}` });
      const inKafka = (await topicEnd(admin)) - before;
      console.log(JSON.stringify({ scenario: 'chromium', perFrame, ...r, inKafka }));
    }
    console.log(JSON.stringify({ scenario: 'gateway after streaming', ...(await rssOf(g.child.pid)) }));
    await stopGateway(g);

    for (const stall of [false, true]) {
      g = await startGateway(catalog, kafka.bootstrap);
      const r = await outWrite(g, `${g.ws}/bench/stream/orders`, { ms: 8000, stall, kafka });
      const { hwm } = await rssOf(g.child.pid);
      console.log(
        JSON.stringify({
          scenario: stall ? 'out-write, broker stalled 8 s' : 'out-write, broker running',
          ...r,
          gatewayVmHWMMiB: +(hwm / MiB).toFixed(1),
        }),
      );
      await stopGateway(g);
    }
  } finally {
    await browser.close();
    await admin.disconnect();
    page.close();
    await kafka.stop();
  }
}

await main();
