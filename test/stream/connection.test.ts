// The per-connection state machine with a fake socket and a sink the test settles by hand, behind the real front
// door: answer order, window accounting, capacity waits, shutdown and liveness. test/integration/websocket.test.ts runs the same promises
// against a real broker through a real socket.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Binding, Catalog } from '../../src/catalog/model.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import { MemoryDeliveryStore } from '../../src/ingest/deliveries.js';
import { DeliveryLedger } from '../../src/ingest/duplicates.js';
import { FrontDoor } from '../../src/ingest/front-door.js';
import { type BindingRouter, createRouter } from '../../src/ingest/router.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { Capacity } from '../../src/ops/capacity.js';
import { StreamConnection, type StreamSocket } from '../../src/stream/connection.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

class FakeSocket implements StreamSocket {
  readyState = 1;
  sent: string[] = [];
  paused = false;
  pings = 0;
  closedWith: [number, string] | undefined;
  terminated = false;
  /** When set, send callbacks wait here: the peer is not reading. */
  unread: (() => void)[] | undefined;
  send(data: string, cb?: (err?: Error) => void): void {
    this.sent.push(data);
    if (this.unread) this.unread.push(() => cb?.());
    else queueMicrotask(() => cb?.());
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  ping(): void {
    this.pings++;
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  answers(): {
    seq: number;
    status: string;
    published?: number;
    retryable?: boolean;
    error?: { code: string };
  }[] {
    return this.sent.map((s) => JSON.parse(s));
  }
}

interface Pending {
  records: OutboundRecord[];
  resolve(): void;
  reject(err: unknown): void;
}

/** A sink whose produce calls wait until the test settles them. */
function manualSink() {
  const pending: Pending[] = [];
  return {
    pending,
    sink: {
      produce: (records: OutboundRecord[]) =>
        new Promise<void>((resolve, reject) => pending.push({ records, resolve, reject })),
    },
  };
}

let catalog: Catalog;
let orders: Binding;
let events: Binding;
beforeAll(async () => {
  process.env['STREAM_TEST_TOKEN'] = 'stream-token';
  catalog = await fixtureCatalog('stream.yaml');
  orders = catalog.bindings.find((b) => b.name === 'orders')!;
  events = catalog.bindings.find((b) => b.name === 'events')!;
});

const tick = () => new Promise((r) => setImmediate(r));

interface Limits {
  maxDocuments: number;
  maxRecordBytes: number;
  requestTimeoutMs: number;
  windowBytes: number;
  windowDocuments: number;
}

let router: BindingRouter;

function open(opts: { limits?: Partial<Limits>; capacity?: Capacity; binding?: Binding } = {}) {
  const socket = new FakeSocket();
  const { sink, pending } = manualSink();
  const capacity = opts.capacity ?? new Capacity({ maxDocuments: 1000, maxBytes: 1 << 20 });
  const binding = opts.binding ?? orders;
  const limits: Limits = {
    maxDocuments: 100,
    maxRecordBytes: 10_000,
    requestTimeoutMs: 1000,
    windowBytes: 1000,
    windowDocuments: 100,
    ...opts.limits,
  };
  const { logger, lines } = capturedLogger('debug');
  router = createRouter(catalog);
  const door = new FrontDoor({
    router: () => router,
    sink,
    capacity,
    deliveries: new DeliveryLedger(new MemoryDeliveryStore(100)),
    limits: { bodyLimit: 1 << 20, maxDecodedBytes: 1 << 20, maxDepth: 64, ...limits },
    publicUrl: undefined,
    log: logger,
  });
  const path = binding === events ? '/streams/acme/events' : binding.path;
  const admission = door.check(
    {
      transport: 'websocket',
      route: path,
      origin: 'https://app.example.com',
      token: 'stream-token',
      headers: { 'user-agent': 'test-agent' },
      query: { src: 'x', token: 'stream-token' },
      requestId: 'req-1',
    },
    router.match(path)!,
  );
  const connection = new StreamConnection(socket, admission, {
    door,
    capacity,
    window: { bytes: limits.windowBytes, documents: limits.windowDocuments },
    logger,
  });
  const send = (text: string) => connection.receive(Buffer.from(text), false);
  return { socket, pending, capacity, connection, send, lines, door };
}

const order = (id: string) => JSON.stringify({ id, amount: 1 });

describe('StreamConnection answers', () => {
  it('answers every frame once, in frame order, even when Kafka acknowledges out of order', async () => {
    const { socket, pending, send } = open();
    send(order('a'));
    send(`[${order('b')},${order('c')}]`);
    send(`${order('d')}\n${order('e')}\n`);
    expect(pending).toHaveLength(3);
    pending[2]!.resolve();
    pending[1]!.resolve();
    await tick();
    expect(socket.sent).toEqual([]);
    pending[0]!.resolve();
    await tick();
    expect(socket.answers()).toEqual([
      { seq: 1, status: 'ok', published: 1 },
      { seq: 2, status: 'ok', published: 2 },
      { seq: 3, status: 'ok', published: 2 },
    ]);
  });

  it('rejects a bad frame with the webhook error and its per-document details, and keeps going', async () => {
    const { socket, pending, send, connection } = open();
    send(order('a'));
    send(`[${order('b')},{"id":"c","amount":"x"}]`);
    send('{"id":');
    send(order('d'));
    // A refused frame lets the next one go a microtask later; order into Kafka is kept all the same.
    await tick();
    expect(pending).toHaveLength(2);
    for (const p of pending) p.resolve();
    await tick();
    const answers = socket.answers();
    expect(answers.map((a) => [a.seq, a.status])).toEqual([
      [1, 'ok'],
      [2, 'rejected'],
      [3, 'rejected'],
      [4, 'ok'],
    ]);
    expect(answers[1]!.error).toMatchObject({
      code: 'TRIB_VALIDATE_SCHEMA',
      status: 400,
      instance: '/test/stream/orders',
      documents: [{ index: 1, pointer: '/amount', keyword: 'type' }],
    });
    expect(answers[2]!.error!.code).toBe('TRIB_DECODE_INVALID_JSON');
    expect(connection.counters).toMatchObject({ frames: 4, ok: 2, rejected: 2, failed: 0, documents: 2 });
    expect(socket.closedWith).toBeUndefined();
  });

  it('fails a frame Kafka did not take, retryable, and one that broke unexpectedly, not retryable', async () => {
    const { socket, pending, send, lines } = open();
    send(order('a'));
    send(order('b'));
    pending[0]!.reject(new TributaryError(ERRORS.KAFKA_TIMEOUT, 'slow'));
    pending[1]!.reject(new Error('bug'));
    await tick();
    expect(socket.answers()).toMatchObject([
      { seq: 1, status: 'failed', retryable: true, error: { code: 'TRIB_KAFKA_TIMEOUT' } },
      { seq: 2, status: 'failed', retryable: false, error: { code: 'TRIB_INTERNAL' } },
    ]);
    expect(lines.join('')).toContain('bug');
  });

  it('stamps _meta and record headers from the handshake: kept headers, query, request id', () => {
    const { pending, send } = open({ binding: events });
    send('{"a":1}\n{"a":2}');
    const metas = pending[0]!.records.map((r) => JSON.parse(r.value)._meta);
    expect(metas[0]).toMatchObject({
      headers: { 'user-agent': 'test-agent' },
      query: { src: 'x' },
      pathParams: { tenant: 'acme' },
    });
    expect(metas[0].query.token).toBeUndefined();
    // Without the idFromHeader header (a handshake carrying it is refused), as a POST without it: the uuid.
    expect(metas[0].webhookId).toBe(metas[0].uuid);
    expect(metas[1].webhookId).toBe(metas[1].uuid);
    expect(pending[0]!.records[0]!.headers['x-request-id']).toBe('req-1');
  });

  it('refuses, at admission, a handshake that carries the idFromHeader header (one id cannot name every frame)', () => {
    const { door } = open({ binding: events });
    expect(() =>
      door.check(
        {
          transport: 'websocket',
          route: '/streams/acme/events',
          origin: undefined,
          token: 'stream-token',
          headers: { 'x-delivery-id': 'one-for-all' },
          query: undefined,
          requestId: 'r',
        },
        router.match('/streams/acme/events')!,
      ),
    ).toThrow(expect.objectContaining({ code: 'TRIB_ADMIT_TRANSPORT_REFUSED', status: 403 }));
  });
});

describe('StreamConnection flow control', () => {
  it('pauses the socket at the window and resumes below half of it', async () => {
    const { socket, pending, send, connection } = open({ limits: { windowBytes: 100 } });
    const frame = order('x'.repeat(20)); // 37 bytes
    send(frame);
    send(frame);
    expect(socket.paused).toBe(false);
    send(frame);
    expect(socket.paused).toBe(true);
    expect(connection.flow.unacked).toBe(3 * frame.length);
    pending[0]!.resolve();
    await tick();
    expect(socket.paused).toBe(true); // 74 > 50
    pending[1]!.resolve();
    await tick();
    expect(socket.paused).toBe(false);
    expect(connection.flow.unacked).toBe(frame.length);
    expect(connection.flow.peakUnacked).toBe(3 * frame.length);
  });

  it('pauses at the document window too, so tiny frames cannot pile up seconds of Kafka work', async () => {
    const { socket, pending, send, connection } = open({ limits: { windowDocuments: 4 } });
    send(order('a'));
    send(`[${order('b')},${order('c')}]`);
    expect(socket.paused).toBe(false);
    send(order('d'));
    expect(socket.paused).toBe(true);
    expect(connection.flow.unackedDocuments).toBe(4);
    send('not json'); // a rejected frame admits no documents
    expect(connection.flow.unackedDocuments).toBe(4);
    pending[0]!.resolve();
    pending[1]!.resolve();
    await tick();
    expect(connection.flow.unackedDocuments).toBe(1);
    expect(socket.paused).toBe(false);
  });

  it('stays paused while the peer leaves its answers unread', async () => {
    const { socket, pending, send, connection } = open({ limits: { windowBytes: 100 } });
    socket.unread = [];
    for (let i = 0; i < 4; i++) send(order(`u${i}`));
    for (const p of pending) p.resolve();
    await tick();
    expect(connection.flow.unacked).toBe(0);
    expect(connection.flow.unflushed).toBeGreaterThanOrEqual(100);
    expect(socket.paused).toBe(true);
    for (const read of socket.unread) read();
    expect(socket.paused).toBe(false);
  });

  it('waits for global capacity with the socket paused, then produces in frame order', async () => {
    const capacity = new Capacity({ maxDocuments: 2, maxBytes: 1 << 20 });
    const { socket, pending, send } = open({ capacity });
    send(order('a'));
    send(order('b'));
    send(order('c'));
    send(order('d'));
    expect(pending).toHaveLength(2);
    expect(socket.paused).toBe(true);
    pending[0]!.resolve();
    await tick();
    await tick();
    expect(pending.map((p) => JSON.parse(p.records[0]!.value).id)).toEqual(['a', 'b', 'c']);
    pending[1]!.resolve();
    pending[2]!.resolve();
    await tick();
    await tick();
    expect(pending).toHaveLength(4);
    expect(socket.paused).toBe(false);
    pending[3]!.resolve();
    await tick();
    expect(socket.answers().map((a) => a.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(capacity.inFlight()).toEqual({ documents: 0, bytes: 0 });
  });
});

describe('StreamConnection shutdown and liveness', () => {
  it('answers in-flight frames, fails waiting and late ones as retryable, then closes 1001', async () => {
    const capacity = new Capacity({ maxDocuments: 1, maxBytes: 1 << 20 });
    const { socket, pending, send, connection } = open({ capacity });
    send(order('in-flight'));
    send(order('waiting'));
    const finished = connection.finish(
      1001,
      'server shutting down',
      new TributaryError(ERRORS.SHUTTING_DOWN),
    );
    expect(socket.paused).toBe(true);
    send(order('late'));
    expect(socket.closedWith).toBeUndefined();
    pending[0]!.resolve();
    await tick();
    expect(socket.answers()).toMatchObject([
      { seq: 1, status: 'ok' },
      { seq: 2, status: 'failed', retryable: true, error: { code: 'TRIB_SHUTTING_DOWN' } },
      { seq: 3, status: 'failed', retryable: true, error: { code: 'TRIB_SHUTTING_DOWN' } },
    ]);
    expect(pending).toHaveLength(1);
    expect(socket.closedWith).toEqual([1001, 'server shutting down']);
    // Reading again, so the peer's close frame is seen.
    expect(socket.paused).toBe(false);
    connection.closed(1001);
    await finished;
  });

  it('terminates a peer that missed a pong, but not while its socket was paused', () => {
    const { socket, send, connection } = open({ limits: { windowBytes: 10 } });
    connection.heartbeat();
    expect(socket.pings).toBe(1);
    connection.pong();
    connection.heartbeat();
    expect(socket.terminated).toBe(false);
    send(order('fills-the-window'));
    expect(socket.paused).toBe(true);
    connection.heartbeat(); // no pong came, but nothing was read
    connection.heartbeat();
    expect(socket.terminated).toBe(false);
    expect(socket.pings).toBe(4);
  });

  it('terminates an unpaused peer that never answers pings', () => {
    const { socket, connection } = open();
    connection.heartbeat();
    connection.heartbeat();
    expect(socket.terminated).toBe(true);
  });

  it('closes 1008 when a catalog change revokes its token, after answering in-flight frames', async () => {
    const { socket, pending, send, connection } = open();
    send(order('a'));
    const revoked = {
      ...catalog,
      bindings: catalog.bindings.map((b) =>
        b === orders ? { ...b, tokens: { tokens: [Buffer.alloc(32)] } } : b,
      ),
    };
    router = createRouter(revoked);
    connection.revalidate();
    send(order('b'));
    pending[0]!.resolve();
    await tick();
    expect(socket.answers()).toMatchObject([
      { seq: 1, status: 'ok' },
      { seq: 2, status: 'rejected', error: { code: 'TRIB_AUTH_BAD_TOKEN' } },
    ]);
    expect(socket.closedWith?.[0]).toBe(1008);
  });

  it('follows a catalog change that keeps access, and closes 1011 on an internal error', () => {
    const { socket, connection } = open();
    router = createRouter(catalog);
    connection.revalidate();
    expect(socket.closedWith).toBeUndefined();
    connection.crash(new Error('bug'));
    expect(socket.closedWith).toEqual([1011, 'internal error']);
  });
});
