// GET /openapi.json: openapi.yaml (the shipped description of the whole HTTP surface) with its generic binding
// path replaced by every binding of the live catalog, each with its collection's schema as the request body.
// Built per catalog and cached, so a reload shows up on the next request.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Binding, Catalog, Collection } from '../catalog/model.js';
import { packageFile } from '../package-files.js';

type Json = Record<string, unknown>;

const GENERIC_PATH = '/{capture}/{binding}';
const TOKEN_PARAMETER = '#/components/parameters/Token';

/** A form body: one document of its fields (repeated ones as arrays); `payload=<JSON>` alone is that JSON. */
const FORM_SCHEMA: Json = {
  type: 'object',
  description:
    'One document whose properties are the form fields as strings (a repeated field: an array of its values); a body whose only field is `payload` holding a JSON object is that object. It must be valid against the schema of application/json.',
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
};

let shipped: { yaml: string; document: Json } | undefined;

/** openapi.yaml as shipped, and parsed with the schemas/ files it references inlined. */
export function shippedOpenApi(): { yaml: string; document: Json } {
  if (shipped === undefined) {
    const yaml = readFileSync(packageFile('openapi.yaml'), 'utf8');
    const document = parse(yaml) as Json;
    const schemas = (document['components'] as Json)['schemas'] as Json;
    for (const [name, schema] of Object.entries(schemas)) {
      const ref = (schema as Json)['$ref'];
      // A served document cannot point at files beside openapi.yaml: the client would look for them under /.
      if (typeof ref === 'string' && ref.startsWith('schemas/')) {
        schemas[name] = JSON.parse(readFileSync(packageFile(ref), 'utf8')) as Json;
      }
    }
    shipped = { yaml, document };
  }
  return shipped;
}

const cache = new WeakMap<Catalog, Json>();

export function catalogOpenApi(catalog: Catalog): Json {
  let document = cache.get(catalog);
  if (document === undefined) {
    document = build(catalog);
    cache.set(catalog, document);
  }
  return document;
}

function build(catalog: Catalog): Json {
  const document = structuredClone(shippedOpenApi().document);
  const paths = document['paths'] as Json;
  const generic = (paths[GENERIC_PATH] as Json)['post'] as Json;
  delete paths[GENERIC_PATH];
  const components = document['components'] as Json;
  const schemas = components['schemas'] as Json;
  const names = new Map<Collection, string>();
  for (const binding of catalog.bindings) {
    let name = names.get(binding.collection);
    if (name === undefined) {
      name = componentName(binding.collection.name, schemas);
      names.set(binding.collection, name);
      schemas[name] = collectionSchema(binding.collection);
    }
    const bound: Json = paths[binding.path] === undefined ? {} : (paths[binding.path] as Json);
    bound['post'] = operation(binding, generic, name);
    paths[binding.path] = bound;
  }
  return document;
}

/** Component names allow [A-Za-z0-9._-]: `acmeCo/orders` -> `acmeCo.orders`, suffixed when that is taken. */
function componentName(collection: string, taken: Json): string {
  const base = collection.replace(/[^A-Za-z0-9._-]/g, '.');
  let name = base;
  for (let n = 2; taken[name] !== undefined; n++) name = `${base}-${n}`;
  return name;
}

/**
 * The collection schema, given an `$id` when it has none: its own `#/$defs/...` references must resolve inside
 * it, not against the OpenAPI document it is embedded in (JSON Schema 2020-12 §8.2.1).
 */
function collectionSchema(collection: Collection): Json | boolean {
  if (typeof collection.schema === 'boolean') return collection.schema;
  const schema: Json = { ...collection.schema };
  schema['$id'] ??= `urn:tributary:collection:${collection.name}`;
  return schema;
}

function operation(binding: Binding, generic: Json, schemaName: string): Json {
  const params = [...binding.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    description: `Becomes _meta.pathParams.${m[1]}`,
    schema: { type: 'string' },
  }));
  const open = binding.tokens.tokens === undefined;
  // An open binding takes no token: listing `?token=` there would tell clients to send one (issue 12).
  const shared = (generic['parameters'] as Json[]).filter(
    (p) => p['in'] !== 'path' && !(open && p['$ref'] === TOKEN_PARAMETER),
  );
  const ref = { $ref: `#/components/schemas/${schemaName}` };
  const lines = {
    type: 'string',
    description: 'One JSON document per line, each valid against the schema above',
  };
  return {
    ...generic,
    operationId: `publish.${binding.capture}.${binding.name}`.replace(/[^A-Za-z0-9._-]/g, '.'),
    summary: `Publish to ${binding.collection.name} (topic ${binding.collection.topic})`,
    description: `Binding ${binding.name} of capture ${binding.capture}.`,
    parameters: [...params, ...shared],
    requestBody: {
      required: true,
      // Every body the binding takes (src/decode/media-type.ts), not only JSON.
      content: {
        'application/json': { schema: { oneOf: [ref, { type: 'array', items: ref }] } },
        'application/x-ndjson': { schema: lines },
        'application/jsonl': { schema: lines },
        'application/x-www-form-urlencoded': { schema: FORM_SCHEMA },
      },
    },
    security: open ? [{}] : [{ bearer: [] }, { queryToken: [] }],
  };
}
