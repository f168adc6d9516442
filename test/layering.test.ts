// Imports run downhill (STYLE.md, issue 11): the catalog knows no stage, stages know no transport or route, the
// front door (src/ingest) knows no transport. Read from the sources' import statements, so a new upward import
// fails here instead of being found by the next structure review.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

interface Edge {
  from: string;
  /** A repository path (`src/ingest/router.ts`) or a package name (`fastify`). */
  to: string;
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm;

const edges: Edge[] = [...sources('src'), ...sources('routes')].flatMap((from) => {
  const text = readFileSync(path.join(root, from), 'utf8');
  return [...text.matchAll(IMPORT)].map(([, spec]) => {
    if (!spec!.startsWith('.')) return { from, to: spec!.startsWith('node:') ? spec! : spec!.split('/')[0]! };
    const to = path.join(path.dirname(from), spec!).replace(/\.js$/, '.ts');
    return { from, to };
  });
});

/** `src/auth/tokens.ts` -> `src/auth`; top-level files are their own room. */
function room(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : file.replace(/\.ts$/, '');
}

const violations = (rule: (edge: Edge) => boolean): string[] =>
  edges.filter(rule).map((e) => `${e.from} -> ${e.to}`);

const inRoom = (file: string, ...rooms: string[]): boolean => rooms.includes(room(file));

/** Transports and their glue: nothing below them may import these, or the web frameworks. */
const TRANSPORTS = [
  'routes/ingest',
  'routes/websocket',
  'routes/cors',
  'src/stream',
  'src/app',
  'src/gateway',
  'src/cli',
];
const TRANSPORT_PACKAGES = ['fastify', '@fastify', 'ws'];

/**
 * Known upward imports, each one kept as an exception that must still exist, so it is removed from here the moment
 * it is gone. Empty since issue 13 moved DocumentValidator / ValidationFailure into src/validate.
 */
const KNOWN = new Set<string>([]);

describe('imports run downhill', () => {
  it('reads a plausible graph', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: 'src/ingest/front-door.ts', to: 'src/ingest/options.ts' });
  });

  it('the catalog imports no stage but the two it compiles at load (signature schemes, schemas)', () => {
    const allowed = ['src/catalog', 'src/errors', 'src/auth', 'src/validate'];
    expect(
      violations(
        (e) => inRoom(e.from, 'src/catalog') && e.to.startsWith('src/') && !inRoom(e.to, ...allowed),
      ),
    ).toEqual([]);
  });

  it('what the catalog compiles with (auth, validate) does not import the catalog back', () => {
    const found = violations(
      (e) => inRoom(e.from, 'src/auth', 'src/validate') && inRoom(e.to, 'src/catalog'),
    ).filter((v) => !KNOWN.has(v));
    expect(found).toEqual([]);
    for (const known of KNOWN)
      expect(
        violations(() => true),
        `${known} is gone: drop it from KNOWN`,
      ).toContain(known);
  });

  it('stages import no transport, route or app', () => {
    const stages = [
      'src/auth',
      'src/catalog',
      'src/decode',
      'src/document',
      'src/validate',
      'src/ingest',
      'src/kafka',
    ];
    expect(
      violations(
        (e) =>
          inRoom(e.from, ...stages) &&
          (TRANSPORTS.some((t) => room(e.to) === t || e.to.startsWith(`${t}/`)) ||
            e.to.startsWith('routes/')),
      ),
    ).toEqual([]);
    expect(
      violations(
        (e) =>
          inRoom(e.from, 'src/ops') && (inRoom(e.to, 'src/app', 'src/stream') || e.to.startsWith('routes/')),
      ),
    ).toEqual([]);
  });

  it('the front door (src/ingest) knows no transport: no src/stream, no routes, no Fastify, no ws', () => {
    expect(
      violations(
        (e) =>
          inRoom(e.from, 'src/ingest') &&
          (inRoom(e.to, 'src/stream', 'src/app', 'src/problem-reply') ||
            e.to.startsWith('routes/') ||
            TRANSPORT_PACKAGES.includes(e.to)),
      ),
    ).toEqual([]);
  });

  it('no two stage folders import each other', () => {
    const pairs = new Set(edges.map((e) => `${room(e.from)} -> ${room(e.to)}`));
    const cycles = [...pairs].filter((p) => {
      const [a, b] = p.split(' -> ');
      return a !== b && a!.startsWith('src/') && b!.startsWith('src/') && pairs.has(`${b} -> ${a}`);
    });
    const known = [...KNOWN].flatMap((k) => {
      const [a, b] = k.split(' -> ').map(room);
      return [`${a} -> ${b}`, `${b} -> ${a}`];
    });
    expect(cycles.filter((c) => !known.includes(c)).sort()).toEqual([]);
  });
});
