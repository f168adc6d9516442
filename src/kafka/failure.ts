// Why the gateway cannot talk to Kafka, in one sentence an operator can act on: which of credentials, TLS trust,
// certificate name, client certificate or plain reachability failed. Both clients' errors (and Node's TLS errors
// inside them) are read here, so the producer, the probe and the CLI name a failure alike. A message never holds a
// secret: clients do not put credentials in errors, and the OAuth source names only the endpoint and client id.

export type FailureKind =
  | 'authentication'
  | 'tls-untrusted'
  | 'tls-name'
  | 'tls-expired'
  | 'tls-refused'
  | 'tls-mismatch'
  | 'unreachable';

export interface ConnectionFailure {
  kind: FailureKind;
  reason: string;
}

/** A failure that settings cause and only settings cure: serve refuses to start on one. */
export function isConfigurationFailure(failure: ConnectionFailure): boolean {
  return failure.kind !== 'unreachable';
}

/** Thrown by the OAuth token source when the provider refuses the client (wrong id or secret). */
export class KafkaAuthenticationError extends Error {
  override name = 'KafkaAuthenticationError';
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);

export function classifyFailure(err: unknown): ConnectionFailure {
  const chain = flatten(err);
  // The OAuth provider's refusal is the most specific: the client wraps it in its own authentication error.
  const oauth = chain.find((e) => e instanceof KafkaAuthenticationError);
  if (oauth !== undefined) return { kind: 'authentication', reason: oauth.message };
  for (const e of chain) {
    const code = String((e as { code?: unknown }).code ?? '');
    const text = `${e.name} ${e.message}`;
    if (
      e.name === 'KafkaJSSASLAuthenticationError' ||
      e.name === 'AuthenticationError' ||
      code === 'PLT_KFK_AUTHENTICATION' ||
      (e as { apiId?: unknown }).apiId === 'SASL_AUTHENTICATION_FAILED' ||
      /SASL_AUTHENTICATION_FAILED|Authentication failed/i.test(text)
    ) {
      return {
        kind: 'authentication',
        reason: `Kafka refused the SASL credentials (${saslDetail(chain)})`,
      };
    }
    if (UNTRUSTED.has(code)) {
      return {
        kind: 'tls-untrusted',
        reason: `the broker's TLS certificate is not signed by a trusted CA (${code}); set TRIBUTARY_KAFKA_TLS_CA_FILE to the CA bundle that signs it`,
      };
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return {
        kind: 'tls-name',
        reason: `the broker's TLS certificate does not name the host connected to (${firstLine(e.message)}); fix the bootstrap address or set TRIBUTARY_KAFKA_TLS_SERVER_NAME`,
      };
    }
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
      return { kind: 'tls-expired', reason: `the broker's TLS certificate is not valid now (${code})` };
    }
    if (
      /^ERR_SSL_.*ALERT/.test(code) ||
      /alert (bad certificate|certificate required|unknown ca)/i.test(text)
    ) {
      return {
        kind: 'tls-refused',
        reason: `the broker refused the TLS handshake (${code || firstLine(e.message)}): it requires a client certificate it trusts (TRIBUTARY_KAFKA_TLS_CERT_FILE / _KEY_FILE)`,
      };
    }
    if (/verify the broker supports TLS|wrong version number|WRONG_VERSION_NUMBER/i.test(text)) {
      return {
        kind: 'tls-mismatch',
        reason: `TLS and the broker's listener disagree (${firstLine(e.message)}): check TRIBUTARY_KAFKA_TLS against the listener's security protocol`,
      };
    }
  }
  // The client's words, then the system's (connect ECONNREFUSED 127.0.0.1:9092, getaddrinfo ENOTFOUND ...).
  const first = chain.find((e) => e.message !== '' && !(e instanceof AggregateError)) ?? chain[0];
  const root = [...chain]
    .reverse()
    .find((e) => /^E[A-Z]+$/.test(String((e as { code?: unknown }).code ?? '')));
  if (first === undefined) return { kind: 'unreachable', reason: String(err) };
  const detail = root !== undefined && root !== first ? ` (${firstLine(root.message)})` : '';
  return { kind: 'unreachable', reason: `${firstLine(first.message)}${detail}` };
}

function saslDetail(chain: Error[]): string {
  // Kafka's own text ("Authentication failed during authentication due to invalid credentials with SASL
  // mechanism SCRAM-SHA-256") names the mechanism and never the password.
  const broker = chain.find((e) => /invalid credentials|mechanism|Authentication failed:/i.test(e.message));
  return broker === undefined ? 'wrong user name, password or token' : firstLine(broker.message);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}

/** Both clients nest errors: kafkajs in originalError/cause, @platformatic/kafka in errors[] and cause. */
function flatten(err: unknown, depth = 0, into: Error[] = []): Error[] {
  if (depth > 8 || !(err instanceof Error) || into.includes(err)) return into;
  into.push(err);
  const nested = err as { cause?: unknown; originalError?: unknown; errors?: unknown[] };
  for (const inner of [
    nested.cause,
    nested.originalError,
    ...(Array.isArray(nested.errors) ? nested.errors : []),
  ])
    flatten(inner, depth + 1, into);
  return into;
}
