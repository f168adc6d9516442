import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { AccessLog } from '../../src/ops/access-log.js';
import { createLogger } from '../../src/ops/logger.js';

async function served(mode: Config['accessLog']) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const app = Fastify({
    loggerInstance: createLogger('info', stream) as FastifyBaseLogger,
    logController: new AccessLog(mode),
  });
  app.post('/ok', async () => ({ ok: true }));
  await app.inject({ method: 'POST', url: '/ok?token=s3cret&x=1', payload: {} });
  await app.inject({ method: 'POST', url: '/missing' });
  await app.close();
  return lines.filter((l) => l.msg === 'request completed');
}

describe('access log', () => {
  it('writes one line per request with method, redacted url, status and time', async () => {
    const lines = await served('all');
    expect(lines).toHaveLength(2);
    const [ok, missing] = lines as { req: unknown; res: unknown; responseTime: unknown; reqId: unknown }[];
    expect(ok!.req).toMatchObject({ method: 'POST', url: '/ok?token=[Redacted]&x=1' });
    expect(ok!.res).toEqual({ statusCode: 200 });
    expect(typeof ok!.responseTime).toBe('number');
    expect(typeof ok!.reqId).toBe('string');
    expect(missing!.res).toEqual({ statusCode: 404 });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it("'errors' keeps only answers >= 400 and 'off' none", async () => {
    expect((await served('errors')).map((l) => (l.res as { statusCode: number }).statusCode)).toEqual([404]);
    expect(await served('off')).toEqual([]);
  });
});
