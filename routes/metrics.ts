// GET /metrics: Prometheus text exposition of the app's registry (src/ops/metrics.ts).
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../src/ops/metrics.js';

export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  const { registry } = opts.metrics;
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
