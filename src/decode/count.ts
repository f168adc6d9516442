// How many documents one unit may hold (a request body, a WebSocket message): at least one, at most
// --max-documents. One check for every transport, so the bound and its codes cannot drift apart (issue 12).
import { ERRORS, TributaryError } from '../errors.js';

export type DocumentUnit = 'request' | 'message';

export function checkDocumentCount(count: number, maxDocuments: number, unit: DocumentUnit): void {
  if (count === 0) {
    throw new TributaryError(
      ERRORS.DECODE_EMPTY_BODY,
      `no documents in the ${unit === 'request' ? 'body' : unit}`,
    );
  }
  if (count > maxDocuments) {
    throw new TributaryError(
      ERRORS.DECODE_TOO_MANY_DOCUMENTS,
      `at most ${maxDocuments} documents per ${unit}`,
    );
  }
}
