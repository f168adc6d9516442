// Slack: https://api.slack.com/authentication/verifying-requests-from-slack (Bolt: src/receivers/verify-request.ts)
//   X-Slack-Signature: v0=<hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{body}`>, keyed with the signing
//   secret; only version v0 exists. Requests older than five minutes are refused (Bolt does the same).
import {
  anyMatch,
  checkTimestamp,
  decodeSignature,
  hmac,
  malformed,
  mismatch,
  readTolerance,
  requireHeader,
  type SignatureScheme,
} from './signature.js';

const NAME = 'slack';
const HEADER = 'x-slack-signature';
const TIMESTAMP = 'x-slack-request-timestamp';

export const slack: SignatureScheme = {
  name: NAME,
  options: ['tolerance'],
  build(options, secrets) {
    const problems: Array<{ option?: string; message: string }> = [];
    const tolerance = readTolerance(options, problems);
    if (problems.length > 0) return { problems };
    return {
      verifier: {
        scheme: NAME,
        signatureHeaders: [HEADER],
        needsPublicUrl: false,
        verify(request) {
          const header = requireHeader(request.headers, HEADER);
          const timestamp = requireHeader(request.headers, TIMESTAMP);
          if (!header.startsWith('v0=')) throw malformed(HEADER, "expected 'v0=<hex>'");
          const given = decodeSignature(header.slice(3), 'hex', 32);
          if (given === undefined) throw malformed(HEADER, "expected 'v0=<hex>'");
          checkTimestamp(timestamp, TIMESTAMP, request.now, tolerance);
          const base = `v0:${timestamp}:`;
          const expected = secrets.map((secret) => hmac('sha256', secret, [base, request.body]));
          if (!anyMatch(expected, [given])) throw mismatch(NAME);
        },
      },
    };
  },
};
