// One capture entry -> a checked draft with its bindings. Only push captures (`endpoint.ingest`) are served;
// pull captures (`endpoint.connector`) belong to Flow's runtime and are skipped with a warning.
import { dirname } from 'node:path';
import { isHeaderName } from '../auth/headers.js';
import { resolveSecret } from '../auth/secrets.js';
import type { SignatureVerifier } from '../auth/signature.js';
import { checkDeduplicate } from './deduplicate.js';
import type { DeduplicatePolicy, IngestEndpoint, Location } from './model.js';
import { isCatalogName, isToken } from './names.js';
import { type PathTemplate, parsePathTemplate, pathLocation, reservedRouteMatched } from './paths.js';
import { at, checkKnownProperties, isMapping, type ProblemLog } from './problems.js';
import { checkRateLimit, type RateLimit } from './rate-limit.js';
import { isSecretHeader } from './secret-headers.js';
import { checkSignature } from './signatures.js';

export const CAPTURE_PROPERTIES: readonly string[] = ['endpoint', 'bindings'];
export const ENDPOINT_PROPERTIES: readonly string[] = ['ingest', 'connector'];
export const BINDING_PROPERTIES: readonly string[] = ['target', 'resource'];
/** Later stages that read more options from `resource` add them here. */
export const RESOURCE_PROPERTIES: readonly string[] = [
  'name',
  'path',
  'idFromHeader',
  'keepHeaders',
  'tokens',
  'allowedOrigins',
  'rateLimit',
  'signature',
  'deduplicate',
];
/** Options of `endpoint.ingest`; checked so that a typo cannot silently drop, say, authentication. */
export const INGEST_PROPERTIES: readonly string[] = ['tokens', 'allowedOrigins', 'rateLimit', 'signature'];

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
  resource: Record<string, unknown>;
  location: Location;
}

export interface CaptureDraft {
  name: string;
  endpoint: IngestEndpoint;
  bindings: BindingDraft[];
  location: Location;
}

function checkHeader(
  value: unknown,
  location: Location,
  purpose: string,
  log: ProblemLog,
): string | undefined {
  if (typeof value !== 'string' || !isHeaderName(value)) {
    log.error(location, `${purpose} must be an HTTP header name`);
    return undefined;
  }
  const name = value.toLowerCase();
  if (isSecretHeader(name)) {
    log.error(
      location,
      `header '${name}' carries a credential or signature and is never copied into documents`,
    );
    return undefined;
  }
  return name;
}

function checkEndpoint(name: string, value: unknown, location: Location, log: ProblemLog) {
  if (!isMapping(value)) {
    log.error(location, 'endpoint must be { ingest: {} } for a push capture');
    return undefined;
  }
  checkKnownProperties(log, location, value, ENDPOINT_PROPERTIES);
  if (value['connector'] !== undefined) {
    log.warn(location, `pull capture ${name} is not served by this gateway`);
    return 'pull' as const;
  }
  if (!('ingest' in value)) {
    log.error(
      location,
      'endpoint must be { ingest: {} } (push capture) or { connector: ... } (pull capture)',
    );
    return undefined;
  }
  const ingest = value['ingest'];
  // `ingest:` with nothing after it is YAML null: no options.
  if (ingest === null) return {};
  if (!isMapping(ingest)) {
    log.error(at(location, 'ingest'), 'endpoint.ingest must be a mapping of options ({} for none)');
    return undefined;
  }
  checkKnownProperties(log, at(location, 'ingest'), ingest, INGEST_PROPERTIES);
  return ingest;
}

/** A list of secret references -> values; `[]` explicitly means no token is required. */
function checkTokens(value: unknown, location: Location, log: ProblemLog): Buffer[] | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    log.error(location, "tokens must be a list of '${ENV_NAME}' or { file: path } entries");
    return 'invalid';
  }
  const tokens: Buffer[] = [];
  let valid = true;
  for (const [index, ref] of value.entries()) {
    const result = resolveSecret(ref, dirname(location.file));
    if ('problem' in result) {
      log.error(at(location, index), result.problem);
      valid = false;
    } else tokens.push(result.value);
  }
  return valid ? tokens : 'invalid';
}

/** `['*']` or exact origins such as `https://app.example.com` (RFC 6454 serialization: no path, no slash). */
function checkOrigins(value: unknown, location: Location, log: ProblemLog): string[] | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    log.error(
      location,
      "allowedOrigins must be a list of origins such as 'https://app.example.com', or ['*']",
    );
    return 'invalid';
  }
  let valid = true;
  for (const [index, origin] of value.entries()) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = typeof origin === 'string' ? new URL(origin) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      log.error(at(location, index), `'${String(origin)}' is not an origin (scheme://host[:port], no path)`);
      valid = false;
    }
  }
  return valid ? (value as string[]) : 'invalid';
}

function checkBinding(
  capture: string,
  spec: unknown,
  location: Location,
  collections: ReadonlySet<string>,
  names: Map<string, Location>,
  captureTokens: Buffer[] | undefined,
  captureOrigins: string[] | undefined,
  captureSignature: SignatureVerifier | undefined,
  log: ProblemLog,
  captureRateLimit?: RateLimit,
): BindingDraft | undefined {
  if (!isMapping(spec)) {
    log.error(location, 'a binding must be a mapping with target and resource');
    return undefined;
  }
  checkKnownProperties(log, location, spec, BINDING_PROPERTIES);
  let valid = true;
  const target = spec['target'];
  if (typeof target !== 'string') {
    log.error(at(location, 'target'), 'target must name a collection');
    valid = false;
  } else if (!collections.has(target)) {
    log.error(at(location, 'target'), `unknown target collection '${target}'`);
    valid = false;
  }
  const resource = spec['resource'];
  const resourceLocation = at(location, 'resource');
  if (!isMapping(resource)) {
    log.error(resourceLocation, 'resource must be a mapping with at least name');
    return undefined;
  }
  checkKnownProperties(log, resourceLocation, resource, RESOURCE_PROPERTIES);
  const name = resource['name'];
  if (typeof name !== 'string' || !isToken(name)) {
    log.error(
      at(resourceLocation, 'name'),
      "resource.name must be one name part: letters, digits, '-', '_', '.'",
    );
    return undefined;
  }
  const earlier = names.get(name);
  if (earlier !== undefined) {
    log.error(at(resourceLocation, 'name'), `binding name '${name}' is already used by ${earlier.path}`);
    return undefined;
  }
  names.set(name, location);

  const explicit = resource['path'] !== undefined;
  const path = explicit ? resource['path'] : `/${capture}/${name}`;
  const where = pathLocation(location, explicit);
  let template: PathTemplate | undefined;
  if (typeof path !== 'string') {
    log.error(where, 'resource.path must be a string such as /github/{org}');
  } else {
    const parsed = parsePathTemplate(path);
    if ('problems' in parsed) {
      for (const problem of parsed.problems)
        log.error(where, explicit ? problem : `default ${problem}: set resource.path`);
    } else {
      template = parsed.template;
      const reserved = reservedRouteMatched(template);
      if (reserved) {
        const what =
          template.segments.length > 1 ? `requests under '${reserved}/'` : `requests for '${reserved}'`;
        log.error(where, `path '${path}' would match ${what}, which the gateway serves itself`);
        template = undefined;
      }
    }
  }

  let idFromHeader: string | undefined;
  if (resource['idFromHeader'] !== undefined) {
    idFromHeader = checkHeader(
      resource['idFromHeader'],
      at(resourceLocation, 'idFromHeader'),
      'idFromHeader',
      log,
    );
    if (!idFromHeader) valid = false;
  }
  const keepHeaders: string[] = [];
  const keep = resource['keepHeaders'] ?? [];
  if (!Array.isArray(keep)) {
    log.error(at(resourceLocation, 'keepHeaders'), 'keepHeaders must be a list of header names');
    valid = false;
  } else {
    for (const [index, header] of keep.entries()) {
      const checked = checkHeader(header, at(resourceLocation, 'keepHeaders', index), 'a kept header', log);
      if (!checked) valid = false;
      else if (!keepHeaders.includes(checked)) keepHeaders.push(checked);
    }
  }
  const ownTokens = checkTokens(resource['tokens'], at(resourceLocation, 'tokens'), log);
  const ownOrigins = checkOrigins(resource['allowedOrigins'], at(resourceLocation, 'allowedOrigins'), log);
  const ownRateLimit = checkRateLimit(resource['rateLimit'], at(resourceLocation, 'rateLimit'), log);
  const ownSignature = checkSignature(resource['signature'], at(resourceLocation, 'signature'), log);
  const deduplicate = checkDeduplicate(resource['deduplicate'], at(resourceLocation, 'deduplicate'), log);
  if (ownTokens === 'invalid' || ownOrigins === 'invalid' || ownRateLimit === 'invalid') return undefined;
  if (ownSignature === 'invalid' || deduplicate === 'invalid') return undefined;
  // `{ scheme: none }` (null) turns the capture's signature off for this binding.
  const signature = ownSignature === undefined ? captureSignature : (ownSignature ?? undefined);
  for (const header of signature?.signatureHeaders ?? []) {
    // The custom scheme's header is not in SECRET_HEADERS: refuse it here so it never lands in Kafka either.
    if (keepHeaders.includes(header) || idFromHeader === header) {
      log.error(resourceLocation, `header '${header}' carries the binding's signature and is never copied`);
      valid = false;
    }
  }
  const tokens = ownTokens ?? captureTokens;
  const allowedOrigins = ownOrigins ?? captureOrigins;
  if (allowedOrigins?.includes('*') && tokens !== undefined && tokens.length > 0) {
    // A token that any web page may present is a token any web page may steal: name the origins instead.
    log.error(
      location,
      "allowedOrigins ['*'] is refused for a binding that requires tokens; list the origins",
    );
    valid = false;
  }
  if (!valid || !template || typeof target !== 'string') return undefined;
  const draft: BindingDraft = {
    capture,
    name,
    target,
    template,
    pathLocation: where,
    keepHeaders,
    tokens,
    allowedOrigins,
    signature,
    deduplicate,
    resource,
    location,
  };
  if (idFromHeader) draft.idFromHeader = idFromHeader;
  const rateLimit = ownRateLimit ?? captureRateLimit;
  if (rateLimit) draft.rateLimit = rateLimit;
  return draft;
}

/**
 * The checked capture with its valid bindings (so that cross-capture checks still see them when some binding
 * has problems), 'pull' for a skipped pull capture, or undefined when it is not even a mapping.
 */
export function checkCapture(
  name: string,
  spec: unknown,
  location: Location,
  collections: ReadonlySet<string>,
  log: ProblemLog,
): CaptureDraft | 'pull' | undefined {
  if (!isCatalogName(name)) {
    log.error(
      location,
      `'${name}' is not a valid capture name: letters, digits, '-', '_', '.' in parts joined by '/'`,
    );
  }
  if (!isMapping(spec)) {
    log.error(location, 'a capture must be a mapping with endpoint and bindings');
    return undefined;
  }
  checkKnownProperties(log, location, spec, CAPTURE_PROPERTIES);
  const endpoint = checkEndpoint(name, spec['endpoint'], at(location, 'endpoint'), log);
  if (endpoint === 'pull') return 'pull';
  const specs = spec['bindings'] ?? [];
  if (!Array.isArray(specs)) {
    log.error(at(location, 'bindings'), 'bindings must be a list');
    return undefined;
  }
  if (specs.length === 0) log.warn(location, `capture ${name} has no bindings: it serves no path`);
  const tokens =
    endpoint === undefined
      ? undefined
      : checkTokens(endpoint['tokens'], at(location, 'endpoint', 'ingest', 'tokens'), log);
  const origins =
    endpoint === undefined
      ? undefined
      : checkOrigins(endpoint['allowedOrigins'], at(location, 'endpoint', 'ingest', 'allowedOrigins'), log);
  const rateLimit =
    endpoint === undefined
      ? undefined
      : checkRateLimit(endpoint['rateLimit'], at(location, 'endpoint', 'ingest', 'rateLimit'), log);
  const signature =
    endpoint === undefined
      ? undefined
      : checkSignature(endpoint['signature'], at(location, 'endpoint', 'ingest', 'signature'), log);
  if (tokens === 'invalid' || origins === 'invalid' || rateLimit === 'invalid') return undefined;
  // A bad capture signature is reported; its bindings are still checked so that one run lists every problem.
  const bindings: BindingDraft[] = [];
  const names = new Map<string, Location>();
  for (const [index, bindingSpec] of specs.entries()) {
    const binding = checkBinding(
      name,
      bindingSpec,
      at(location, 'bindings', index),
      collections,
      names,
      tokens,
      origins,
      signature === 'invalid' ? undefined : (signature ?? undefined),
      log,
      rateLimit,
    );
    if (binding) bindings.push(binding);
  }
  return { name, endpoint: endpoint ?? {}, bindings, location };
}
