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
  // A text whose first line is a JSON value by itself cannot be one JSON value (more follows that line), so it is
  // NDJSON; otherwise it is one JSON value, pretty-printed or not. Deciding by the first line instead of trying the
  // whole frame as JSON first: that failed JSON.parse cost ~33 µs per fresh 100 KB frame (decodeFrame of 100
  // bench documents 409 -> 375 µs, issue 17), where the first line costs one document's parse.
  if (!hasInnerNewline(text) || !succeeds(() => JSON.parse(firstLine(text))))
    return decodeJson(text, maxDepth);
  try {
    return decodeNdjson(text, maxDepth);
  } catch (ndjsonErr) {
    // Report the error of the format the sender meant: NDJSON when its first line is a document by itself
    // (bounds and forbidden keys included), else the JSON error of the whole text, which cannot parse.
    if (succeeds(() => parseJson(firstLine(text)))) throw ndjsonErr;
    return decodeJson(text, maxDepth);
  }
}

function hasInnerNewline(text: string): boolean {
  return text.trim().includes('\n');
}

/** The first line that is not blank (trimStart also drops a byte order mark). */
function firstLine(text: string): string {
  const trimmed = text.trimStart();
  const end = trimmed.indexOf('\n');
  return end < 0 ? trimmed : trimmed.slice(0, end);
}

function succeeds(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}
