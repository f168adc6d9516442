// Files shipped at the package root (openapi.yaml, schemas/), found from src/ (tests) or dist/src/ (the built CLI).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The absolute path of a file at the package root, such as `schemas/catalog.schema.json`. */
export function packageFile(name: string): string {
  for (const up of ['../', '../../']) {
    const candidate = fileURLToPath(new URL(`${up}${name}`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is missing from the package`);
}
