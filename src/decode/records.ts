// A list of record values -> documents, one JSON object (UTF-8, RFC 8259) per value: the payload of a
// Kafka-protocol produce request (issue 15). A value that is not one object is refused with its index, so the
// producer learns which record and why (KIP-467 record_errors); every value is tried, all or nothing.
import { type DocumentProblem, ERRORS, TributaryError } from '../errors.js';
import { decodeUtf8 } from './body.js';
import { type Document, isDocument, parseJson } from './json.js';
import { rememberRawText } from './raw-text.js';

export interface RecordLimits {
  maxDocuments: number;
  /** Bytes of one value. */
  maxRecordBytes: number;
  maxDepth?: number;
}

/** Per-value problems in one answer are capped like validation's: 10,000 bad records make no 10 MB answer. */
const MAX_REPORTED = 100;

export function decodeRecords(values: readonly Buffer[], limits: RecordLimits): Document[] {
  if (values.length === 0) throw new TributaryError(ERRORS.DECODE_EMPTY_BODY, 'no records in the request');
  if (values.length > limits.maxDocuments) {
    throw new TributaryError(
      ERRORS.DECODE_TOO_MANY_DOCUMENTS,
      `at most ${limits.maxDocuments} records per request`,
    );
  }
  const docs: Document[] = new Array(values.length);
  const problems: DocumentProblem[] = [];
  let first: TributaryError | undefined;
  for (let index = 0; index < values.length; index++) {
    try {
      docs[index] = decodeRecord(values[index]!, index, limits);
    } catch (err) {
      if (!(err instanceof TributaryError)) throw err;
      first ??= err;
      if (problems.length < MAX_REPORTED) problems.push({ index, pointer: '', message: err.message });
    }
  }
  if (first !== undefined) {
    throw new TributaryError(first.spec, `${problems.length} record(s) are not JSON documents`, {
      documents: problems,
      cause: first,
    });
  }
  return docs;
}

function decodeRecord(value: Buffer, index: number, limits: RecordLimits): Document {
  if (value.length > limits.maxRecordBytes) {
    throw new TributaryError(
      ERRORS.DECODE_BODY_TOO_LARGE,
      `record ${index} exceeds ${limits.maxRecordBytes} bytes`,
    );
  }
  const text = decodeUtf8(value);
  if (text.trim() === '') throw new TributaryError(ERRORS.DECODE_EMPTY_BODY, `record ${index} is empty`);
  const doc = parseJson(text, index, limits.maxDepth);
  if (!isDocument(doc)) {
    throw new TributaryError(ERRORS.DECODE_NOT_AN_OBJECT, `record ${index} is not a JSON object`);
  }
  rememberRawText(doc, text.trim());
  return doc;
}
