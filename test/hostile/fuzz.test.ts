// Issue 7: property-based fuzzing of the webhook front door. Every generated request (see requests.ts) must
// get an answer that holds the invariant of hostile-app.ts: never a 5xx, a registered 4xx code for bad input,
// and only valid, stamped documents on their way to Kafka. `npm test` runs a small count; `npm run test:fuzz`
// runs 100,000 and records the outcome in docs/reliability.md.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSection, reportEnabled } from '../faults/report.js';
import { checkAnswer, type HostileApp, hostileApp, LIMITS } from './hostile-app.js';
import { hostileRequest } from './requests.js';

const RUNS = Number(process.env['TRIBUTARY_FUZZ_RUNS'] ?? 1500);
const SEED =
  process.env['TRIBUTARY_FUZZ_SEED'] === undefined ? Date.now() : Number(process.env['TRIBUTARY_FUZZ_SEED']);

let h: HostileApp;
beforeAll(async () => {
  h = await hostileApp();
});
afterAll(() => h.app.fastify.close());

describe('fuzzing the webhook front door (issue 7)', () => {
  it(
    `answers ${RUNS} generated hostile requests without a crash, a 5xx or an invalid document`,
    async () => {
      const byCode = new Map<string, number>();
      const byKind = new Map<string, number>();
      let cases = 0;
      let accepted = 0;
      let documents = 0;
      let peakRss = 0;
      const started = Date.now();
      const rssBefore = process.memoryUsage().rss;
      await fc.assert(
        fc.asyncProperty(hostileRequest, async (req) => {
          const res = await h.app.fastify.inject({
            method: 'POST',
            url: req.path,
            headers: req.headers,
            payload: req.payload,
          });
          const outcome = checkAnswer(h, res, req.bindingPath);
          cases++;
          byKind.set(req.kind, (byKind.get(req.kind) ?? 0) + 1);
          if (outcome.kind === 'accepted') {
            accepted++;
            documents += outcome.documents;
          } else {
            const key = `${outcome.status} ${outcome.code}`;
            byCode.set(key, (byCode.get(key) ?? 0) + 1);
          }
          if (cases % 500 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      const ms = Date.now() - started;
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
      const refusals = [...byCode].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
      const section = recordSection({
        name: 'fuzz-http',
        title: 'Fuzzing: generated hostile webhook requests',
        what: 'fast-check generates requests against the real app (test/fixtures/catalogs/hostile.yaml: a strict schema, a free-form one, a recursive one, one with `^(a+)+$`) through Fastify inject: valid documents and their byte-level mutations (truncation, flipped and inserted bytes, invalid UTF-8, BOM), raw bytes, NDJSON, deep nesting, numbers beyond a double, 200 KB strings, `__proto__`/`constructor`/`_meta` keys, foreign and malformed Content-Types, stacked and lying Content-Encodings. Each answer must be < 500; refusals carry a registered code; acceptances produce exactly the counted documents, each valid and stamped.',
        settings: {
          'generated cases': cases,
          seed: SEED,
          'body limit / decoded limit / max documents / max record bytes': `${LIMITS.bodyLimit} / ${LIMITS.decodedBodyLimit} / ${LIMITS.maxDocuments} / ${LIMITS.maxRecordBytes}`,
          'cases by generator': [...byKind].map(([k, n]) => `${k}: ${n}`).join(', '),
        },
        figures: {
          '5xx answers': 0,
          crashes: 0,
          'accepted requests (2xx) / documents produced': `${accepted} / ${documents}`,
          'refused requests (4xx)': cases - accepted,
          duration: `${(ms / 1000).toFixed(1)} s (${((ms * 1000) / cases).toFixed(0)} µs per case)`,
          'RSS before / peak': `${mib(rssBefore)} / ${mib(Math.max(peakRss, process.memoryUsage().rss))}`,
        },
        passed: true,
        notes: refusals.map((r) => `refused with ${r}`),
      });
      // The whole section in the console only for the recorded runs; npm test stays quiet.
      if (reportEnabled()) console.log(section);
      expect(cases).toBe(RUNS);
      // The generators must reach both sides, or the property proves little.
      expect(accepted).toBeGreaterThan(0);
      expect(cases - accepted).toBeGreaterThan(0);
    },
    60_000 + RUNS * 30,
  );
});
