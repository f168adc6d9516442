// Raw request bytes -> documents. The raw bytes stay untouched for signature checks, which run before this.
import { ERRORS, TributaryError } from '../errors.js';
import { decompress } from './compression.js';
import { checkDocumentCount } from './count.js';
import { type Document, decodeJson } from './json.js';
import { isUtf8Charset, parseMediaType } from './media-type.js';
import { decodeNdjson } from './ndjson.js';

export interface DecodeLimits {
  /** Bytes after Content-Encoding is undone. */
  maxDecodedBytes: number;
  maxDocuments: number;
  /** Deepest JSON nesting accepted (default DEFAULT_MAX_JSON_DEPTH); see json-bounds.ts. */
  maxDepth?: number;
}

export interface BodyHeaders {
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

// fatal: Buffer#toString would silently turn invalid UTF-8 into U+FFFD and write altered text to Kafka.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type FormDecoder = (text: string) => Document[];

export async function decodeBody(
  raw: Buffer,
  headers: BodyHeaders,
  limits: DecodeLimits,
  decodeForm?: FormDecoder,
): Promise<Document[]> {
  const media = parseMediaType(headers.contentType);
  if (media === undefined || (media.format === 'form' && decodeForm === undefined)) {
    throw new TributaryError(
      ERRORS.DECODE_UNSUPPORTED_MEDIA_TYPE,
      `Content-Type '${headers.contentType}' is not accepted`,
    );
  }
  if (!isUtf8Charset(media.charset)) {
    throw new TributaryError(
      ERRORS.DECODE_UNSUPPORTED_MEDIA_TYPE,
      `charset '${media.charset}' is not accepted; use utf-8`,
    );
  }
  const bytes = await decompress(raw, headers.contentEncoding, limits.maxDecodedBytes);
  if (bytes.length > limits.maxDecodedBytes) {
    throw new TributaryError(ERRORS.DECODE_BODY_TOO_LARGE, `body exceeds ${limits.maxDecodedBytes} bytes`);
  }
  const text = decodeUtf8(bytes);
  if (text.trim() === '') throw new TributaryError(ERRORS.DECODE_EMPTY_BODY);
  let docs: Document[];
  switch (media.format) {
    case 'json':
      docs = decodeJson(text, limits.maxDepth);
      break;
    case 'ndjson':
      docs = decodeNdjson(text, limits.maxDepth);
      break;
    case 'form':
      docs = decodeForm!(text);
      break;
  }
  checkDocumentCount(docs.length, limits.maxDocuments, 'request');
  return docs;
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new TributaryError(ERRORS.DECODE_INVALID_UTF8, undefined, { cause: err });
  }
}
