// `tributary replay`'s usage errors and its report, without a broker (test/integration/dead-letter.test.ts runs
// it against one): missing or wrong flags exit 2, an unreachable broker exits 1 with one line, never a hang.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { replayCommand, reportJson, reportLines } from '../../src/cli/replay.js';
import type { ReplayReport } from '../../src/dead-letter/replay.js';
import { writeCatalog } from '../catalog/temp-catalog.js';
import { consoleLines } from '../helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const CATALOG = `
collections:
  r/docs:
    schema: { type: object, required: [id], properties: { id: { type: string } } }
    key: [/id]
captures:
  r/cap:
    endpoint: { ingest: { deadLetter: { topic: r.dead } } }
    bindings:
      - { target: r/docs, resource: { name: open } }
`;

describe('tributary replay (issue 16)', () => {
  it('refuses a missing topic, a bad time, an unknown binding and a bad catalog', async () => {
    const catalog = await writeCatalog({ 'catalog.yaml': CATALOG });
    const base = ['--catalog', catalog, '--brokers', '127.0.0.1:1'];
    let lines = consoleLines();
    expect(await replayCommand(base)).toBe(2);
    expect(lines.join('\n')).toContain('--dead-letter is required');
    lines = consoleLines();
    expect(await replayCommand([...base, '--dead-letter', 'r.dead', '--since', 'yesterday'])).toBe(2);
    expect(lines.join('\n')).toContain("--since 'yesterday' is not a time");
    lines = consoleLines();
    expect(await replayCommand([...base, '--dead-letter', 'r.dead', '--binding', 'opne'])).toBe(2);
    expect(lines.join('\n')).toContain("--binding 'opne' names no binding of the catalog");
    lines = consoleLines();
    expect(await replayCommand(['--catalog', catalog, '--dead-letter', 'r.dead'])).toBe(2);
    expect(lines.join('\n')).toContain('brokers');
    const broken = await writeCatalog({ 'catalog.yaml': 'collections: 5' });
    lines = consoleLines();
    expect(
      await replayCommand(['--catalog', broken, '--brokers', '127.0.0.1:1', '--dead-letter', 'r.dead']),
    ).toBe(1);
    expect(lines.length).toBeGreaterThan(0);
    lines = consoleLines();
    expect(await replayCommand([...base, '--dead-letter', 'r.dead', '--kafka-sasl-mechanism', 'plain'])).toBe(
      2,
    );
    expect(lines.join('\n')).toMatch(/sasl/i);
  });

  it('exits 1 with one line when no broker answers', async () => {
    const catalog = await writeCatalog({ 'catalog.yaml': CATALOG });
    const lines = consoleLines();
    const code = await replayCommand([
      '--catalog',
      catalog,
      '--brokers',
      '127.0.0.1:1',
      '--dead-letter',
      'r.dead',
      '--binding',
      'r/cap/open',
    ]);
    expect(code, lines.join('\n')).toBe(1);
    expect(lines.filter((l) => l.startsWith('tributary replay:'))).toHaveLength(1);
  }, 120_000);

  it('reports per binding, malformed records and markers it could not write', () => {
    const report: ReplayReport = {
      bindings: new Map([
        [
          'r/cap/open',
          { accepted: 2, documents: 3, rejected: { TRIB_VALIDATE_SCHEMA: 1 }, alreadyReplayed: 1 },
        ],
      ]),
      markerFailures: 1,
      malformed: 2,
    };
    expect(reportLines(report, true)).toEqual([
      'r/cap/open: 2 would be accepted (3 documents), 1 still rejected (TRIB_VALIDATE_SCHEMA 1), 1 already replayed',
      '2 records on the topic are not dead-letter records: skipped',
      '1 replayed entries could not be marked: a later replay produces them again (same _meta.uuid)',
    ]);
    expect(reportLines({ bindings: new Map(), markerFailures: 0, malformed: 0 }, false)).toEqual([
      'no dead-letter entries to replay',
    ]);
    expect(reportJson(report, false)).toMatchObject({ dryRun: false, malformed: 2, markerFailures: 1 });
  });
});
