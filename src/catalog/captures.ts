// One capture entry -> a checked draft with its bindings. Only push captures (`endpoint.ingest`) are served;
// pull captures (`endpoint.connector`) belong to Flow's runtime and are skipped with a warning.
// The shape (properties, types, required, header-name and name syntax) is schemas/catalog.schema.json's to check
// (src/catalog/structure.ts); this file checks what a schema cannot say: targets that exist, names unique in the
// capture, secrets that resolve, path templates, origins, secret headers, and options that conflict. Every check
// runs whatever another one found (issue 12): a bad endpoint option never hides a binding's problems, and a
// binding with problems still takes part in the path-collision check. The catalog is built only when no check
// found anything, so a value read here after a problem is never served.
import { dirname } from 'node:path';
import { resolveSecret } from '../auth/secrets.js';
import type { SignatureVerifier } from '../auth/signature.js';
import { checkDeadLetter } from './dead-letter.js';
import { checkDeduplicate } from './deduplicate.js';
import type { DeadLetterPolicy, DeduplicatePolicy, IngestEndpoint, Location } from './model.js';
import { type PathTemplate, parsePathTemplate, pathLocation, reservedRouteMatched } from './paths.js';
import { at, isMapping, type ProblemLog } from './problems.js';
import { checkRateLimit, type RateLimit } from './rate-limit.js';
import { isSecretHeader } from './secret-headers.js';
import { checkSignature } from './signatures.js';

export interface BindingDraft {
  capture: string;
  name: string;
  target: string;
  template: PathTemplate;
  /** Where path problems (collisions) are reported. */
  pathLocation: Location;
  idFromHeader?: string;
  keepHeaders: string[];
  /** Resolved token values; undefined when neither binding nor capture configures tokens (open). */
  tokens: Buffer[] | undefined;
  /** Browser origins allowed (CORS and WebSocket Origin); undefined: none. */
  allowedOrigins: string[] | undefined;
  /** The binding's own limit, else its capture's; undefined: unlimited. */
  rateLimit?: RateLimit;
  /** The binding's `resource.signature`, else its capture's; undefined: unsigned. */
  signature: SignatureVerifier | undefined;
  deduplicate: DeduplicatePolicy | undefined;
  /** The binding's `deadLetter`, else its capture's; undefined: refusals are counted only. */
  deadLetter?: DeadLetterPolicy;
  /** Where the deadLetter in effect was written (for its topic check). */
  deadLetterLocation?: Location;
  resource: Record<string, unknown>;
  location: Location;
}

export interface CaptureDraft {
  name: string;
  endpoint: IngestEndpoint;
  /** Every binding with a name and a path, problems or not (see the file comment). */
  bindings: BindingDraft[];
  location: Location;
}

/**
 * The options a binding may set or inherit from `endpoint.ingest`, read once for the capture and once per
 * binding. undefined: not set there.
 */
interface IngestOptions {
  tokens?: Buffer[];
  allowedOrigins?: string[];
  rateLimit?: RateLimit;
  /** null: `{ scheme: none }`, or a signature with problems (neither verifies anything nor is inherited). */
  signature?: SignatureVerifier | null;
  deadLetter?: DeadLetterPolicy;
  deadLetterLocation?: Location;
}

const list = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A list of secret references -> values; `[]` explicitly means no token is required. */
function checkTokens(value: unknown, location: Location, log: ProblemLog): Buffer[] | undefined {
  const refs = list(value);
  if (refs === undefined) return undefined;
  const tokens: Buffer[] = [];
  for (const [index, ref] of refs.entries()) {
    const result = resolveSecret(ref, dirname(location.file));
    // Kept as configured even when unresolved: "tokens are required here" still holds for the checks below.
    if ('problem' in result) log.error(at(location, index), result.problem);
    tokens.push('value' in result ? result.value : Buffer.alloc(0));
  }
  return tokens;
}

/** `['*']` or exact origins such as `https://app.example.com` (RFC 6454 serialization: no path, no slash). */
function checkOrigins(value: unknown, location: Location, log: ProblemLog): string[] | undefined {
  const origins = list(value);
  if (origins === undefined) return undefined;
  for (const [index, origin] of origins.entries()) {
    if (origin === '*' || typeof origin !== 'string') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed?.origin !== origin) {
      log.error(at(location, index), `'${origin}' is not an origin (scheme://host[:port], no path)`);
    }
  }
  return origins.filter((origin): origin is string => typeof origin === 'string');
}

function checkOptions(value: Record<string, unknown>, location: Location, log: ProblemLog): IngestOptions {
  const options: IngestOptions = {};
  const tokens = checkTokens(value['tokens'], at(location, 'tokens'), log);
  if (tokens) options.tokens = tokens;
  const origins = checkOrigins(value['allowedOrigins'], at(location, 'allowedOrigins'), log);
  if (origins) options.allowedOrigins = origins;
  const rateLimit = checkRateLimit(value['rateLimit'], at(location, 'rateLimit'), log);
  if (rateLimit) options.rateLimit = rateLimit;
  const signature = checkSignature(value['signature'], at(location, 'signature'), log);
  if (signature !== undefined) options.signature = signature;
  const deadLetter = checkDeadLetter(value['deadLetter']);
  if (deadLetter) {
    options.deadLetter = deadLetter;
    options.deadLetterLocation = at(location, 'deadLetter');
  }
  return options;
}

/** A header a binding copies from requests (its syntax is the schema's): never one that carries a secret. */
function checkCopiedHeader(value: unknown, location: Location, log: ProblemLog): string | undefined {
  const name = text(value)?.toLowerCase();
  if (name !== undefined && isSecretHeader(name)) {
    log.error(
      location,
      `header '${name}' carries a credential or signature and is never copied into documents`,
    );
  }
  return name;
}

/** The binding's path template (or the default), unless it cannot be parsed or shadows the gateway's own. */
function checkPath(
  capture: string,
  name: string,
  resource: Record<string, unknown>,
  location: Location,
  log: ProblemLog,
): PathTemplate | undefined {
  const explicit = resource['path'] !== undefined;
  const path = explicit ? text(resource['path']) : `/${capture}/${name}`;
  if (path === undefined) return undefined;
  const where = pathLocation(location, explicit);
  const parsed = parsePathTemplate(path);
  if ('problems' in parsed) {
    for (const problem of parsed.problems)
      log.error(where, explicit ? problem : `default ${problem}: set resource.path`);
    return undefined;
  }
  const reserved = reservedRouteMatched(parsed.template);
  if (reserved) {
    const what =
      parsed.template.segments.length > 1 ? `requests under '${reserved}/'` : `requests for '${reserved}'`;
    log.error(where, `path '${path}' would match ${what}, which the gateway serves itself`);
    return undefined;
  }
  return parsed.template;
}

interface BindingContext {
  capture: string;
  collections: ReadonlySet<string>;
  /** Binding names seen so far in the capture. */
  names: Map<string, Location>;
  /** What `endpoint.ingest` sets for every binding of the capture. */
  inherited: IngestOptions;
}

function checkBinding(
  spec: unknown,
  location: Location,
  context: BindingContext,
  log: ProblemLog,
): BindingDraft | undefined {
  if (!isMapping(spec)) return undefined;
  const target = text(spec['target']);
  if (target !== undefined && !context.collections.has(target)) {
    log.error(at(location, 'target'), `unknown target collection '${target}'`);
  }
  const resource = isMapping(spec['resource']) ? spec['resource'] : undefined;
  const resourceLocation = at(location, 'resource');
  const name = text(resource?.['name']);
  if (resource === undefined || name === undefined) return undefined;
  const earlier = context.names.get(name);
  if (earlier !== undefined) {
    log.error(at(resourceLocation, 'name'), `binding name '${name}' is already used by ${earlier.path}`);
  } else context.names.set(name, location);

  const template = checkPath(context.capture, name, resource, location, log);
  const idFromHeader =
    resource['idFromHeader'] === undefined
      ? undefined
      : checkCopiedHeader(resource['idFromHeader'], at(resourceLocation, 'idFromHeader'), log);
  const keepHeaders: string[] = [];
  for (const [index, header] of (list(resource['keepHeaders']) ?? []).entries()) {
    const checked = checkCopiedHeader(header, at(resourceLocation, 'keepHeaders', index), log);
    if (checked !== undefined && !keepHeaders.includes(checked)) keepHeaders.push(checked);
  }
  const own = checkOptions(resource, resourceLocation, log);
  const deduplicate = checkDeduplicate(resource['deduplicate'], at(resourceLocation, 'deduplicate'), log);
  const { inherited } = context;
  // `{ scheme: none }` (null) turns the capture's signature off for this binding.
  const signature = (own.signature === undefined ? inherited.signature : own.signature) ?? undefined;
  for (const header of signature?.signatureHeaders ?? []) {
    // The custom scheme's header is not in SECRET_HEADERS: refuse it here so it never lands in Kafka either.
    if (keepHeaders.includes(header) || idFromHeader === header) {
      log.error(resourceLocation, `header '${header}' carries the binding's signature and is never copied`);
    }
  }
  const tokens = own.tokens ?? inherited.tokens;
  const allowedOrigins = own.allowedOrigins ?? inherited.allowedOrigins;
  if (allowedOrigins?.includes('*') && tokens !== undefined && tokens.length > 0) {
    // A token that any web page may present is a token any web page may steal: name the origins instead.
    log.error(
      location,
      "allowedOrigins ['*'] is refused for a binding that requires tokens; list the origins",
    );
  }
  if (template === undefined || target === undefined) return undefined;
  const draft: BindingDraft = {
    capture: context.capture,
    name,
    target,
    template,
    pathLocation: pathLocation(location, resource['path'] !== undefined),
    keepHeaders,
    tokens,
    allowedOrigins,
    signature,
    deduplicate,
    resource,
    location,
  };
  if (idFromHeader) draft.idFromHeader = idFromHeader;
  const rateLimit = own.rateLimit ?? inherited.rateLimit;
  if (rateLimit) draft.rateLimit = rateLimit;
  const deadLetter = own.deadLetter ?? inherited.deadLetter;
  if (deadLetter) {
    draft.deadLetter = deadLetter;
    draft.deadLetterLocation = (own.deadLetter ? own : inherited).deadLetterLocation!;
  }
  return draft;
}

/** The checked capture with its bindings, 'pull' for a skipped pull capture, undefined when not a mapping. */
export function checkCapture(
  name: string,
  spec: unknown,
  location: Location,
  collections: ReadonlySet<string>,
  log: ProblemLog,
): CaptureDraft | 'pull' | undefined {
  if (!isMapping(spec)) return undefined;
  const endpoint = isMapping(spec['endpoint']) ? spec['endpoint'] : {};
  if (endpoint['connector'] !== undefined) {
    log.warn(at(location, 'endpoint'), `pull capture ${name} is not served by this gateway`);
    return 'pull';
  }
  // `ingest:` with nothing after it is YAML null: no options.
  const ingest = isMapping(endpoint['ingest']) ? endpoint['ingest'] : {};
  const inherited = checkOptions(ingest, at(location, 'endpoint', 'ingest'), log);
  const specs = list(spec['bindings']) ?? [];
  if (specs.length === 0) log.warn(location, `capture ${name} has no bindings: it serves no path`);
  const context: BindingContext = { capture: name, collections, names: new Map(), inherited };
  const bindings: BindingDraft[] = [];
  for (const [index, bindingSpec] of specs.entries()) {
    const binding = checkBinding(bindingSpec, at(location, 'bindings', index), context, log);
    if (binding) bindings.push(binding);
  }
  return { name, endpoint: ingest, bindings, location };
}
