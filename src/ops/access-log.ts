// One access-log line per request, written once the answer has left. Fastify's default writes two (incoming +
// completed): at ~8,000 webhooks/s on one core the pair took ~10% of the gateway's CPU in the issue 6 profile,
// and the first line says nothing the second cannot (reqId, method, url, client). LogController is Fastify's
// own extension point for its request log lines; its other lines (404s, stream errors) keep their defaults.
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Config } from '../config.js';

export class AccessLog extends LogController {
  constructor(private readonly mode: Config['accessLog']) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const { statusCode } = reply;
    if (error) {
      reply.log.error(
        { req: request, res: { statusCode }, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
      return;
    }
    if (this.mode === 'off' || (this.mode === 'errors' && statusCode < 400)) return;
    // `req` goes through the logger's serializer: method, redacted url, client address, never headers.
    reply.log.info(
      { req: request, res: { statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  }
}
