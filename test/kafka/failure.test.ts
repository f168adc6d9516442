// Issue 14: connection failures named by cause, whichever client (or Node's TLS) raised them.
import { describe, expect, it } from 'vitest';
import { classifyFailure, isConfigurationFailure } from '../../src/kafka/failure.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it('names TLS trust, name, expiry, refused client certificates and protocol mismatches', () => {
    expect(classifyFailure(new Error('x', { cause: coded('SELF_SIGNED_CERT_IN_CHAIN') })).kind).toBe(
      'tls-untrusted',
    );
    expect(
      classifyFailure(coded('ERR_TLS_CERT_ALTNAME_INVALID', "Host: a. is not in the cert's altnames")).kind,
    ).toBe('tls-name');
    expect(classifyFailure(coded('CERT_HAS_EXPIRED')).kind).toBe('tls-expired');
    expect(classifyFailure(new AggregateError([coded('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE')])).kind).toBe(
      'tls-refused',
    );
    expect(
      classifyFailure(new Error('TLS handshake failed. Please verify the broker supports TLS.')).kind,
    ).toBe('tls-mismatch');
  });

  it('names SASL refusals from either client, and leaves the rest as unreachable', () => {
    const kafkajs = Object.assign(new Error('SASL SCRAM SHA256 authentication failed, invalid credentials'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    expect(classifyFailure(kafkajs)).toMatchObject({ kind: 'authentication' });
    expect(
      classifyFailure(
        Object.assign(new Error('SASL authentication failed.'), { name: 'AuthenticationError' }),
      ).kind,
    ).toBe('authentication');
    const refused = classifyFailure(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'));
    expect(refused).toEqual({ kind: 'unreachable', reason: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(isConfigurationFailure(refused)).toBe(false);
    expect(isConfigurationFailure({ kind: 'tls-name', reason: '' })).toBe(true);
  });
});
