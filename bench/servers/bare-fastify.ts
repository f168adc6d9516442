// Baseline (a): the HTTP ceiling. A bare Fastify route that parses the same JSON (Fastify's default parser,
// secure-json-parse) and answers 200: no validation, no Kafka, no logging. Run as its own process.
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
app.get('/readyz', async () => ({ status: 'ready' }));
app.post('/*', async (request) => {
  const docs = Array.isArray(request.body) ? request.body.length : 1;
  return { published: docs };
});
await app.listen({ host: '127.0.0.1', port });
