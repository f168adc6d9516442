// Issue 7: crafted hostile bodies against the webhook front door. Each must be a 4xx with a registered code
// (never a 5xx, never a crash), produce nothing, and answer fast; see hostile-app.ts for the invariant.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer, type HostileApp, hostileApp, injectPost, LIMITS } from './hostile-app.js';

let h: HostileApp;
beforeAll(async () => {
  h = await hostileApp();
});
afterAll(() => h.app.fastify.close());

const JSON_CT = { 'content-type': 'application/json' };

async function expectRefused(
  path: string,
  payload: string | Buffer,
  headers: Record<string, string>,
  code: string,
): Promise<number> {
  const started = performance.now();
  const res = await injectPost(h, path, payload, headers);
  const outcome = checkAnswer(h, res, path);
  expect(outcome).toMatchObject({ kind: 'refused', code });
  return performance.now() - started;
}

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('deep nesting (issue 7: was a 500 from JSON.stringify at 5,000 levels)', () => {
  it('refuses 100,000 nested arrays in a document with TRIB_DECODE_TOO_DEEP, on every binding', async () => {
    // 200 KB as text: sent gzipped to pass the 64 KiB body limit, as an attacker would.
    const gz = { ...JSON_CT, 'content-encoding': 'gzip' };
    for (const path of ['/hostile/in/anything', '/hostile/in/trees', '/hostile/in/orders']) {
      const body = gzipSync(`{"a":${nestedArrays(100_000)}}`);
      const ms = await expectRefused(path, body, gz, 'TRIB_DECODE_TOO_DEEP');
      expect(ms).toBeLessThan(2000);
    }
    await expectRefused('/hostile/in/anything', gzipSync(nestedArrays(100_000)), gz, 'TRIB_DECODE_TOO_DEEP');
  });

  it('refuses deep nesting in an NDJSON line and in a gzip-compressed body', async () => {
    const ndjson = `{"a":1}\n{"a":${nestedArrays(5000)}}\n`;
    await expectRefused(
      '/hostile/in/anything',
      ndjson,
      { 'content-type': 'application/x-ndjson' },
      'TRIB_DECODE_TOO_DEEP',
    );
    await expectRefused(
      '/hostile/in/anything',
      gzipSync(`{"a":${nestedArrays(60_000)}}`),
      { ...JSON_CT, 'content-encoding': 'gzip' },
      'TRIB_DECODE_TOO_DEEP',
    );
  });

  it('takes a recursive schema at the depth limit, and refuses one level more', async () => {
    const tree = (depth: number) => `${'{"next":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    const res = await injectPost(h, '/hostile/in/trees', tree(256), JSON_CT);
    expect(checkAnswer(h, res, '/hostile/in/trees')).toEqual({ kind: 'accepted', documents: 1 });
    await expectRefused('/hostile/in/trees', tree(257), JSON_CT, 'TRIB_DECODE_TOO_DEEP');
  });
});

describe('numbers and strings', () => {
  it('refuses numbers beyond a double, which the schema would judge as Infinity (issue 7)', async () => {
    for (const n of ['1e400', '-1e400', '1'.repeat(400)]) {
      await expectRefused('/hostile/in/anything', `{"n":${n}}`, JSON_CT, 'TRIB_DECODE_NUMBER_OUT_OF_RANGE');
    }
  });

  it('takes a large string within the limits and refuses a document above the record limit', async () => {
    const fits = JSON.stringify({ id: 'big', amount: 1, note: 'x'.repeat(60_000) });
    expect(
      checkAnswer(h, await injectPost(h, '/hostile/in/orders', fits, JSON_CT), '/hostile/in/orders'),
    ).toEqual({
      kind: 'accepted',
      documents: 1,
    });
    const tooBig = gzipSync(JSON.stringify({ id: 'big', amount: 1, note: 'x'.repeat(200_000) }));
    await expectRefused(
      '/hostile/in/orders',
      tooBig,
      { ...JSON_CT, 'content-encoding': 'gzip' },
      'TRIB_KAFKA_RECORD_TOO_LARGE',
    );
  });
});

describe('prototype keys', () => {
  it('refuses __proto__ and constructor.prototype, also unicode-escaped and inside arrays or NDJSON', async () => {
    const bodies = [
      '{"__proto__":{"polluted":true}}',
      '{"a":{"__proto__":{"x":1}}}',
      '{"\\u005f_proto__":{"x":1}}',
      '{"__proto__" :{"x":1}}',
      '[{"ok":1},{"constructor":{"prototype":{"x":1}}}]',
    ];
    for (const body of bodies) {
      await expectRefused('/hostile/in/anything', body, JSON_CT, 'TRIB_DECODE_FORBIDDEN_KEY');
    }
    await expectRefused(
      '/hostile/in/anything',
      '{"a":1}\n{"__proto__":{"x":1}}',
      { 'content-type': 'application/x-ndjson' },
      'TRIB_DECODE_FORBIDDEN_KEY',
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('encodings and media types', () => {
  it('refuses invalid UTF-8: overlong, surrogate, truncated and stray bytes', async () => {
    const bad = [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xf4, 0x90, 0x80, 0x80]];
    for (const bytes of bad) {
      const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')]);
      await expectRefused('/hostile/in/anything', body, JSON_CT, 'TRIB_DECODE_INVALID_UTF8');
    }
  });

  it('refuses malformed and truncated JSON, and a JSON body under a foreign media type', async () => {
    for (const body of ['{"a":', '{"a":1,}', "{'a':1}", '<a>1</a>', '{"a":1}{"b":2}', 'nul', '{"a":"\\x"}']) {
      await expectRefused('/hostile/in/anything', body, JSON_CT, 'TRIB_DECODE_INVALID_JSON');
    }
    for (const ct of [
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
    ]) {
      await expectRefused(
        '/hostile/in/anything',
        '{"a":1}',
        { 'content-type': ct },
        'TRIB_DECODE_UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('refuses a Content-Encoding that does not match the body, unknown codings and too many layers', async () => {
    const plain = '{"a":1}';
    await expectRefused(
      '/hostile/in/anything',
      plain,
      { ...JSON_CT, 'content-encoding': 'gzip' },
      'TRIB_DECODE_BAD_COMPRESSION',
    );
    await expectRefused(
      '/hostile/in/anything',
      gzipSync(plain),
      { ...JSON_CT, 'content-encoding': 'br' },
      'TRIB_DECODE_BAD_COMPRESSION',
    );
    await expectRefused(
      '/hostile/in/anything',
      plain,
      { ...JSON_CT, 'content-encoding': 'compress' },
      'TRIB_DECODE_UNSUPPORTED_ENCODING',
    );
    await expectRefused(
      '/hostile/in/anything',
      gzipSync(gzipSync(gzipSync(plain))),
      { ...JSON_CT, 'content-encoding': 'gzip, gzip, gzip' },
      'TRIB_DECODE_UNSUPPORTED_ENCODING',
    );
  });

  it('refuses gzip, deflate, brotli and stacked bombs at the decoded limit without inflating them', async () => {
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    const gz = gzipSync(zeros, { level: 9 });
    const bombs: [Buffer, string][] = [
      [gz, 'gzip'],
      [deflateSync(zeros, { level: 9 }), 'deflate'],
      [brotliCompressSync(zeros), 'br'],
      [gzipSync(gz), 'gzip, gzip'],
    ];
    for (const [body, coding] of bombs) {
      expect(body.length).toBeLessThan(LIMITS.bodyLimit);
      const before = process.memoryUsage().rss;
      const ms = await expectRefused(
        '/hostile/in/anything',
        body,
        { ...JSON_CT, 'content-encoding': coding },
        'TRIB_DECODE_BODY_TOO_LARGE',
      );
      expect(ms).toBeLessThan(2000);
      // 16 MiB inflated (per layer) would show; the bound is the 256 KiB decoded limit.
      expect(process.memoryUsage().rss - before).toBeLessThan(12 * 1024 * 1024);
    }
  });

  it('refuses an oversize body as sent with 413 before decoding it', async () => {
    await expectRefused(
      '/hostile/in/anything',
      `{"a":"${'x'.repeat(LIMITS.bodyLimit)}"}`,
      JSON_CT,
      'TRIB_DECODE_BODY_TOO_LARGE',
    );
  });
});

describe('a pathological pattern cannot make validation hang (issue 7)', () => {
  it("answers ^(a+)+$ against 30,000 a's and a '!' in well under a second", async () => {
    const started = performance.now();
    // JS RegExp: 1.8 s at 28 a's, doubling with each one more.
    const body = JSON.stringify({ word: `${'a'.repeat(30_000)}!`, phrase: `${'ab '.repeat(8_000)}!` });
    await expectRefused('/hostile/in/redos', body, JSON_CT, 'TRIB_VALIDATE_SCHEMA');
    expect(performance.now() - started).toBeLessThan(1500);
    const res = await injectPost(h, '/hostile/in/redos', '{"word":"aaaa","phrase":"two words"}', JSON_CT);
    expect(checkAnswer(h, res, '/hostile/in/redos')).toEqual({ kind: 'accepted', documents: 1 });
  });
});

describe('query strings (issue 7: found by fuzzing)', () => {
  it('refuses ?__proto__ rather than writing it into _meta.query', async () => {
    for (const url of [
      '/hostile/in/anything?__proto__',
      '/hostile/in/anything?a=1&__proto__=x',
      '/hostile/in/anything?__proto__=a&__proto__=b',
    ]) {
      const res = await injectPost(h, url, '{"a":1}', JSON_CT);
      expect(checkAnswer(h, res, '/hostile/in/anything')).toMatchObject({
        code: 'TRIB_DECODE_FORBIDDEN_KEY',
      });
    }
  });
});
