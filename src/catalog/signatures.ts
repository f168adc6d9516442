// `signature:` under `endpoint.ingest` (every binding of the capture) or a binding's `resource` (overrides the
// capture's; `{ scheme: none }` turns it off for that binding). Checked completely at load, so a typo in a
// scheme's options is a catalog problem, not a 401 storm in production.
import { dirname } from 'node:path';
import { resolveSecret } from '../auth/secrets.js';
import type { SignatureScheme, SignatureVerifier } from '../auth/signature.js';
import { custom } from '../auth/signature-custom.js';
import { github } from '../auth/signature-github.js';
import { shopify } from '../auth/signature-shopify.js';
import { slack } from '../auth/signature-slack.js';
import { standardWebhooks } from '../auth/signature-standard-webhooks.js';
import { stripe } from '../auth/signature-stripe.js';
import { twilio } from '../auth/signature-twilio.js';
import type { Binding, Location } from './model.js';
import { at, checkKnownProperties, isMapping, type ProblemLog } from './problems.js';

/** `svix` is Standard Webhooks under Svix's header names; the preset reads both. */
export const SIGNATURE_SCHEMES: ReadonlyMap<string, SignatureScheme> = new Map([
  ['standard-webhooks', standardWebhooks],
  ['svix', standardWebhooks],
  ['stripe', stripe],
  ['github', github],
  ['shopify', shopify],
  ['slack', slack],
  ['twilio', twilio],
  ['custom', custom],
]);

const SCHEME_LIST = [...SIGNATURE_SCHEMES.keys(), 'none'].join(', ');

/**
 * undefined: not configured; null: `{ scheme: none }` (explicitly unsigned); 'invalid' after reporting problems.
 */
export function checkSignature(
  value: unknown,
  location: Location,
  log: ProblemLog,
): SignatureVerifier | null | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!isMapping(value)) {
    log.error(
      location,
      `signature must be a mapping such as { scheme: github, secrets: ['\${GITHUB_SECRET}'] }`,
    );
    return 'invalid';
  }
  const name = value['scheme'];
  if (name === 'none') {
    checkKnownProperties(log, location, value, ['scheme']);
    return Object.keys(value).length === 1 ? null : 'invalid';
  }
  const scheme = typeof name === 'string' ? SIGNATURE_SCHEMES.get(name) : undefined;
  if (scheme === undefined) {
    log.error(at(location, 'scheme'), `scheme must be one of: ${SCHEME_LIST}`);
    return 'invalid';
  }
  const before = log.problems.length;
  checkKnownProperties(log, location, value, ['scheme', 'secrets', ...scheme.options]);
  const refs = value['secrets'];
  const secrets: Buffer[] = [];
  if (!Array.isArray(refs) || refs.length === 0) {
    log.error(
      at(location, 'secrets'),
      "secrets must be a non-empty list of '${ENV_NAME}' or { file: path } entries (several while rotating)",
    );
  } else {
    for (const [index, ref] of refs.entries()) {
      const result = resolveSecret(ref, dirname(location.file));
      if ('problem' in result) log.error(at(location, 'secrets', index), result.problem);
      else secrets.push(result.value);
    }
  }
  const secretsResolved = log.problems.length === before;
  const { ...options } = value;
  delete options['scheme'];
  delete options['secrets'];
  // Options are checked even when a secret could not be read, so one run reports every problem; the scheme's
  // own secret checks (`secrets[i]`) only make sense on the full list.
  const built = scheme.build(options, secretsResolved ? secrets : []);
  if ('problems' in built) {
    for (const problem of built.problems) {
      if (!secretsResolved && problem.option?.startsWith('secrets')) continue;
      // `secrets[1]` is a path step of its own: keep the address searchable in the file.
      const step = problem.option?.match(/^(\w+)\[(\d+)\]$/);
      const where =
        problem.option === undefined
          ? location
          : step
            ? at(location, step[1]!, Number(step[2]))
            : at(location, problem.option);
      log.error(where, problem.message);
    }
    return 'invalid';
  }
  return secretsResolved ? built.verifier : 'invalid';
}

/**
 * Twilio signs the public URL: a binding that needs it when neither the scheme's `publicUrl` nor
 * TRIBUTARY_PUBLIC_URL gives it could verify nothing, so serving (and reloading) refuses such a catalog.
 */
export function checkPublicUrl(bindings: readonly Binding[], publicUrl: string | undefined): void {
  if (publicUrl !== undefined) return;
  const needing = bindings.filter((b) => b.signature?.needsPublicUrl);
  if (needing.length > 0) {
    const names = needing.map((b) => `${b.capture}/${b.name}`).join(', ');
    throw new Error(`TRIBUTARY_PUBLIC_URL (or the signature's publicUrl) is required by ${names}`);
  }
}
