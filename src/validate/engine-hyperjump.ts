// The second engine: @hyperjump/json-schema, the JSON Schema spec authors' implementation, for the schemas ajv
// cannot judge, and only those (./compiler.ts decides). ajv generates code and is several times faster (bench
// scenario 6: the order schema 2.8 µs per document with ajv, 18.5 µs with hyperjump), so it stays the engine for
// every schema it can run; hyperjump judges what ajv gets wrong or cannot run at all: `$dynamicRef` (ajv supports
// it partially: 12 of the JSON-Schema-Test-Suite's 2020-12 object cases refused or misjudged), custom meta-schemas
// that turn vocabularies off, and schemas that make ajv overflow the stack (unevaluatedProperties with
// `$dynamicRef` recursed until "Maximum call stack size exceeded", issue 13: each document got a 500).
//
// Kept to the gateway's rules while a gateway schema compiles or validates (hyperjump's registry and keyword
// table are process-wide, so the rules switch on only then and the library is otherwise left as it ships):
// patterns run on the linear-time engine (./regexp.ts), nothing is retrieved (the schema's resources are the
// catalog's own files, registered here, then removed), formats are asserted and unknown formats ignored, as ajv
// does with the catalog's warning.
import type { DocumentValidator, ValidationFailure } from './document-validator.js';
import { META_SCHEMAS, type SchemaDraft } from './drafts.js';
import { linearRegExp, linearUnion } from './regexp.js';
import { isKnownKeyword } from './vocabulary.js';

type SchemaNode = Record<string, unknown> | boolean;

export interface EngineResource {
  retrievalUri: string;
  schema: SchemaNode;
}

type Output = {
  valid: boolean;
  errors?: { keyword: string; absoluteKeywordLocation: string; instanceLocation: string }[];
};
type Validator = (instance: unknown, outputFormat?: string) => Output;

interface Hyperjump {
  registerSchema(schema: unknown, retrievalUri: string, dialectId: string): void;
  unregisterSchema(uri: string): void;
  validate(uri: string): Promise<Validator>;
  setShouldValidateFormat(enabled: boolean | undefined): void;
  getShouldValidateFormat(): boolean | undefined;
  BASIC: string;
}

/** True while the gateway compiles or runs a hyperjump validator: the overrides below apply only then. */
let inGateway = false;
let loading: Promise<Hyperjump> | undefined;

function linear(re: unknown): unknown {
  return re instanceof RegExp ? linearRegExp(re.source, 'u') : re;
}

function linearJoined(re: unknown): unknown {
  return re instanceof RegExp ? linearUnion(re.source) : re;
}

async function load(): Promise<Hyperjump> {
  const core = await import('@hyperjump/json-schema/draft-2020-12');
  await Promise.all([
    import('@hyperjump/json-schema/draft-04'),
    import('@hyperjump/json-schema/draft-06'),
    import('@hyperjump/json-schema/draft-07'),
    import('@hyperjump/json-schema/draft-2019-09'),
    import('@hyperjump/json-schema/formats'),
  ]);
  const experimental = await import('@hyperjump/json-schema/experimental');
  const browser = await import('@hyperjump/browser');
  type Keyword = {
    id: string;
    compile: (...args: unknown[]) => unknown;
    interpret: (...args: unknown[]) => unknown;
  };
  const override = (id: string, change: (keyword: Keyword) => Partial<Keyword>): void => {
    const keyword = experimental.getKeyword(id) as Keyword | undefined;
    if (keyword) experimental.addKeyword({ ...keyword, ...change(keyword) } as never);
  };
  // Patterns: hyperjump compiles them to JS RegExp, which backtracks; the gateway's engine is linear.
  override('https://json-schema.org/keyword/pattern', (k) => ({
    compile: async (...args) => (inGateway ? linear(await k.compile(...args)) : k.compile(...args)),
  }));
  // patternProperties compiles to [[RegExp, schema], ...]; additionalProperties to [RegExp, schema], its RegExp
  // the property names and patternProperties joined with `|`.
  override('https://json-schema.org/keyword/patternProperties', (k) => ({
    compile: async (...args) => {
      const compiled = (await k.compile(...args)) as unknown[][];
      return inGateway ? compiled.map(([re, schema]) => [linear(re), schema]) : compiled;
    },
  }));
  override('https://json-schema.org/keyword/additionalProperties', (k) => ({
    compile: async (...args) => {
      const compiled = (await k.compile(...args)) as unknown[];
      return inGateway ? [linearJoined(compiled[0]), compiled[1]] : compiled;
    },
  }));
  // Unknown formats: draft-04 to 2019-09 `format` throws "not supported"; ajv ignores them (the check warns).
  for (const draft of ['', 'draft-04/', 'draft-06/', 'draft-07/', 'draft-2020-12/']) {
    override(`https://json-schema.org/keyword/${draft}format`, (k) => ({
      interpret: (...args) => {
        if (!inGateway) return k.interpret(...args);
        try {
          return k.interpret(...args);
        } catch {
          return true;
        }
      },
    }));
  }
  // Retrieval: never, while the gateway compiles (its references are the catalog's files, registered below).
  for (const [scheme, plugin] of [
    ['http', browser.httpSchemePlugin],
    ['https', browser.httpSchemePlugin],
    ['file', browser.fileSchemePlugin],
  ] as const) {
    browser.addUriSchemePlugin(scheme, {
      retrieve: (uri: string, baseUri?: string) => {
        if (inGateway) throw new Error(`${uri} is not among the catalog's schema files (nothing is fetched)`);
        return plugin.retrieve(uri, baseUri);
      },
    } as never);
  }
  return { ...(core as unknown as Hyperjump), BASIC: experimental.BASIC };
}

// Compiles one at a time: registration, compile and removal must not interleave with another schema's (two
// schemas may share an `$id`, and hyperjump's registry refuses a second one).
let queue: Promise<unknown> = Promise.resolve();
let serial = 0;

const RESERVED = 'https://tributary.invalid';

/** hyperjump refuses to register `file:` URIs; the catalog's files get the same paths under a reserved host. */
function registryUri(uri: string): string {
  return uri.startsWith('file://') ? `${RESERVED}${uri.slice('file://'.length)}` : uri;
}

/** RFC 6901 pointer from hyperjump's `#/a/b` instance location (a URI fragment, so percent-decoded). */
function pointerOf(location: string): string {
  const fragment = location.startsWith('#') ? location.slice(1) : location;
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function toFailures(output: Output): ValidationFailure[] {
  const errors = output.errors ?? [];
  if (errors.length === 0)
    return [{ pointer: '', keyword: 'schema', message: 'must match the schema', schemaPath: '#' }];
  return errors.map((error) => {
    const hash = error.absoluteKeywordLocation.indexOf('#');
    const schemaPath = hash >= 0 ? error.absoluteKeywordLocation.slice(hash) : error.absoluteKeywordLocation;
    let keyword = error.keyword.slice(error.keyword.lastIndexOf('/') + 1);
    // A `false` subschema fails as "validate": name the keyword that holds it (`unevaluatedProperties`).
    if (keyword === 'validate') {
      const held = schemaPath
        .split('/')
        .reverse()
        .find((segment) => isKnownKeyword(segment));
      if (held) keyword = held;
    }
    const message = keyword === 'validate' ? 'must not be present' : `must pass '${keyword}'`;
    return { pointer: pointerOf(error.instanceLocation), keyword, message, schemaPath };
  });
}

/**
 * Compiles the root with hyperjump, the other resources registered under their retrieval URIs for the compile
 * only. The validator answers like ajv's: null when valid, else the failures hyperjump's BASIC output lists.
 */
export function compileWithHyperjump(
  root: SchemaNode,
  rootUri: string | undefined,
  others: readonly EngineResource[],
  draft: SchemaDraft,
): Promise<DocumentValidator> {
  const run = async (): Promise<DocumentValidator> => {
    loading ??= load();
    const hyperjump = await loading;
    const dialect = META_SCHEMAS[draft];
    // A root read from no file gets a name of its own under a reserved domain (RFC 6761: never resolves).
    const uri = rootUri === undefined ? `${RESERVED}/schemas/${++serial}` : registryUri(rootUri);
    const registered: string[] = [];
    const register = (schema: SchemaNode, at: string): void => {
      hyperjump.registerSchema(schema, at, dialect);
      registered.push(at);
    };
    inGateway = true;
    try {
      for (const other of others) {
        const at = registryUri(other.retrievalUri);
        register(other.schema, at);
        // Also under its own `$id`, which references from the other files may use instead of its path.
        const id = typeof other.schema === 'object' ? (other.schema['$id'] ?? other.schema['id']) : undefined;
        if (typeof id === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(id) && !id.startsWith('file:')) {
          const absolute = id.replace(/#$/, '');
          if (absolute !== at && !registered.includes(absolute)) register(other.schema, absolute);
        }
      }
      register(root, uri);
      const validator = await hyperjump.validate(uri);
      return (document) => {
        const formats = hyperjump.getShouldValidateFormat();
        inGateway = true;
        hyperjump.setShouldValidateFormat(true);
        try {
          if (validator(document).valid) return null;
          return toFailures(validator(document, hyperjump.BASIC));
        } finally {
          hyperjump.setShouldValidateFormat(formats);
          inGateway = false;
        }
      };
    } finally {
      for (const registeredUri of registered) hyperjump.unregisterSchema(registeredUri);
      inGateway = false;
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
