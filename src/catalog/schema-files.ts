// The catalog's own schema files as the resources a schema's `$ref`s name (issue 13): another file by relative path
// (`$ref: address.json`, `../common/defs.yaml#/$defs/money`) or by `$id` (`$ref: https://example.com/address.json`).
// Nothing is ever fetched: a reference resolves to a file of the catalog or not at all.
//
// A `$ref` by `$id` is found, in this order, among:
//  1. the schema files this load has already read (collections' schemas and what they referred to), by their own
//     `$id` and the `$id`s embedded in them;
//  2. the file at the same relative place: a file whose `$id` is https://example.com/schemas/order.json refers to
//     https://example.com/schemas/common/money.json, so common/money.json next to it is tried (it must declare
//     that `$id` or none);
//  3. the other schema files in the referring file's directory, read once each (at most MAX_SCANNED per load).
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResourceLookup, SchemaNode, SchemaResource } from '../validate/compiler.js';
import { chooseDraft, type SchemaDraft } from '../validate/drafts.js';
import { baseOf, externalReferences, resourceUri } from '../validate/references.js';
import { subschemasOf } from '../validate/vocabulary.js';
import { type Parsed, parseFile } from './files.js';
import { isMapping } from './problems.js';

export const SCHEMA_EXTENSIONS: readonly string[] = ['.json', '.yaml', '.yml'];

/** Schema files already parsed in this load, by absolute path: many collections often share one. */
export type SchemaFileCache = Map<string, Promise<Parsed>>;

/** Files read by a directory scan in one load, at most: a folder of 10,000 examples is not a schema registry. */
const MAX_SCANNED = 500;
/** A file larger than this is not read by a directory scan (it still is when a `$ref` names its path). */
const MAX_SCANNED_BYTES = 4 * 1024 * 1024;

interface Index {
  /** Resource URI (file URI, `$id`, embedded `$id`) -> the file that holds it. */
  byUri: Map<string, SchemaResource>;
  /** Files already indexed. */
  indexed: Set<string>;
  scannedDirectories: Set<string>;
  scanned: number;
}

const indexes = new WeakMap<SchemaFileCache, Index>();

function indexOf(cache: SchemaFileCache): Index {
  let index = indexes.get(cache);
  if (!index) {
    index = { byUri: new Map(), indexed: new Set(), scannedDirectories: new Set(), scanned: 0 };
    indexes.set(cache, index);
  }
  return index;
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

function isSchema(value: unknown): value is SchemaNode {
  return typeof value === 'boolean' || isMapping(value);
}

/** Reads a schema file once per load; undefined when it cannot be read or holds no schema. */
async function readSchemaFile(cache: SchemaFileCache, file: string): Promise<SchemaNode | undefined> {
  let parsing = cache.get(file);
  if (!parsing) {
    parsing = parseFile(file);
    cache.set(file, parsing);
  }
  const parsed = await parsing;
  return 'value' in parsed && isSchema(parsed.value) ? parsed.value : undefined;
}

/** Records the file under its file URI and every `$id` it declares (root and embedded). */
function addToIndex(index: Index, file: string, schema: SchemaNode, draft: SchemaDraft): void {
  if (index.indexed.has(file)) return;
  index.indexed.add(file);
  const resource: SchemaResource = { retrievalUri: fileUri(file), schema };
  index.byUri.set(resource.retrievalUri, resource);
  const visit = (node: unknown, base: string | undefined): void => {
    if (!isMapping(node)) return;
    const inner = baseOf(node, base, draft);
    if (inner !== undefined && inner !== base && !index.byUri.has(inner)) index.byUri.set(inner, resource);
    for (const sub of subschemasOf(node)) visit(sub, inner);
  };
  visit(schema, resource.retrievalUri);
}

function draftOf(schema: SchemaNode, fallback: SchemaDraft): SchemaDraft {
  try {
    return chooseDraft(schema, fallback).draft;
  } catch {
    return fallback;
  }
}

async function indexFile(
  cache: SchemaFileCache,
  file: string,
  draft: SchemaDraft,
): Promise<SchemaNode | undefined> {
  const schema = await readSchemaFile(cache, file);
  if (schema !== undefined) addToIndex(indexOf(cache), file, schema, draftOf(schema, draft));
  return schema;
}

/** A resource found for a reference, and the file it was read from. */
interface Found {
  resource: SchemaResource;
  file: string;
}

/**
 * Step 2: the file at the same relative place as the `$id` is to the referring file's `$id`. A file without an
 * `$id` of its own is the resource at the URI it was reached by (its retrieval URI), so its references resolve
 * against that URI too.
 */
async function sameRelativePlace(
  cache: SchemaFileCache,
  target: string,
  referrer: Found,
  draft: SchemaDraft,
): Promise<Found | undefined> {
  const base = baseOf(
    isMapping(referrer.resource.schema) ? referrer.resource.schema : {},
    referrer.resource.retrievalUri,
    draft,
  );
  if (!base) return undefined;
  let from: URL;
  let to: URL;
  try {
    from = new URL(base);
    to = new URL(target);
  } catch {
    return undefined;
  }
  if (from.origin !== to.origin || from.origin === 'null') return undefined;
  const relativePath = posix.relative(posix.dirname(from.pathname), to.pathname);
  const file = join(dirname(referrer.file), ...relativePath.split('/'));
  if (!SCHEMA_EXTENSIONS.includes(extname(file).toLowerCase())) return undefined;
  const schema = await indexFile(cache, file, draft);
  if (schema === undefined) return undefined;
  const own = isMapping(schema) ? baseOf(schema, undefined, draft) : undefined;
  if (own !== undefined && own !== target) return undefined;
  return { resource: { retrievalUri: target, schema }, file };
}

/** Step 3: every other schema file in the referring file's directory, indexed by `$id`. */
async function scanDirectory(cache: SchemaFileCache, directory: string, draft: SchemaDraft): Promise<void> {
  const index = indexOf(cache);
  if (index.scannedDirectories.has(directory)) return;
  index.scannedDirectories.add(directory);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    if (index.scanned >= MAX_SCANNED) return;
    const file = join(directory, name);
    if (!SCHEMA_EXTENSIONS.includes(extname(name).toLowerCase()) || index.indexed.has(file)) continue;
    let info: Stats;
    try {
      info = await stat(file);
    } catch {
      continue;
    }
    if (!info.isFile() || info.size > MAX_SCANNED_BYTES) continue;
    index.scanned++;
    await indexFile(cache, file, draft);
  }
}

/**
 * Finds, among the catalog's schema files, every resource `schema` (held in `file`, or inline in the catalog file)
 * refers to, transitively, and returns the lookup the compiler resolves references with.
 */
export async function schemaResources(
  schema: SchemaNode,
  file: string,
  cache: SchemaFileCache,
  fallbackDraft: SchemaDraft,
): Promise<ResourceLookup> {
  const index = indexOf(cache);
  const draft = draftOf(schema, fallbackDraft);
  // A collection's own schema file can be referred to by its `$id` from the others (an inline schema cannot).
  if (cache.has(file)) addToIndex(index, file, schema, draft);
  const found = new Map<string, SchemaResource>();
  const pending: Found[] = [{ resource: { retrievalUri: fileUri(file), schema }, file }];
  const visited = new Set<string>([fileUri(file)]);
  while (pending.length > 0) {
    const referrer = pending.shift()!;
    const { retrievalUri } = referrer.resource;
    for (const target of externalReferences(referrer.resource.schema, retrievalUri, draft)) {
      if (found.has(target)) continue;
      let next: Found | undefined;
      const indexed = index.byUri.get(target);
      if (indexed) {
        next = { resource: indexed, file: fileURLToPath(indexed.retrievalUri) };
      } else if (target.startsWith('file:')) {
        const path = fileURLToPath(target);
        const loaded = SCHEMA_EXTENSIONS.includes(extname(path).toLowerCase())
          ? await indexFile(cache, path, draft)
          : undefined;
        if (loaded !== undefined) next = { resource: { retrievalUri: target, schema: loaded }, file: path };
      } else {
        next = await sameRelativePlace(cache, target, referrer, draft);
        if (!next) {
          await scanDirectory(cache, dirname(referrer.file), draft);
          const scanned = index.byUri.get(target);
          if (scanned) next = { resource: scanned, file: fileURLToPath(scanned.retrievalUri) };
        }
      }
      if (!next) continue;
      found.set(target, next.resource);
      const key = `${next.resource.retrievalUri} ${next.file}`;
      if (!visited.has(key)) {
        visited.add(key);
        pending.push(next);
      }
    }
  }
  return (uri) => found.get(resourceUri(uri)) ?? index.byUri.get(resourceUri(uri));
}
