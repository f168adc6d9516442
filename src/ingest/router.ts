// Maps a request path to its binding. Kept apart from Fastify's own router so a reloaded catalog can swap the
// whole table at once (Fastify cannot remove routes after start).
import FindMyWay from 'find-my-way';
import type { Binding, Catalog } from '../catalog/model.js';

export interface BindingMatch {
  binding: Binding;
  pathParams: Record<string, string> | undefined;
}

export interface BindingRouter {
  match(path: string): BindingMatch | undefined;
}

/** `{param}` (Flow, OpenAPI) -> `:param` (find-my-way). */
export function toRouterPath(template: string): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

export function createRouter(catalog: Pick<Catalog, 'bindings'>): BindingRouter {
  const router = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: false, caseSensitive: true });
  for (const binding of catalog.bindings) {
    // find-my-way stores a handler per route; ours is only a carrier for the binding.
    router.on('POST', toRouterPath(binding.path), () => undefined, { binding });
  }
  return {
    match(path) {
      const found = router.find('POST', path);
      if (found === null) return undefined;
      const { binding } = found.store as { binding: Binding };
      const params = found.params as Record<string, string | undefined>;
      let pathParams: Record<string, string> | undefined;
      for (const name in params) {
        const value = params[name];
        if (value === undefined) continue;
        pathParams ??= {};
        pathParams[name] = value;
      }
      return { binding, pathParams };
    },
  };
}

/** The path of a request URL, without its query: what bindings are routed on. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
