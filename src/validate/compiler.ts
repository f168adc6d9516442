// Schemas -> document validators. One ajv instance per draft family (ajv: "You cannot use draft-2020-12 and
// previous JSON Schema versions in the same Ajv instance"), each schema compiled once however many collections
// use it.
//
// A schema is compiled together with the resources it refers to (the catalog's other schema files, found by
// ./references.ts), registered in the shared instance for the compile only and removed right after: compiled
// validators keep what they resolved, and the next schema starts from a clean registry. So a recursive schema
// (`$ref: '#'`), two files with the same `$id` but different content, and one file shared by many schemas all
// work, and no `$id` ever leaks from one collection into another. (Issue 13: `addUsedSchema: false`, the earlier
// way to avoid "schema with key or id already exists", made ajv refuse every recursive schema.) A fresh instance
// per schema would be simpler but costs 10 ms and 140 KB each (measured, 200 small schemas); the shared one
// compiles a small schema in 0.2 ms.
//
// Two validators per schema: a fast one (allErrors: false) that every document goes through, and an all-errors
// one, compiled on the first invalid document, that tells the sender every problem. Measured on GitHub's
// official webhook schema (oneOf over ~60 events): 0.9 ms vs 12.5 ms per valid payload, because allErrors makes
// ajv evaluate every oneOf branch to the end.
//
// Safety note: `pattern`/`patternProperties` run in linear time (./regexp.ts, issue 7; ./regexp-safe.ts): with JS
// RegExp a careless vendor pattern plus a long string is a ReDoS (the all-errors validator makes it worse).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  Ajv,
  type AnySchema,
  type AnySchemaObject,
  type ErrorObject,
  type Options,
  type ValidateFunction,
} from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { rawTextOf } from '../decode/raw-text.js';
import type { DocumentValidator, ValidationFailure } from './document-validator.js';
import {
  chooseDraft,
  DEFAULT_DRAFT,
  draftOfUri,
  META_SCHEMAS,
  type SchemaDraft,
  UnknownDraftError,
} from './drafts.js';
import { compileWithHyperjump } from './engine-hyperjump.js';
import { EXACT_KEYWORDS, installExactKeywords } from './exact-keywords.js';
import { keepSchemaIntegers, mayHoldInexactIntegers, recordDocumentIntegers } from './exact-numbers.js';
import { oncePerObject } from './per-object.js';
import { externalReferences, idKeyword, resolveUri, resourceUri } from './references.js';
import { InvalidPatternError, linearRegExp, UnsupportedPatternError } from './regexp.js';
import { isKnownKeyword, mapSubschemas, usedFormats, walkSchema } from './vocabulary.js';

export type { SchemaDraft } from './drafts.js';
export { unknownKeywords, walkSchema } from './vocabulary.js';

export type SchemaNode = Record<string, unknown> | boolean;

/** A schema found for a URI: where it was read from (relative references inside it resolve against that). */
export interface SchemaResource {
  retrievalUri: string;
  schema: SchemaNode;
}

/** Finds the schema a URI (absolute, no fragment) names: by `$id` or retrieval URI, never over the network. */
export type ResourceLookup = (uri: string) => SchemaResource | undefined;

export interface CompileOptions {
  /** Names the schema in error messages (its file, or the collection). */
  source?: string;
  /** Where the root schema was read from (a `file:` URI): relative references resolve against it. */
  retrievalUri?: string;
  /** The other schemas the root may refer to. */
  resources?: ResourceLookup;
  /** The draft of a schema without `$schema` (default 2020-12). */
  defaultDraft?: SchemaDraft;
}

export interface CompiledSchema {
  validate: DocumentValidator;
  draft: SchemaDraft;
  /** Which engine judges documents: ajv, or the second engine for what ajv cannot judge. */
  engine: 'ajv' | 'hyperjump';
  /** Why the second engine judges this schema. */
  engineNote?: string;
  /** Retrieval URIs of the other resources compiled with the root, in order. */
  resources: string[];
}

/** A schema ajv refuses (invalid against its meta-schema, unresolvable `$ref`, unsupported `$schema`). */
export class SchemaCompileError extends Error {
  readonly code = 'TRIB_CATALOG_SCHEMA_COMPILE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaCompileError';
  }
}

// The document must reach Kafka exactly as sent: nothing here may coerce, fill defaults or strip properties.
// strict: false because JSON Schema says unknown keywords are ignored, and real vendor schemas carry some
// (@octokit/webhooks-schemas uses `tsAdditionalProperties`); the catalog check warns about them instead.
// logger: false because ajv would console.warn each unknown format; the catalog check reports those.
// code.optimize: false skips ajv's pass over the generated code. Measured (bench, issue 6): GitHub's webhook
// schema compiles in 0.9 s instead of 2.2 s, and validation speed does not move (GitHub examples 332 vs 337
// µs/document, the bench's order schema 2.8 vs 2.8 µs), so a catalog is ready more than a second sooner.
// inlineRefs: 8 inlines only small $ref targets (at most 8 keywords) and calls a function for the rest; ajv's
// default inlines every non-recursive target at each use, which multiplies GitHub's shared definitions.
// Measured (one process, cold, issue 17): GitHub's schema compiles in ~0.4 s instead of ~1.0 s, the first
// document in 60 instead of 250 ms, and its accepted examples validate in ~250 instead of ~315 µs each.
const AJV_OPTIONS: Options = {
  strict: false,
  validateFormats: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  unicodeRegExp: true,
  logger: false,
  code: { regExp: linearRegExp, optimize: false },
  inlineRefs: 8,
};

// ajv-draft-04 is CommonJS with `exports.default`: under NodeNext its default import is the module object.
const Ajv04 = ajvDraft04.default;
type AjvInstance = Ajv | InstanceType<typeof Ajv04> | Ajv2019 | Ajv2020;
type AjvFamily = 'draft-04' | 'draft-07' | '2019-09' | '2020-12';

const instances = new Map<string, AjvInstance>();

function familyOf(draft: SchemaDraft): AjvFamily {
  return draft === 'draft-06' ? 'draft-07' : draft;
}

interface Flavour {
  allErrors?: boolean;
  /** All errors, and numeric keywords that compare integers beyond 2^53 exactly (./exact-keywords.ts). */
  exact?: boolean;
  /**
   * ajv's ownProperties, for schemas that name a property Object.prototype also has: without it
   * `required: [constructor]` is met by every object (ajv tests `data.constructor !== undefined`) and
   * `properties: {toString: {type: string}}` judges the inherited function. Only for those schemas: it costs
   * 30% of validation on the bench's order schema (measured: 4.0 -> 5.2 µs per document).
   */
  own?: boolean;
}

function ajvFor(draft: SchemaDraft, flavour: Flavour = {}): AjvInstance {
  const family = familyOf(draft);
  const { allErrors = false, exact = false, own = false } = flavour;
  const key = `${family}:${allErrors || exact}:${exact}:${own}`;
  let ajv = instances.get(key);
  if (ajv) return ajv;
  const options = { ...AJV_OPTIONS, allErrors: allErrors || exact, ownProperties: own };
  if (family === 'draft-07') {
    const draft07 = new Ajv(options);
    const require = createRequire(import.meta.url);
    draft07.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
    ajv = draft07;
  } else if (family === 'draft-04') {
    ajv = new Ajv04(options);
  } else {
    ajv = family === '2019-09' ? new Ajv2019(options) : new Ajv2020(options);
  }
  addFormats.default(ajv as Ajv);
  if (exact) installExactKeywords(ajv as Ajv, family === 'draft-04');
  instances.set(key, ajv);
  return ajv;
}

/**
 * The draft a schema is written in, from its root `$schema` (missing: `defaultDraft`, 2020-12 unless said).
 * http/https and a trailing `#` are not significant.
 */
export function schemaDraft(schema: unknown, defaultDraft: SchemaDraft = DEFAULT_DRAFT): SchemaDraft {
  try {
    return chooseDraft(schema, defaultDraft).draft;
  } catch (error) {
    throw new SchemaCompileError((error as Error).message, { cause: error });
  }
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

// Per schema object: hashing a shared schema's canonical JSON for each collection was 18% of start-up's CPU.
const hashOf = oncePerObject((schema) => createHash('sha256').update(canonicalJson(schema)).digest('hex'));

function contentHash(schema: SchemaNode): string {
  return typeof schema === 'object' ? hashOf(schema) : String(schema);
}

/** One schema resource as it is handed to ajv. */
interface Member {
  /** Undefined for a root given without a retrieval URI. */
  retrievalUri?: string;
  schema: SchemaNode;
}

interface Group {
  draft: SchemaDraft;
  root: Member;
  others: Member[];
  /** A custom meta-schema the root names in `$schema` (and its own), found among the resources. */
  metaSchemas: Member[];
  /** References no resource answered: ajv reports them if they are really followed. */
  unresolved: string[];
  /** A property name the schema names is also a property of Object.prototype (see Flavour.own). */
  own: boolean;
}

const PROTOTYPE_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  '__proto__',
]);

/**
 * Whether the schema names, as a document property, something every object inherits (`constructor`). Per schema
 * object: this walk of a shared 630 KB schema, once per collection, was a fifth of start-up's CPU.
 */
const namesPrototypeProperty = oncePerObject((schema): boolean => {
  let found = false;
  const check = (names: unknown): void => {
    if (Array.isArray(names)) {
      for (const name of names) if (typeof name === 'string' && PROTOTYPE_NAMES.has(name)) found = true;
    } else if (typeof names === 'object' && names !== null) {
      for (const [name, value] of Object.entries(names)) {
        if (PROTOTYPE_NAMES.has(name)) found = true;
        if (Array.isArray(value)) check(value); // dependencies / dependentRequired lists
      }
    }
  };
  walkSchema(schema, (node) => {
    for (const keyword of [
      'properties',
      'required',
      'dependencies',
      'dependentRequired',
      'dependentSchemas',
    ]) {
      check(node[keyword]);
    }
  });
  return found;
});

/**
 * The root and every resource it reaches through external references, transitively. A reference the lookup
 * cannot find is left to ajv, which reports it ("can't resolve reference") if it is really followed.
 */
function gatherGroup(schema: SchemaNode, options: CompileOptions, draft: SchemaDraft): Group {
  const root: Member = { schema };
  if (options.retrievalUri !== undefined) root.retrievalUri = resourceUri(options.retrievalUri);
  const group: Group = { draft, root, others: [], metaSchemas: [], unresolved: [], own: false };
  const lookup = options.resources ?? (() => undefined);
  const seen = new Set<string>(root.retrievalUri ? [root.retrievalUri] : []);
  const pending: Member[] = [root];
  while (pending.length > 0) {
    const member = pending.shift()!;
    for (const uri of externalReferences(member.schema, member.retrievalUri, draft)) {
      const found = lookup(uri);
      if (!found) {
        if (!draftOfUri(uri) && !group.unresolved.includes(uri)) group.unresolved.push(uri);
        continue;
      }
      const retrievalUri = resourceUri(found.retrievalUri);
      if (seen.has(retrievalUri) || found.schema === schema) continue;
      seen.add(retrievalUri);
      const other: Member = { retrievalUri, schema: found.schema };
      group.others.push(other);
      pending.push(other);
    }
  }
  group.own = [root, ...group.others].some(
    (member) => typeof member.schema === 'object' && namesPrototypeProperty(member.schema),
  );
  // Custom meta-schemas matter to the second engine only (ajv judges the root under the draft they are written in).
  let meta = typeof schema === 'object' ? schema['$schema'] : undefined;
  for (let step = 0; step < 8 && typeof meta === 'string' && !draftOfUri(meta); step++) {
    const found = lookup(resourceUri(meta));
    if (!found) break;
    group.metaSchemas.push({ retrievalUri: resourceUri(found.retrievalUri), schema: found.schema });
    meta = typeof found.schema === 'object' ? found.schema['$schema'] : undefined;
  }
  return group;
}

// Draft-04 to draft-07: "All other properties in a $ref object MUST be ignored" (draft-07 core §8.3); ajv applies
// them as 2019-09 does. Keywords kept beside `$ref`: identifiers and annotations, and `definitions`, which JSON
// pointers may still reach (and `$defs`, which draft-07 schemas written for newer tools use alike).
const KEPT_BESIDE_REF: ReadonlySet<string> = new Set([
  '$ref',
  '$schema',
  '$id',
  'id',
  '$comment',
  'definitions',
  '$defs',
  'title',
  'description',
  'default',
  'examples',
]);

/** `schema` with what draft-07 and earlier ignore beside `$ref` left out (a copy where anything changes). */
function withoutRefSiblings(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const node = mapSubschemas(schema as Record<string, unknown>, withoutRefSiblings);
  if (typeof node['$ref'] !== 'string') return node;
  const ignored = Object.keys(node).filter(
    (keyword) => !KEPT_BESIDE_REF.has(keyword) && isKnownKeyword(keyword),
  );
  if (ignored.length === 0) return node;
  const kept = { ...node };
  keepSchemaIntegers(node, kept);
  for (const keyword of ignored) delete kept[keyword];
  return kept;
}

/**
 * The schema object ajv gets for a member: `$schema` spelled as ajv registered it (a resource written for another
 * draft, or naming a custom meta-schema, is judged under the root's draft), a relative `$id` made absolute
 * against the retrieval URI (ajv would take it literally). Copies: parsed schemas are shared and never mutated.
 */
function ajvSchema(member: Member, draft: SchemaDraft, isRoot: boolean): AnySchema {
  const schema = (
    draft.startsWith('draft-') ? withoutRefSiblings(member.schema) : member.schema
  ) as SchemaNode;
  if (typeof schema !== 'object') return schema;
  let copy: Record<string, unknown> | undefined;
  const edit = (): Record<string, unknown> => {
    if (!copy) {
      copy = { ...schema };
      keepSchemaIntegers(schema, copy);
    }
    return copy;
  };
  const declared = schema['$schema'];
  if (typeof declared === 'string' && declared !== META_SCHEMAS[draft]) {
    if (isRoot || draftOfUri(declared) === draft) edit()['$schema'] = META_SCHEMAS[draft];
    else delete edit()['$schema'];
  }
  const idKey = idKeyword(draft);
  const id = schema[idKey];
  if (member.retrievalUri !== undefined && typeof id === 'string' && !id.startsWith('#')) {
    const absolute = resolveUri(member.retrievalUri, id);
    if (absolute !== id) edit()[idKey] = absolute;
  }
  return copy ?? schema;
}

/** Registers the group in `ajv`, compiles the root, and removes everything the compile registered. */
function compileGroup(ajv: AjvInstance, group: Group): ValidateFunction {
  const refsBefore = new Set(Object.keys(ajv.refs));
  const schemasBefore = new Set(Object.keys(ajv.schemas));
  const added: AnySchema[] = [];
  try {
    for (const other of group.others) {
      const schema = ajvSchema(other, group.draft, false);
      added.push(schema);
      ajv.addSchema(schema, other.retrievalUri);
    }
    const root = ajvSchema(group.root, group.draft, true);
    added.push(root);
    if (group.root.retrievalUri === undefined) return ajv.compile(root);
    ajv.addSchema(root, group.root.retrievalUri);
    const validate = ajv.getSchema(group.root.retrievalUri);
    if (!validate) throw new Error(`schema ${group.root.retrievalUri} did not compile`);
    return validate;
  } finally {
    for (const schema of added) if (typeof schema === 'object') ajv.removeSchema(schema);
    for (const key of Object.keys(ajv.refs)) if (!refsBefore.has(key)) delete ajv.refs[key];
    for (const key of Object.keys(ajv.schemas)) if (!schemasBefore.has(key)) delete ajv.schemas[key];
  }
}

function groupKey(group: Group): string {
  const parts = [group.draft, contentHash(group.root.schema)];
  // Where the root was read from matters only when it reaches other resources.
  const reaching = group.others.length > 0 || group.metaSchemas.length > 0 || group.unresolved.length > 0;
  if (reaching) {
    parts.push(group.root.retrievalUri ?? '');
    for (const other of [...group.others, ...group.metaSchemas]) {
      parts.push(other.retrievalUri!, contentHash(other.schema));
    }
  }
  return parts.join('\n');
}

/**
 * Why ajv cannot judge this schema, found before compiling it, or undefined when it can: `$dynamicRef` (ajv
 * implements part of it: on the 2020-12 suite it refuses three cases and misjudges nine) and a custom
 * meta-schema that turns vocabularies off (ajv has no way to turn one off).
 */
function beyondAjv(group: Group, missingVocabularies: readonly string[] | undefined): string | undefined {
  if (missingVocabularies && missingVocabularies.length > 0) {
    return `its meta-schema leaves out ${missingVocabularies.join(', ')}`;
  }
  if (group.draft !== '2020-12') return undefined;
  for (const member of [group.root, ...group.others]) {
    let dynamic = false;
    walkSchema(member.schema, (node) => {
      if (typeof node['$dynamicRef'] === 'string') dynamic = true;
    });
    if (dynamic) return 'it uses $dynamicRef';
  }
  return undefined;
}

/** The gateway's ajv-or-hyperjump validator; compiled once and shared by every collection of the same schema. */
async function buildValidator(
  group: Group,
  missingVocabularies: readonly string[] | undefined,
): Promise<CompiledSchema> {
  const resources = group.others.map((other) => other.retrievalUri!);
  const reason = beyondAjv(group, missingVocabularies);
  if (reason !== undefined) return { ...(await compileSecond(group)), resources, engineNote: reason };
  let fast: ValidateFunction;
  try {
    fast = compileGroup(ajvFor(group.draft, { own: group.own }), group);
    // A validator that recurses whatever the document (unevaluatedProperties with $dynamicRef did, issue 13)
    // is found here, at load, rather than as a 500 on every document.
    fast({});
  } catch (error) {
    if (error instanceof UnsupportedPatternError || error instanceof InvalidPatternError) throw error;
    // ajv cannot run it: the second engine may. If it cannot either, ajv's reason is the catalog problem.
    const note = `ajv cannot run it (${error instanceof Error ? error.message : String(error)})`;
    try {
      return { ...(await compileSecond(group)), resources, engineNote: note };
    } catch {
      throw error;
    }
  }
  return { validate: ajvValidator(group, fast), draft: group.draft, engine: 'ajv', resources };
}

/** What a document gets when an engine throws on it: a refusal that says why, never a 500. */
function cannotEvaluate(error: unknown): ValidationFailure[] {
  const reason = error instanceof Error ? error.message : String(error);
  return [
    {
      pointer: '',
      keyword: 'schema',
      message: `the collection schema could not be evaluated for this document (${reason}), so it is not accepted`,
      schemaPath: '#',
    },
  ];
}

async function compileSecond(group: Group): Promise<Omit<CompiledSchema, 'resources'>> {
  if (group.unresolved.length > 0) {
    throw new SchemaCompileError(
      `can't resolve reference ${group.unresolved[0]} among the catalog's schema files`,
    );
  }
  const judge = await compileWithHyperjump(
    group.root.schema,
    group.root.retrievalUri,
    [...group.metaSchemas, ...group.others].map((member) => ({
      retrievalUri: member.retrievalUri!,
      schema: member.schema,
    })),
    group.draft,
  );
  try {
    judge({}); // the same load-time probe as ajv's: a schema neither engine can run is a catalog problem
  } catch (error) {
    throw new SchemaCompileError(`the second engine cannot run it either (${(error as Error).message})`);
  }
  const validate: DocumentValidator = (document) => {
    try {
      return judge(document);
    } catch (error) {
      return cannotEvaluate(error);
    }
  };
  return { validate, draft: group.draft, engine: 'hyperjump' };
}

/**
 * The fast validator, the all-errors one on the first invalid document, and a guard: should ajv still throw for
 * some document (a recursion the load-time probe did not reach), the document is refused with that reason, not
 * answered with a 500, and the second engine is compiled for the documents after it.
 */
/** Whether any keyword that can misjudge an integer beyond 2^53 appears in the group. */
function hasNumericKeywords(group: Group): boolean {
  let found = false;
  for (const member of [group.root, ...group.others]) {
    walkSchema(member.schema, (node) => {
      if (!found && EXACT_KEYWORDS.some((keyword) => keyword in node)) found = true;
    });
  }
  return found;
}

function ajvValidator(group: Group, fast: ValidateFunction): DocumentValidator {
  let detailed: ValidateFunction | undefined;
  let exact: ValidateFunction | undefined;
  const numeric = hasNumericKeywords(group);
  /** The sender's text holds an integer a double cannot hold: judged by the exact instance, all errors. */
  const judgeExactly = (document: object): ValidationFailure[] | null | undefined => {
    const text = rawTextOf(document);
    if (text === undefined || !mayHoldInexactIntegers(text) || !recordDocumentIntegers(document, text)) {
      return undefined;
    }
    exact ??= compileGroup(ajvFor(group.draft, { exact: true, own: group.own }), group);
    return exact(document) ? null : toValidationFailures(exact.errors ?? []);
  };
  let second: DocumentValidator | undefined;
  let secondPending = false;
  const engineFailure = (error: unknown): ValidationFailure[] => {
    if (!secondPending) {
      secondPending = true;
      compileSecond(group).then(
        (compiled) => {
          second = compiled.validate;
        },
        () => undefined,
      );
    }
    return cannotEvaluate(error);
  };
  return (document) => {
    if (second) return second(document);
    if (numeric && typeof document === 'object' && document !== null) {
      try {
        const judged = judgeExactly(document);
        if (judged !== undefined) return judged;
      } catch (error) {
        return engineFailure(error);
      }
    }
    let valid: boolean;
    try {
      valid = fast(document) as boolean;
    } catch (error) {
      return engineFailure(error);
    }
    if (valid) return null;
    try {
      detailed ??= compileGroup(ajvFor(group.draft, { allErrors: true, own: group.own }), group);
      // Both judge by the same schema; the fast one's first error stands in should they ever disagree.
      const errors = detailed(document) ? fast.errors : detailed.errors;
      return toValidationFailures(errors ?? []);
    } catch {
      return toValidationFailures(fast.errors ?? []);
    }
  };
}

type CacheEntry = Promise<CompiledSchema>;

const cache = new Map<string, CacheEntry>();
let compilations = 0;

/** How many schemas were actually compiled in this process: cache hits don't count. */
export function compiledSchemaCount(): number {
  return compilations;
}

/**
 * Compiles a schema with the resources it refers to, or returns the validator already compiled for an equal
 * schema (same validator identity).
 */
export async function compileSchema(
  schema: SchemaNode,
  options: CompileOptions = {},
): Promise<CompiledSchema> {
  const label = options.source ? `schema ${options.source}` : 'schema';
  let choice: ReturnType<typeof chooseDraft>;
  try {
    choice = chooseDraft(
      schema,
      options.defaultDraft,
      (uri) => options.resources?.(resourceUri(uri))?.schema,
    );
  } catch (error) {
    if (!(error instanceof UnknownDraftError)) throw error;
    throw new SchemaCompileError(`${label}: ${error.message}`, { cause: error });
  }
  const group = gatherGroup(schema, options, choice.draft);
  const key = groupKey(group);
  let entry = cache.get(key);
  if (!entry) {
    compilations += 1;
    entry = buildValidator(group, choice.missingVocabularies);
    cache.set(key, entry);
  }
  try {
    return await entry;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SchemaCompileError(`${label} does not compile: ${message}`, { cause: error });
  }
}

/** Formats the schema uses that no ajv-formats validator knows: ajv ignores them under strict: false. */
export function unknownFormats(schema: SchemaNode, defaultDraft: SchemaDraft = DEFAULT_DRAFT): string[] {
  let draft: SchemaDraft;
  try {
    draft = chooseDraft(schema, defaultDraft).draft;
  } catch {
    draft = defaultDraft;
  }
  const ajv = ajvFor(draft);
  return usedFormats(schema).filter((format) => !ajv.formats[format]);
}
