// Which other schema resources a schema refers to, so that the catalog can hand the compiler exactly those (its own
// schema files, never the network). URIs are resolved as ajv resolves them (fast-uri, RFC 3986), against the base
// each `$id` (draft-04: `id`) sets; a reference into the schema itself (`#/$defs/x`, an embedded `$id`) is not
// external.
import fastUri from 'fast-uri';
import type { SchemaDraft } from './drafts.js';
import { oncePerObject } from './per-object.js';
import { subschemasOf } from './vocabulary.js';

const REFERENCE_KEYWORDS: readonly string[] = ['$ref', '$dynamicRef', '$recursiveRef'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function idKeyword(draft: SchemaDraft): '$id' | 'id' {
  return draft === 'draft-04' ? 'id' : '$id';
}

/** The resource part of a URI, normalised as ajv keys its registry: no fragment, no trailing `#`. */
export function resourceUri(uri: string): string {
  return fastUri.serialize(fastUri.parse(uri)).split('#')[0]!;
}

/** `ref` resolved against `base` (RFC 3986 §5); a relative ref with no base stays as it is. */
export function resolveUri(base: string | undefined, ref: string): string {
  return base ? fastUri.resolve(base, ref) : ref;
}

/** The base URI a schema node sets with its `$id`, or `base` when it sets none (a `#name` id is an anchor). */
export function baseOf(
  node: Record<string, unknown>,
  base: string | undefined,
  draft: SchemaDraft,
): string | undefined {
  const id = node[idKeyword(draft)];
  if (typeof id !== 'string' || id.startsWith('#')) return base;
  return resourceUri(resolveUri(base, id));
}

/**
 * The resources (absolute URIs, no fragment) that `schema`, retrieved from `retrievalUri`, refers to outside
 * itself, in order of first appearance.
 */
export function externalReferences(
  schema: unknown,
  retrievalUri: string | undefined,
  draft: SchemaDraft,
): readonly string[] {
  if (!isObject(schema)) return [];
  // Per schema object, retrieval URI and draft: this walk of a shared 630 KB schema, twice per collection (catalog
  // lookup, then compiler), was a third of start-up's CPU.
  const byBase = referencesBySchema(schema);
  const key = `${draft} ${retrievalUri ?? ''}`;
  let found = byBase.get(key);
  if (found === undefined) {
    found = Object.freeze(walkReferences(schema, retrievalUri, draft));
    byBase.set(key, found);
  }
  return found;
}

const referencesBySchema = oncePerObject(() => new Map<string, readonly string[]>());

function walkReferences(schema: unknown, retrievalUri: string | undefined, draft: SchemaDraft): string[] {
  const defined = new Set<string>();
  const referred: string[] = [];
  const visit = (node: unknown, base: string | undefined): void => {
    if (!isObject(node)) return;
    const inner = baseOf(node, base, draft);
    if (inner !== undefined) defined.add(inner);
    for (const keyword of REFERENCE_KEYWORDS) {
      const ref = node[keyword];
      if (typeof ref !== 'string' || ref.startsWith('#')) continue;
      const target = resourceUri(resolveUri(inner, ref));
      if (target !== '' && !referred.includes(target)) referred.push(target);
    }
    for (const sub of subschemasOf(node)) visit(sub, inner);
  };
  const root = retrievalUri === undefined ? undefined : resourceUri(retrievalUri);
  if (root) defined.add(root);
  visit(schema, root);
  return referred.filter((uri) => !defined.has(uri));
}
