// SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) credentials of bearer tokens, for SASL on the Kafka-protocol
// listener: a SCRAM server never sees the password, only proof that the client knows it, so each token's
// StoredKey and ServerKey are derived once, when the catalog is loaded (the token itself is not kept).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const SCRAM_MECHANISMS = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** Kafka's and the clients' minimum (ScramMechanism.minIterations): fewer is refused by Java and librdkafka. */
export const SCRAM_ITERATIONS = 4096;

/**
 * One salt for every token of the process: the server names the salt before it knows which token the client
 * holds (the user name is free), and a salt is public anyway. Random per process, so keys differ per run.
 */
export const SCRAM_SALT = randomBytes(16);

export interface ScramKeys {
  storedKey: Buffer;
  serverKey: Buffer;
}

export type ScramCredentials = { readonly [M in ScramMechanism]: ScramKeys };

export function scramCredentials(token: Buffer): ScramCredentials {
  return {
    'SCRAM-SHA-256': scramKeys('SCRAM-SHA-256', token),
    'SCRAM-SHA-512': scramKeys('SCRAM-SHA-512', token),
  };
}

function scramKeys(mechanism: ScramMechanism, token: Buffer): ScramKeys {
  const hash = SCRAM_MECHANISMS[mechanism];
  const length = hash === 'sha256' ? 32 : 64;
  const salted = pbkdf2Sync(token, SCRAM_SALT, SCRAM_ITERATIONS, length, hash);
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

export function hmac(hash: string, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}
