// The custom scheme, for senders without a preset: an HMAC over a template of the body, a signed timestamp and a
// delivery id, in one header, hex or base64, with an optional prefix such as `sha256=`. It covers the common
// shape of HMAC webhook signatures (GitHub, Shopify, Slack and Standard Webhooks can all be written with it), e.g.
//   { scheme: custom, algorithm: sha256, header: X-Signature, encoding: hex, prefix: 'sha256=',
//     signedContent: '{timestamp}.{body}', timestampHeader: X-Timestamp }
import { isHeaderName } from './headers.js';
import {
  anyMatch,
  checkTimestamp,
  DIGEST_BYTES,
  decodeSignature,
  type HmacAlgorithm,
  hmac,
  malformed,
  mismatch,
  readTolerance,
  requireHeader,
  type SignatureEncoding,
  type SignatureScheme,
} from './signature.js';

const NAME = 'custom';
const PLACEHOLDER = /\{([^{}]*)\}/g;
type Part = string | { placeholder: 'body' | 'timestamp' | 'id' };
type Problems = Array<{ option?: string; message: string }>;

function oneOf<T extends string>(
  options: Record<string, unknown>,
  option: string,
  allowed: readonly T[],
  fallback: T,
  problems: Problems,
): T {
  const value = options[option];
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ option, message: `${option} must be one of: ${allowed.join(', ')}` });
  return fallback;
}

function optionalHeader(
  options: Record<string, unknown>,
  option: string,
  problems: Problems,
): string | undefined {
  const value = options[option];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && isHeaderName(value)) return value.toLowerCase();
  problems.push({ option, message: `${option} must be an HTTP header name` });
  return undefined;
}

function optionalText(
  options: Record<string, unknown>,
  option: string,
  problems: Problems,
): string | undefined {
  const value = options[option];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  problems.push({ option, message: `${option} must be a non-empty string` });
  return undefined;
}

/** `'{timestamp}.{body}'` -> literal and placeholder parts; `{body}` must appear exactly once. */
function parseTemplate(template: string, problems: Problems): Part[] {
  const parts: Part[] = [];
  let last = 0;
  let bodies = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    const name = match[1];
    if (name === 'body' || name === 'timestamp' || name === 'id') {
      parts.push({ placeholder: name });
      if (name === 'body') bodies++;
    } else {
      problems.push({
        option: 'signedContent',
        message: `unknown placeholder {${name}}: use {body}, {timestamp}, {id}`,
      });
    }
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  if (bodies !== 1) {
    // A signature that does not cover the body authenticates nothing a forger cannot copy.
    problems.push({ option: 'signedContent', message: 'signedContent must contain {body} exactly once' });
  }
  return parts;
}

function decodeSecret(secret: Buffer, encoding: 'utf8' | 'base64' | 'hex'): Buffer | undefined {
  if (encoding === 'utf8') return secret;
  const text = secret.toString('utf8');
  const valid = encoding === 'hex' ? /^([0-9a-fA-F]{2})+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  return valid.test(text) ? Buffer.from(text, encoding) : undefined;
}

export const custom: SignatureScheme = {
  name: NAME,
  options: [
    'algorithm',
    'header',
    'encoding',
    'prefix',
    'separator',
    'signedContent',
    'timestampHeader',
    'idHeader',
    'tolerance',
    'secretEncoding',
  ],
  build(options, secrets) {
    const problems: Problems = [];
    const algorithm = oneOf<HmacAlgorithm>(
      options,
      'algorithm',
      ['sha1', 'sha256', 'sha512'],
      'sha256',
      problems,
    );
    const encoding = oneOf<SignatureEncoding>(options, 'encoding', ['hex', 'base64'], 'hex', problems);
    const secretEncoding = oneOf(
      options,
      'secretEncoding',
      ['utf8', 'base64', 'hex'] as const,
      'utf8',
      problems,
    );
    const header = optionalHeader(options, 'header', problems);
    if (options['header'] === undefined) problems.push({ option: 'header', message: 'header is required' });
    const prefix = optionalText(options, 'prefix', problems);
    const separator = optionalText(options, 'separator', problems);
    const timestampHeader = optionalHeader(options, 'timestampHeader', problems);
    const idHeader = optionalHeader(options, 'idHeader', problems);
    const tolerance = readTolerance(options, problems);
    const template = options['signedContent'] ?? '{body}';
    let parts: Part[] = [];
    if (typeof template !== 'string') {
      problems.push({
        option: 'signedContent',
        message: "signedContent must be a template such as '{timestamp}.{body}'",
      });
    } else parts = parseTemplate(template, problems);
    const uses = (name: string) =>
      parts.some((part) => typeof part !== 'string' && part.placeholder === name);
    if (uses('timestamp') !== (timestampHeader !== undefined)) {
      problems.push({
        option: 'timestampHeader',
        message:
          'timestampHeader and {timestamp} in signedContent go together (an unsigned timestamp proves nothing)',
      });
    }
    if (uses('id') !== (idHeader !== undefined)) {
      problems.push({ option: 'idHeader', message: 'idHeader and {id} in signedContent go together' });
    }
    if (options['tolerance'] !== undefined && timestampHeader === undefined) {
      problems.push({ option: 'tolerance', message: 'tolerance needs a signed timestamp (timestampHeader)' });
    }
    const keys: Buffer[] = [];
    for (const [index, secret] of secrets.entries()) {
      const key = decodeSecret(secret, secretEncoding);
      if (key === undefined)
        problems.push({ option: `secrets[${index}]`, message: `the secret is not ${secretEncoding}` });
      else keys.push(key);
    }
    if (problems.length > 0 || header === undefined) return { problems };
    const bytes = DIGEST_BYTES[algorithm];
    return {
      verifier: {
        scheme: NAME,
        signatureHeaders: [header],
        needsPublicUrl: false,
        verify(request) {
          const value = requireHeader(request.headers, header);
          const timestamp =
            timestampHeader === undefined ? '' : requireHeader(request.headers, timestampHeader);
          const id = idHeader === undefined ? '' : requireHeader(request.headers, idHeader);
          const given: Buffer[] = [];
          for (const raw of separator === undefined ? [value] : value.split(separator)) {
            const piece = raw.trim();
            if (prefix !== undefined && !piece.startsWith(prefix)) continue;
            const decoded = decodeSignature(piece.slice(prefix?.length ?? 0), encoding, bytes);
            if (decoded !== undefined) given.push(decoded);
          }
          const expectedForm = `${prefix ?? ''}<${encoding} ${algorithm.toUpperCase()}>`;
          if (given.length === 0) throw malformed(header, `expected '${expectedForm}'`);
          if (timestampHeader !== undefined)
            checkTimestamp(timestamp, timestampHeader, request.now, tolerance);
          const content = parts.map((part) => {
            if (typeof part === 'string') return part;
            if (part.placeholder === 'body') return request.body;
            return part.placeholder === 'timestamp' ? timestamp : id;
          });
          const expected = keys.map((key) => hmac(algorithm, key, content));
          if (!anyMatch(expected, given)) throw mismatch(NAME);
        },
      },
    };
  },
};
