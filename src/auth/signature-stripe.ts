// Stripe: https://docs.stripe.com/webhooks#verify-manually (stripe-node src/Webhooks.ts is the reference).
//   Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=<hex>...][,v0=...]; several v1 entries while a
//   secret is rolled, any match counts. Signed content `{t}.{body}`; the `whsec_...` secret is used as is.
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

const NAME = 'stripe';
const HEADER = 'stripe-signature';

export const stripe: SignatureScheme = {
  name: NAME,
  headers: [HEADER],
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
          let timestamp: string | undefined;
          const given: Buffer[] = [];
          let v1Entries = 0;
          for (const item of header.split(',')) {
            const eq = item.indexOf('=');
            if (eq < 0) continue;
            const key = item.slice(0, eq).trim();
            const value = item.slice(eq + 1).trim();
            if (key === 't') timestamp = value;
            else if (key === 'v1') {
              v1Entries++;
              const decoded = decodeSignature(value, 'hex', 32);
              if (decoded !== undefined) given.push(decoded);
            }
          }
          if (timestamp === undefined) throw malformed(HEADER, "no 't=' timestamp");
          if (v1Entries === 0) throw malformed(HEADER, "no 'v1=' signature");
          if (given.length === 0) throw malformed(HEADER, "'v1=' is not a hex HMAC-SHA256");
          checkTimestamp(timestamp, HEADER, request.now, tolerance);
          const expected = secrets.map((secret) => hmac('sha256', secret, [`${timestamp}.`, request.body]));
          if (!anyMatch(expected, given)) throw mismatch(NAME);
        },
      },
    };
  },
};
