// The registry of open streams (src/stream/registry.ts): who is refused before a connection exists (shutting
// down: 1001; over the connection limit or the in-flight bound: 1013, counted), and the totals it reports.
// Streams that do open are tested through the real route in test/routes/websocket.test.ts.
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { StreamRegistry } from '../../src/stream/registry.js';
import { capturedLogger } from '../helpers.js';

function fakeSocket() {
  const closes: Array<[number, string]> = [];
  return { closes, socket: { close: (code: number, reason: string) => closes.push([code, reason]) } };
}

const deps = (saturated: boolean) =>
  ({ capacity: { saturated: () => saturated }, logger: capturedLogger().logger }) as never;

describe('StreamRegistry', () => {
  it('sheds a stream with 1013 when at the connection limit or the in-flight bound, and counts it', () => {
    const { logger } = capturedLogger();
    const full = new StreamRegistry({ pingIntervalMs: 0, maxConnections: 0 }, logger);
    const a = fakeSocket();
    expect(full.open(a.socket as unknown as WebSocket, {} as never, deps(false))).toBeUndefined();
    expect(a.closes).toEqual([[1013, 'overloaded; try again later']]);
    const busy = new StreamRegistry({ pingIntervalMs: 0, maxConnections: 10 }, logger);
    const b = fakeSocket();
    expect(busy.open(b.socket as unknown as WebSocket, {} as never, deps(true))).toBeUndefined();
    expect(b.closes).toEqual([[1013, 'overloaded; try again later']]);
    expect(busy.stats()).toEqual({
      connections: 0,
      pausedSockets: 0,
      unackedBytes: 0,
      unflushedBytes: 0,
      shed: 1,
      frames: 0,
      documents: 0,
    });
  });

  it('refuses new streams with 1001 once shutting down, and shuts down at once with none open', async () => {
    const registry = new StreamRegistry(
      { pingIntervalMs: 25_000, maxConnections: 10 },
      capturedLogger().logger,
    );
    await registry.shutdown();
    const s = fakeSocket();
    expect(registry.open(s.socket as unknown as WebSocket, {} as never, deps(false))).toBeUndefined();
    expect(s.closes).toEqual([[1001, 'server shutting down']]);
    expect(registry.list()).toEqual([]);
    expect(registry.stats().shed).toBe(0);
  });
});
