// Binding URL paths: `/literal/{param}/...` templates, checked so that every request reaches exactly one
// binding and none reaches a binding instead of the gateway's own routes.
// Segments: RFC 3986 §3.3 pchar, minus ':' and '*' which route syntaxes (find-my-way, Express) read as
// parameters and wildcards. Unicode letters and digits are allowed since default paths come from catalog names.
import type { Location } from './model.js';
import { at, type ProblemLog } from './problems.js';
import { RESERVED_PATHS, RESERVED_PREFIX } from './reserved-paths.js';

export type PathSegment = { literal: string } | { param: string };

export interface PathTemplate {
  path: string;
  segments: PathSegment[];
  /** Parameter names in order of appearance. */
  params: string[];
}

const LITERAL = /^(?:[\p{L}\p{N}\-._~!$&'()+,;=@]|%[0-9A-Fa-f]{2})+$/u;
const PARAM = /^\{([^{}]*)\}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a path template, or lists everything wrong with it. */
export function parsePathTemplate(path: string): { template: PathTemplate } | { problems: string[] } {
  if (!path.startsWith('/')) return { problems: [`path '${path}' must start with '/'`] };
  if (path === '/') return { problems: [`path '/' has no segment: name at least one`] };
  const problems: string[] = [];
  const segments: PathSegment[] = [];
  const params: string[] = [];
  for (const segment of path.slice(1).split('/')) {
    const param = PARAM.exec(segment);
    if (param) {
      const name = param[1] ?? '';
      if (!PARAM_NAME.test(name)) {
        problems.push(`path '${path}': parameter name '{${name}}' must match [A-Za-z_][A-Za-z0-9_]*`);
      } else if (params.includes(name)) {
        problems.push(`path '${path}': parameter {${name}} appears twice`);
      }
      params.push(name);
      segments.push({ param: name });
    } else if (segment === '') {
      problems.push(`path '${path}' has an empty segment ('//' or a trailing '/')`);
    } else if (segment === '.' || segment === '..') {
      problems.push(`path '${path}' has a '${segment}' segment, which clients and proxies rewrite`);
    } else if (segment.includes('{') || segment.includes('}')) {
      problems.push(`path '${path}': a {param} must be a whole segment, not part of '${segment}'`);
    } else if (!LITERAL.test(segment)) {
      problems.push(
        `path '${path}': segment '${segment}' may hold only letters, digits, percent-escapes and -._~!$&'()+,;=@`,
      );
    } else {
      segments.push({ literal: segment });
    }
  }
  return problems.length > 0 ? { problems } : { template: { path, segments, params } };
}

/** Parameters normalised away: `/a/{x}` and `/a/{y}` have the same shape and serve the same requests. */
export function pathShape(template: PathTemplate): string {
  return template.segments.map((segment) => ('literal' in segment ? `/${segment.literal}` : '/{}')).join('');
}

function segmentsMatch(a: PathSegment, b: PathSegment): boolean {
  return 'param' in a || 'param' in b || a.literal === b.literal;
}

/**
 * The reserved route (exact or as a prefix) that some request matching the template would also reach, or
 * undefined. `/{org}/events` is refused because it would match `/docs/events`.
 */
export function reservedRouteMatched(template: PathTemplate): string | undefined {
  const reserved = [...RESERVED_PATHS, RESERVED_PREFIX.slice(0, -1)];
  return reserved.find((route) => {
    const routeSegments = route
      .slice(1)
      .split('/')
      .map((literal): PathSegment => ({ literal }));
    if (template.segments.length < routeSegments.length) return false;
    return routeSegments.every((segment, index) => segmentsMatch(segment, template.segments[index]!));
  });
}

/** One binding's claim on a path, for collision checks across all captures. */
export interface PathClaim {
  template: PathTemplate;
  /** e.g. `binding acmeCo/shop/orders`. */
  owner: string;
  location: Location;
}

function describe(claim: PathClaim): string {
  return `${claim.owner} (${claim.location.path})`;
}

/** An example request both templates match, or undefined when they are disjoint. */
function overlap(a: PathTemplate, b: PathTemplate): string | undefined {
  if (a.segments.length !== b.segments.length) return undefined;
  let example = '';
  for (const [index, left] of a.segments.entries()) {
    const right = b.segments[index]!;
    if (!segmentsMatch(left, right)) return undefined;
    example += `/${'literal' in left ? left.literal : 'literal' in right ? right.literal : 'x'}`;
  }
  return example;
}

/**
 * Identical shapes are errors: the router could serve only one of them. Partial overlaps (`/a/b` vs `/a/{x}`)
 * are legal since routers prefer literal segments, but surprising, so they are warnings.
 */
export function checkPathCollisions(claims: readonly PathClaim[], log: ProblemLog): void {
  const byShape = new Map<string, PathClaim>();
  // Two paths without parameters match the same requests only when their shapes are equal (byShape finds that),
  // so a literal path is compared only with the earlier ones that have parameters: linear for a catalog of
  // literal paths, where comparing every pair was 6% of a 1,000-binding start-up (issue 17).
  const withParams: PathClaim[] = [];
  for (const claim of claims) {
    const shape = pathShape(claim.template);
    const earlier = byShape.get(shape);
    if (earlier) {
      const same = earlier.template.path === claim.template.path;
      log.error(
        claim.location,
        same
          ? `path '${claim.template.path}' is already used by ${describe(earlier)}`
          : `path '${claim.template.path}' matches the same requests as '${earlier.template.path}' of ${describe(earlier)}`,
      );
      continue;
    }
    const parameterised = claim.template.params.length > 0;
    for (const other of parameterised ? byShape.values() : withParams) {
      const example = overlap(claim.template, other.template);
      if (example) {
        log.warn(
          claim.location,
          `path '${claim.template.path}' overlaps '${other.template.path}' of ${describe(other)}: requests such as '${example}' match both and go to the one whose literal segment comes first`,
        );
      }
    }
    byShape.set(shape, claim);
    if (parameterised) withParams.push(claim);
  }
}

/** Where a binding's path problems are reported: its `resource.path`, or `resource.name` when defaulted. */
export function pathLocation(binding: Location, explicit: boolean): Location {
  return at(binding, 'resource', explicit ? 'path' : 'name');
}
