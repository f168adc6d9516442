import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { resolveSecret } from '../../src/auth/secrets.js';
import { checkToken, presentedToken, queryWithoutToken, tokenPolicy } from '../../src/auth/tokens.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { defaultConfig } from '../../src/config.js';
import { capturedLogger, fixtureCatalog, tempDir } from '../helpers.js';

describe('resolveSecret', () => {
  const dir = tempDir('secret-');
  writeFileSync(join(dir, 's.txt'), 'abc\n');
  writeFileSync(join(dir, 'empty.txt'), '');

  it('reads ${ENV} and files (without the trailing newline)', () => {
    expect(resolveSecret('${MY_T}', dir, { MY_T: 'xyz' })).toEqual({ value: Buffer.from('xyz') });
    expect(resolveSecret({ file: 's.txt' }, dir)).toEqual({ value: Buffer.from('abc') });
  });

  it('refuses plain text, unset variables, missing or empty files', () => {
    for (const ref of [
      'plain-token',
      '$MY_T',
      '${UNSET_VAR_XYZ}',
      { file: 'missing.txt' },
      { file: 'empty.txt' },
      42,
    ]) {
      expect(resolveSecret(ref, dir, {})).toHaveProperty('problem');
    }
  });
});

describe('checkToken', () => {
  const policy = tokenPolicy([Buffer.from('old-token'), Buffer.from('new-token')]);

  it('accepts any configured token (rotation) and refuses others', () => {
    expect(() => checkToken(policy, 'old-token')).not.toThrow();
    expect(() => checkToken(policy, 'new-token')).not.toThrow();
    expect(() => checkToken(policy, 'new-token ')).toThrow(
      expect.objectContaining({ code: 'TRIB_AUTH_BAD_TOKEN' }),
    );
    expect(() => checkToken(policy, 'x')).toThrow(expect.objectContaining({ code: 'TRIB_AUTH_BAD_TOKEN' }));
    expect(() => checkToken(policy, undefined)).toThrow(
      expect.objectContaining({ code: 'TRIB_AUTH_MISSING_TOKEN' }),
    );
  });

  it('keeps the query for _meta without the token (webhooks and WebSockets)', () => {
    expect(queryWithoutToken({ token: 's3cret', src: 'a', tag: ['x', 'y'] })).toEqual({
      src: 'a',
      tag: ['x', 'y'],
    });
    expect(queryWithoutToken({ token: 's3cret' })).toBeUndefined();
    expect(queryWithoutToken(undefined)).toBeUndefined();
  });

  it('lets anything through when no tokens are configured', () => {
    expect(() => checkToken(tokenPolicy(undefined), undefined)).not.toThrow();
  });

  it('finds the token in the header, the query or a bearer.<t> subprotocol', () => {
    expect(presentedToken('Bearer abc', undefined)).toBe('abc');
    expect(presentedToken('bearer   abc', undefined)).toBe('abc');
    expect(presentedToken('Basic abc', { token: 'q' })).toBe('q');
    expect(presentedToken(undefined, undefined, ['tributary.v1', 'bearer.s'])).toBe('s');
    expect(presentedToken(undefined, {})).toBeUndefined();
  });
});

describe('token policy in the catalog and on the webhook route', () => {
  let app: App;
  let produced = 0;
  const lastValues: string[] = [];
  beforeAll(async () => {
    process.env.TEST_TOKEN_A = 'token-a';
    process.env.TEST_TOKEN_B = 'token-b';
    app = await buildApp({
      config: defaultConfig(),
      catalog: await fixtureCatalog('tokens.yaml'),
      logger: capturedLogger().logger,
      sink: {
        async produce(records) {
          produced += records.length;
          lastValues.push(...records.map((r) => r.value));
        },
      },
    });
  });
  afterAll(() => app.fastify.close());

  const post = (url: string, headers: Record<string, string> = {}) =>
    app.fastify.inject({
      method: 'POST',
      url,
      payload: '{}',
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('answers 401 without a token and 403 with a wrong one, producing nothing', async () => {
    const missing = await post('/test/locked/inherits');
    expect(missing.statusCode).toBe(401);
    expect(missing.json().code).toBe('TRIB_AUTH_MISSING_TOKEN');
    const wrong = await post('/test/locked/inherits', { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('TRIB_AUTH_BAD_TOKEN');
    expect(produced).toBe(0);
  });

  it("accepts either of the capture's tokens, in the header or the query", async () => {
    expect((await post('/test/locked/inherits', { authorization: 'Bearer token-a' })).statusCode).toBe(200);
    expect((await post('/test/locked/inherits?token=token-b&src=x')).statusCode).toBe(200);
    expect(produced).toBe(2);
    expect(lastValues.at(-1)).toContain('"query":{"src":"x"}');
    expect(lastValues.join('')).not.toContain('token-b');
  });

  it("lets a binding override its capture's tokens, or open itself with []", async () => {
    expect((await post('/test/locked/own', { authorization: 'Bearer token-a' })).statusCode).toBe(403);
    expect((await post('/test/locked/own', { authorization: 'Bearer file-token-1' })).statusCode).toBe(200);
    expect((await post('/test/locked/open')).statusCode).toBe(200);
  });

  it('refuses before reading the body', async () => {
    const res = await app.fastify.inject({
      method: 'POST',
      url: '/test/locked/inherits',
      payload: 'x'.repeat(2 * 1024 * 1024),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401); // not 413: the body was never parsed
  });

  it('reports unset variables and plain-text tokens as catalog problems', async () => {
    delete process.env.TEST_TOKEN_B;
    const result = await loadCatalog(new URL('../fixtures/catalogs/tokens.yaml', import.meta.url).pathname);
    expect(result.catalog).toBeUndefined();
    expect(result.problems.map((p) => `${p.location.path}: ${p.message}`)).toContain(
      'captures.test/locked.endpoint.ingest.tokens[1]: environment variable TEST_TOKEN_B is not set',
    );
  });
});

describe('allowedOrigins in the catalog', () => {
  async function load(ingest: string, resource = ''): Promise<{ origins?: string[]; problems: string[] }> {
    const dir = tempDir('origins-');
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `collections:\n  t/c:\n    schema: { type: object }\n    key: [/_meta/uuid]\ncaptures:\n  t/cap:\n    endpoint:\n      ingest: ${ingest}\n    bindings:\n      - target: t/c\n        resource: { name: b${resource} }\n`,
    );
    process.env.ORIGIN_TEST_TOKEN = 'x';
    const result = await loadCatalog(file);
    return {
      origins: result.catalog?.bindings[0]?.allowedOrigins,
      problems: result.problems.map((p) => `${p.location.path}: ${p.message}`),
    };
  }

  it('takes exact origins from the capture, and lets a binding override them', async () => {
    expect(
      (await load("{ allowedOrigins: ['https://a.example', 'http://localhost:3000'] }")).origins,
    ).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(
      (await load("{ allowedOrigins: ['https://a.example'] }", ", allowedOrigins: ['https://b.example']"))
        .origins,
    ).toEqual(['https://b.example']);
    expect((await load('{}')).origins).toBeUndefined();
  });

  it('refuses paths, junk and * together with tokens', async () => {
    expect((await load("{ allowedOrigins: ['https://a.example/app'] }")).problems[0]).toMatch(
      /is not an origin/,
    );
    expect((await load("{ allowedOrigins: ['nope'] }")).problems[0]).toMatch(/is not an origin/);
    const star = await load("{ allowedOrigins: ['*'], tokens: ['${ORIGIN_TEST_TOKEN}'] }");
    expect(star.problems[0]).toMatch(/\['\*'\] is refused for a binding that requires tokens/);
    expect((await load("{ allowedOrigins: ['*'] }")).origins).toEqual(['*']);
  });

  it('reports a misspelt ingest option instead of ignoring it', async () => {
    expect((await load("{ tokns: ['${ORIGIN_TEST_TOKEN}'] }")).problems[0]).toMatch(
      /unknown property 'tokns'/,
    );
  });
});
