// Reading catalog files and following their imports. JSON files go through the YAML parser too: YAML 1.2
// is a superset of JSON, so one parser gives the same line/column errors for both.
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { mayHoldInexactIntegers, recordSchemaIntegers } from '../validate/exact-numbers.js';
import type { Location } from './model.js';
import { at, checkKnownProperties, isMapping, type ProblemLog } from './problems.js';

export const TOP_LEVEL_PROPERTIES: readonly string[] = ['$schema', 'import', 'collections', 'captures'];

const MAX_SYNTAX_ERRORS = 5;

export interface CatalogFile {
  /** Absolute path. */
  file: string;
  content: Record<string, unknown>;
}

export interface ParseFailure {
  message: string;
  /** 1-based, when the parser knows it. */
  line?: number;
  column?: number;
}

export type Parsed = { value: unknown } | { failures: ParseFailure[] };

/** Reads and parses a YAML or JSON file; every syntax error is returned with its line and column. */
export async function parseFile(file: string): Promise<Parsed> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { failures: [{ message: `cannot read ${file}: ${reason}` }] };
  }
  const lineCounter = new LineCounter();
  // uniqueKeys: a collection declared twice in one mapping would otherwise silently keep the last one.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    // One unclosed bracket makes the parser report every later token; the first few locate the mistake.
    const failures: ParseFailure[] = document.errors.slice(0, MAX_SYNTAX_ERRORS).map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { message: error.message, line, column: col };
    });
    const more = document.errors.length - MAX_SYNTAX_ERRORS;
    if (more > 0) {
      const last = failures[failures.length - 1]!;
      failures.push({
        ...last,
        message: `${more} more syntax error(s) after this one, probably consequences`,
      });
    }
    return { failures };
  }
  try {
    // maxAliasCount bounds "billion laughs" alias expansion.
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    // Integers beyond 2^53 (a schema's `maximum: 9223372036854775807`) are kept exactly beside the parsed value,
    // for the validator's exact comparisons (issue 13); only files that hold a long enough digit run pay for it.
    if (mayHoldInexactIntegers(text)) {
      const exact = parseDocument(text, { intAsBigInt: true, uniqueKeys: true });
      recordSchemaIntegers(value, exact.toJS({ maxAliasCount: 100 }));
    }
    return { value };
  } catch (error) {
    return { failures: [{ message: (error as Error).message }] };
  }
}

export function failureLocation(file: string, failure: ParseFailure): Location {
  const path = failure.line === undefined ? '' : `line ${failure.line}, column ${failure.column ?? 1}`;
  return { file, path };
}

/**
 * Loads the root catalog and everything it imports, depth first, each file once however many files import
 * it. Import cycles are reported, not followed.
 */
export async function readCatalogFiles(root: string, log: ProblemLog): Promise<CatalogFile[]> {
  const files: CatalogFile[] = [];
  const loaded = new Set<string>();
  const rootDir = dirname(root);
  const show = (file: string): string => relative(rootDir, file) || file;

  const visit = async (file: string, stack: string[], via: Location | undefined): Promise<void> => {
    if (stack.includes(file)) {
      const cycle = [...stack.slice(stack.indexOf(file)), file].map(show).join(' -> ');
      log.error(via ?? { file, path: '' }, `import cycle: ${cycle}`);
      return;
    }
    if (loaded.has(file)) return;
    loaded.add(file);
    const parsed = await parseFile(file);
    if ('failures' in parsed) {
      for (const failure of parsed.failures) {
        if (via && failure.line === undefined) log.error(via, failure.message);
        else log.error(failureLocation(file, failure), failure.message);
      }
      return;
    }
    const top: Location = { file, path: '' };
    // An empty file is an empty catalog; anything else must be a mapping.
    const content = parsed.value ?? {};
    if (!isMapping(content)) {
      log.error(top, 'a catalog must be a mapping with import, collections and captures');
      return;
    }
    checkKnownProperties(log, top, content, TOP_LEVEL_PROPERTIES);
    files.push({ file, content });

    const imports = content['import'] ?? [];
    if (!Array.isArray(imports)) {
      log.error(at(top, 'import'), 'import must be a list of relative file paths');
      return;
    }
    for (const [index, target] of imports.entries()) {
      const location = at(top, 'import', index);
      if (typeof target !== 'string' || target === '') {
        log.error(location, 'an import must be a relative file path');
      } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
        log.error(location, `import '${target}': only local files can be imported, not URLs`);
      } else {
        await visit(resolve(dirname(file), target), [...stack, file], location);
      }
    }
  };

  await visit(root, [], undefined);
  return files;
}
