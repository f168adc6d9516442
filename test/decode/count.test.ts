// One document-count check for request bodies and WebSocket messages (issue 12).
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/decode/body.js';
import { checkDocumentCount } from '../../src/decode/count.js';
import { decodeFrame } from '../../src/decode/frame.js';

describe('checkDocumentCount', () => {
  it('refuses none and more than the bound, per request or message, with the same codes', () => {
    expect(() => checkDocumentCount(0, 5, 'request')).toThrow(
      expect.objectContaining({ code: 'TRIB_DECODE_EMPTY_BODY' }),
    );
    expect(() => checkDocumentCount(6, 5, 'message')).toThrow(
      expect.objectContaining({
        code: 'TRIB_DECODE_TOO_MANY_DOCUMENTS',
        message: 'at most 5 documents per message',
      }),
    );
    expect(() => checkDocumentCount(5, 5, 'request')).not.toThrow();
  });

  it('is the check both decoders apply', async () => {
    const three = Buffer.from('{"a":1}\n{"a":2}\n{"a":3}');
    expect(() => decodeFrame(three, false, { maxDocuments: 2 })).toThrow('at most 2 documents per message');
    expect(decodeFrame(three, false, { maxDocuments: 3 })).toHaveLength(3);
    const headers = { contentType: 'application/x-ndjson', contentEncoding: undefined };
    await expect(decodeBody(three, headers, { maxDecodedBytes: 1000, maxDocuments: 2 })).rejects.toThrow(
      'at most 2 documents per request',
    );
  });
});
