// Integers beyond 2^53 judged exactly (issue 13). JSON.parse reads every number as a double: Shopify's order id
// 820982911946154508 is 820982911946154500 to ajv, so `maximum: 9223372036854775807` (int64), `multipleOf`,
// `enum` and `const` on snowflake ids or minor-unit amounts can misjudge. The document still reaches Kafka
// byte-exact (src/decode/raw-text.ts); its judgement should be exact too.
//
// How: a document whose sender's text holds a run of 16 or more digits (anything below 2^53 has at most 16) is
// re-read with lossless-json, and each integer that a double cannot hold is recorded beside the container it
// sits in (container -> key -> exact value). The validator then runs an ajv instance whose numeric keywords
// (./compiler.ts) compare those exactly with BigInt. Schema numbers beyond 2^53 are recorded the same way when
// the catalog reads the schema file (the YAML parser's intAsBigInt, on files holding such a run). Documents
// without such a number, nearly all of them, never leave the fast validator: the cost is one native regex test
// of the raw text, and only for schemas that have a numeric keyword.
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';

type Container = object;

/** Exact integers by container and key, for the document being validated and for schema nodes. */
const documentIntegers = new WeakMap<Container, Map<string, bigint>>();
const schemaIntegers = new WeakMap<Container, Map<string, bigint>>();

/**
 * Anything below 2^53 is written with at most 16 digits: a run of 16 is where an inexact integer can start.
 * Spelled out: V8 runs this 9x faster than `\d{16}` (measured on ~1 KiB orders: 0.23 vs 2.1 µs per document).
 */
const LONG_DIGIT_RUN = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;

export function mayHoldInexactIntegers(text: string): boolean {
  return LONG_DIGIT_RUN.test(text);
}

/** The integer a JSON number literal denotes, or undefined when it is not an integer (`1.5`, `1e-3`). */
export function integerOfLiteral(literal: string): bigint | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fraction.length;
  let digits = BigInt(whole! + fraction);
  if (exponent >= 0) {
    if (exponent > 1000) return undefined; // far beyond any double: refused at decode anyway
    digits *= 10n ** BigInt(exponent);
  } else {
    const divisor = 10n ** BigInt(-exponent);
    if (digits % divisor !== 0n) return undefined;
    digits /= divisor;
  }
  return sign === '-' ? -digits : digits;
}

function inexact(value: bigint): boolean {
  return !Number.isSafeInteger(Number(value));
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/**
 * Walks `plain` (what JSON.parse made) and `exact` (the same text read losslessly) side by side and records each
 * inexact integer under its container in `table`. Returns how many it recorded.
 */
function recordSideBySide(
  plain: unknown,
  exact: unknown,
  table: WeakMap<Container, Map<string, bigint>>,
  exactOf: (value: unknown) => bigint | undefined,
): number {
  let recorded = 0;
  const stack: [unknown, unknown][] = [[plain, exact]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (!isContainer(a) || !isContainer(b)) continue;
    for (const key of Object.keys(a)) {
      const inner = (a as Record<string, unknown>)[key];
      const twin = (b as Record<string, unknown>)[key];
      if (typeof inner === 'number') {
        const value = exactOf(twin);
        if (value !== undefined && inexact(value)) {
          let entries = table.get(a);
          if (!entries) {
            entries = new Map();
            table.set(a, entries);
          }
          entries.set(key, value);
          recorded++;
        }
      } else if (isContainer(inner)) {
        stack.push([inner, twin]);
      }
    }
  }
  return recorded;
}

/**
 * Records the inexact integers of a parsed document from the sender's text. False when there are none (or the
 * text cannot be read losslessly, e.g. duplicate keys JSON.parse took the last of): the fast validator judges.
 */
export function recordDocumentIntegers(document: object, text: string): boolean {
  let exact: unknown;
  try {
    exact = parseLossless(text);
  } catch {
    return false;
  }
  const exactOf = (value: unknown): bigint | undefined =>
    isLosslessNumber(value) ? integerOfLiteral(value.value) : undefined;
  return recordSideBySide(document, exact, documentIntegers, exactOf) > 0;
}

/** Records a schema's inexact integers from the same file parsed with integers as BigInt. */
export function recordSchemaIntegers(schema: unknown, withBigInts: unknown): void {
  recordSideBySide(schema, withBigInts, schemaIntegers, (value) =>
    typeof value === 'bigint' ? value : undefined,
  );
}

/** A schema copy keeps the exact integers of the node it was copied from. */
export function keepSchemaIntegers(from: object, to: object): void {
  const entries = schemaIntegers.get(from);
  if (entries && from !== to) schemaIntegers.set(to, entries);
}

/** The exact value at `container[key]`: a BigInt where one was recorded, else the value itself. */
export function exactDocumentValue(
  container: unknown,
  key: string | number | undefined,
  value: unknown,
): unknown {
  if (typeof value !== 'number' || !isContainer(container) || key === undefined) return value;
  return documentIntegers.get(container)?.get(String(key)) ?? value;
}

export function exactSchemaValue(node: unknown, keyword: string, value: unknown): unknown {
  if (typeof value !== 'number' || !isContainer(node)) return value;
  return schemaIntegers.get(node)?.get(keyword) ?? value;
}

/** An exact rational p/q (q > 0) for a number or BigInt; doubles by their shortest decimal, as written. */
function rational(value: number | bigint): [bigint, bigint] {
  if (typeof value === 'bigint') return [value, 1n];
  if (Number.isInteger(value)) return [BigInt(value), 1n];
  const [mantissa, exponentText = '0'] = String(value).toLowerCase().split('e');
  const [whole, fraction = ''] = mantissa!.split('.');
  const exponent = Number(exponentText) - fraction.length;
  const digits = BigInt(whole! + fraction);
  return exponent >= 0 ? [digits * 10n ** BigInt(exponent), 1n] : [digits, 10n ** BigInt(-exponent)];
}

/** -1, 0 or 1: a compared with b, exactly. */
export function compareExact(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const [p, q] = rational(a);
  const [r, s] = rational(b);
  const left = p * s;
  const right = r * q;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Whether `value` is an integer multiple of `divisor`, exactly (divisor by its decimal, as the schema wrote it). */
export function isMultipleExact(value: number | bigint, divisor: number | bigint): boolean {
  const [p, q] = rational(value);
  const [r, s] = rational(divisor);
  // (p/q) / (r/s) = (p*s) / (q*r) is an integer.
  return r !== 0n && (p * s) % (q * r) === 0n;
}

/**
 * JSON equality (enum, const, uniqueItems) with exact integers: containers are compared member by member, each
 * number by its recorded exact value in its own container.
 */
export function equalExact(a: unknown, b: unknown, aExact: ExactReader, bExact: ExactReader): boolean {
  if (isContainer(a) && isContainer(b)) {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => {
      if (!Object.hasOwn(b, key)) return false;
      const x = aExact(a, key, (a as Record<string, unknown>)[key]);
      const y = bExact(b, key, (b as Record<string, unknown>)[key]);
      return equalExact(x, y, aExact, bExact);
    });
  }
  const numeric = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';
  if (numeric(a) && numeric(b)) return compareExact(a, b) === 0;
  return a === b;
}

export type ExactReader = (container: unknown, key: string, value: unknown) => unknown;

export const documentReader: ExactReader = exactDocumentValue;
export const schemaReader: ExactReader = exactSchemaValue;
