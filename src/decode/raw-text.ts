// The sender's own text of each document, kept beside the parsed value. Kafka gets that text with `_meta`
// spliced in, not a re-serialization: JSON.parse turns integers above 2^53 into doubles (Shopify's order id
// 820982911946154508 would reach Kafka as 820982911946154500), and "nothing else changes" must hold to the byte.
// A non-enumerable symbol property rather than a field: the parsed document is what the schema validates and
// must stay as sent, and no validator, JSON.stringify, spread or equality check sees such a property. Rather than
// a WeakMap (issue 17): its set() was 3.9% of the in-process NDJSON profile, and its entries are ephemerons the
// garbage collector traces specially.
const RAW_TEXT = Symbol('tributary.rawText');

export function rememberRawText(document: object, text: string): void {
  Object.defineProperty(document, RAW_TEXT, { value: text, configurable: true });
}

export function rawTextOf(document: object): string | undefined {
  return (document as { [RAW_TEXT]?: string })[RAW_TEXT];
}

/**
 * Top-level element texts of a JSON array, in order. Hand-written because no JSON library reports element
 * spans; it runs only on text JSON.parse already accepted, so it need not diagnose anything, just track
 * strings (with escapes) and nesting depth.
 */
export function splitJsonArray(text: string): string[] {
  const elements: string[] = [];
  let i = text.indexOf('[') + 1;
  let depth = 0;
  let start = -1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (start < 0) start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (start < 0) start = i;
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 0) break; // the array's own closing bracket
      depth--;
    } else if (c === 0x2c /* , */ && depth === 0) {
      elements.push(text.slice(start, i).trim());
      start = -1;
    } else if (start < 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      start = i;
    }
  }
  if (start >= 0) elements.push(text.slice(start, i).trim());
  return elements;
}

/** `{...}` + `_meta` -> `{..., "_meta": {...}}`, keeping every byte of the sender's object. */
export function spliceMeta(objectText: string, metaJson: string): string {
  const close = objectText.lastIndexOf('}');
  const open = objectText.indexOf('{');
  const empty = objectText.slice(open + 1, close).trim() === '';
  return `${objectText.slice(0, close).trimEnd()}${empty ? '' : ','}"_meta":${metaJson}}`;
}
