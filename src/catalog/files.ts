// Reading catalog files and following their imports. JSON files go through the YAML parser too when their
// positions are needed: YAML 1.2 is a superset of JSON, so one parser gives the same line/column errors for both.
import { readFile } from 'node:fs/promises';
import { dirname, extname, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { mayHoldInexactIntegers, recordSchemaIntegers } from '../validate/exact-numbers.js';
import type { Location } from './model.js';
import { FilePositions } from './positions.js';
import { at, fileRoot, isMapping, type ProblemLog } from './problems.js';
import { checkStructure } from './structure.js';

const MAX_SYNTAX_ERRORS = 5;

export interface CatalogFile {
  /** Absolute path. */
  file: string;
  content: Record<string, unknown>;
  positions: FilePositions;
}

export interface ParseFailure {
  message: string;
  /** 1-based, when the parser knows it. */
  line?: number;
  column?: number;
}

export type Parsed = { value: unknown; positions: FilePositions } | { failures: ParseFailure[] };

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
  if (extname(file).toLowerCase() === '.json') {
    const fast = parseJsonText(text);
    if (fast !== undefined) return fast;
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
    return { value, positions: new FilePositions(() => ({ document, lines: lineCounter })) };
  } catch (error) {
    return { failures: [{ message: (error as Error).message }] };
  }
}

/**
 * A .json file read by JSON.parse, its positions parsed only if a problem needs one: GitHub's 630 KB webhook
 * schema took ~500 ms through the YAML parser and 9 ms this way (issue 17, start-up). Whatever this path would
 * read differently takes the YAML path as before: text JSON.parse refuses (or YAML accepts and JSON does not),
 * a key written twice in one object (JSON.parse keeps the last, silently), integers beyond 2^53.
 */
function parseJsonText(text: string): Parsed | undefined {
  if (mayHoldInexactIntegers(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (memberCount(text) !== keyCount(value)) return undefined;
  const positions = new FilePositions(() => {
    const lines = new LineCounter();
    return { document: parseDocument(text, { lineCounter: lines, uniqueKeys: true }), lines };
  });
  return { value, positions };
}

/**
 * Members written in JSON text JSON.parse accepted: outside strings, a colon separates a member's name from its
 * value and appears nowhere else. Hand-written: no JSON library counts them, and it is one pass over the text.
 */
export function memberCount(text: string): number {
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) members++;
    else if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    }
  }
  return members;
}

/** Keys of every object in a parsed value: fewer than the members written means a key was written twice. */
function keyCount(value: unknown): number {
  let keys = 0;
  // A stack rather than recursion: JSON.parse accepts nesting deeper than the call stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
      continue;
    }
    for (const key of Object.keys(node)) {
      keys++;
      pending.push((node as Record<string, unknown>)[key]);
    }
  }
  return keys;
}

export function failureLocation(file: string, failure: ParseFailure): Location {
  const location = fileRoot(file);
  if (failure.line !== undefined) {
    location.line = failure.line;
    location.column = failure.column ?? 1;
  }
  return location;
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
      log.error(via ?? fileRoot(file), `import cycle: ${cycle}`);
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
    const top = fileRoot(file);
    // An empty file is an empty catalog. Its shape is the catalog schema's to judge; what follows reads only
    // what has the right shape.
    const content = parsed.value ?? {};
    checkStructure(content, top, log);
    if (!isMapping(content)) return;
    files.push({ file, content, positions: parsed.positions });

    const imports = Array.isArray(content['import']) ? content['import'] : [];
    for (const [index, target] of imports.entries()) {
      if (typeof target !== 'string' || target === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) continue;
      await visit(resolve(dirname(file), target), [...stack, file], at(top, 'import', index));
    }
  };

  await visit(root, [], undefined);
  return files;
}
