// `resource.deduplicate`: where a binding's delivery id is found and how long it is remembered.
//   { header: X-GitHub-Delivery }         one delivery per request (webhook-id, svix-id, X-Shopify-Event-Id ...)
//   { pointer: /id, windowSeconds: 259200 } each document is a delivery (Stripe's event id)
import type { DeduplicatePolicy, Location } from './model.js';
import { at, isMapping, type ProblemLog } from './problems.js';
import { isSecretHeader } from './secret-headers.js';

/** One day: covers the retries most senders make within hours (GitHub redelivers by hand with the same id). */
export const DEFAULT_WINDOW_SECONDS = 86_400;

/**
 * The policy, undefined when not set. Its shape (exactly one of a header name or a JSON pointer, a positive
 * window) is the catalog schema's; what a schema cannot say is checked here.
 */
export function checkDeduplicate(
  value: unknown,
  location: Location,
  log: ProblemLog,
): DeduplicatePolicy | undefined {
  if (!isMapping(value)) return undefined;
  const { header, pointer, windowSeconds } = value;
  const policy: DeduplicatePolicy = {
    windowSeconds: typeof windowSeconds === 'number' ? windowSeconds : DEFAULT_WINDOW_SECONDS,
  };
  if (typeof header === 'string') {
    if (isSecretHeader(header)) {
      log.error(at(location, 'header'), `header '${header.toLowerCase()}' carries a credential or signature`);
    }
    policy.header = header.toLowerCase();
  }
  if (typeof pointer === 'string') {
    if (pointer === '/_meta' || pointer.startsWith('/_meta/')) {
      log.error(at(location, 'pointer'), '_meta is added by the gateway after duplicates are checked');
    }
    policy.pointer = pointer;
  }
  return policy;
}
