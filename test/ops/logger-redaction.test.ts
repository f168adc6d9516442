// Issue 6 dropped the `req.headers[...]` redact paths as dead weight (the req serializer emits no headers);
// these tests hold that reasoning: a request's credentials never reach a log line, whichever key carries them.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

const SECRET = 'Bearer s3cr3t-token-value';

describe('log redaction', () => {
  it('a request logged under `req` keeps method and url and loses every header', () => {
    const { logger, lines } = capture();
    const req = {
      id: 'r1',
      method: 'POST',
      url: '/a/b?token=abc&x=1',
      ip: '127.0.0.1',
      headers: { authorization: SECRET, cookie: 'sid=1', 'x-hub-signature-256': 'sha256=ff' },
    };
    logger.child({ reqId: 'r1' }).info({ req }, 'incoming request');
    const line = lines.join('');
    expect(line).not.toContain('s3cr3t');
    expect(line).not.toContain('sid=1');
    expect(line).not.toContain('sha256=ff');
    expect(JSON.parse(line).req).toEqual({
      id: 'r1',
      method: 'POST',
      url: '/a/b?token=[Redacted]&x=1',
      remoteAddress: '127.0.0.1',
    });
  });

  it('headers logged at the top level are censored', () => {
    const { logger, lines } = capture();
    logger.warn(
      { headers: { authorization: SECRET, 'stripe-signature': 't=1,v1=ab', host: 'h' } },
      'odd request',
    );
    const entry = JSON.parse(lines.join(''));
    expect(entry.headers).toEqual({
      authorization: '[Redacted]',
      'stripe-signature': '[Redacted]',
      host: 'h',
    });
  });
});
