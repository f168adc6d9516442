// Replay's decisions without Kafka (issue 16); test/integration/dead-letter.test.ts runs it against the broker.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/model.js';
import { defaultConfig } from '../../src/config.js';
import type { RejectedEntry, ReplayedMarker } from '../../src/dead-letter/entry.js';
import { passOver, replay } from '../../src/dead-letter/replay.js';
import { replayUuid } from '../../src/document/meta.js';
import { MemoryDeliveryStore } from '../../src/ingest/deliveries.js';
import { DeliveryLedger } from '../../src/ingest/duplicates.js';
import { FrontDoor } from '../../src/ingest/front-door.js';
import { createRouter } from '../../src/ingest/router.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { Capacity } from '../../src/ops/capacity.js';
import { loadYaml } from '../catalog/temp-catalog.js';
import { capturedLogger } from '../helpers.js';

let catalog: Catalog;
const produced: OutboundRecord[] = [];

beforeAll(async () => {
  process.env['REPLAY_SECRET'] = 'a-github-secret';
  const loaded = await loadYaml(`
collections:
  r/docs:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
captures:
  r/cap:
    endpoint: { ingest: { deadLetter: { topic: r.dead } } }
    bindings:
      - { target: r/docs, resource: { name: open, path: "/r/{tenant}/open", keepHeaders: [X-Vendor] } }
      - { target: r/docs, resource: { name: signed, signature: { scheme: github, secrets: ["\${REPLAY_SECRET}"] } } }
`);
  catalog = loaded.catalog!;
});

function door(): FrontDoor {
  const config = defaultConfig();
  return new FrontDoor({
    router: () => createRouter(catalog),
    sink: {
      async produce(records) {
        produced.push(...records);
      },
    },
    capacity: new Capacity({ maxDocuments: 1000, maxBytes: 1e7 }),
    deliveries: new DeliveryLedger(new MemoryDeliveryStore(10)),
    limits: {
      bodyLimit: config.bodyLimit,
      maxDecodedBytes: config.decodedBodyLimit,
      maxDocuments: config.maxDocuments,
      maxDepth: config.maxJsonDepth,
      maxRecordBytes: config.maxRecordBytes,
      requestTimeoutMs: 1000,
    },
    publicUrl: undefined,
    log: capturedLogger().logger,
  });
}

let n = 0;
function entry(over: Partial<RejectedEntry>): RejectedEntry {
  n++;
  return {
    kind: 'rejected',
    version: 1,
    id: `e-${n}`,
    capture: 'r/cap',
    binding: 'open',
    transport: 'webhook',
    route: '/r/acme/open',
    requestId: `req-${n}`,
    receivedAt: '2026-12-02T01:00:00.000Z',
    contentType: 'application/json',
    headers: { 'x-vendor': 'v' },
    body: { encoding: 'utf8', data: `{"id":"d-${n}"}`, bytes: 10, truncated: false },
    problem: { code: 'TRIB_VALIDATE_SCHEMA', status: 400, detail: 'was bad' },
    ...over,
  };
}

describe('replay (issue 16)', () => {
  it('accepts what the catalog now accepts, reports the rest by code, and marks what it produced', async () => {
    produced.length = 0;
    const marked: ReplayedMarker[] = [];
    const ok = entry({ query: { a: ['1', '2'] } });
    const signed = entry({ binding: 'signed', route: '/r/cap/signed', headers: {} });
    const stillBad = entry({ body: { encoding: 'utf8', data: '{"id":5}', bytes: 8, truncated: false } });
    const cut = entry({ body: { encoding: 'utf8', data: '{"id"', bytes: 90, truncated: true } });
    const gone = entry({ route: '/nowhere' });
    const frame = entry({ transport: 'websocket', binary: false });
    const values = entry({
      transport: 'kafka',
      body: undefined,
      records: [{ encoding: 'utf8', data: '{"id":"v-1"}', bytes: 12, truncated: false }],
    });
    const done = entry({});
    const old = entry({ receivedAt: '2020-01-01T00:00:00.000Z' });
    const marker: ReplayedMarker = {
      kind: 'replayed',
      version: 1,
      id: 'm-0',
      entry: done.id,
      capture: 'r/cap',
      binding: 'open',
      at: '',
      published: 1,
    };
    const report = await replay(
      passOver([ok, signed, stillBad, cut, gone, frame, values, done, marker, old, ok]),
      { dryRun: false, since: new Date('2026-01-01T00:00:00Z') },
      {
        door: door(),
        newId: () => 'marker-id',
        now: () => new Date(0),
        mark: async (_entry, m) => {
          marked.push(m);
        },
      },
    );
    expect(Object.fromEntries(report.bindings)).toEqual({
      'r/cap/open': {
        accepted: 3,
        documents: 3,
        rejected: { TRIB_VALIDATE_SCHEMA: 1, TRUNCATED: 1, NO_BINDING: 1 },
        alreadyReplayed: 1,
      },
      // Verified when first received: not checked again.
      'r/cap/signed': { accepted: 1, documents: 1, rejected: {}, alreadyReplayed: 0 },
    });
    expect(marked.map((m) => m.entry)).toEqual([ok.id, signed.id, frame.id, values.id]);
    const first = JSON.parse(produced[0]!.value);
    expect(first._meta).toMatchObject({
      replayOf: ok.id,
      receivedAt: ok.receivedAt,
      uuid: replayUuid(ok.id, 0, ok.receivedAt),
      headers: { 'x-vendor': 'v' },
      query: { a: ['1', '2'] },
      pathParams: { tenant: 'acme' },
    });
    expect(produced[0]!.headers).toMatchObject({
      'tributary-replay-of': ok.id,
      'x-request-id': ok.requestId,
    });
  });

  it('filters by binding, produces nothing marked in a dry run, and counts lost markers', async () => {
    const a = entry({});
    const b = entry({ binding: 'signed', route: '/r/cap/signed' });
    const dry = await replay(
      passOver([a, b]),
      { dryRun: true, binding: 'r/cap/open' },
      {
        door: door(),
        newId: () => 'x',
        mark: () => Promise.reject(new Error('never called')),
      },
    );
    expect([...dry.bindings.keys()]).toEqual(['r/cap/open']);
    expect(dry.markerFailures).toBe(0);
    const lost = await replay(
      passOver([a]),
      { dryRun: false, binding: 'open' },
      {
        door: door(),
        newId: () => 'x',
        mark: () => Promise.reject(new Error('kafka down')),
      },
    );
    expect(lost.markerFailures).toBe(1);
  });

  it('gives a replayed document the same uuid every time', () => {
    const at = '2026-12-02T01:00:00.000Z';
    expect(replayUuid('e', 0, at)).toBe(replayUuid('e', 0, at));
    expect(replayUuid('e', 1, at)).not.toBe(replayUuid('e', 0, at));
    expect(replayUuid('e', 0, at)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
