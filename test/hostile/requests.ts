// fast-check arbitraries for hostile webhook requests (issue 7): valid documents and their mutations
// (truncated, bytes flipped or inserted), raw bytes, deep nesting, huge numbers and strings, prototype keys,
// invalid UTF-8, mismatched Content-Type and Content-Encoding.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

export interface HostileRequest {
  kind: string;
  /** The URL, query included. */
  path: string;
  /** The path alone, to find the binding. */
  bindingPath: string;
  headers: Record<string, string>;
  payload: Buffer;
}

const PATHS = ['/hostile/in/orders', '/hostile/in/anything', '/hostile/in/trees', '/hostile/in/redos'];

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constant('application/x-ndjson') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/cloudevents+json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset="UTF-16"',
      'application/xml',
      'multipart/form-data; boundary=----x',
      'application/x-www-form-urlencoded',
      '',
      '*/*',
      'application/',
      ';;;',
      'application/json;charset',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)) },
);

type Coding = 'gzip' | 'deflate' | 'br';
const compressors: Record<Coding, (b: Buffer) => Buffer> = {
  gzip: (b) => gzipSync(b),
  deflate: (b) => deflateSync(b),
  br: (b) => brotliCompressSync(b),
};

/** An order: valid against hostile/orders unless the generator chose otherwise. */
const order = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 80 })),
    amount: fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 5 })),
    note: fc.string({ unit: 'grapheme', maxLength: 200 }),
    tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
  },
  { requiredKeys: [] },
);

/** Any JSON value, with the keys that poison prototypes mixed into the key space. */
const poisonKeys = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '_meta', '\u005f_proto__'),
  },
);
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(poisonKeys, tie('value'), { maxKeys: 5 }),
  ),
}));

const documentText = fc.oneof(
  order.map((o) => JSON.stringify(o)),
  fc.dictionary(poisonKeys, anyJson.value, { maxKeys: 8 }).map((o) => JSON.stringify(o)),
  fc.array(order, { minLength: 0, maxLength: 60 }).map((a) => JSON.stringify(a)),
  anyJson.value.map((v) => JSON.stringify(v) ?? 'null'),
);

/** Text that is JSON only in shape: special numbers, deep nesting, huge strings, prototype keys. */
const craftedText = fc.oneof(
  fc.integer({ min: 1, max: 3000 }).map((d) => `{"a":${'['.repeat(d)}${']'.repeat(d)}}`),
  fc.integer({ min: 1, max: 400 }).map((d) => `${'{"next":'.repeat(d)}{}${'}'.repeat(d)}`),
  fc
    .constantFrom(
      '1e400',
      '-1e309',
      '1e-400',
      '123456789012345678901234567890',
      '-0',
      '0.1e+308',
      '9'.repeat(320),
    )
    .map((n) => `{"id":"n","amount":${n}}`),
  fc
    .integer({ min: 0, max: 200_000 })
    .map((n) => JSON.stringify({ id: 'long', amount: 1, note: 'x'.repeat(n) })),
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"a":[{"__proto__":1}]}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{}}',
    '{"_meta":{"uuid":"forged"}}',
  ),
  fc
    .tuple(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 20 }))
    .map(([n, tail]) =>
      JSON.stringify({ word: `${'a'.repeat(n)}${'!'.repeat(tail)}`, phrase: 'ab '.repeat(n % 5000) }),
    ),
);

/** Byte-level damage to a body: truncation, flipped or inserted bytes, invalid UTF-8, BOM, NUL. */
function mutate(bytes: Buffer): fc.Arbitrary<Buffer> {
  const at = fc.nat({ max: Math.max(0, bytes.length) });
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(bytes) },
    at.map((i) => bytes.subarray(0, i)),
    fc.tuple(at, fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const copy = Buffer.from(bytes);
      if (i < copy.length) copy[i] = b;
      return copy;
    }),
    fc
      .tuple(
        at,
        fc.constantFrom(
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xff],
          [0xf4, 0x90, 0x80, 0x80],
          [0],
        ),
      )
      .map(([i, ins]) => Buffer.concat([bytes.subarray(0, i), Buffer.from(ins), bytes.subarray(i)])),
    fc.constant(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])),
  );
}

/** NDJSON bodies built from several document texts, with CRLF and blank lines. */
const ndjsonText = fc
  .tuple(fc.array(documentText, { minLength: 1, maxLength: 20 }), fc.constantFrom('\n', '\r\n', '\n\n'))
  .map(([lines, sep]) => lines.join(sep));

const encoding = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Coding[] | string>([]) },
  {
    weight: 2,
    arbitrary: fc.array(fc.constantFrom<Coding>('gzip', 'deflate', 'br'), { minLength: 1, maxLength: 3 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('compress', 'identity', 'gzip;q=1', 'x-gzip', ',', 'gzip, identity'),
  },
);

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    path: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...PATHS) },
      { weight: 1, arbitrary: fc.webPath().map((p) => `/${p.replace(/^\/+/, '')}`) },
    ),
    query: fc.oneof(
      fc.constant(''),
      fc.webQueryParameters().map((q) => `?${q}`),
    ),
    contentType,
    text: fc.oneof(
      { weight: 4, arbitrary: documentText.map((t) => ['json', t] as const) },
      { weight: 2, arbitrary: ndjsonText.map((t) => ['ndjson', t] as const) },
      { weight: 2, arbitrary: craftedText.map((t) => ['crafted', t] as const) },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ maxLength: 2000 })
          .map((b) => ['bytes', Buffer.from(b).toString('latin1')] as const),
      },
    ),
    encoding,
    /** A Content-Encoding header that lies about the body, or a body left uncompressed. */
    lie: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .chain((r) => {
    const kind = r.text[0];
    const text = r.text[1];
    const raw = kind === 'bytes' ? Buffer.from(text, 'latin1') : Buffer.from(text);
    return mutate(raw).map((body): HostileRequest => {
      const headers: Record<string, string> = {};
      if (r.contentType !== '') headers['content-type'] = r.contentType;
      let payload = body;
      if (typeof r.encoding === 'string') {
        headers['content-encoding'] = r.encoding;
      } else if (r.encoding.length > 0) {
        headers['content-encoding'] = r.encoding.join(', ');
        if (!r.lie) for (const coding of r.encoding) payload = compressors[coding](payload);
      }
      return { kind, path: `${r.path}${r.query}`, bindingPath: r.path, headers, payload };
    });
  });

export interface HostileFrame {
  kind: string;
  path: string;
  payload: Buffer;
  binary: boolean;
  /** 1 = one frame; more = the message split into that many fragments (RFC 6455 §5.4). */
  fragments: number;
}

/** One WebSocket message: the same hostile texts and byte damage as the webhook bodies, framed variously. */
export const hostileFrame: fc.Arbitrary<HostileFrame> = fc
  .record({
    path: fc.constantFrom(...PATHS),
    text: fc.oneof(
      { weight: 4, arbitrary: documentText.map((t) => ['json', t] as const) },
      { weight: 2, arbitrary: ndjsonText.map((t) => ['ndjson', t] as const) },
      { weight: 2, arbitrary: craftedText.map((t) => ['crafted', t] as const) },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ maxLength: 2000 })
          .map((b) => ['bytes', Buffer.from(b).toString('latin1')] as const),
      },
    ),
    binary: fc.boolean(),
    fragments: fc.oneof(
      { weight: 4, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 16 }) },
    ),
  })
  .chain((r) => {
    const kind = r.text[0];
    const text = r.text[1];
    const raw = kind === 'bytes' ? Buffer.from(text, 'latin1') : Buffer.from(text);
    return mutate(raw).map(
      (payload): HostileFrame => ({ kind, path: r.path, payload, binary: r.binary, fragments: r.fragments }),
    );
  });
