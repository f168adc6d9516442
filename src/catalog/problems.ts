// Problems are collected, never thrown: `tributary check` must list every mistake in one run.
import type { CatalogProblem, Location } from './model.js';

type Steps = ReadonlyArray<string | number>;

const isPrefix = (prefix: Steps, steps: Steps): boolean =>
  prefix.length <= steps.length && prefix.every((step, index) => steps[index] === step);
const sameSteps = (a: Steps, b: Steps): boolean => a.length === b.length && isPrefix(a, b);

export class ProblemLog {
  readonly problems: CatalogProblem[] = [];
  readonly warnings: CatalogProblem[] = [];
  /** Where schemas/catalog.schema.json found the shape wrong, per file. */
  private readonly misshapen = new Map<string, Array<{ steps: Steps; covers: boolean }>>();

  /**
   * A problem the catalog schema found (src/catalog/structure.ts). `covers`: the value there has the wrong
   * shape, so what code would say about anything inside it is a consequence, not news.
   */
  shape(location: Location, message: string, covers: boolean): void {
    const steps = location.steps ?? [];
    const list = this.misshapen.get(location.file) ?? [];
    list.push({ steps, covers });
    this.misshapen.set(location.file, list);
    this.problems.push({ location, message });
  }

  /**
   * A problem a check in code found. Dropped where the schema already reported that place, or a value that
   * holds it: one message per mistake, the schema's, however many checks read the value.
   */
  error(location: Location, message: string): void {
    const steps = location.steps ?? [];
    const reported = this.misshapen.get(location.file) ?? [];
    if (reported.some((bad) => (bad.covers ? isPrefix(bad.steps, steps) : sameSteps(bad.steps, steps))))
      return;
    this.problems.push({ location, message });
  }

  warn(location: Location, message: string): void {
    this.warnings.push({ location, message });
  }
}

/** The root of a catalog file. */
export function fileRoot(file: string): Location {
  return { file, path: '', steps: [] };
}

/** `at(loc, 'key', 0)` -> `collections.acmeCo/x.key[0]`: the address a reader searches the file for. */
export function at(location: Location, ...steps: Array<string | number>): Location {
  let path = location.path;
  for (const step of steps) {
    if (typeof step === 'number') path += `[${step}]`;
    else path = path === '' ? step : `${path}.${step}`;
  }
  return { file: location.file, path, steps: [...(location.steps ?? []), ...steps] };
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
