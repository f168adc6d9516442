// openapi.yaml and /openapi.json checked by a real OpenAPI 3.1 validator, and real answers checked against the
// schemas/ files they reference.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type App, buildApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { ERRORS, TributaryError } from '../../src/errors.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

let app: App;
const produced: OutboundRecord[] = [];
let failWith: TributaryError | undefined;
beforeAll(async () => {
  app = await buildApp({
    // The validator below compiles the OpenAPI meta-schemas for about a second: no event-loop shedding here.
    config: defaultConfig({ maxEventLoopDelayMs: 0 }),
    catalog: await fixtureCatalog('ingest-route.yaml'),
    logger: capturedLogger().logger,
    sink: {
      async produce(records) {
        if (failWith) throw failWith;
        produced.push(...records);
      },
    },
  });
});
afterAll(() => app.fastify.close());

function ajv() {
  const a = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(a);
  return a;
}

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document, and its file references resolve to valid JSON schemas', async () => {
    const validator = new Validator();
    const yaml = read('openapi.yaml');
    const doc = parse(yaml);
    for (const ref of ['schemas/problem.json', 'schemas/meta.json']) {
      const schema = JSON.parse(read(ref));
      expect(ajv().validateSchema(schema), ref).toBe(true);
      validator.addSpecRef(schema, ref);
    }
    const result = await validator.validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator does refuse a broken description (so this test can fail).
    const broken = { ...doc, info: { title: 'no version' } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
    // Every gateway route is described.
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/openapi.yaml', '/docs']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    // Every error status the registry can answer is described on the binding path.
    const described = Object.keys(doc.paths['/{capture}/{binding}'].post.responses);
    for (const spec of Object.values(ERRORS)) expect(described, spec.code).toContain(String(spec.status));
  });

  it('is served as shipped at /openapi.yaml', async () => {
    const res = await app.fastify.inject({ method: 'GET', url: '/openapi.yaml' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(read('openapi.yaml'));
  });
});

describe('/openapi.json', () => {
  it('is valid OpenAPI 3.1 with each binding of the live catalog and its collection schema', async () => {
    const res = await app.fastify.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(doc.paths['/{capture}/{binding}']).toBeUndefined();
    const orders = doc.paths['/test/shop/orders'].post;
    const ref = orders.requestBody.content['application/json'].schema.oneOf[0].$ref;
    expect(ref).toBe('#/components/schemas/test.orders');
    expect(doc.components.schemas['test.orders']).toMatchObject({
      required: ['id', 'amount'],
      $id: 'urn:tributary:collection:test/orders',
    });
    const events = doc.paths['/hooks/{tenant}/events'].post;
    expect(events.parameters[0]).toMatchObject({ name: 'tenant', in: 'path', required: true });
    expect(events.security).toEqual([{}]);
    // The problem schema is inlined: a served document cannot point at files.
    expect(doc.components.schemas.Problem.properties.code).toBeDefined();
  });

  it('serves a Swagger UI page over it', async () => {
    const page = await app.fastify.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/docs/swagger-ui.css');
    expect(page.body).toContain('/docs/swagger-ui-bundle.js');
    expect(page.body).toContain('/docs/init.js');
    for (const asset of ['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']) {
      const res = await app.fastify.inject({ method: 'GET', url: asset });
      expect(res.statusCode, asset).toBe(200);
      expect(res.body.length, asset).toBeGreaterThan(50);
    }
    expect((await app.fastify.inject({ method: 'GET', url: '/docs/init.js' })).body).toContain(
      '/openapi.json',
    );
  });
});

describe('/openapi.json bodies and parameters (issue 12)', () => {
  it('lists every body a binding takes, the token parameter only where tokens are required, and no `not`', async () => {
    process.env['TEST_TOKEN_A'] = 'a-token';
    process.env['TEST_TOKEN_B'] = 'b-token';
    const tokens = await buildApp({
      config: defaultConfig({ maxEventLoopDelayMs: 0 }),
      catalog: await fixtureCatalog('tokens.yaml'),
      logger: capturedLogger().logger,
      sink: { async produce() {} },
    });
    try {
      const doc = (await tokens.fastify.inject({ method: 'GET', url: '/openapi.json' })).json();
      const post = (path: string) => doc.paths[path].post;
      const paths = Object.keys(doc.paths).filter((p) => doc.paths[p].post !== undefined);
      expect(paths.length).toBeGreaterThanOrEqual(3);
      for (const path of paths) {
        expect(Object.keys(post(path).requestBody.content).sort(), path).toEqual([
          'application/json',
          'application/jsonl',
          'application/x-ndjson',
          'application/x-www-form-urlencoded',
        ]);
      }
      const tokenParameter = (path: string) =>
        post(path).parameters.some((p: { $ref?: string }) => p.$ref === '#/components/parameters/Token');
      const open = paths.filter((p) => p.endsWith('/open'));
      expect(open).toHaveLength(1);
      expect(tokenParameter(open[0]!)).toBe(false);
      expect(post(open[0]!).security).toEqual([{}]);
      for (const path of paths.filter((p) => !p.endsWith('/open')))
        expect(tokenParameter(path), path).toBe(true);
      // Swagger UI draws a schema's `not` as the type "never": the shipped components have none.
      expect(JSON.stringify(doc.components.schemas.Document)).not.toContain('"not"');
    } finally {
      await tokens.fastify.close();
    }
  });
});

describe('schemas/', () => {
  it('problem.json matches real error answers, meta.json matches real _meta', async () => {
    const problem = ajv().compile(JSON.parse(read('schemas/problem.json')));
    const meta = ajv().compile(JSON.parse(read('schemas/meta.json')));
    const answers = [
      await app.fastify.inject({ method: 'POST', url: '/nope', payload: '{}' }),
      await app.fastify.inject({
        method: 'POST',
        url: '/test/shop/orders',
        payload: '[{"id":"a"},{"id":1,"amount":1}]',
        headers: { 'content-type': 'application/json' },
      }),
      await app.fastify.inject({ method: 'GET', url: '/test/shop/orders' }),
    ];
    failWith = new TributaryError(ERRORS.KAFKA_TIMEOUT);
    answers.push(
      await app.fastify.inject({
        method: 'POST',
        url: '/test/shop/orders',
        payload: '{"id":"a","amount":1}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    failWith = undefined;
    for (const res of answers) {
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(problem(res.json()), JSON.stringify(problem.errors)).toBe(true);
    }
    const ok = await app.fastify.inject({
      method: 'POST',
      url: '/hooks/acme/events?x=1&x=2',
      payload: '[{"a":1},{"b":2}]',
      headers: { 'content-type': 'application/json', 'x-delivery-id': 'd-1', 'x-event-type': 'push' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(produced.length).toBeGreaterThan(0);
    for (const record of produced) {
      const value = JSON.parse(record.value);
      expect(meta(value._meta), JSON.stringify(meta.errors)).toBe(true);
    }
  });
});
