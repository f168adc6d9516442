// Secrets come from the environment or from files (Kubernetes/Docker secrets), never from the catalog's text:
// catalogs live in git, and a token committed there is a token leaked.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type SecretResult = { value: Buffer } | { problem: string };

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** `'${NAME}'` reads the environment variable NAME; `{ file: path }` reads a file relative to the catalog. */
export function resolveSecret(
  ref: unknown,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): SecretResult {
  if (typeof ref === 'string') {
    const match = ENV_REF.exec(ref);
    if (match === null) {
      return { problem: "a secret must be '${ENV_NAME}' or { file: path }, never plain text in the catalog" };
    }
    const value = env[match[1]!];
    if (value === undefined || value === '')
      return { problem: `environment variable ${match[1]} is not set` };
    return { value: Buffer.from(value) };
  }
  if (typeof ref === 'object' && ref !== null && !Array.isArray(ref)) {
    const keys = Object.keys(ref);
    const file = (ref as Record<string, unknown>)['file'];
    if (keys.length !== 1 || typeof file !== 'string')
      return { problem: 'a secret file reference is { file: path }' };
    const path = resolve(baseDir, file);
    try {
      // Secret files usually end with a newline that is not part of the secret.
      const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      if (value === '') return { problem: `secret file ${path} is empty` };
      return { value: Buffer.from(value) };
    } catch (err) {
      return {
        problem: `cannot read secret file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      };
    }
  }
  return { problem: "a secret must be '${ENV_NAME}' or { file: path }" };
}
