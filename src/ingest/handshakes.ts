// Sender handshakes: requests that set up a webhook rather than deliver an event. They are answered without
// producing, and only on bindings signed with the sender's scheme, after the signature verified (a forged
// challenge must not be echoed, and a forged ping must not look accepted).
import type { Binding } from '../catalog/model.js';
import type { Document } from '../decode/json.js';

/**
 * GitHub sends `X-GitHub-Event: ping` when a hook is created or tested
 * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#ping). Decided: answered 200 and not
 * produced. A ping is not an event of the repository, and a collection schema written for the events it captures
 * would refuse it, so GitHub would show the new hook as failing.
 */
export function isGithubPing(
  binding: Binding,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  return binding.signature?.scheme === 'github' && headers['x-github-event'] === 'ping';
}

/**
 * Slack's Events API checks a new Request URL with `{"type":"url_verification","challenge":...}` and expects the
 * challenge back (https://api.slack.com/events/url_verification); slash-command URLs get a form `ssl_check=1`
 * that expects a 200 (https://api.slack.com/interactivity/slash-commands). Undefined for every other request.
 */
export function slackHandshakeAnswer(binding: Binding, docs: readonly Document[]): object | undefined {
  if (binding.signature?.scheme !== 'slack' || docs.length !== 1) return undefined;
  const doc = docs[0]!;
  if (doc['type'] === 'url_verification' && typeof doc['challenge'] === 'string') {
    return { challenge: doc['challenge'] };
  }
  if (doc['ssl_check'] === '1') return {};
  return undefined;
}
