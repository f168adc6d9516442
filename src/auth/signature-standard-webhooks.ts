// Standard Webhooks v1 (symmetric), also sent by Svix under `svix-*` header names.
// Spec: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// Svix: https://docs.svix.com/receiving/verifying-payloads/how-manual
//   webhook-signature: space-delimited `v1,<base64 HMAC-SHA256>` entries (several during key rotation);
//   signed content `{webhook-id}.{webhook-timestamp}.{body}`; secret `whsec_<base64 key>`.
// Asymmetric `v1a` (ed25519) entries are skipped, as the reference library does.

import { ERRORS, TributaryError } from '../errors.js';
import {
  anyMatch,
  checkTimestamp,
  decodeSignature,
  headerValue,
  hmac,
  malformed,
  mismatch,
  type RequestHeaders,
  readTolerance,
  type SignatureScheme,
  type SignedRequest,
} from './signature.js';

const NAME = 'standard-webhooks';
const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `svix-*` wins when both are present, as in the svix library's Webhook.verify. */
function pick(headers: RequestHeaders, part: 'id' | 'timestamp' | 'signature'): [string, string] {
  for (const prefix of ['svix-', 'webhook-']) {
    const value = headerValue(headers, `${prefix}${part}`);
    if (value !== undefined) return [`${prefix}${part}`, value];
  }
  throw new TributaryError(
    ERRORS.AUTH_SIGNATURE_MISSING,
    `the webhook-${part} (or svix-${part}) header is required`,
  );
}

/** `whsec_` + base64 of the key bytes; the key is the decoded bytes (spec: "Symmetric signatures"). */
export function decodeStandardSecret(secret: Buffer): Buffer | undefined {
  const text = secret.toString('utf8').replace(/^whsec_/, '');
  if (!STRICT_BASE64.test(text) || text.length % 4 !== 0) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length > 0 ? key : undefined;
}

export const standardWebhooks: SignatureScheme = {
  name: NAME,
  headers: ['webhook-signature', 'svix-signature'],
  build(options, secrets) {
    const problems: Array<{ option?: string; message: string }> = [];
    const tolerance = readTolerance(options, problems);
    const keys: Buffer[] = [];
    for (const [index, secret] of secrets.entries()) {
      const key = decodeStandardSecret(secret);
      if (key === undefined) {
        problems.push({
          option: `secrets[${index}]`,
          message: "a Standard Webhooks secret is 'whsec_' + base64",
        });
      } else keys.push(key);
    }
    if (problems.length > 0) return { problems };
    return {
      verifier: {
        scheme: NAME,
        signatureHeaders: ['webhook-signature', 'svix-signature'],
        needsPublicUrl: false,
        verify(request: SignedRequest) {
          const [, id] = pick(request.headers, 'id');
          const [timestampHeader, timestamp] = pick(request.headers, 'timestamp');
          const [signatureHeader, list] = pick(request.headers, 'signature');
          const given: Buffer[] = [];
          for (const entry of list.split(' ')) {
            const comma = entry.indexOf(',');
            if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
            const decoded = decodeSignature(entry.slice(comma + 1), 'base64', 32);
            if (decoded !== undefined) given.push(decoded);
          }
          if (given.length === 0) throw malformed(signatureHeader, "no 'v1,<base64>' signature");
          checkTimestamp(timestamp, timestampHeader, request.now, tolerance);
          const prefix = `${id}.${timestamp}.`;
          const expected = keys.map((key) => hmac('sha256', key, [prefix, request.body]));
          if (!anyMatch(expected, given)) throw mismatch(NAME);
        },
      },
    };
  },
};
