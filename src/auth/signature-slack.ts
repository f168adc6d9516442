// Slack: https://api.slack.com/authentication/verifying-requests-from-slack (Bolt: src/receivers/verify-request.ts)
//   X-Slack-Signature: v0=<hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{body}`>, keyed with the signing
//   secret; only version v0 exists. Requests older than five minutes are refused (Bolt does the same); the
//   catalog may set `tolerance`.
import { hmacPreset } from './signature-custom.js';

export const slack = hmacPreset('slack', {
  algorithm: 'sha256',
  header: 'X-Slack-Signature',
  encoding: 'hex',
  prefix: 'v0=',
  signedContent: 'v0:{timestamp}:{body}',
  timestampHeader: 'X-Slack-Request-Timestamp',
});
