// The listener over TLS (--kafka-listen-tls-cert-file / -key-file): SASL_SSL with a token, as clients of a TLS
// broker connect. The certificate is self-signed for 127.0.0.1 and made here with openssl.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { type KafkaListener, startKafkaListener } from '../../src/listen-kafka/listener.js';
import { capturedLogger, fixtureCatalog, tempDir } from '../helpers.js';

const TOKEN = 'kl-tls-token';
let app: App;
let listener: KafkaListener;
let ca: string;
const produced: string[] = [];

beforeAll(async () => {
  process.env['KL_TOKEN'] = TOKEN;
  const dir = tempDir('kl-tls-');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const config = defaultConfig({
    kafkaListen: '127.0.0.1:0',
    kafkaListenTlsCertFile: join(dir, 'cert.pem'),
    kafkaListenTlsKeyFile: join(dir, 'key.pem'),
  });
  const { logger } = capturedLogger();
  app = await buildApp({
    config,
    catalog: await fixtureCatalog('kafka-listener.yaml'),
    logger,
    sink: {
      async produce(records) {
        for (const r of records) produced.push(r.value);
      },
    },
  });
  listener = await startKafkaListener({
    config,
    catalog: () => app.catalog(),
    door: app.door,
    capacity: app.capacity,
    logger,
  });
});
afterAll(async () => {
  await listener?.close();
  await app?.fastify.close();
});

it('serves SASL_SSL: a token over TLS writes to its binding', async () => {
  const producer = new Kafka({
    brokers: [`127.0.0.1:${listener.address.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ssl: { ca: [ca] },
    sasl: { mechanism: 'scram-sha-512', username: 'tls', password: TOKEN },
  }).producer();
  await producer.connect();
  await producer.send({ topic: 'kl.hooks.secured', messages: [{ value: '{"id":"over-tls"}' }] });
  await producer.disconnect();
  expect(produced.map((v) => JSON.parse(v).id)).toEqual(['over-tls']);
});
