// In-process paired A/B of the per-document accept path (issue 17): WebSocket NDJSON frames of 100 through the
// real FrontDoor and Batcher of two builds, each ending in what @platformatic/kafka does per record before the
// network (the producer's serializers, Map of headers, partitioner, record batch encoding with the gateway's
// compression), without a broker. Builds alternate in bursts; prints CPU µs per document and the paired ratio.
// After npm run build and tsc -p bench/tsconfig.json (copy a base build's dist/ aside first):
//   taskset -c 1 node_modules/.bin/node bench/batch-ab.mjs BASE_DIST BRANCH_DIST [rounds] [frames per burst]
//     [compression: lz4 | none] [format: ndjson | array] [ack delay ms] [frames in flight]
// DOCS_PER_FRAME=1 in the environment for frames of one document (default 100).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const [baseDist, branchDist] = process.argv.slice(2, 4);
const rounds = Number(process.argv[4] ?? 9);
const framesPerBurst = Number(process.argv[5] ?? 300);
const compression = process.argv[6] ?? 'lz4';
const format = process.argv[7] ?? 'ndjson';
/** Kafka's acknowledgement comes this much later (ms): records in flight live as long as with a broker. */
const ackMs = Number(process.argv[8] ?? 50);
/** Frames in flight at once (connections times their windows). */
const inFlightFrames = Number(process.argv[9] ?? 32);
const require = createRequire(path.join(branchDist, 'x.js'));
const platformatic = await import(require.resolve('@platformatic/kafka'));
const protocol = await import(
  path.join(path.dirname(require.resolve('@platformatic/kafka')), 'protocol', 'index.js')
);

async function build(dist, name) {
  const imp = (p) => import(path.join(dist, p));
  const { FrontDoor } = await imp('src/ingest/front-door.js');
  const { createRouter } = await imp('src/ingest/router.js');
  const { Capacity } = await imp('src/ops/capacity.js');
  const { DeliveryLedger } = await imp('src/ingest/duplicates.js');
  const { MemoryDeliveryStore } = await imp('src/ingest/deliveries.js');
  const { Batcher } = await imp('src/kafka/batcher.js');
  const producerModule = await imp('src/kafka/producer-platformatic.js');
  const { loadCatalog } = await imp('src/catalog/load.js');
  const { writeOrdersCatalog, ORDERS_PATH } = await imp('bench/lib/gateway.js');
  const { batchBodies } = await imp('bench/lib/documents.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'batch-ab-'));
  const catalog = (await loadCatalog(await writeOrdersCatalog(dir, 'ab.orders'))).catalog;
  rmSync(dir, { recursive: true, force: true }); // loaded: the model holds the compiled schema
  const serializers = producerModule.SERIALIZERS ?? {
    ...platformatic.stringSerializers,
    headerKey: producerModule.headerKeyBytes,
  };
  const partitioner = producerModule.PARTITIONER ?? platformatic.compatibilityPartitioner;
  // What Producer#send and createRecordsBatch do per record (dist/clients/producer/producer.js #send).
  // Builds whose producer hands the client its messages itself (toMessages) do so here too.
  const toMessages = producerModule.toMessages ?? ((records) => records);
  const send = async (records) => {
    const messages = [];
    for (const message of toMessages(records)) {
      const headers =
        message.headers instanceof Map ? message.headers : new Map(Object.entries(message.headers));
      const serialized = new Map();
      for (const [k, v] of headers) serialized.set(serializers.headerKey(k), serializers.headerValue(v));
      const key = serializers.key(message.key, headers, message);
      const value = serializers.value(message.value, headers, message);
      const m = { key, value, headers: serialized, topic: message.topic, partition: 0, timestamp: undefined };
      m.partition = partitioner(m, key) % 6;
      messages.push(m);
    }
    protocol.createRecordsBatch(messages, {
      compression,
      producerId: 1n,
      producerEpoch: 0,
      sequences: undefined,
    });
    if (ackMs > 0) await new Promise((resolve) => setTimeout(resolve, ackMs));
  };
  const batcher = new Batcher(send, { lingerMs: 2, maxBatchBytes: 512 * 1024, maxInFlight: 5 });
  const router = createRouter(catalog);
  const door = new FrontDoor({
    router: () => router,
    sink: batcher,
    capacity: new Capacity({ maxDocuments: 1e9, maxBytes: 1e12 }),
    deliveries: new DeliveryLedger(new MemoryDeliveryStore(100)),
    limits: {
      bodyLimit: 8 << 20,
      maxDecodedBytes: 8 << 20,
      maxDocuments: 10_000,
      maxDepth: 256,
      maxRecordBytes: 1 << 20,
      requestTimeoutMs: 10_000,
    },
    publicUrl: undefined,
    log: { warn() {} },
  });
  const admission = await door.admit({
    transport: 'websocket',
    route: ORDERS_PATH,
    origin: undefined,
    token: undefined,
    headers: {},
    query: undefined,
    requestId: 'ab-1',
  });
  const frames = batchBodies(20, Number(process.env.DOCS_PER_FRAME ?? 100), format).map((t) =>
    Buffer.from(t),
  );
  let next = 0;
  /** `count` frames, `window` in flight (a stream's pipelining): resolves when all were answered. */
  const burst = async (count, window = inFlightFrames) => {
    let docs = 0;
    const lane = async () => {
      while (count-- > 0) {
        const raw = Buffer.from(frames[next++ % frames.length]);
        const accepted = await door.accept(admission, {
          kind: 'frame',
          raw,
          binary: true,
          receivedAt: new Date(),
        });
        docs += accepted.published;
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
    return docs;
  };
  return { name, burst };
}

const builds = [await build(baseDist, 'base'), await build(branchDist, 'branch')];
for (const b of builds) await b.burst(framesPerBurst); // warm-up
const us = { base: [], branch: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...builds].reverse() : builds;
  for (const b of order) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const docs = await b.burst(framesPerBurst);
    const c = process.cpuUsage(c0);
    us[b.name].push((c.user + c.system) / docs);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const n of Object.keys(us)) {
  console.log(
    n.padEnd(7),
    'µs/doc',
    us[n].map((x) => x.toFixed(2)).join(' '),
    'median',
    med(us[n]).toFixed(2),
  );
}
const ratio = med(us.base.map((x, i) => us.branch[i] / x));
console.log(
  `branch/base paired median ${ratio.toFixed(3)} (${format}, ${compression}); load`,
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' '),
);
process.exit(0);
