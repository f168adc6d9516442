// What a schema proves about a location without running it: which subschemas all apply there (the schema,
// its allOf branches, the targets of its local $refs) and which JSON types remain possible. Used to prove
// that collection keys exist and are scalars, the static check Flow runs at build time.
// anyOf/oneOf/if prove nothing on their own, so they are not followed. A `$ref` to another of the catalog's schema
// files is followed when the collection's resources were attached (issue 13: a collection schema that is only
// `$ref: order.json` proves its key through order.json).
import type { ResourceLookup } from '../validate/compiler.js';
import type { SchemaDraft } from '../validate/drafts.js';
import { baseOf, resolveUri, resourceUri } from '../validate/references.js';
import { walkSchema } from '../validate/vocabulary.js';
import { isMapping } from './problems.js';

export type SchemaNode = Record<string, unknown> | boolean;

/** `number` is split so that `type: integer` in one branch and `number` in another intersect to integer. */
export type JsonType = 'string' | 'integer' | 'fractional' | 'boolean' | 'object' | 'array' | 'null';

export const ALL_TYPES: readonly JsonType[] = [
  'string',
  'integer',
  'fractional',
  'boolean',
  'object',
  'array',
  'null',
];

export interface Applicable {
  schemas: SchemaNode[];
  /** `$ref`s that could not be followed: what they say is unknown, so nothing is proven through them. */
  unresolved: string[];
}

function asNode(value: unknown): SchemaNode | undefined {
  if (typeof value === 'boolean' || isMapping(value)) return value;
  return undefined;
}

/** The schema document a node belongs to, and how to reach the documents it refers to. */
interface SchemaDocument {
  root: SchemaNode;
  /** Base URI of the document's root (its `$id`, else where it was read from). */
  base?: string;
  lookup?: ResourceLookup;
  draft?: SchemaDraft;
}

const documents = new WeakMap<object, SchemaDocument>();

/** Records where a collection's schema was read from and the catalog files its `$ref`s reach. */
export function attachResources(
  root: SchemaNode,
  retrievalUri: string,
  lookup: ResourceLookup,
  draft: SchemaDraft,
): void {
  if (typeof root !== 'object') return;
  const base = baseOf(root, retrievalUri, draft);
  documents.set(root, { root, ...(base === undefined ? {} : { base }), lookup, draft });
}

/** RFC 6901 evaluation of a `#...` fragment inside a document. */
function evaluatePointer(fragment: string, root: SchemaNode): SchemaNode | undefined {
  if (fragment !== '' && !fragment.startsWith('/')) return undefined;
  let node: unknown = root;
  for (const raw of fragment === '' ? [] : fragment.slice(1).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isMapping(node)) node = node[token];
    else return undefined;
  }
  return asNode(node);
}

/** RFC 6901 evaluation inside the root schema, for `#/$defs/x`, `#/definitions/x` and any other local ref. */
function resolveLocalRef(ref: string, root: SchemaNode): SchemaNode | undefined {
  let fragment: string | undefined;
  const rootId =
    isMapping(root) && typeof root['$id'] === 'string' ? root['$id'].replace(/#$/, '') : undefined;
  if (ref.startsWith('#')) fragment = ref.slice(1);
  else if (rootId && ref.startsWith(`${rootId}#`)) fragment = ref.slice(rootId.length + 1);
  else if (rootId && ref === rootId) fragment = '';
  return fragment === undefined ? undefined : evaluatePointer(fragment, root);
}

/** A `$ref` into another of the catalog's files: the target node, in the document it belongs to. */
function resolveExternalRef(
  ref: string,
  from: SchemaDocument,
): { node: SchemaNode; document: SchemaDocument } | undefined {
  if (!from.lookup) return undefined;
  const absolute = resolveUri(from.base, ref);
  const hash = absolute.indexOf('#');
  const resource = from.lookup(resourceUri(absolute));
  if (!resource || typeof resource.schema !== 'object') return undefined;
  let document = documents.get(resource.schema);
  if (!document) {
    const base = baseOf(resource.schema, resource.retrievalUri, from.draft ?? '2020-12');
    document = { root: resource.schema, ...(base === undefined ? {} : { base }), lookup: from.lookup };
    if (from.draft) document.draft = from.draft;
    const inside = document;
    // Every node of the file belongs to it: the key proof later steps into its properties one by one.
    walkSchema(resource.schema, (node) => {
      if (!documents.has(node)) documents.set(node, inside);
    });
  }
  const node = evaluatePointer(hash >= 0 ? absolute.slice(hash + 1) : '', resource.schema);
  return node === undefined ? undefined : { node, document };
}

/** The subschemas that every valid value at this location satisfies (`schemas`: all of them apply). */
export function applicableSchemas(schemas: unknown[], root: SchemaNode): Applicable {
  const result: Applicable = { schemas: [], unresolved: [] };
  const seen = new Set<SchemaNode>();
  const rootDocument: SchemaDocument = (typeof root === 'object' && documents.get(root)) || { root };
  const visit = (value: unknown, within: SchemaDocument): void => {
    const node = asNode(value);
    if (node === undefined || seen.has(node)) return; // `seen` also stops $ref cycles
    seen.add(node);
    result.schemas.push(node);
    if (typeof node === 'boolean') return;
    const document = documents.get(node) ?? within;
    if (typeof node['$ref'] === 'string') {
      const local = resolveLocalRef(node['$ref'], document.root);
      const external = local === undefined ? resolveExternalRef(node['$ref'], document) : undefined;
      if (local !== undefined) visit(local, document);
      else if (external !== undefined) visit(external.node, external.document);
      else result.unresolved.push(node['$ref']);
    }
    if (Array.isArray(node['allOf'])) for (const branch of node['allOf']) visit(branch, document);
  };
  for (const schema of schemas) visit(schema, rootDocument);
  return result;
}

function typesOf(declared: unknown): Set<JsonType> | undefined {
  const names = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared : undefined;
  if (!names) return undefined;
  const types = new Set<JsonType>();
  for (const name of names) {
    if (name === 'number') {
      types.add('integer');
      types.add('fractional');
    } else if (ALL_TYPES.includes(name as JsonType) && name !== 'fractional') {
      types.add(name as JsonType);
    }
  }
  return types;
}

/**
 * The types a value here may have, or undefined when no applicable subschema restricts the type.
 * `false` anywhere leaves no type at all. An unresolved $ref could only narrow this further.
 */
export function possibleTypes(applicable: Applicable): Set<JsonType> | undefined {
  let possible: Set<JsonType> | undefined;
  for (const schema of applicable.schemas) {
    if (schema === false) return new Set();
    if (schema === true) continue;
    const declared = typesOf(schema['type']);
    if (!declared) continue;
    possible = possible ? new Set([...possible].filter((type) => declared.has(type))) : declared;
  }
  return possible;
}

/** Does one of the applicable subschemas list `property` in `required`? */
export function requires(applicable: Applicable, property: string): boolean {
  return applicable.schemas.some(
    (schema) =>
      isMapping(schema) && Array.isArray(schema['required']) && schema['required'].includes(property),
  );
}

/** The subschemas declared for `property` under `properties` of each applicable subschema. */
export function propertySchemas(applicable: Applicable, property: string): SchemaNode[] {
  const found: SchemaNode[] = [];
  for (const schema of applicable.schemas) {
    if (!isMapping(schema) || !isMapping(schema['properties'])) continue;
    if (!Object.hasOwn(schema['properties'], property)) continue;
    const node = asNode(schema['properties'][property]);
    if (node !== undefined) found.push(node);
  }
  return found;
}
