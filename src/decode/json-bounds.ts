// Checks a JSON text for the two shapes that JSON.parse accepts but the rest of the pipeline cannot carry
// (RFC 8259 §9 lets a parser limit nesting depth and the range of numbers):
//  - nesting deeper than maxDepth: V8's JSON.parse is iterative and takes 100k nested arrays, but later stages
//    recurse (ajv on recursive `$ref` schemas; JSON.stringify for documents without raw text, e.g. form
//    bodies) and throw RangeError near 3,000-5,000 levels on Node's default 984 KB stack (measured, issue 7:
//    a 500 at 5,000 nested arrays before this check).
//  - numbers beyond a double's range (`1e400`): JSON.parse makes them Infinity, so the schema judges Infinity
//    rather than the number sent, and re-serialized they become `null`. RFC 8259 §6: interoperable JSON
//    expects no more range than IEEE 754 binary64.
// Hand-written because no maintained JSON parser offers a depth bound without giving up V8's native parse
// speed: this is one linear pass that jumps over string contents with indexOf.
import { ERRORS, TributaryError } from '../errors.js';

/** Default for TRIBUTARY_MAX_JSON_DEPTH: above Ruby's (100) and .NET's (64) defaults, ~12x below overflow. */
export const DEFAULT_MAX_JSON_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** A double holds at most 309 integer digits; anything shorter without an exponent is finite. */
const MAX_FINITE_PLAIN_DIGITS = 309;

/**
 * Throws TRIB_DECODE_TOO_DEEP or TRIB_DECODE_NUMBER_OUT_OF_RANGE. Malformed text is left to JSON.parse,
 * which reports it with a position; this pass only has to stay linear and never throw on garbage. `mayOverflow`
 * is false when the caller walked JSON.parse(text) and found no non-finite number (parsedFlaws): it saves the scan
 * for numbers.
 */
export function checkJsonBounds(text: string, maxDepth: number, index?: number, mayOverflow = true): void {
  // Cheap tests first, so that typical documents skip the per-character scan (4.7-13% of the gateway's CPU per
  // WebSocket document before, issue 6 profiles). Each may say yes wrongly, never no wrongly:
  //  - nesting needs one `{` or `[` per level (brackets in strings count too);
  //  - JSON.parse turns an out-of-range literal into Infinity, so the parsed value holds one exactly when the text
  //    does (a walk costs ~0.3 µs per KiB; the best regex prefilter measured 1.6 µs).
  const mayBeDeep = text.length > maxDepth && bracketsExceed(text, maxDepth);
  if (!mayBeDeep && !mayOverflow) return;
  let depth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i + 1);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) {
        throw new TributaryError(
          ERRORS.DECODE_TOO_DEEP,
          withIndex(`JSON nesting deeper than ${maxDepth} levels`, index),
        );
      }
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      i++;
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      const end = endOfNumber(text, i);
      if (mayOverflow && !isFiniteLiteral(text, i, end)) {
        throw new TributaryError(
          ERRORS.DECODE_NUMBER_OUT_OF_RANGE,
          withIndex(`a number at character ${i} does not fit a 64-bit float`, index),
        );
      }
      i = end;
    } else {
      i++;
    }
  }
}

/** parsedFlaws bits: a number JSON.parse made Infinity; a key that poisons a prototype when merged. */
export const NON_FINITE = 1;
export const FORBIDDEN_KEY = 2;

/**
 * One iterative walk of a parsed JSON value (nesting depth is not checked yet) for what JSON.parse lets through:
 * non-finite numbers, and the keys secure-json-parse refuses, checked as it does (an own `__proto__`, or an own
 * `constructor` object with an own `prototype`). Hand-written instead of secure-json-parse (issue 17): its two
 * regular-expression scans of the text were ~0.5 µs per 1 KiB document, and this walk ran anyway.
 */
export function parsedFlaws(root: unknown): number {
  let flaws = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) flaws |= NON_FINITE;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null) {
      // JSON.parse defines `__proto__` as an own, enumerable data property, so for-in sees it.
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (key === '__proto__' || (key === 'constructor' && isPrototypeHolder(item))) flaws |= FORBIDDEN_KEY;
        stack.push(item);
      }
    }
  }
  return flaws;
}

function isPrototypeHolder(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype');
}

/** Whether the text holds more than `limit` opening brackets (in strings too). */
function bracketsExceed(text: string, limit: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > limit) return true;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > limit) return true;
  return false;
}

/** Index just past the closing quote (or the end of a truncated text). */
function endOfString(text: string, from: number): number {
  let i = from;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    // The quote is escaped when an odd number of backslashes precede it.
    let slashes = 0;
    for (let j = quote - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function endOfNumber(text: string, from: number): number {
  let i = from + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // digits, '.', 'e', 'E', '+', '-'
    const part =
      (c >= DIGIT_0 && c <= DIGIT_9) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
    if (!part) break;
  }
  return i;
}

function isFiniteLiteral(text: string, start: number, end: number): boolean {
  if (end - start < MAX_FINITE_PLAIN_DIGITS) {
    let exponent = false;
    for (let i = start; i < end && !exponent; i++) {
      const c = text.charCodeAt(i);
      exponent = c === 0x65 || c === 0x45;
    }
    if (!exponent) return true;
  }
  const value = Number(text.slice(start, end));
  // NaN means the token is malformed: JSON.parse reports that with a better message.
  return Number.isNaN(value) || Number.isFinite(value);
}

function withIndex(message: string, index: number | undefined): string {
  return index === undefined ? message : `document ${index}: ${message}`;
}
