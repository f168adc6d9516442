// Problems are collected, never thrown: `tributary check` must list every mistake in one run.
import type { CatalogProblem, Location } from './model.js';

export class ProblemLog {
  readonly problems: CatalogProblem[] = [];
  readonly warnings: CatalogProblem[] = [];

  error(location: Location, message: string): void {
    this.problems.push({ location, message });
  }

  warn(location: Location, message: string): void {
    this.warnings.push({ location, message });
  }
}

/** `at(loc, 'key', 0)` -> `collections.acmeCo/x.key[0]`: the address a reader searches the file for. */
export function at(location: Location, ...steps: Array<string | number>): Location {
  let path = location.path;
  for (const step of steps) {
    if (typeof step === 'number') path += `[${step}]`;
    else path = path === '' ? step : `${path}.${step}`;
  }
  return { file: location.file, path };
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports every property of `value` not in `known`; a typo must not silently drop a setting. */
export function checkKnownProperties(
  log: ProblemLog,
  location: Location,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const property of Object.keys(value)) {
    if (!known.includes(property)) {
      log.error(
        at(location, property),
        `unknown property '${property}' (expected one of: ${known.join(', ')})`,
      );
    }
  }
}
