// Liveness and readiness for load balancers and orchestrators.
import type { FastifyInstance } from 'fastify';

export interface ReadinessCheck {
  name: string;
  ok(): boolean;
}

export async function probeRoutes(
  app: FastifyInstance,
  opts: { checks: ReadinessCheck[]; details?: () => Record<string, unknown> },
): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = Object.fromEntries(opts.checks.map((c) => [c.name, c.ok() ? 'ok' : 'failing']));
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', checks, ...opts.details?.() });
  });
}
