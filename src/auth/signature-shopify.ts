// Shopify: https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
//   X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the body, keyed with the app's client secret. After a secret
//   rotation Shopify may sign with the old one for up to an hour: list both. No timestamp is signed: deduplicate
//   on X-Shopify-Event-Id (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates).
import {
  anyMatch,
  decodeSignature,
  hmac,
  malformed,
  mismatch,
  requireHeader,
  type SignatureScheme,
} from './signature.js';

const NAME = 'shopify';
const HEADER = 'x-shopify-hmac-sha256';

export const shopify: SignatureScheme = {
  name: NAME,
  options: [],
  build(_options, secrets) {
    return {
      verifier: {
        scheme: NAME,
        signatureHeaders: [HEADER],
        needsPublicUrl: false,
        verify(request) {
          const given = decodeSignature(requireHeader(request.headers, HEADER), 'base64', 32);
          if (given === undefined) throw malformed(HEADER, 'expected a base64 HMAC-SHA256');
          const expected = secrets.map((secret) => hmac('sha256', secret, [request.body]));
          if (!anyMatch(expected, [given])) throw mismatch(NAME);
        },
      },
    };
  },
};
