// The option x transport table (src/ingest/options.ts): the README shows exactly it, and the refusals admission
// enforces are found from it per binding.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BINDING_OPTIONS,
  isRefused,
  OPTION_NAMES,
  refusalsFor,
  renderOptionTable,
  TRANSPORTS,
} from '../../src/ingest/options.js';
import { setSecretEnv } from '../auth/signed-app.js';
import { fixtureCatalog } from '../helpers.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** A markdown table as rows of trimmed cells, its rule row left out. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('binding options per transport', () => {
  it('is the table the README shows, between its markers', () => {
    const start = readme.indexOf('<!-- options-table:start -->\n');
    const end = readme.indexOf('\n<!-- options-table:end -->');
    expect(start).toBeGreaterThan(0);
    // Cell by cell: the formatter pads the README's columns.
    expect(cells(readme.slice(start + '<!-- options-table:start -->\n'.length, end))).toEqual(
      cells(renderOptionTable()),
    );
  });

  it('has a cell for every transport in every row, and every refusal has a 4xx code and a reason', () => {
    for (const option of OPTION_NAMES) {
      for (const transport of TRANSPORTS) {
        const cell = BINDING_OPTIONS[option].cells[transport];
        expect(cell, `${option} x ${transport}`).toBeDefined();
        if (isRefused(cell)) {
          expect(cell.refused.status).toBeGreaterThanOrEqual(400);
          expect(cell.refused.status).toBeLessThan(500);
          expect(cell.why.length).toBeGreaterThan(20);
        }
      }
    }
  });

  it('finds the refusals of a binding once, only for the options it uses', async () => {
    setSecretEnv();
    process.env['CONF_TOKEN'] = 'x';
    const catalog = await fixtureCatalog('conformance.yaml');
    const byName = (name: string) => catalog.bindings.find((b) => b.name === name)!;
    expect(refusalsFor(byName('plain'), 'websocket')).toEqual([]);
    expect(refusalsFor(byName('github'), 'webhook')).toEqual([]);
    expect(refusalsFor(byName('github'), 'websocket').map((r) => [r.option, r.header])).toEqual([
      ['signature', undefined],
    ]);
    expect(refusalsFor(byName('id-header'), 'websocket').map((r) => [r.option, r.header])).toEqual([
      ['idFromHeader', 'x-delivery'],
    ]);
    expect(refusalsFor(byName('limited'), 'websocket')).toBe(refusalsFor(byName('limited'), 'websocket'));
  });
});
