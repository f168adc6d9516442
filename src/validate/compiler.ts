// Schemas -> document validators. One ajv instance per draft (ajv: "You cannot use draft-2020-12 and previous
// JSON Schema versions in the same Ajv instance"), each schema compiled once however many collections use it.
//
// Two validators per schema: a fast one (allErrors: false) that every document goes through, and an all-errors
// one, compiled on the first invalid document, that tells the sender every problem. Measured on GitHub's
// official webhook schema (oneOf over ~60 events): 0.9 ms vs 12.5 ms per valid payload, because allErrors makes
// ajv evaluate every oneOf branch to the end.
//
// Safety note: `pattern`/`patternProperties` run in linear time (./regexp.ts, issue 7; ./regexp-safe.ts): with JS RegExp
// a careless vendor pattern plus a long string is a ReDoS (the all-errors validator makes it worse).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Ajv, type AnySchemaObject, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { DocumentValidator, ValidationFailure } from '../catalog/model.js';
import { linearRegExp } from './regexp.js';
import { usedFormats } from './vocabulary.js';

export { unknownKeywords, walkSchema } from './vocabulary.js';

export type SchemaDraft = 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

export interface CompiledSchema {
  validate: DocumentValidator;
  draft: SchemaDraft;
}

/** A schema ajv refuses (invalid against its meta-schema, unresolvable `$ref`, unsupported `$schema`). */
export class SchemaCompileError extends Error {
  readonly code = 'TRIB_CATALOG_SCHEMA_COMPILE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaCompileError';
  }
}

/** Canonical `$schema` URI of each draft, as ajv registers its meta-schemas. */
const META_SCHEMAS: Record<SchemaDraft, string> = {
  'draft-06': 'http://json-schema.org/draft-06/schema#',
  'draft-07': 'http://json-schema.org/draft-07/schema#',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

// The document must reach Kafka exactly as sent: nothing here may coerce, fill defaults or strip properties.
// strict: false because JSON Schema says unknown keywords are ignored, and real vendor schemas carry some
// (@octokit/webhooks-schemas uses `tsAdditionalProperties`); the catalog check warns about them instead.
// addUsedSchema: false keeps schemas with an `$id` out of the instance registry, so two different schemas
// that happen to share an `$id` don't throw "schema with key or id already exists".
// logger: false because ajv would console.warn each unknown format; the catalog check reports those.
// code.optimize: false skips ajv's pass over the generated code. Measured (bench, issue 6): GitHub's webhook
// schema compiles in 0.9 s instead of 2.2 s, and validation speed does not move (GitHub examples 332 vs 337
// µs/document, the bench's order schema 2.8 vs 2.8 µs), so a catalog is ready more than a second sooner.
const AJV_OPTIONS: Options = {
  strict: false,
  validateFormats: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  unicodeRegExp: true,
  addUsedSchema: false,
  logger: false,
  code: { regExp: linearRegExp, optimize: false },
};

type AjvInstance = Ajv | Ajv2019 | Ajv2020;
type AjvFamily = 'draft-07' | '2019-09' | '2020-12';

const instances = new Map<string, AjvInstance>();

function ajvFor(draft: SchemaDraft, allErrors = false): AjvInstance {
  const family: AjvFamily = draft === 'draft-06' ? 'draft-07' : draft;
  const key = `${family}:${allErrors}`;
  let ajv = instances.get(key);
  if (ajv) return ajv;
  const options = { ...AJV_OPTIONS, allErrors };
  if (family === 'draft-07') {
    const draft07 = new Ajv(options);
    const require = createRequire(import.meta.url);
    draft07.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
    ajv = draft07;
  } else {
    ajv = family === '2019-09' ? new Ajv2019(options) : new Ajv2020(options);
  }
  addFormats.default(ajv);
  instances.set(key, ajv);
  return ajv;
}

/**
 * The draft a schema is written in, from its root `$schema` (missing: 2020-12). http/https and a trailing
 * `#` are not significant. Draft-04 and custom meta-schemas are refused: ajv 8 cannot check them.
 */
export function schemaDraft(schema: unknown): SchemaDraft {
  if (typeof schema !== 'object' || schema === null || !('$schema' in schema)) return '2020-12';
  const uri = (schema as { $schema: unknown }).$schema;
  if (typeof uri !== 'string') throw new SchemaCompileError('$schema must be a string');
  const normal = uri.replace(/^https?:\/\//, '').replace(/#$/, '');
  for (const [draft, meta] of Object.entries(META_SCHEMAS)) {
    if (meta.replace(/^https?:\/\//, '').replace(/#$/, '') === normal) return draft as SchemaDraft;
  }
  throw new SchemaCompileError(
    `unsupported $schema '${uri}' (supported: draft-06, draft-07, 2019-09, 2020-12)`,
  );
}

/** RFC 6901 escaping of one reference token. */
function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** ajv errors -> failures that point at the offending property itself, not only at its parent. */
export function toValidationFailures(errors: readonly ErrorObject[]): ValidationFailure[] {
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    // required/dependencies name a missing child, additionalProperties & co. an extra one.
    const child =
      params['missingProperty'] ??
      params['additionalProperty'] ??
      params['unevaluatedProperty'] ??
      params['propertyName'];
    const pointer =
      typeof child === 'string' ? `${error.instancePath}/${escapeToken(child)}` : error.instancePath;
    return {
      pointer,
      keyword: error.keyword,
      message: error.message ?? `must pass '${error.keyword}'`,
      schemaPath: error.schemaPath,
    };
  });
}

/** Sorted-key JSON, so that schemas equal as data share a cache entry whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

// Keys by schema object: a schema file shared by many collections is one parsed object, and hashing its canonical
// JSON again for each of them dominated start-up (bench, 1,000 bindings of which 500 share GitHub's 630 KB
// webhook schema: 18% of the load's CPU). Parsed schemas are never mutated, so the identity is a safe key.
const keysByObject = new WeakMap<object, string>();

function cacheKey(schema: Record<string, unknown> | boolean, draft: SchemaDraft): string {
  if (typeof schema !== 'object') return `${draft}:${String(schema)}`;
  let key = keysByObject.get(schema);
  if (key === undefined) {
    key = `${draft}:${createHash('sha256').update(canonicalJson(schema)).digest('hex')}`;
    keysByObject.set(schema, key);
  }
  return key;
}

type CacheEntry = { compiled: CompiledSchema } | { error: SchemaCompileError };

const cache = new Map<string, CacheEntry>();
let compilations = 0;

/** How many schemas ajv actually compiled in this process: cache hits don't count. */
export function compiledSchemaCount(): number {
  return compilations;
}

/**
 * Compiles a schema, or returns the validator already compiled for an equal schema (same validator
 * identity). `source` names the schema in error messages (its file, or the collection).
 */
export function compileSchema(schema: Record<string, unknown> | boolean, source?: string): CompiledSchema {
  const label = source ? `schema ${source}` : 'schema';
  let draft: SchemaDraft;
  try {
    draft = schemaDraft(schema);
  } catch (error) {
    throw new SchemaCompileError(`${label}: ${(error as Error).message}`, { cause: error });
  }
  const key = cacheKey(schema, draft);
  const cached = cache.get(key);
  if (cached) {
    if ('error' in cached) throw new SchemaCompileError(`${label} does not compile: ${cached.error.message}`);
    return cached.compiled;
  }
  const ajv = ajvFor(draft);
  // ajv checks $schema against the URI exactly as registered, so spelling variants are canonicalised on a copy.
  const input =
    typeof schema === 'object' && typeof schema['$schema'] === 'string'
      ? { ...schema, $schema: META_SCHEMAS[draft] }
      : schema;
  try {
    compilations += 1;
    const fast = ajv.compile(input);
    let detailed: ValidateFunction | undefined;
    const validate: DocumentValidator = (document) => {
      if (fast(document)) return null;
      detailed ??= ajvFor(draft, true).compile(input);
      // Both judge by the same schema; the fast one's first error stands in should they ever disagree.
      const errors = detailed(document) ? fast.errors : detailed.errors;
      return toValidationFailures(errors ?? []);
    };
    const compiled: CompiledSchema = { validate, draft };
    cache.set(key, { compiled });
    return compiled;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    cache.set(key, { error: new SchemaCompileError(message) });
    throw new SchemaCompileError(`${label} does not compile: ${message}`, { cause: error });
  }
}

/** Formats the schema uses that no ajv-formats validator knows: ajv ignores them under strict: false. */
export function unknownFormats(schema: Record<string, unknown> | boolean): string[] {
  let draft: SchemaDraft;
  try {
    draft = schemaDraft(schema);
  } catch {
    return [];
  }
  const ajv = ajvFor(draft);
  return usedFormats(schema).filter((format) => !ajv.formats[format]);
}
