// Content-Encoding (RFC 9110 §8.4): gzip, deflate and br, possibly stacked ("gzip, br" = gzip first, then br).
// Every layer is bounded by maxOutputLength, so a 1 KiB gzip bomb cannot expand into gigabytes of memory.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ERRORS, TributaryError } from '../errors.js';

type Inflate = (buf: Buffer, opts: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

const gunzip = promisify(zlib.gunzip) as Inflate;
const inflate = promisify(zlib.inflate) as Inflate;
const inflateRaw = promisify(zlib.inflateRaw) as Inflate;
const brotli = promisify(zlib.brotliDecompress) as Inflate;

/** At most this many stacked encodings; more is an attack, not a sender. */
const MAX_LAYERS = 2;

export async function decompress(
  body: Buffer,
  header: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  if (header === undefined) return body;
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length > MAX_LAYERS) {
    throw new TributaryError(ERRORS.DECODE_UNSUPPORTED_ENCODING, `at most ${MAX_LAYERS} content codings`);
  }
  let out = body;
  // Codings are listed in the order they were applied, so undo them from the last.
  for (let i = codings.length - 1; i >= 0; i--) {
    out = await decodeLayer(out, codings[i]!, maxBytes);
  }
  return out;
}

async function decodeLayer(buf: Buffer, coding: string, maxBytes: number): Promise<Buffer> {
  const opts = { maxOutputLength: maxBytes };
  try {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return await gunzip(buf, opts);
      case 'br':
        return await brotli(buf, opts);
      case 'deflate':
        // RFC 9110 says zlib-wrapped; some senders send raw deflate, so fall back to it.
        try {
          return await inflate(buf, opts);
        } catch (err) {
          if (isTooLarge(err)) throw err;
          return await inflateRaw(buf, opts);
        }
      default:
        throw new TributaryError(
          ERRORS.DECODE_UNSUPPORTED_ENCODING,
          `Content-Encoding '${coding}' is not supported`,
        );
    }
  } catch (err) {
    if (err instanceof TributaryError) throw err;
    if (isTooLarge(err)) {
      throw new TributaryError(ERRORS.DECODE_BODY_TOO_LARGE, `decoded body exceeds ${maxBytes} bytes`);
    }
    throw new TributaryError(ERRORS.DECODE_BAD_COMPRESSION, `body is not valid ${coding}`, { cause: err });
  }
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}
