// Regression (issue 11): a binding with `signature` refused unsigned POSTs but accepted an unsigned WebSocket
// stream on the same path, which streamed documents into Kafka. A signature covers one request body; a stream has
// none, so the upgrade itself must be refused with a coded 4xx before the socket is upgraded.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SignedApp, signedApp } from '../auth/signed-app.js';

let signed: SignedApp | undefined;
afterEach(async () => {
  await signed?.app.fastify.close();
  signed = undefined;
});

function handshake(url: string): Promise<{ status: number; type: string; body: string } | 'upgraded'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['tributary.v1']);
    ws.once('open', () => {
      ws.send('{"id":"sneaky"}');
      setTimeout(() => {
        ws.close();
        resolve('upgraded');
      }, 100);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }),
      );
    });
    ws.once('error', reject);
  });
}

describe('signed bindings over WebSocket (issue 11 bypass)', () => {
  it('refuses the upgrade with a coded 4xx problem+json, and nothing is produced', async () => {
    signed = await signedApp();
    const base = (await signed.app.fastify.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
    for (const name of ['standard', 'svix', 'stripe', 'github', 'shopify', 'slack', 'custom']) {
      const answer = await handshake(`${base}/test/signed/${name}`);
      expect(answer, name).not.toBe('upgraded');
      if (answer === 'upgraded') continue;
      expect(answer.status, name).toBeGreaterThanOrEqual(400);
      expect(answer.status, name).toBeLessThan(500);
      expect(answer.type).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'TRIB_ADMIT_TRANSPORT_REFUSED' });
    }
    expect(signed.produced).toEqual([]);
  });
});
