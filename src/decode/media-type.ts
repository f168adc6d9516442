// Which body format a request's Content-Type names. RFC 9110 §8.3.1: type/subtype are case-insensitive,
// parameters follow `;`. Only the charset parameter matters here, and only UTF-8 is accepted.

export type BodyFormat = 'json' | 'ndjson' | 'form';

export interface MediaType {
  format: BodyFormat;
  charset: string | undefined;
}

// A Map, not an object: a Content-Type of `__proto__` or `constructor` must name no format (the fuzzer found
// `__proto__` answered 500 once the lean webhook path stopped relying on Fastify's parser to refuse it).
const FORMATS = new Map<string, BodyFormat>([
  ['application/json', 'json'],
  // AWS SNS and some SDKs post JSON as text/plain; treating it as JSON is what such senders need.
  ['text/plain', 'json'],
  ['application/x-ndjson', 'ndjson'],
  ['application/ndjson', 'ndjson'],
  ['application/jsonl', 'ndjson'],
  ['application/x-jsonlines', 'ndjson'],
  ['application/jsonlines', 'ndjson'],
  ['application/x-www-form-urlencoded', 'form'],
]);

/**
 * Senders repeat a few Content-Type values, so answers are kept (issue 17: 56-180 -> 7 ns per request, split,
 * trimmed and lower-cased once instead of on every request). Bounded in entries and in the length of what is
 * kept: a flood of distinct values only misses the cache.
 */
const PARSED = new Map<string, Readonly<MediaType> | undefined>();
const MAX_PARSED = 64;
const MAX_PARSED_LENGTH = 128;
const MISSING: Readonly<MediaType> = Object.freeze({ format: 'json', charset: undefined });

/** Returns undefined for a type the gateway cannot decode. A missing header is taken as JSON. */
export function parseMediaType(header: string | undefined): Readonly<MediaType> | undefined {
  if (header === undefined) return MISSING;
  const known = PARSED.get(header);
  if (known !== undefined || PARSED.has(header)) return known;
  const parsed = parse(header);
  if (PARSED.size < MAX_PARSED && header.length <= MAX_PARSED_LENGTH) PARSED.set(header, parsed);
  return parsed;
}

function parse(header: string): Readonly<MediaType> | undefined {
  if (header.trim() === '') return MISSING;
  const [essence = '', ...params] = header.split(';');
  const type = essence.trim().toLowerCase();
  let format = FORMATS.get(type);
  // Structured syntax suffix (RFC 6838 §4.2.8): application/cloudevents+json, application/vnd.x+json.
  if (format === undefined && type.startsWith('application/') && type.endsWith('+json')) format = 'json';
  if (format === undefined) return undefined;
  let charset: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return Object.freeze({ format, charset });
}

export function isUtf8Charset(charset: string | undefined): boolean {
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii';
}
