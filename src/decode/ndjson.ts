// NDJSON / JSON Lines (https://github.com/ndjson/ndjson-spec, https://jsonlines.org): one JSON object per line,
// LF or CRLF separated. Blank lines are skipped, as both specs allow parsers to do.
import { ERRORS, TributaryError } from '../errors.js';
import { type Document, isDocument, parseJson } from './json.js';
import { DEFAULT_MAX_JSON_DEPTH } from './json-bounds.js';
import { rememberRawText } from './raw-text.js';

export function decodeNdjson(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): Document[] {
  const docs: Document[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    if (line !== '') {
      const index = docs.length;
      const value = parseJson(line, index, maxDepth);
      if (!isDocument(value)) {
        throw new TributaryError(
          ERRORS.DECODE_NOT_AN_OBJECT,
          `document ${index}: each line must be a JSON object`,
          {
            documents: [{ index, pointer: '', message: 'must be object' }],
          },
        );
      }
      rememberRawText(value, line);
      docs.push(value);
    }
    start = end + 1;
  }
  return docs;
}
