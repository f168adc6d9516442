// URL paths the gateway serves itself. A binding path equal to one of them, or below one of them, would
// shadow a probe, the metrics scrape or the docs: the catalog check refuses it.

export const RESERVED_PATHS: readonly string[] = [
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/openapi.yaml',
  '/docs',
];

/** Room for the gateway's own future routes, so adding one never breaks an existing catalog. */
export const RESERVED_PREFIX = '/_tributary/';

/** The reserved route a concrete request path would reach, or undefined when it is free. */
export function reservedRouteFor(path: string): string | undefined {
  if (path === RESERVED_PREFIX.slice(0, -1) || path.startsWith(RESERVED_PREFIX)) return RESERVED_PREFIX;
  return RESERVED_PATHS.find((reserved) => path === reserved || path.startsWith(`${reserved}/`));
}
