// GitHub: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
//   X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>. No timestamp is signed: replays are stopped by
//   deduplicating on X-GitHub-Delivery (resource.deduplicate). The legacy SHA-1 X-Hub-Signature is not accepted.
import {
  anyMatch,
  decodeSignature,
  hmac,
  malformed,
  mismatch,
  requireHeader,
  type SignatureScheme,
} from './signature.js';

const NAME = 'github';
const HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

export const github: SignatureScheme = {
  name: NAME,
  options: [],
  build(_options, secrets) {
    return {
      verifier: {
        scheme: NAME,
        signatureHeaders: [HEADER, 'x-hub-signature'],
        needsPublicUrl: false,
        verify(request) {
          const header = requireHeader(request.headers, HEADER);
          if (!header.startsWith(PREFIX)) throw malformed(HEADER, `expected '${PREFIX}<hex>'`);
          const given = decodeSignature(header.slice(PREFIX.length), 'hex', 32);
          if (given === undefined) throw malformed(HEADER, `expected '${PREFIX}<hex>'`);
          const expected = secrets.map((secret) => hmac('sha256', secret, [request.body]));
          if (!anyMatch(expected, [given])) throw mismatch(NAME);
        },
      },
    };
  },
};
