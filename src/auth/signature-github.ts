// GitHub: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
//   X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>. No timestamp is signed: replays are stopped by
//   deduplicating on X-GitHub-Delivery (resource.deduplicate). The legacy SHA-1 X-Hub-Signature is not accepted,
//   but it carries a signature all the same: never copied into documents.
import { hmacPreset } from './signature-custom.js';

export const github = hmacPreset(
  'github',
  { algorithm: 'sha256', header: 'X-Hub-Signature-256', encoding: 'hex', prefix: 'sha256=' },
  ['x-hub-signature'],
);
