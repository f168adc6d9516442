// Collection keys must provably exist in every document and be scalars (Flow's rule: "keyed locations must
// be required", types boolean/integer/string only), else two documents could share no key or a key could be
// an object whose serialisation is unstable. Checked statically, once, when the catalog loads.

import type { SchemaNode } from './schema-facts.js';
import {
  ALL_TYPES,
  applicableSchemas,
  type JsonType,
  possibleTypes,
  propertySchemas,
  requires,
} from './schema-facts.js';

const KEY_TYPES: ReadonlySet<JsonType> = new Set(['string', 'integer', 'boolean']);

/** `_meta` fields the gateway stamps on every document, always as scalars. */
export const META_KEY_FIELDS: readonly string[] = ['uuid', 'webhookId', 'receivedAt'];

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointerOf(tokens: string[]): string {
  return tokens.map((token) => `/${escapeToken(token)}`).join('');
}

function describeTypes(types: Iterable<JsonType>): string {
  return [...types].map((type) => (type === 'fractional' ? 'number' : type)).join(', ');
}

/**
 * Why the key `tokens` (into the document as sent) is not proven to exist as a scalar by `schema`,
 * or undefined when it is. Documents are always objects, so the root's own type is checked elsewhere.
 */
export function documentKeyProblem(tokens: string[], schema: SchemaNode): string | undefined {
  let here = applicableSchemas([schema], schema);
  for (const [index, token] of tokens.entries()) {
    const parent = index === 0 ? 'the document root' : pointerOf(tokens.slice(0, index));
    if (index > 0) {
      const types = possibleTypes(here);
      if (types?.size !== 1 || !types.has('object')) {
        const shown = types ? describeTypes(types) || 'nothing' : 'any type';
        return `${parent} may be ${shown}, so '${token}' inside it is not proven to exist: declare ${parent} with type: object`;
      }
    }
    if (!requires(here, token)) {
      const unresolved =
        here.unresolved.length > 0 ? ` ($ref ${here.unresolved.join(', ')} cannot be followed)` : '';
      return `'${token}' is not in 'required' at ${parent}, so documents may lack it${unresolved}`;
    }
    here = applicableSchemas(propertySchemas(here, token), schema);
  }
  const types = possibleTypes(here);
  if (types === undefined) return undefined;
  if (types.size === 0) return `no value can be valid at this location`;
  const wrong = ALL_TYPES.filter((type) => types.has(type) && !KEY_TYPES.has(type));
  if (wrong.length > 0) {
    return `may be ${describeTypes(wrong)}: keys must be string, integer or boolean`;
  }
  return undefined;
}

/** A binding that writes to the collection, reduced to what a `/_meta` key needs to know. */
export interface KeyedBinding {
  /** e.g. `acmeCo/github/events` for binding `events` of capture `acmeCo/github`. */
  label: string;
  path: string;
  params: readonly string[];
}

/**
 * Why a key into `/_meta` is not guaranteed, or undefined when it is. Headers and query parameters are up to
 * the sender; a path parameter only when every binding into the collection declares it.
 */
export function metaKeyProblem(tokens: string[], bindings: readonly KeyedBinding[]): string | undefined {
  const [, field, name, ...rest] = tokens;
  const allowed =
    'keys into /_meta may use /_meta/uuid, /_meta/webhookId, /_meta/receivedAt or /_meta/pathParams/<name>';
  if (field === undefined) return `/_meta is an object: ${allowed}`;
  if (META_KEY_FIELDS.includes(field)) {
    return name === undefined ? undefined : `/_meta/${field} is a scalar: nothing is inside it`;
  }
  if (field === 'headers' || field === 'query') {
    const what = field === 'headers' ? 'a header' : 'a query parameter';
    return `/_meta/${field} is not guaranteed: a request may omit ${what}; ${allowed}`;
  }
  if (field !== 'pathParams') return `/_meta/${field} is not a field the gateway sets; ${allowed}`;
  if (name === undefined)
    return `/_meta/pathParams is an object: name one parameter, /_meta/pathParams/<name>`;
  if (rest.length > 0) return `/_meta/pathParams/${escapeToken(name)} is a string: nothing is inside it`;
  const lacking = bindings.filter((binding) => !binding.params.includes(name));
  if (lacking.length > 0) {
    const list = lacking.map((binding) => `${binding.label} (${binding.path})`).join(', ');
    return `path parameter {${name}} is not in every binding into this collection: missing in ${list}`;
  }
  return undefined;
}
