// One collection entry -> a checked draft: name, schema (inline or file, compiled once), key syntax, topic.
// Whether the key is proven by the schema is decided later, when the bindings into the collection are known.
import { dirname, extname, relative, resolve } from 'node:path';
import { compileSchema, unknownFormats, unknownKeywords } from '../validate/compiler.js';
import type { DocumentValidator } from '../validate/document-validator.js';
import { DEFAULT_DRAFT } from '../validate/drafts.js';
import { parseFile } from './files.js';
import type { Location } from './model.js';
import { defaultTopic, isCatalogName, parsePointer, topicProblem } from './names.js';
import { at, isMapping, type ProblemLog } from './problems.js';
import { applicableSchemas, attachResources, possibleTypes, type SchemaNode } from './schema-facts.js';
import { fileUri, SCHEMA_EXTENSIONS, type SchemaFileCache, schemaResources } from './schema-files.js';

export type { SchemaFileCache } from './schema-files.js';

export interface KeyPointer {
  pointer: string;
  tokens: string[];
  location: Location;
}

export interface CollectionDraft {
  name: string;
  schema: SchemaNode;
  validate: DocumentValidator;
  key: KeyPointer[];
  topic: string;
  /** Where `topic` is written, or the collection itself when the topic is the default. */
  topicLocation: Location;
  location: Location;
}

interface SchemaFacts {
  unknownKeywords: string[];
  unknownFormats: string[];
  /** Computed on first use, only for schemas that compiled. */
  acceptsObjects?: boolean;
}

// Walked once per schema object, not once per collection: 500 collections sharing GitHub's webhook schema walked
// its 344 definitions 500 times over (bench, 1,000-binding catalog). Parsed schemas are never mutated.
const factsBySchema = new WeakMap<object, SchemaFacts>();

function schemaFactsOf(schema: SchemaNode): SchemaFacts {
  const cached = typeof schema === 'object' ? factsBySchema.get(schema) : undefined;
  if (cached) return cached;
  const facts: SchemaFacts = {
    unknownKeywords: unknownKeywords(schema),
    unknownFormats: unknownFormats(schema),
  };
  if (typeof schema === 'object') factsBySchema.set(schema, facts);
  return facts;
}

function acceptsObjects(schema: SchemaNode, facts: SchemaFacts): boolean {
  if (facts.acceptsObjects === undefined) {
    const types = possibleTypes(applicableSchemas([schema], schema));
    facts.acceptsObjects = types === undefined || types.has('object');
  }
  return facts.acceptsObjects;
}

async function resolveSchema(
  value: unknown,
  location: Location,
  schemaFiles: SchemaFileCache,
  log: ProblemLog,
): Promise<{ schema: SchemaNode; file: string; source?: string } | undefined> {
  // An inline schema's relative `$ref`s resolve against the catalog file that holds it.
  if (typeof value === 'boolean' || isMapping(value)) return { schema: value, file: location.file };
  if (typeof value !== 'string' || value === '') {
    log.error(
      location,
      'schema must be an inline schema (object or boolean) or a relative path to a schema file',
    );
    return undefined;
  }
  if (value.includes('#')) {
    log.error(location, `schema '${value}': '#' fragments are not supported; point at a whole schema file`);
    return undefined;
  }
  if (!SCHEMA_EXTENSIONS.includes(extname(value).toLowerCase())) {
    log.error(location, `schema '${value}' must be a .json, .yaml or .yml file`);
    return undefined;
  }
  const file = resolve(dirname(location.file), value);
  let parsing = schemaFiles.get(file);
  if (!parsing) {
    parsing = parseFile(file);
    schemaFiles.set(file, parsing);
  }
  const parsed = await parsing;
  if ('failures' in parsed) {
    for (const failure of parsed.failures) {
      const where =
        failure.line === undefined ? '' : ` at line ${failure.line}, column ${failure.column ?? 1}`;
      log.error(location, `schema file '${value}'${where}: ${failure.message}`);
    }
    return undefined;
  }
  if (typeof parsed.value !== 'boolean' && !isMapping(parsed.value)) {
    log.error(location, `schema file '${value}' must hold an object or boolean schema`);
    return undefined;
  }
  return { schema: parsed.value, file, source: relative(dirname(location.file), file) };
}

function checkKey(value: unknown, location: Location, log: ProblemLog): KeyPointer[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    log.error(location, 'key must be a non-empty list of JSON pointers, e.g. [/id]');
    return undefined;
  }
  const key: KeyPointer[] = [];
  let valid = true;
  for (const [index, pointer] of value.entries()) {
    const where = at(location, index);
    if (typeof pointer !== 'string') {
      log.error(where, 'a key must be a JSON pointer string such as /id');
      valid = false;
      continue;
    }
    const parsed = parsePointer(pointer);
    if ('problem' in parsed) {
      log.error(where, parsed.problem);
      valid = false;
    } else if (key.some((earlier) => earlier.pointer === pointer)) {
      log.error(where, `'${pointer}' is already part of the key`);
      valid = false;
    } else {
      key.push({ pointer, tokens: parsed.tokens, location: where });
    }
  }
  return valid ? key : undefined;
}

function checkTopic(name: string, spec: Record<string, unknown>, location: Location, log: ProblemLog) {
  const explicit = spec['topic'] !== undefined;
  const topicLocation = explicit ? at(location, 'topic') : location;
  if (explicit && typeof spec['topic'] !== 'string') {
    log.error(topicLocation, 'topic must be a string');
    return undefined;
  }
  const topic = explicit ? (spec['topic'] as string) : defaultTopic(name);
  const problem = topicProblem(topic);
  if (problem) {
    log.error(topicLocation, explicit ? problem : `default ${problem}: set 'topic' explicitly`);
    return undefined;
  }
  return { topic, topicLocation };
}

export async function checkCollection(
  name: string,
  spec: unknown,
  location: Location,
  schemaFiles: SchemaFileCache,
  log: ProblemLog,
): Promise<CollectionDraft | undefined> {
  if (!isCatalogName(name)) {
    log.error(
      location,
      `'${name}' is not a valid collection name: letters, digits, '-', '_', '.' in parts joined by '/'`,
    );
  }
  if (!isMapping(spec)) {
    log.error(location, 'a collection must be a mapping with schema and key');
    return undefined;
  }
  const key = spec['key'] === undefined ? undefined : checkKey(spec['key'], at(location, 'key'), log);
  if (spec['key'] === undefined) log.error(location, 'key is required');
  const topic = checkTopic(name, spec, location, log);

  const schemaLocation = at(location, 'schema');
  if (spec['schema'] === undefined) log.error(location, 'schema is required');
  const resolved =
    spec['schema'] === undefined
      ? undefined
      : await resolveSchema(spec['schema'], schemaLocation, schemaFiles, log);
  let validate: DocumentValidator | undefined;
  if (resolved) {
    try {
      const resources = await schemaResources(resolved.schema, resolved.file, schemaFiles, DEFAULT_DRAFT);
      const compiled = await compileSchema(resolved.schema, {
        ...(resolved.source === undefined ? {} : { source: resolved.source }),
        retrievalUri: fileUri(resolved.file),
        resources,
      });
      validate = compiled.validate;
      attachResources(resolved.schema, fileUri(resolved.file), resources, compiled.draft);
      if (compiled.engineNote) {
        log.warn(
          schemaLocation,
          `judged by the second engine (@hyperjump/json-schema), several times slower per document than ajv: ${compiled.engineNote}`,
        );
      }
    } catch (error) {
      log.error(schemaLocation, (error as Error).message);
    }
    const facts = schemaFactsOf(resolved.schema);
    for (const keyword of facts.unknownKeywords) {
      log.warn(schemaLocation, `unknown keyword '${keyword}' is ignored`);
    }
    for (const format of facts.unknownFormats) {
      log.warn(schemaLocation, `unknown format '${format}' is ignored`);
    }
    // Documents are JSON objects (the gateway adds _meta to each), so a schema refusing objects refuses all.
    if (validate && !acceptsObjects(resolved.schema, facts)) {
      log.error(schemaLocation, 'the top-level schema must accept objects (type: object, or no type)');
      validate = undefined;
    }
  }
  if (!resolved || !validate || !key || !topic) return undefined;
  return { name, schema: resolved.schema, validate, key, ...topic, location };
}
