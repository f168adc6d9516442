// Webhook signatures: what every scheme shares. Each scheme lives in signature-<name>.ts under its spec link.
// Rules common to all (see /work/shared/notes/conventions.md §1.1): verify the bytes exactly as received, before
// anything parses them; compare in constant time; accept any configured secret (rotation) and any of several
// signatures; check the signed timestamp against a tolerance. Errors name the header and the failed check, never
// a secret, an expected value or the header's value.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ERRORS, TributaryError } from '../errors.js';

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface SignedRequest {
  /** The body exactly as received, before Content-Encoding is undone: what the sender signed. */
  body: Buffer;
  headers: RequestHeaders;
  /** The request target as received (path and query), for schemes that sign the URL. */
  url: string;
  /** TRIBUTARY_PUBLIC_URL: the base URL senders call, when the scheme's own `publicUrl` is not set. */
  publicUrl: string | undefined;
  /** Unix seconds, for timestamp tolerance. */
  now: number;
}

export interface SignatureVerifier {
  readonly scheme: string;
  /** Lower-case headers that carry signatures: never copied into documents. */
  readonly signatureHeaders: readonly string[];
  /** True when the scheme signs the public URL and the catalog does not give it (TRIBUTARY_PUBLIC_URL must). */
  readonly needsPublicUrl: boolean;
  /** Throws TributaryError AUTH_SIGNATURE_{MISSING,MALFORMED,STALE,MISMATCH}; returns when a signature matches. */
  verify(request: SignedRequest): void;
}

export type BuildResult =
  | { verifier: SignatureVerifier }
  | { problems: Array<{ option?: string; message: string }> };

/** One preset or the custom scheme, as the catalog checker sees it. */
export interface SignatureScheme {
  readonly name: string;
  /** Options besides `scheme` and `secrets`. */
  readonly options: readonly string[];
  /** Checks the options completely and builds the verifier; `secrets` are resolved and non-empty. */
  build(options: Record<string, unknown>, secrets: Buffer[]): BuildResult;
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** Digest length in bytes: a signature of another length cannot match, so it is malformed. */
export const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/**
 * The `WWW-Authenticate` challenge of a 401 on a signed binding (RFC 9110 §11.6.1 requires one on every 401).
 * No registered auth-scheme describes webhook HMACs, so `Signature` carries the scheme and the headers a sender
 * must sign with; the problem's detail names the one that was missing or wrong.
 */
export function signatureChallenge(verifier: Pick<SignatureVerifier, 'scheme' | 'signatureHeaders'>): string {
  return `Signature realm="tributary", scheme="${verifier.scheme}", headers="${verifier.signatureHeaders.join(' ')}"`;
}

/** Five minutes: Standard Webhooks, Stripe's SDK (300 s) and Slack's Bolt all use it. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function hmac(
  algorithm: HmacAlgorithm,
  secret: Buffer,
  parts: ReadonlyArray<Buffer | string>,
): Buffer {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Constant-time: a plain compare leaks how many leading bytes match, which lets an attacker forge a signature
 * byte by byte. Every (expected, given) pair is compared without stopping early, so the timing does not tell
 * which secret or which of several signatures matched either. Lengths are public (the digest size).
 */
export function anyMatch(expected: readonly Buffer[], given: readonly Buffer[]): boolean {
  let ok = false;
  for (const e of expected) {
    for (const g of given) ok = (g.length === e.length && timingSafeEqual(g, e)) || ok;
  }
  return ok;
}

/** A header's value; a repeated header counts as its first value. Empty counts as missing. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

export function requireHeader(headers: RequestHeaders, name: string): string {
  const value = headerValue(headers, name);
  if (value === undefined) {
    throw new TributaryError(ERRORS.AUTH_SIGNATURE_MISSING, `the ${name} header is required`);
  }
  return value;
}

export function malformed(header: string, why: string): TributaryError {
  return new TributaryError(ERRORS.AUTH_SIGNATURE_MALFORMED, `${header}: ${why}`);
}

export function mismatch(scheme: string): TributaryError {
  return new TributaryError(
    ERRORS.AUTH_SIGNATURE_MISMATCH,
    `no ${scheme} signature matches the body with any of the binding's secrets`,
  );
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type SignatureEncoding = 'hex' | 'base64';

/**
 * Strict decoding: Buffer.from(x, 'hex') stops silently at the first bad character, and 'base64' skips them,
 * so a garbled header would be compared as a shorter value instead of being reported. Undefined when `value` is
 * not exactly `bytes` bytes in `encoding`.
 */
export function decodeSignature(
  value: string,
  encoding: SignatureEncoding,
  bytes: number,
): Buffer | undefined {
  const pattern = encoding === 'hex' ? HEX : BASE64;
  if (!pattern.test(value)) return undefined;
  if (encoding === 'base64' && value.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(value, encoding);
  return decoded.length === bytes ? decoded : undefined;
}

/** A signed Unix-seconds timestamp, checked against the tolerance both ways (clock skew, replays). */
export function checkTimestamp(value: string, header: string, now: number, toleranceSeconds: number): void {
  if (!/^\d{1,15}$/.test(value)) throw malformed(header, 'expected Unix seconds');
  const age = now - Number(value);
  if (Math.abs(age) > toleranceSeconds) {
    throw new TributaryError(
      ERRORS.AUTH_SIGNATURE_STALE,
      `${header} is ${Math.round(Math.abs(age))} s ${age > 0 ? 'old' : 'in the future'}; the tolerance is ${toleranceSeconds} s`,
    );
  }
}

/** Reads the optional `tolerance` option (seconds); pushes a problem when it is not a positive integer. */
export function readTolerance(
  options: Record<string, unknown>,
  problems: Array<{ option?: string; message: string }>,
): number {
  const value = options['tolerance'];
  if (value === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    problems.push({ option: 'tolerance', message: 'tolerance must be a positive number of seconds' });
    return DEFAULT_TOLERANCE_SECONDS;
  }
  return value;
}
