// Issue 7: property-based fuzzing of the WebSocket front door, with the webhook fuzzer's hostile texts and byte
// damage (requests.ts) sent as text or binary messages, whole or in fragments. Every message gets exactly one
// answer in order (ok: valid stamped documents produced; rejected: a registered 4xx code, nothing produced), or
// the connection closes with the code RFC 6455 prescribes (1009 oversize, 1007 invalid UTF-8 in a text frame);
// never 1011, never a `failed` answer from a healthy sink, never a crash.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSection, reportEnabled } from '../faults/report.js';
import { checkProduced, type HostileApp, hostileApp, KNOWN_CODES } from './hostile-app.js';
import { hostileFrame } from './requests.js';
import { StreamClient } from './ws-client.js';

const RUNS = Number(process.env['TRIBUTARY_FUZZ_WS_RUNS'] ?? 500);
const SEED =
  process.env['TRIBUTARY_FUZZ_SEED'] === undefined ? Date.now() : Number(process.env['TRIBUTARY_FUZZ_SEED']);
const MAX_PAYLOAD = 64 * 1024;

let h: HostileApp;
let base: string;
beforeAll(async () => {
  h = await hostileApp({ wsMaxPayload: MAX_PAYLOAD });
  base = (await h.app.fastify.listen({ host: '127.0.0.1', port: 0 })).replace('http:', 'ws:');
});
afterAll(() => h.app.fastify.close());

const isUtf8 = (b: Buffer): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('fuzzing the WebSocket front door (issue 7)', () => {
  it(
    `answers ${RUNS} generated hostile messages in order, or closes with the RFC 6455 code`,
    async () => {
      const clients = new Map<string, StreamClient>();
      const tally = new Map<string, number>();
      const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
      let cases = 0;
      let documents = 0;
      let connections = 0;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(hostileFrame, async (frame) => {
          let client = clients.get(frame.path);
          if (client === undefined || !client.open) {
            client = await StreamClient.open(base + frame.path);
            clients.set(frame.path, client);
            connections++;
          }
          const outcome = await client.send(frame.payload, {
            binary: frame.binary,
            fragments: frame.fragments,
          });
          cases++;
          if ('closed' in outcome) {
            const expected =
              frame.payload.length > MAX_PAYLOAD ? 1009 : !frame.binary && !isUtf8(frame.payload) ? 1007 : -1;
            expect(outcome.closed).toBe(expected);
            expect(h.take()).toEqual([]);
            clients.delete(frame.path);
            count(`closed ${outcome.closed}`);
            return;
          }
          const { answer } = outcome;
          expect(answer.seq).toBe(client.sent);
          if (answer.status === 'ok') {
            checkProduced(h, h.take(), frame.path, answer.published!);
            documents += answer.published!;
            count('ok');
            return;
          }
          expect(answer.status).toBe('rejected');
          expect(KNOWN_CODES.has(answer.error!.code)).toBe(true);
          expect(answer.error!.status).toBeGreaterThanOrEqual(400);
          expect(answer.error!.status).toBeLessThan(500);
          expect(h.take()).toEqual([]);
          count(`rejected ${answer.error!.status} ${answer.error!.code}`);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      for (const c of clients.values()) c.close();
      const ms = Date.now() - started;
      const outcomes = [...tally].sort((a, b) => b[1] - a[1]);
      const section = recordSection({
        name: 'fuzz-ws',
        title: 'Fuzzing: generated hostile WebSocket messages',
        what: "The webhook fuzzer's generators (same catalog, texts and byte damage) sent over `tributary.v1` connections as text or binary messages, whole or split into 2-16 fragments, with a 64 KiB message limit. Each message must get exactly one answer in order: `ok` with exactly the counted, valid, stamped documents, or `rejected` with a registered 4xx code and nothing produced; or the connection closes with 1009 (message over the limit) or 1007 (invalid UTF-8 in a text frame) and nothing of that message is produced. Connections are reopened after a close.",
        settings: {
          'generated messages': cases,
          seed: SEED,
          'max message bytes (wsMaxPayload)': MAX_PAYLOAD,
        },
        figures: {
          'internal errors (1011) or failed answers': 0,
          crashes: 0,
          'ok messages / documents produced': `${tally.get('ok') ?? 0} / ${documents}`,
          'connections opened': connections,
          duration: `${(ms / 1000).toFixed(1)} s (${((ms * 1000) / cases).toFixed(0)} µs per message)`,
        },
        passed: true,
        notes: outcomes.filter(([k]) => k !== 'ok').map(([k, n]) => `${k}: ${n}`),
      });
      if (reportEnabled()) console.log(section);
      expect(cases).toBe(RUNS);
      expect(tally.get('ok') ?? 0).toBeGreaterThan(0);
    },
    60_000 + RUNS * 30,
  );
});
