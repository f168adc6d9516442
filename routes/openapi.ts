// The API description: /openapi.json (live catalog), /openapi.yaml (as shipped) and a Swagger UI page at /docs.
//
// /docs is a small page over swagger-ui-dist rather than @fastify/swagger-ui: that plugin serves the document
// @fastify/swagger holds, which is fixed when the plugin registers, while ours changes with every catalog
// reload. The page loads /openapi.json, so it always shows the running catalog.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../src/catalog/model.js';
import { catalogOpenApi, shippedOpenApi } from '../src/openapi/document.js';

const require = createRequire(import.meta.url);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tributary API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so a Content-Security-Policy without 'unsafe-inline' still allows the page.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

export async function openapiRoutes(app: FastifyInstance, opts: { catalog: () => Catalog }): Promise<void> {
  app.get('/openapi.json', async () => catalogOpenApi(opts.catalog()));
  app.get('/openapi.yaml', async (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(shippedOpenApi().yaml),
  );
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/init.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INIT),
  );
  // Read once when first asked for: the bundle is ~1.5 MB and most processes never serve it.
  const assets = new Map<string, Buffer>();
  const asset = (file: string): Buffer => {
    let content = assets.get(file);
    if (content === undefined) {
      // Not require('swagger-ui-dist'): its entry point loads the whole browser bundle into this process.
      const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
      content = readFileSync(join(dir, file));
      assets.set(file, content);
    }
    return content;
  };
  app.get('/docs/swagger-ui.css', async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(asset('swagger-ui.css')),
  );
  app.get('/docs/swagger-ui-bundle.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(asset('swagger-ui-bundle.js')),
  );
}
