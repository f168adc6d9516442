// Every error as a coded problem+json answer (src/problem-reply.ts): Fastify's own errors mapped onto the
// registry, unknown ones as internal errors, and Node's pre-request errors answered on the socket.

import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ERRORS, TributaryError } from '../src/errors.js';
import { answerClientError, asTributaryError, sendProblem } from '../src/problem-reply.js';

describe('asTributaryError', () => {
  it('keeps coded errors, maps Fastify codes and other 4xx, and hides everything else', () => {
    const coded = new TributaryError(ERRORS.KAFKA_TIMEOUT);
    expect(asTributaryError(coded)).toBe(coded);
    const tooLarge = Object.assign(new Error('too big'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(asTributaryError(tooLarge)).toMatchObject({ code: 'TRIB_DECODE_BODY_TOO_LARGE', status: 413 });
    const other4xx = Object.assign(new Error('nope'), { statusCode: 400 });
    expect(asTributaryError(other4xx).code).toBe(ERRORS.BAD_REQUEST.code);
    const internal = asTributaryError(new Error('secret detail'));
    expect(internal).toMatchObject({ code: ERRORS.INTERNAL.code, status: 500, message: 'internal error' });
    expect(asTributaryError(null).code).toBe(ERRORS.INTERNAL.code);
  });
});

describe('sendProblem', () => {
  it('answers problem+json with the code, Retry-After for retryable errors, and the path without query', async () => {
    const app = Fastify();
    app.get('/x', (request, reply) =>
      sendProblem(request, reply, new TributaryError(ERRORS.KAFKA_UNAVAILABLE, 'down', { retryAfter: 3 })),
    );
    const res = await app.inject({ method: 'GET', url: '/x?token=abc' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json()).toMatchObject({ code: 'TRIB_KAFKA_UNAVAILABLE', status: 503, instance: '/x' });
    expect(res.body).not.toContain('abc');
    await app.close();
  });
});

describe('answerClientError', () => {
  function fakeSocket() {
    const out = new PassThrough();
    // answerClientError destroys the socket with the error, as Node's server would.
    out.on('error', () => {});
    let written = '';
    out.on('data', (c: Buffer) => {
      written += c.toString();
    });
    return { socket: out as unknown as Socket, written: () => written };
  }

  it('answers a request timeout 408 and oversized headers 431, coded, and closes', async () => {
    for (const [code, status] of [
      ['ERR_HTTP_REQUEST_TIMEOUT', 408],
      ['HPE_HEADER_OVERFLOW', 431],
      ['HPE_INVALID_METHOD', 400],
    ] as const) {
      const { socket, written } = fakeSocket();
      answerClientError(Object.assign(new Error(code), { code }), socket);
      await new Promise((r) => setImmediate(r));
      expect(written(), code).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(written()).toContain('Content-Type: application/problem+json');
      expect(socket.destroyed).toBe(true);
    }
  });

  it('writes nothing to a reset socket', () => {
    const { socket, written } = fakeSocket();
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket);
    expect(written()).toBe('');
  });
});
