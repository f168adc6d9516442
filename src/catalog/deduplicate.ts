// `resource.deduplicate`: where a binding's delivery id is found and how long it is remembered.
//   { header: X-GitHub-Delivery }         one delivery per request (webhook-id, svix-id, X-Shopify-Event-Id ...)
//   { pointer: /id, windowSeconds: 259200 } each document is a delivery (Stripe's event id)
import { isHeaderName } from '../auth/headers.js';
import type { DeduplicatePolicy, Location } from './model.js';
import { at, checkKnownProperties, isMapping, type ProblemLog } from './problems.js';
import { isSecretHeader } from './secret-headers.js';

export const DEDUPLICATE_PROPERTIES: readonly string[] = ['header', 'pointer', 'windowSeconds'];

/** One day: covers the retries most senders make within hours (GitHub redelivers by hand with the same id). */
export const DEFAULT_WINDOW_SECONDS = 86_400;

export function checkDeduplicate(
  value: unknown,
  location: Location,
  log: ProblemLog,
): DeduplicatePolicy | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!isMapping(value)) {
    log.error(location, 'deduplicate must be { header: <name> } or { pointer: /json/pointer }');
    return 'invalid';
  }
  const before = log.problems.length;
  checkKnownProperties(log, location, value, DEDUPLICATE_PROPERTIES);
  const { header, pointer, windowSeconds } = value;
  if ((header === undefined) === (pointer === undefined)) {
    log.error(location, 'deduplicate needs exactly one of header or pointer');
  }
  const policy: DeduplicatePolicy = { windowSeconds: DEFAULT_WINDOW_SECONDS };
  if (header !== undefined) {
    if (typeof header !== 'string' || !isHeaderName(header)) {
      log.error(at(location, 'header'), 'header must be an HTTP header name');
    } else if (isSecretHeader(header)) {
      log.error(at(location, 'header'), `header '${header.toLowerCase()}' carries a credential or signature`);
    } else policy.header = header.toLowerCase();
  }
  if (pointer !== undefined) {
    if (typeof pointer !== 'string' || !pointer.startsWith('/')) {
      log.error(at(location, 'pointer'), "pointer must be a JSON pointer into the document such as '/id'");
    } else if (pointer === '/_meta' || pointer.startsWith('/_meta/')) {
      log.error(at(location, 'pointer'), '_meta is added by the gateway after duplicates are checked');
    } else policy.pointer = pointer;
  }
  if (windowSeconds !== undefined) {
    if (typeof windowSeconds !== 'number' || !Number.isSafeInteger(windowSeconds) || windowSeconds <= 0) {
      log.error(at(location, 'windowSeconds'), 'windowSeconds must be a positive number of seconds');
    } else policy.windowSeconds = windowSeconds;
  }
  return log.problems.length > before ? 'invalid' : policy;
}
