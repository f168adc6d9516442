// JSON (RFC 8259) documents: one object, or an array of objects. `__proto__` keys and `constructor.prototype` are
// refused (as secure-json-parse did, see parsedFlaws): the two shapes that poison prototypes when a consumer merges
// the object.
import { ERRORS, TributaryError } from '../errors.js';
import {
  checkJsonBounds,
  DEFAULT_MAX_JSON_DEPTH,
  FORBIDDEN_KEY,
  NON_FINITE,
  parsedFlaws,
} from './json-bounds.js';
import { rememberRawText, splitJsonArray } from './raw-text.js';

export type Document = Record<string, unknown>;

/** Parses one JSON value; errors say where, never echo the input (it may hold a sender's secrets). */
export function parseJson(text: string, index?: number, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  // Bounds after parsing: V8's JSON.parse and the walk of parsedFlaws are iterative, so depth cannot hurt them,
  // and text that does not parse (an NDJSON frame tried as one JSON value first) is never scanned: scanning it
  // first was 13% of the gateway's CPU per WebSocket document (issue 6 profile).
  let value: unknown;
  try {
    // A byte order mark is skipped, as secure-json-parse did.
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const message = (err as Error).message ?? '';
    throw new TributaryError(ERRORS.DECODE_INVALID_JSON, withIndex(describeJsonError(message), index), {
      cause: err,
    });
  }
  const flaws = parsedFlaws(value);
  if ((flaws & FORBIDDEN_KEY) !== 0) {
    throw new TributaryError(
      ERRORS.DECODE_FORBIDDEN_KEY,
      withIndex('Object contains forbidden prototype property', index),
    );
  }
  checkJsonBounds(text, maxDepth, index, (flaws & NON_FINITE) !== 0);
  return value;
}

export function decodeJson(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): Document[] {
  const value = parseJson(text, undefined, maxDepth);
  if (Array.isArray(value)) {
    const notObjects = value.flatMap((v, i) => (isDocument(v) ? [] : [i]));
    if (notObjects.length > 0) {
      throw new TributaryError(ERRORS.DECODE_NOT_AN_OBJECT, 'every array element must be a JSON object', {
        documents: notObjects.map((index) => ({ index, pointer: '', message: 'must be object' })),
      });
    }
    const docs = value as Document[];
    const texts = splitJsonArray(text);
    // Equal counts always, for text JSON.parse accepted; checked so a scanner bug can only cost the raw path.
    if (texts.length === docs.length) for (const [i, doc] of docs.entries()) rememberRawText(doc, texts[i]!);
    return docs;
  }
  if (!isDocument(value)) {
    throw new TributaryError(
      ERRORS.DECODE_NOT_AN_OBJECT,
      'body must be a JSON object or an array of objects',
    );
  }
  rememberRawText(value, text.trim());
  return [value];
}

export function isDocument(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** V8 quotes a slice of the input in some messages ("Unexpected token 'x', "{"a": x}" is not valid JSON"). */
export function describeJsonError(message: string): string {
  const snippet = message.indexOf(', "');
  const cut = snippet >= 0 && message.endsWith('is not valid JSON') ? message.slice(0, snippet) : message;
  return cut.length > 200 ? `${cut.slice(0, 200)}…` : cut;
}

function withIndex(message: string, index: number | undefined): string {
  return index === undefined ? message : `document ${index}: ${message}`;
}
