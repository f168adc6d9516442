// SASL on the listener (SaslHandshake 17 + SaslAuthenticate 36, KIP-152): PLAIN (RFC 4616) and
// SCRAM-SHA-256/512 (RFC 5802, RFC 7677). The password is one of the catalog's tokens; the user name is free
// (logged, never checked). Which bindings the token opens is decided later, per topic, by the front door.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  hmac,
  SCRAM_ITERATIONS,
  SCRAM_MECHANISMS,
  SCRAM_SALT,
  type ScramKeys,
  type ScramMechanism,
} from '../auth/scram.js';
import { type Credential, ProvenToken, tokenDigest } from '../auth/tokens.js';
import type { Binding } from '../catalog/model.js';

export const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export function isMechanism(name: string): name is Mechanism {
  return (MECHANISMS as readonly string[]).includes(name);
}

/** Every token of the catalog, as digests and SCRAM keys: what a SASL password is checked against. */
export interface TokenBook {
  digests: Buffer[];
  scram: Array<{ digest: Buffer; keys: { readonly [M in ScramMechanism]: ScramKeys } }>;
}

export function tokenBook(bindings: readonly Binding[]): TokenBook {
  const book: TokenBook = { digests: [], scram: [] };
  const seen = new Set<string>();
  for (const binding of bindings) {
    const { tokens, scram } = binding.tokens;
    if (tokens === undefined) continue;
    tokens.forEach((digest, i) => {
      const id = digest.toString('hex');
      if (seen.has(id)) return;
      seen.add(id);
      book.digests.push(digest);
      const keys = scram?.[i];
      if (keys !== undefined) book.scram.push({ digest, keys });
    });
  }
  return book;
}

export type SaslStep =
  | { kind: 'continue'; bytes: Buffer }
  | { kind: 'done'; bytes: Buffer; credential: Credential; user: string }
  | { kind: 'failed'; message: string };

/** One authentication exchange on one connection. */
export class SaslExchange {
  private scram: { bare: string; serverFirst: string; nonce: string } | undefined;

  constructor(
    readonly mechanism: Mechanism,
    private readonly book: () => TokenBook,
  ) {}

  step(bytes: Buffer): SaslStep {
    if (this.mechanism === 'PLAIN') return this.plain(bytes);
    return this.scram === undefined ? this.scramFirst(bytes) : this.scramFinal(bytes);
  }

  /** authzid NUL authcid NUL passwd */
  private plain(bytes: Buffer): SaslStep {
    const parts = bytes.toString('utf8').split('\u0000');
    if (parts.length !== 3) return { kind: 'failed', message: 'malformed PLAIN message' };
    const password = parts[2]!;
    const given = tokenDigest(password);
    // Constant-time and over every token, like checkToken: the timing shows neither match nor slot.
    let ok = false;
    for (const digest of this.book().digests) ok = timingSafeEqual(given, digest) || ok;
    if (!ok) return { kind: 'failed', message: 'Authentication failed: invalid credentials' };
    return { kind: 'done', bytes: Buffer.alloc(0), credential: password, user: parts[1]! };
  }

  /** client-first-message: gs2-header ("n,," or "y,,"; channel binding is not offered) client-first-bare. */
  private scramFirst(bytes: Buffer): SaslStep {
    const text = bytes.toString('utf8');
    const match = /^[ny],[^,]*,(n=([^,]*),r=([\x21-\x2b\x2d-\x7e]+)(,.*)?)$/.exec(text);
    if (match === null) return { kind: 'failed', message: 'malformed SCRAM client-first-message' };
    const nonce = match[3]! + randomBytes(18).toString('base64');
    const serverFirst = `r=${nonce},s=${SCRAM_SALT.toString('base64')},i=${SCRAM_ITERATIONS}`;
    this.scram = { bare: match[1]!, serverFirst, nonce };
    return { kind: 'continue', bytes: Buffer.from(serverFirst) };
  }

  /** client-final-message: c=<gs2 header>,r=<nonce>,p=<proof>. */
  private scramFinal(bytes: Buffer): SaslStep {
    const state = this.scram!;
    const text = bytes.toString('utf8');
    const match = /^(c=([^,]*),r=([^,]*)(?:,[^p][^,]*)*),p=([A-Za-z0-9+/=]+)$/.exec(text);
    // The nonce must be exactly ours (Kafka >= 3.9 checks it too, CVE-2024-56128).
    if (match === null || match[3] !== state.nonce) {
      return { kind: 'failed', message: 'Authentication failed: invalid SCRAM nonce or message' };
    }
    const hash = SCRAM_MECHANISMS[this.mechanism as ScramMechanism];
    const authMessage = `${state.bare},${state.serverFirst},${match[1]}`;
    const proof = Buffer.from(match[4]!, 'base64');
    let found: { digest: Buffer; keys: ScramKeys } | undefined;
    for (const entry of this.book().scram) {
      const keys = entry.keys[this.mechanism as ScramMechanism];
      if (proof.length !== keys.storedKey.length) continue;
      const signature = hmac(hash, keys.storedKey, authMessage);
      const clientKey = Buffer.alloc(proof.length);
      for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
      // Every candidate is tried, so the timing does not show which one matched.
      const ok = timingSafeEqual(createHash(hash).update(clientKey).digest(), keys.storedKey);
      if (ok && found === undefined) found = { digest: entry.digest, keys };
    }
    if (found === undefined) return { kind: 'failed', message: 'Authentication failed: invalid credentials' };
    const serverSignature = hmac(hash, found.keys.serverKey, authMessage).toString('base64');
    const user = /^n=([^,]*)/.exec(state.bare)?.[1] ?? '';
    return {
      kind: 'done',
      bytes: Buffer.from(`v=${serverSignature}`),
      credential: new ProvenToken(found.digest),
      user: user.replaceAll('=2C', ',').replaceAll('=3D', '='),
    };
  }
}
