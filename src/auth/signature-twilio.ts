// Twilio: https://www.twilio.com/docs/usage/webhooks/webhooks-security (twilio-node src/webhooks/webhooks.ts)
//   X-Twilio-Signature: base64 HMAC-SHA1, keyed with the Auth Token, of the full URL Twilio called (query
//   included) followed, for form bodies, by every POST parameter sorted by name as `name + value` (repeated values
//   de-duplicated and sorted). JSON bodies: the URL carries `bodySHA256=<hex sha256(body)>` and no parameters are
//   appended. Twilio signs the public URL; behind a load balancer the gateway sees another host and scheme, so the
//   base comes from configuration (`publicUrl` here, else TRIBUTARY_PUBLIC_URL), never from Host or
//   X-Forwarded-* headers a client could set. Like the SDK, the URL is tried with and without its default port.
import { createHash } from 'node:crypto';
import { decodeUtf8 } from '../decode/body.js';
import { parseFormPairs } from '../decode/form.js';
import { parseMediaType } from '../decode/media-type.js';
import { ERRORS, TributaryError } from '../errors.js';
import {
  anyMatch,
  decodeSignature,
  hmac,
  malformed,
  mismatch,
  requireHeader,
  type SignatureScheme,
  type SignedRequest,
} from './signature.js';

const NAME = 'twilio';
const HEADER = 'x-twilio-signature';

/** `https://hooks.example.com[/prefix]`: scheme, host, optional port and path prefix; no query, no fragment. */
export function publicUrlProblem(value: unknown): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return 'publicUrl must be an absolute URL such as https://hooks.example.com';
  }
  if (typeof value !== 'string' || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    return 'publicUrl must be an http(s) URL';
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return 'publicUrl may not carry a query, a fragment or credentials';
  return undefined;
}

/** The configured base with and without its default port: back ends differ in which one they sign. */
function baseCandidates(base: string): string[] {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const withoutDefault = `${url.protocol}//${url.host}${path}`;
  const withPort = `${url.protocol}//${url.hostname}:${port}${path}`;
  return withoutDefault === withPort ? [withPort] : [withoutDefault, withPort];
}

/** Sorted `name + value` for every parameter, as getExpectedTwilioSignature builds it. */
function paramString(pairs: ReadonlyArray<[string, string]>): string {
  const byName = new Map<string, Set<string>>();
  for (const [name, value] of pairs) {
    const values = byName.get(name) ?? new Set<string>();
    values.add(value);
    byName.set(name, values);
  }
  let out = '';
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...byName.get(name)!].sort()) out += name + value;
  }
  return out;
}

function bodyHashParam(url: string): string | null {
  const q = url.indexOf('?');
  return q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('bodySHA256');
}

export const twilio: SignatureScheme = {
  name: NAME,
  headers: [HEADER],
  build(options, secrets) {
    const configured = options['publicUrl'];
    if (configured !== undefined) {
      const problem = publicUrlProblem(configured);
      if (problem !== undefined) return { problems: [{ option: 'publicUrl', message: problem }] };
    }
    const ownBase = configured === undefined ? undefined : baseCandidates(configured as string);
    let cached: { base: string; candidates: string[] } | undefined;
    const candidatesFor = (base: string): string[] => {
      if (cached?.base !== base) cached = { base, candidates: baseCandidates(base) };
      return cached.candidates;
    };
    return {
      verifier: {
        scheme: NAME,
        signatureHeaders: [HEADER],
        needsPublicUrl: configured === undefined,
        verify(request: SignedRequest) {
          const given = decodeSignature(requireHeader(request.headers, HEADER), 'base64', 20);
          if (given === undefined) throw malformed(HEADER, 'expected a base64 HMAC-SHA1');
          const bases =
            ownBase ?? (request.publicUrl === undefined ? undefined : candidatesFor(request.publicUrl));
          if (bases === undefined) {
            // Refused at start-up (TRIBUTARY_PUBLIC_URL is required then); kept as a guard.
            throw new TributaryError(ERRORS.INTERNAL, 'no public URL is configured for Twilio signatures');
          }
          let params = '';
          const bodyHash = bodyHashParam(request.url);
          if (bodyHash !== null) {
            const actual = createHash('sha256').update(request.body).digest();
            const claimed = decodeSignature(bodyHash, 'hex', 32);
            if (claimed === undefined || !anyMatch([actual], [claimed])) throw mismatch(NAME);
          } else if (parseMediaType(headerText(request, 'content-type'))?.format === 'form') {
            params = paramString(parseFormPairs(decodeUtf8(request.body)));
          }
          const expected: Buffer[] = [];
          for (const secret of secrets) {
            for (const base of bases) expected.push(hmac('sha1', secret, [base, request.url, params]));
          }
          if (!anyMatch(expected, [given])) throw mismatch(NAME);
        },
      },
    };
  },
};

function headerText(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
