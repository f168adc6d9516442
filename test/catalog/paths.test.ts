import { describe, expect, it } from 'vitest';
import {
  checkPathCollisions,
  type PathClaim,
  type PathTemplate,
  parsePathTemplate,
  pathShape,
  reservedRouteMatched,
} from '../../src/catalog/paths.js';
import { ProblemLog } from '../../src/catalog/problems.js';
import { RESERVED_PATHS, reservedRouteFor } from '../../src/catalog/reserved-paths.js';

function template(path: string): PathTemplate {
  const parsed = parsePathTemplate(path);
  if (!('template' in parsed)) throw new Error(parsed.problems.join('; '));
  return parsed.template;
}

function claim(path: string, owner: string): PathClaim {
  return { template: template(path), owner, location: { file: 'c.yaml', path: owner } };
}

describe('parsePathTemplate', () => {
  it('parses literal and {param} segments', () => {
    expect(template('/github/{org}/{repo}')).toEqual({
      path: '/github/{org}/{repo}',
      segments: [{ literal: 'github' }, { param: 'org' }, { param: 'repo' }],
      params: ['org', 'repo'],
    });
  });
  it('accepts unicode names (default paths come from catalog names)', () => {
    expect(parsePathTemplate('/Приключения/events')).toHaveProperty('template');
  });
  it.each([
    ['github', /must start with '\/'/],
    ['/', /no segment/],
    ['/a//b', /empty segment/],
    ['/a/', /empty segment/],
    ['/a/../b', /'\.\.' segment/],
    ['/a/{1x}', /parameter name/],
    ['/a/{x}/{x}', /appears twice/],
    ['/a/pre{x}', /whole segment/],
    ['/a/:x', /may hold only/],
    ['/a/*', /may hold only/],
    ['/a?b=1', /may hold only/],
  ])('refuses %s', (path, problem) => {
    const parsed = parsePathTemplate(path);
    expect('problems' in parsed && parsed.problems.join('\n')).toMatch(problem);
  });
  it('normalises parameters for comparison', () => {
    expect(pathShape(template('/a/{x}'))).toBe(pathShape(template('/a/{y}')));
  });
});

describe('reserved paths', () => {
  it('exports the gateway routes and finds them also as prefixes', () => {
    expect(RESERVED_PATHS).toEqual([
      '/healthz',
      '/readyz',
      '/metrics',
      '/openapi.json',
      '/openapi.yaml',
      '/docs',
    ]);
    expect(reservedRouteFor('/docs/index.html')).toBe('/docs');
    expect(reservedRouteFor('/_tributary/x')).toBe('/_tributary/');
    expect(reservedRouteFor('/docsx')).toBeUndefined();
  });
  it.each([
    ['/healthz', '/healthz'],
    ['/metrics/x', '/metrics'],
    ['/docs/{page}', '/docs'],
    ['/_tributary/hooks', '/_tributary'],
    ['/{org}', '/healthz'],
    ['/{org}/events', '/healthz'], // every reserved path is also a prefix
  ])('%s matches reserved %s', (path, reserved) => {
    expect(reservedRouteMatched(template(path))).toBe(reserved);
  });
  it.each(['/healthzz', '/acme/healthz', '/docs.v2/x'])('%s is free', (path) => {
    expect(reservedRouteMatched(template(path))).toBeUndefined();
  });
});

describe('checkPathCollisions', () => {
  it('refuses equal paths and templates that match the same requests', () => {
    const log = new ProblemLog();
    checkPathCollisions([claim('/a/{x}', 'one'), claim('/a/{y}', 'two'), claim('/a/{x}', 'three')], log);
    expect(log.problems.map((problem) => problem.message)).toEqual([
      "path '/a/{y}' matches the same requests as '/a/{x}' of one (one)",
      "path '/a/{x}' is already used by one (one)",
    ]);
  });
  it('warns about partial overlaps and accepts disjoint paths', () => {
    const log = new ProblemLog();
    checkPathCollisions(
      [claim('/a/b', 'one'), claim('/a/{x}', 'two'), claim('/a/b/c', 'three'), claim('/z', 'four')],
      log,
    );
    expect(log.problems).toEqual([]);
    expect(log.warnings.map((warning) => warning.message)).toEqual([
      "path '/a/{x}' overlaps '/a/b' of one (one): requests such as '/a/b' match both and go to the one whose literal segment comes first",
    ]);
  });
  it('warns about a literal path after a template it overlaps, and compares literal paths by shape only', () => {
    const log = new ProblemLog();
    checkPathCollisions([claim('/a/{x}', 'one'), claim('/c/d', 'two'), claim('/a/b', 'three')], log);
    expect(log.problems).toEqual([]);
    expect(log.warnings.map((warning) => warning.message)).toEqual([
      "path '/a/b' overlaps '/a/{x}' of one (one): requests such as '/a/b' match both and go to the one whose literal segment comes first",
    ]);
  });
});
