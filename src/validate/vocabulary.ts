// Which schema keywords a validator acts on, and where subschemas live, so a catalog check can warn about
// keywords that are silently ignored (ajv runs with strict: false, as JSON Schema says unknown keywords must be).
// Vocabularies: https://json-schema.org/draft/2020-12/json-schema-core (§8, §10), json-schema-validation (§6-9),
// and draft-07 (https://json-schema.org/draft-07/json-schema-validation) for `definitions`, `dependencies`,
// `additionalItems`; 2019-09 for `$recursiveRef`/`$recursiveAnchor`.
import { keepSchemaIntegers } from './exact-numbers.js';

// Sets, not arrays: the walks below test every keyword of every node (~100,000 in a 630 KB schema).

/** Keywords whose value is one subschema. */
const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  'additionalItems',
  'additionalProperties',
  'contains',
  'contentSchema',
  'else',
  'if',
  'items',
  'not',
  'propertyNames',
  'then',
  'unevaluatedItems',
  'unevaluatedProperties',
]);

/** Keywords whose value is an array of subschemas (`items` too, in its draft-07 tuple form). */
const SCHEMA_ARRAY_KEYWORDS: ReadonlySet<string> = new Set([
  'allOf',
  'anyOf',
  'oneOf',
  'prefixItems',
  'items',
]);

/** Keywords whose value maps names to subschemas (`dependencies` values may also be arrays of names). */
const SCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set([
  '$defs',
  'definitions',
  'dependencies',
  'dependentSchemas',
  'patternProperties',
  'properties',
]);

/** Keywords whose value is data or a plain annotation: known, never walked into. */
const VALUE_KEYWORDS: readonly string[] = [
  '$anchor',
  '$comment',
  '$dynamicAnchor',
  '$dynamicRef',
  '$id',
  'id',
  '$recursiveAnchor',
  '$recursiveRef',
  '$ref',
  '$schema',
  '$vocabulary',
  'const',
  'contentEncoding',
  'contentMediaType',
  'default',
  'deprecated',
  'dependentRequired',
  'description',
  'enum',
  'examples',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'format',
  'maxContains',
  'maxItems',
  'maxLength',
  'maxProperties',
  'maximum',
  'minContains',
  'minItems',
  'minLength',
  'minProperties',
  'minimum',
  'multipleOf',
  'pattern',
  'readOnly',
  'required',
  'title',
  'type',
  'uniqueItems',
  'writeOnly',
];

const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  ...SCHEMA_KEYWORDS,
  ...SCHEMA_ARRAY_KEYWORDS,
  ...SCHEMA_MAP_KEYWORDS,
  ...VALUE_KEYWORDS,
]);

export function isKnownKeyword(keyword: string): boolean {
  return KNOWN_KEYWORDS.has(keyword);
}

/**
 * The node with each direct subschema replaced by `change(subschema)`: the same object when nothing changed,
 * else a shallow copy (parsed schemas are shared and never mutated).
 */
export function mapSubschemas(
  node: Record<string, unknown>,
  change: (subschema: unknown) => unknown,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  const set = (keyword: string, before: unknown, after: unknown): void => {
    if (after === before) return;
    if (!copy) {
      copy = { ...node };
      keepSchemaIntegers(node, copy);
    }
    copy[keyword] = after;
  };
  const changeAll = <T>(values: T[]): T[] => {
    const changed = values.map((value) => change(value) as T);
    return changed.some((value, index) => value !== values[index]) ? changed : values;
  };
  for (const [keyword, value] of Object.entries(node)) {
    if (Array.isArray(value) && SCHEMA_ARRAY_KEYWORDS.has(keyword)) set(keyword, value, changeAll(value));
    else if (SCHEMA_KEYWORDS.has(keyword)) set(keyword, value, change(value));
    else if (SCHEMA_MAP_KEYWORDS.has(keyword) && isObject(value)) {
      let changed: Record<string, unknown> | undefined;
      for (const [name, inner] of Object.entries(value)) {
        const after = change(inner);
        if (after === inner) continue;
        changed ??= { ...value };
        changed[name] = after;
      }
      if (changed) set(keyword, value, changed);
    }
  }
  return copy ?? node;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The subschemas directly under a schema node, through known keywords only (unknown keywords hold vendor data). */
export function subschemasOf(node: Record<string, unknown>): unknown[] {
  const found: unknown[] = [];
  for (const [keyword, value] of Object.entries(node)) {
    if (SCHEMA_KEYWORDS.has(keyword)) found.push(value);
    if (SCHEMA_ARRAY_KEYWORDS.has(keyword) && Array.isArray(value)) found.push(...value);
    if (SCHEMA_MAP_KEYWORDS.has(keyword) && isObject(value)) found.push(...Object.values(value));
  }
  return found;
}

/** Calls `visit` on the schema and on every subschema reachable through known keywords. */
export function walkSchema(schema: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (!isObject(schema)) return;
  visit(schema);
  for (const sub of subschemasOf(schema)) walkSchema(sub, visit);
}

/**
 * Keywords, anywhere in the schema, that are neither JSON Schema 2020-12 nor draft-07 vocabulary (e.g. the
 * `tsAdditionalProperties` of @octokit/webhooks-schemas), each listed once in order of first appearance.
 * Values of unknown keywords are not walked: they are vendor data, not schemas.
 */
export function unknownKeywords(schema: unknown): string[] {
  const found = new Set<string>();
  walkSchema(schema, (node) => {
    for (const keyword of Object.keys(node)) {
      if (!KNOWN_KEYWORDS.has(keyword)) found.add(keyword);
    }
  });
  return [...found];
}

/** Every `format` value used in the schema, each once. */
export function usedFormats(schema: unknown): string[] {
  const found = new Set<string>();
  walkSchema(schema, (node) => {
    if (typeof node['format'] === 'string') found.add(node['format']);
  });
  return [...found];
}
