// application/x-www-form-urlencoded bodies (Twilio, Slack slash commands and interactivity, GitHub's form mode)
// -> one document. Grammar: WHATWG URL Standard §5.1, https://url.spec.whatwg.org/#urlencoded-parsing
//   split on '&', skip empty pieces, split each at the first '=', '+' is a space, then percent-decode as UTF-8.
// Hand-written instead of URLSearchParams: that one turns malformed percent-escapes and invalid UTF-8 into
// U+FFFD without a word, which would write altered text to Kafka (decodeUtf8 is fatal for the same reason).
import { ERRORS, TributaryError } from '../errors.js';
import { type Document, parseJson } from './json.js';

export type FormPairs = Array<[name: string, value: string]>;

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch (err) {
    throw new TributaryError(
      ERRORS.DECODE_INVALID_FORM,
      'a form name or value has a malformed percent-escape or is not UTF-8',
      { cause: err },
    );
  }
}

/** Name/value pairs in body order; repeated names stay repeated. */
export function parseFormPairs(text: string): FormPairs {
  const pairs: FormPairs = [];
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    pairs.push([decodeComponent(name), decodeComponent(value)]);
  }
  return pairs;
}

/**
 * Fields become string properties; a repeated name becomes an array of its values in body order (Twilio's
 * `MediaUrl0`-style fields are distinct names, but checkbox-style repeats exist). One exception, decided for
 * GitHub's form mode and Slack's interactivity: a body whose only field is `payload` holding a JSON object is that
 * object, so the collection's schema sees the same document as in JSON mode. `payload` text that starts with `{`
 * must then be valid JSON (400 otherwise), so a prototype-poisoning key in it is refused as in a JSON body.
 */
export function decodeForm(text: string): Document[] {
  const pairs = parseFormPairs(text.trim());
  if (pairs.length === 1 && pairs[0]![0] === 'payload' && pairs[0]![1].trimStart().startsWith('{')) {
    return [parseJson(pairs[0]![1]) as Document];
  }
  const doc: Document = {};
  for (const [name, value] of pairs) {
    // `__proto__` as an own key would be dropped or, merged by a consumer, poison its prototype.
    if (name === '__proto__') throw new TributaryError(ERRORS.DECODE_FORBIDDEN_KEY, 'form field __proto__');
    if (!Object.hasOwn(doc, name)) doc[name] = value;
    else {
      const earlier = doc[name];
      if (Array.isArray(earlier)) earlier.push(value);
      else doc[name] = [earlier, value];
    }
  }
  return [doc];
}
