// The option x transport conformance matrix (issue 11): one case per cell of src/ingest/options.ts, each through
// the real routes (app.inject for webhooks, a real `ws` client against a listening app for streams), asserting
// that the option is honoured, or refused at admission with the table's code.
//
// It fails when the table grows without its cases: CASES is typed by the table (a new option or transport is a
// type error in `npm test`'s typecheck), and the test enumerates the table itself, so a missing case is also a
// failed test at run time. A case says which way it expects its cell to go, so a cell flipped in the table
// without the behaviour (or the behaviour changed without the table) fails here too. The issue-11 bypass (a
// signed binding written unsigned over WebSocket) is the `signature x websocket` cell.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import {
  BINDING_OPTIONS,
  type BindingOption,
  type Cell,
  isRefused,
  OPTION_NAMES,
  TRANSPORTS,
  type Transport,
} from '../../src/ingest/options.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import {
  githubHeaders,
  type Headers,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
  svixHeaders,
  twilioHeaders,
} from '../auth/senders.js';
import { PUBLIC_URL, SECRETS, setSecretEnv } from '../auth/signed-app.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const TOKEN = 'conformance-token';
const LIMITS = { bodyLimit: 4096, decodedBodyLimit: 4096, wsMaxPayload: 4096, maxDocuments: 5 };
const DEPTH = 8;
const RECORD_BYTES = 1500;

let app: App;
let base: string;
let produced: OutboundRecord[][];

beforeAll(async () => {
  setSecretEnv();
  process.env['CONF_TOKEN'] = TOKEN;
  produced = [];
  app = await buildApp({
    config: defaultConfig({
      ...LIMITS,
      maxJsonDepth: DEPTH,
      maxRecordBytes: RECORD_BYTES,
      publicUrl: PUBLIC_URL,
    }),
    catalog: await fixtureCatalog('conformance.yaml'),
    logger: capturedLogger().logger,
    sink: {
      async produce(records) {
        produced.push(records);
      },
    },
  });
  base = (await app.fastify.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
});
afterAll(() => app.fastify.close());

// --- webhook side ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  json: Record<string, unknown>;
  headers: Record<string, unknown>;
  /** The documents this request produced. */
  docs: Record<string, unknown>[];
}

async function post(url: string, body: string, headers: Headers = {}): Promise<Answer> {
  const before = produced.length;
  const res = await app.fastify.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const docs = produced.slice(before).flatMap((records) => records.map((r) => JSON.parse(r.value)));
  return { status: res.statusCode, json: res.json(), headers: res.headers, docs };
}

function expectProblem(answer: Answer, status: number, code: string): void {
  expect([answer.status, answer.json['code']]).toEqual([status, code]);
  expect(answer.docs).toEqual([]);
}

/** The dead-letter entry a transport's refusal wrote (after its answer: waited for). */
async function deadLetterEntry(transport: Transport): Promise<Record<string, unknown>> {
  for (let tries = 0; tries < 200; tries++) {
    const found = produced
      .flat()
      .filter((r) => r.topic === 'conf.dead-letters')
      .map((r) => JSON.parse(r.value) as Record<string, unknown>)
      .find((e) => e['transport'] === transport);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no dead-letter entry from ${transport}`);
}

// --- WebSocket side -------------------------------------------------------------------------------------------

type Refused = { refused: true; status: number; body: Record<string, unknown> };
interface Streamed {
  refused: false;
  answers: Record<string, unknown>[];
  closeCode: number | undefined;
  docs: Record<string, unknown>[];
}

/** Opens a stream, sends each frame after the previous one was answered, closes; or returns the refusal. */
function stream(
  path: string,
  frames: string[],
  opts: { headers?: Headers; protocols?: string[] } = {},
): Promise<Refused | Streamed> {
  const before = produced.length;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base + path, opts.protocols ?? ['tributary.v1'], {
      headers: opts.headers ?? {},
    });
    const answers: Record<string, unknown>[] = [];
    const done = (closeCode: number | undefined) => {
      const docs = produced.slice(before).flatMap((records) => records.map((r) => JSON.parse(r.value)));
      resolve({ refused: false, answers, closeCode, docs });
    };
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ refused: true, status: res.statusCode!, body: JSON.parse(body) }));
    });
    ws.once('error', reject);
    ws.once('close', (code) => done(code));
    ws.once('open', () => {
      const next = () => {
        const frame = frames[answers.length];
        if (frame === undefined) ws.close(1000);
        else ws.send(frame);
      };
      ws.on('message', (data) => {
        answers.push(JSON.parse(String(data)));
        next();
      });
      next();
    });
  });
}

async function expectStreamRefused(
  path: string,
  status: number,
  code: string,
  opts?: { headers?: Headers; protocols?: string[] },
): Promise<void> {
  const got = await stream(path, ['{"id":"x"}'], opts);
  expect(got.refused, `${path} must be refused at the handshake`).toBe(true);
  if (got.refused) expect([got.status, got.body['code']]).toEqual([status, code]);
}

async function expectStreamed(
  path: string,
  frames: string[],
  opts?: { headers?: Headers; protocols?: string[] },
): Promise<Streamed> {
  const got = await stream(path, frames, opts);
  if (got.refused) throw new Error(`${path} refused: ${got.status} ${JSON.stringify(got.body)}`);
  return got;
}

/** A refused cell: the handshake carries what the option needs and is refused with the table's code. */
function refusedUpgrade(option: BindingOption, path: string, headers: Headers = {}) {
  return async (cell: Cell) => {
    if (!isRefused(cell)) throw new Error(`${option} x websocket is expected refused`);
    await expectStreamRefused(path, cell.refused.status, cell.refused.code, { headers });
  };
}

// --- signatures -----------------------------------------------------------------------------------------------

const SCHEMES = [
  'standard-webhooks',
  'svix',
  'stripe',
  'github',
  'shopify',
  'slack',
  'twilio',
  'custom',
] as const;

async function signedPost(scheme: (typeof SCHEMES)[number]): Promise<Answer> {
  const path = `/conf/open/${scheme}`;
  const body = '{"id":"signed"}';
  switch (scheme) {
    case 'standard-webhooks':
      return post(path, body, standardWebhooksHeaders(SECRETS.SIG_STANDARD, 'msg-1', body));
    case 'svix':
      return post(path, body, svixHeaders(SECRETS.SIG_STANDARD, 'msg-1', body));
    case 'stripe':
      return post(path, body, stripeHeaders(SECRETS.SIG_STRIPE, body));
    case 'github':
      return post(path, body, await githubHeaders(SECRETS.SIG_GITHUB, body));
    case 'shopify':
      return post(path, body, shopifyHeaders(SECRETS.SIG_SHOPIFY, body));
    case 'slack':
      return post(path, body, slackHeaders(SECRETS.SIG_SLACK, body));
    case 'twilio': {
      const params = { MessageSid: 'SM1', Body: 'hi' };
      return post(path, new URLSearchParams(params).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
        ...twilioHeaders(SECRETS.SIG_TWILIO, PUBLIC_URL + path, params),
      });
    }
    case 'custom': {
      const sig = `sha256=${createHmac('sha256', SECRETS.SIG_CUSTOM).update(body).digest('hex')}`;
      return post(path, body, { 'x-acme-signature': sig });
    }
  }
}

// --- the cases --------------------------------------------------------------------------------------------------

interface Case {
  /** Which way the case expects its cell: checked against the table before it runs. */
  expect: 'honoured' | 'refused';
  run(cell: Cell): Promise<void>;
}

const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const docsOf = (n: number): string => `[${Array.from({ length: n }, (_, i) => `{"id":"${i}"}`).join(',')}]`;

const CASES: { [O in BindingOption]: { [T in Transport]: Case } } = {
  tokens: {
    webhook: {
      expect: 'honoured',
      async run() {
        const missing = await post('/conf/open/tokens', '{}');
        expectProblem(missing, 401, 'TRIB_AUTH_MISSING_TOKEN');
        expect(missing.headers['www-authenticate']).toBe('Bearer realm="tributary"');
        expectProblem(
          await post('/conf/open/tokens', '{}', { authorization: 'Bearer nope' }),
          403,
          'TRIB_AUTH_BAD_TOKEN',
        );
        const ok = await post('/conf/open/tokens', '{}', { authorization: `Bearer ${TOKEN}` });
        expect([ok.status, ok.docs.length]).toEqual([200, 1]);
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        await expectStreamRefused('/conf/open/tokens', 401, 'TRIB_AUTH_MISSING_TOKEN');
        await expectStreamRefused('/conf/open/tokens', 403, 'TRIB_AUTH_BAD_TOKEN', {
          protocols: ['tributary.v1', 'bearer.nope'],
        });
        const ok = await expectStreamed('/conf/open/tokens', ['{}'], {
          protocols: ['tributary.v1', `bearer.${TOKEN}`],
        });
        expect([ok.answers[0]!['status'], ok.docs.length]).toEqual(['ok', 1]);
      },
    },
  },
  allowedOrigins: {
    webhook: {
      expect: 'honoured',
      async run() {
        expectProblem(
          await post('/conf/open/origins', '{}', { origin: 'https://evil.example' }),
          403,
          'TRIB_AUTH_ORIGIN_NOT_ALLOWED',
        );
        const ok = await post('/conf/open/origins', '{}', { origin: 'https://app.example.com' });
        expect([ok.status, ok.headers['access-control-allow-origin']]).toEqual([
          200,
          'https://app.example.com',
        ]);
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        await expectStreamRefused('/conf/open/origins', 403, 'TRIB_AUTH_ORIGIN_NOT_ALLOWED', {
          headers: { origin: 'https://evil.example' },
        });
        const ok = await expectStreamed('/conf/open/origins', ['{}'], {
          headers: { origin: 'https://app.example.com' },
        });
        expect(ok.docs).toHaveLength(1);
      },
    },
  },
  signature: {
    webhook: {
      expect: 'honoured',
      async run() {
        for (const scheme of SCHEMES) {
          const unsigned = await post(`/conf/open/${scheme}`, '{"id":"unsigned"}');
          expectProblem(unsigned, 401, 'TRIB_AUTH_SIGNATURE_MISSING');
          const wanted = scheme === 'svix' ? 'standard-webhooks' : scheme;
          expect(String(unsigned.headers['www-authenticate']), scheme).toContain(`scheme="${wanted}"`);
          const signed = await signedPost(scheme);
          expect([scheme, signed.status, signed.docs.length]).toEqual([scheme, 200, 1]);
        }
      },
    },
    websocket: {
      expect: 'refused',
      async run(cell) {
        if (!isRefused(cell)) throw new Error('signature x websocket is expected refused');
        for (const scheme of SCHEMES) {
          await expectStreamRefused(`/conf/open/${scheme}`, cell.refused.status, cell.refused.code);
          // Sending something that looks like a signature changes nothing: no frame can be verified.
          await expectStreamRefused(`/conf/open/${scheme}`, cell.refused.status, cell.refused.code, {
            headers: { 'x-hub-signature-256': 'sha256=00', 'webhook-signature': 'v1,AA==' },
          });
        }
      },
    },
  },
  deduplicateHeader: {
    webhook: {
      expect: 'honoured',
      async run() {
        const first = await post('/conf/open/dedupe-header', '{}', { 'x-delivery': 'dh-1' });
        const again = await post('/conf/open/dedupe-header', '{}', { 'x-delivery': 'dh-1' });
        expect([first.status, first.docs.length]).toEqual([200, 1]);
        expect([again.status, again.json['duplicate'], again.docs.length]).toEqual([200, true, 0]);
        expect(first.docs[0]!['_meta']).toBeDefined();
      },
    },
    websocket: {
      expect: 'refused',
      async run(cell) {
        await refusedUpgrade('deduplicateHeader', '/conf/open/dedupe-header', { 'x-delivery': 'dh-ws' })(
          cell,
        );
        // Without the header a stream is what a POST without it is: produced as usual.
        const ok = await expectStreamed('/conf/open/dedupe-header', ['{}', '{}']);
        expect(ok.docs).toHaveLength(2);
      },
    },
  },
  deduplicatePointer: {
    webhook: {
      expect: 'honoured',
      async run() {
        const first = await post('/conf/open/dedupe-pointer', '[{"id":"p1"},{"id":"p1"},{"id":"p2"}]');
        expect([first.json['published'], first.json['duplicates'], first.docs.length]).toEqual([2, 1, 2]);
        const again = await post('/conf/open/dedupe-pointer', '{"id":"p1"}');
        expect([again.json['duplicate'], again.docs.length]).toEqual([true, 0]);
        expect(produced.at(-1)!.map((r) => r.headers['tributary-delivery-id'])).toEqual(['p1', 'p2']);
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const got = await expectStreamed('/conf/open/dedupe-pointer', [
          '{"id":"w1"}\n{"id":"w1"}',
          '{"id":"w1"}',
          '{"id":"p1"}',
        ]);
        expect(got.answers).toEqual([
          { seq: 1, status: 'ok', published: 1, duplicates: 1 },
          { seq: 2, status: 'ok', published: 0, duplicates: 1 },
          // Delivered over the webhook above: the same binding's memory, whatever the transport.
          { seq: 3, status: 'ok', published: 0, duplicates: 1 },
        ]);
        expect(got.docs).toHaveLength(1);
      },
    },
  },
  idFromHeader: {
    webhook: {
      expect: 'honoured',
      async run() {
        const ok = await post('/conf/open/id-header', '{}', { 'x-delivery': 'hook-7' });
        expect((ok.docs[0]!['_meta'] as { webhookId: string }).webhookId).toBe('hook-7');
      },
    },
    websocket: {
      expect: 'refused',
      async run(cell) {
        await refusedUpgrade('idFromHeader', '/conf/open/id-header', { 'x-delivery': 'hook-ws' })(cell);
        const ok = await expectStreamed('/conf/open/id-header', ['{}']);
        const meta = ok.docs[0]!['_meta'] as { webhookId: string; uuid: string };
        expect(meta.webhookId).toBe(meta.uuid);
      },
    },
  },
  keepHeaders: {
    webhook: {
      expect: 'honoured',
      async run() {
        const ok = await post('/conf/open/keep', '{}', { 'user-agent': 'conf-agent', 'x-other': 'no' });
        expect(ok.docs[0]!['_meta']).toMatchObject({ headers: { 'user-agent': 'conf-agent' } });
        expect((ok.docs[0]!['_meta'] as { headers: object }).headers).not.toHaveProperty('x-other');
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const ok = await expectStreamed('/conf/open/keep', ['{}', '{}'], {
          headers: { 'user-agent': 'conf-ws' },
        });
        for (const doc of ok.docs)
          expect(doc['_meta']).toMatchObject({ headers: { 'user-agent': 'conf-ws' } });
      },
    },
  },
  deadLetter: {
    webhook: {
      expect: 'honoured',
      async run() {
        const bad = await post('/conf/open/dead-letter', '{"id":7}', { 'user-agent': 'conf-dl' });
        expect(bad.status).toBe(400);
        const entry = await deadLetterEntry('webhook');
        expect(entry).toMatchObject({
          kind: 'rejected',
          binding: 'dead-letter',
          headers: { 'user-agent': 'conf-dl' },
          body: { encoding: 'utf8', data: '{"id":7}', truncated: false },
          problem: { code: 'TRIB_VALIDATE_SCHEMA', documents: [{ index: 0, pointer: '/id' }] },
        });
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const got = await expectStreamed('/conf/open/dead-letter', ['{"id":8}'], {
          headers: { 'user-agent': 'conf-ws-dl' },
        });
        expect(got.answers[0]).toMatchObject({ status: 'rejected' });
        const entry = await deadLetterEntry('websocket');
        expect(entry).toMatchObject({
          headers: { 'user-agent': 'conf-ws-dl' },
          binary: false,
          body: { data: '{"id":8}' },
          problem: { code: 'TRIB_VALIDATE_SCHEMA' },
        });
      },
    },
  },
  pathParams: {
    webhook: {
      expect: 'honoured',
      async run() {
        const ok = await post('/conf/acme/params', '{}');
        expect(ok.docs[0]!['_meta']).toMatchObject({ pathParams: { tenant: 'acme' } });
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const ok = await expectStreamed('/conf/acme/params', ['{}']);
        expect(ok.docs[0]!['_meta']).toMatchObject({ pathParams: { tenant: 'acme' } });
      },
    },
  },
  rateLimit: {
    webhook: {
      expect: 'honoured',
      async run() {
        expect((await post('/conf/open/limited', '{}')).status).toBe(200);
        const limited = await post('/conf/open/limited', '{}');
        expectProblem(limited, 429, 'TRIB_RATE_LIMITED');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      },
    },
    websocket: { expect: 'refused', run: refusedUpgrade('rateLimit', '/conf/open/limited') },
  },
  bodyLimit: {
    webhook: {
      expect: 'honoured',
      async run() {
        const big = `{"id":"${'x'.repeat(LIMITS.bodyLimit)}"}`;
        expectProblem(await post('/conf/open/plain', big), 413, 'TRIB_DECODE_BODY_TOO_LARGE');
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const big = `{"id":"${'x'.repeat(LIMITS.wsMaxPayload)}"}`;
        const got = await expectStreamed('/conf/open/plain', [big]);
        expect([got.closeCode, got.answers, got.docs]).toEqual([1009, [], []]);
      },
    },
  },
  documentLimit: {
    webhook: {
      expect: 'honoured',
      async run() {
        expectProblem(
          await post('/conf/open/plain', docsOf(LIMITS.maxDocuments + 1)),
          413,
          'TRIB_DECODE_TOO_MANY_DOCUMENTS',
        );
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const got = await expectStreamed('/conf/open/plain', [docsOf(LIMITS.maxDocuments + 1)]);
        expect(got.answers[0]).toMatchObject({
          status: 'rejected',
          error: { code: 'TRIB_DECODE_TOO_MANY_DOCUMENTS' },
        });
        expect(got.docs).toEqual([]);
      },
    },
  },
  depthLimit: {
    webhook: {
      expect: 'honoured',
      async run() {
        expectProblem(await post('/conf/open/plain', nested(DEPTH + 2)), 400, 'TRIB_DECODE_TOO_DEEP');
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const got = await expectStreamed('/conf/open/plain', [nested(DEPTH + 2)]);
        expect(got.answers[0]).toMatchObject({ status: 'rejected', error: { code: 'TRIB_DECODE_TOO_DEEP' } });
      },
    },
  },
  recordLimit: {
    webhook: {
      expect: 'honoured',
      async run() {
        const doc = `{"id":"${'r'.repeat(RECORD_BYTES)}"}`;
        expectProblem(await post('/conf/open/plain', doc), 413, 'TRIB_KAFKA_RECORD_TOO_LARGE');
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const got = await expectStreamed('/conf/open/plain', [`{"id":"${'r'.repeat(RECORD_BYTES)}"}`]);
        expect(got.answers[0]).toMatchObject({
          status: 'rejected',
          error: { code: 'TRIB_KAFKA_RECORD_TOO_LARGE' },
        });
        expect(got.docs).toEqual([]);
      },
    },
  },
  reservedMeta: {
    webhook: {
      expect: 'honoured',
      async run() {
        expectProblem(await post('/conf/open/plain', '{"_meta":{}}'), 400, 'TRIB_VALIDATE_RESERVED_META');
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        const got = await expectStreamed('/conf/open/plain', ['{"_meta":{}}']);
        expect(got.answers[0]).toMatchObject({
          status: 'rejected',
          error: { code: 'TRIB_VALIDATE_RESERVED_META' },
        });
      },
    },
  },
  queryKeys: {
    webhook: {
      expect: 'honoured',
      async run() {
        expectProblem(await post('/conf/open/plain?__proto__=x', '{}'), 400, 'TRIB_DECODE_FORBIDDEN_KEY');
      },
    },
    websocket: {
      expect: 'honoured',
      async run() {
        await expectStreamRefused('/conf/open/plain?__proto__=x', 400, 'TRIB_DECODE_FORBIDDEN_KEY');
      },
    },
  },
};

describe('option x transport conformance (src/ingest/options.ts)', () => {
  for (const option of OPTION_NAMES) {
    for (const transport of TRANSPORTS) {
      it(`${option} x ${transport}`, async () => {
        const byTransport = (CASES as Partial<Record<string, Partial<Record<string, Case>>>>)[option];
        const testCase = byTransport?.[transport];
        expect(testCase, `no conformance case for ${option} x ${transport}`).toBeDefined();
        const cell: Cell = BINDING_OPTIONS[option].cells[transport];
        expect(
          testCase!.expect,
          `the table says ${option} x ${transport} is ${isRefused(cell) ? 'refused' : 'honoured'}`,
        ).toBe(isRefused(cell) ? 'refused' : 'honoured');
        await testCase!.run(cell);
      });
    }
  }

  it('has no case for an option or transport the table does not have', () => {
    expect(Object.keys(CASES).sort()).toEqual([...OPTION_NAMES].sort());
    for (const byTransport of Object.values(CASES)) {
      expect(Object.keys(byTransport).sort()).toEqual([...TRANSPORTS].sort());
    }
  });

  it('covers every signature scheme the catalog accepts', async () => {
    const { SIGNATURE_SCHEMES } = await import('../../src/catalog/signatures.js');
    expect([...SCHEMES].sort()).toEqual([...SIGNATURE_SCHEMES.keys()].sort());
  });
});
