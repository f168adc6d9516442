// In-process paired A/B of the webhook path (issue 17): one process (run it pinned: taskset -c 1) holds the
// gateway with leanWebhooks on, the gateway with it off and a bare Fastify route, each with a sink that answers at
// once; autocannon in its own process pinned to core 0 loads them in alternating bursts; prints CPU µs per request
// and paired per-core ratios. After npm run build and tsc -p bench/tsconfig.json:
//   taskset -c 1 node_modules/.bin/node bench/webhook-ab.mjs $PWD [rate, 0 = closed loop] [rounds] [burst s]
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = process.argv[2];
const rate = Number(process.argv[3] ?? 0);
const rounds = Number(process.argv[4] ?? 5);
const burst = Number(process.argv[5] ?? 4);
const imp = (p) => import(path.join(root, 'dist', p));
const { buildApp } = await imp('src/app.js');
const { defaultConfig } = await imp('src/config.js');
const { loadCatalog } = await imp('src/catalog/load.js');
const { writeOrdersCatalog, ORDERS_PATH } = await imp('bench/lib/gateway.js');
const { orderPool } = await imp('bench/lib/documents.js');
const pino = (await import(path.join(root, 'node_modules/pino/pino.js'))).default;
const Fastify = (await import(path.join(root, 'node_modules/fastify/fastify.js'))).default;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ab-'));
const catalog = (await loadCatalog(await writeOrdersCatalog(dir, 'ab.orders'))).catalog;
const logger = pino({ level: 'info' }, createWriteStream('/dev/null'));
const sink = { async produce() {} };
const servers = {};
for (const lean of [true, false]) {
  const app = await buildApp({ config: defaultConfig({ leanWebhooks: lean }), catalog, logger, sink });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  servers[lean ? 'lean' : 'fastify-route'] =
    `http://127.0.0.1:${app.fastify.server.address().port}${ORDERS_PATH}`;
}
const bare = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
bare.post('/*', async (request) => ({ published: Array.isArray(request.body) ? request.body.length : 1 }));
await bare.listen({ port: 0, host: '127.0.0.1' });
servers['bare'] = `http://127.0.0.1:${bare.server.address().port}/ingest`;
const body = orderPool(1)[0];
const bodyFile = path.join(dir, 'body.json');
writeFileSync(bodyFile, body);
const ac = path.join(root, 'node_modules/.bin/autocannon');
function load(url, sec) {
  const args = [
    '-c',
    '0',
    ac,
    '-j',
    '-c',
    '32',
    '-d',
    String(sec),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-i',
    bodyFile,
  ];
  if (rate > 0) args.push('-R', String(rate));
  args.push(url);
  return new Promise((res, rej) =>
    execFile('taskset', args, { maxBuffer: 1 << 24 }, (e, out) => (e ? rej(e) : res(JSON.parse(out)))),
  );
}
const us = { lean: [], 'fastify-route': [], bare: [] };
const rps = { lean: [], 'fastify-route': [], bare: [] };
for (const u of Object.values(servers)) await load(u, 2); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = Object.keys(servers);
  if (r % 2) order.reverse();
  for (const n of order) {
    const c0 = process.cpuUsage();
    const out = await load(servers[n], burst);
    const c = process.cpuUsage(c0);
    const ok = out['2xx'];
    us[n].push((c.user + c.system) / ok);
    rps[n].push(ok / burst);
    if (out.non2xx) console.log(n, 'non2xx', out.non2xx);
  }
}
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
for (const n of Object.keys(us))
  console.log(
    n.padEnd(14),
    'µs/req',
    us[n].map((x) => x.toFixed(1)).join(' '),
    'median',
    med(us[n]).toFixed(1),
    'req/s median',
    med(rps[n]).toFixed(0),
  );
// Paired ratios per round
const pair = (a, b) => med(us[a].map((x, i) => us[b][i] / x)).toFixed(2);
console.log(
  'bare/lean per core',
  pair('lean', 'bare'),
  'bare/fastify-route per core',
  pair('fastify-route', 'bare'),
  'fastify-route/lean',
  pair('lean', 'fastify-route'),
  'load',
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' '),
);
process.exit(0);
