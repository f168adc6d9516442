// One WebSocket message -> documents. A message has no Content-Type, so it describes itself: one JSON value (an
// object, or an array of objects, RFC 8259) or NDJSON lines (https://github.com/ndjson/ndjson-spec). It has no
// Content-Encoding either: per-message deflate is off, and the text is decoded as it arrived.
import { ERRORS, TributaryError } from '../errors.js';
import { decodeUtf8 } from './body.js';
import { checkDocumentCount } from './count.js';
import { type Document, decodeJson, parseJson } from './json.js';
import { decodeNdjson } from './ndjson.js';

export interface FrameLimits {
  maxDocuments: number;
  /** See json-bounds.ts; the decoders' default when not given. */
  maxDepth?: number;
}

/**
 * `binary` frames are taken as UTF-8 text too (Node clients send Buffers as binary frames); text frames were
 * already checked to be UTF-8 by ws (RFC 6455 §8.1 requires it).
 */
export function decodeFrame(data: Buffer, binary: boolean, limits: FrameLimits): Document[] {
  const text = binary ? decodeUtf8(data) : data.toString('utf8');
  if (text.trim() === '') throw new TributaryError(ERRORS.DECODE_EMPTY_BODY, 'the message holds no document');
  const docs = decodeText(text, limits.maxDepth);
  checkDocumentCount(docs.length, limits.maxDocuments, 'message');
  return docs;
}

function decodeText(text: string, maxDepth: number | undefined): Document[] {
  try {
    return decodeJson(text, maxDepth);
  } catch (err) {
    // NDJSON is not one JSON value, so JSON.parse stops at the end of its first line: trying JSON first costs
    // one line, and a pretty-printed object (newlines inside one value) still decodes as JSON.
    if (
      !(err instanceof TributaryError) ||
      err.spec !== ERRORS.DECODE_INVALID_JSON ||
      !hasInnerNewline(text)
    ) {
      throw err;
    }
    try {
      return decodeNdjson(text, maxDepth);
    } catch (ndjsonErr) {
      // Report the error of the format the sender meant: NDJSON when its first line is a JSON value by itself.
      throw firstLineParses(text) ? ndjsonErr : err;
    }
  }
}

function hasInnerNewline(text: string): boolean {
  return text.trim().includes('\n');
}

function firstLineParses(text: string): boolean {
  const trimmed = text.trimStart();
  const end = trimmed.indexOf('\n');
  try {
    parseJson(end < 0 ? trimmed : trimmed.slice(0, end));
    return true;
  } catch {
    return false;
  }
}
