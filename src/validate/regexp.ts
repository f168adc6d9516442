// The regex engine ajv runs `pattern` and `patternProperties` with: RE2 semantics (re2js, a pure-JS port of
// RE2), so matching is linear in the input whatever the pattern. V8's RegExp backtracks: `^(a+)+$` against 28
// a's and a '!' took 1.8 s, `(a|aa)*b` against 1 MB of a's did not finish in minutes (measured, issue 7), and a
// catalog schema comes from vendors we do not control. re2js did those in 0 ms and 0.1 ms.
//
// Why re2js and not the native `re2` package: `re2` downloads a prebuilt binary from GitHub (not reachable
// here) and otherwise compiles RE2 from source with node-gyp: ~3 minutes on 2 cores at every `npm ci`, a C++
// toolchain in every image, and one build per Node ABI (20/22/24). re2js installs as plain JS everywhere.
// Cost (measured, 2 cores): 0.8-2 µs per typical pattern test vs 0.03-0.17 µs for RegExp and 0.1-0.4 µs for
// native re2; a few µs per document is small next to parsing and Kafka. Long strings cost ~55-340 ms per MB of
// input (native RegExp on a safe pattern: <1 ms/MB): linear, and bounded by the decoded body limit.
//
// Patterns are parsed as ECMAScript (u flag) by @eslint-community/regexpp first, which gives:
//  - Unicode property escapes in every spelling ECMAScript allows (`\p{Letter}`, `\p{Script=Greek}`, `\P{..}`),
//    rewritten as the explicit code point ranges V8 itself matches (./unicode-properties.ts): RE2 knows only
//    short names (issue 13).
//  - Leading lookaheads on an anchored pattern, decided as separate linear-time matches (issue 13):
//    `^(?!A)B` is "not ^(?:A), and ^(?:B)"; `^(?=A)B` is "^(?:A) and ^(?:B)". Both are anchored at the same
//    position 0, so the conjunction is exactly the lookahead's meaning. 18 of the 19 distinct lookaround
//    patterns in a corpus of 951 public schemas have this shape.
// Any other lookaround, and backreferences, cannot run in linear time: such a schema is refused at catalog load
// (a catalog problem naming the pattern) rather than silently risked.
import { type AST, RegExpParser } from '@eslint-community/regexpp';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';
import { backtrackingSafe } from './regexp-safe.js';
import { type CodePointRanges, complement, propertyRanges } from './unicode-properties.js';

// ECMAScript WhiteSpace and LineTerminator (ECMA-262 §12.2, §12.3), which JS `\s` matches; RE2's `\s` is
// ASCII only. Written as RE2 escapes so they can go inside a character class.
const JS_SPACE =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
// JS `.` (without the s flag) stops at every line terminator; RE2's `.` only at \n.
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';

/** A pattern RE2 cannot run (lookaround, backreference) or that is not a valid regex at all. */
export class UnsupportedPatternError extends Error {
  constructor(pattern: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `pattern ${JSON.stringify(pattern)} cannot run in linear time (${reason}); Tributary matches patterns ` +
        'with RE2 semantics, which have no backreferences and no lookaround other than lookaheads right after ' +
        'a leading ^, so that a pattern cannot make validation hang',
      { cause },
    );
    this.name = 'UnsupportedPatternError';
  }
}

/** A pattern that is not an ECMAScript regular expression (with the `u` flag JSON Schema implies). */
export class InvalidPatternError extends Error {
  constructor(pattern: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`pattern ${JSON.stringify(pattern)} is not a valid ECMAScript regular expression (${reason})`, {
      cause,
    });
    this.name = 'InvalidPatternError';
  }
}

/** JS pattern -> RE2 syntax with JS's meaning of `.`, `\s` and `\S`. */
export function toRe2Syntax(pattern: string): string {
  const re2 = RE2JS.translateRegExp(pattern);
  let out = '';
  let inClass = false;
  for (let i = 0; i < re2.length; i++) {
    const c = re2[i]!;
    if (c === '\\') {
      const next = re2[i + 1] ?? '';
      i++;
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${JS_SPACE}]`;
      else out += c + next;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      // translateRegExp already turned JS's `[]` and `[^]` into explicit ranges, so a class never opens
      // with the ']' that RE2 would read as a literal member.
      inClass = true;
      out += c;
    } else if (c === '.') {
      out += JS_DOT;
    } else {
      out += c;
    }
  }
  return out;
}

const parser = new RegExpParser({ ecmaVersion: 2025 });

/** The pattern's syntax tree with the `u` flag ajv uses; throws for what is not an ECMAScript pattern. */
function parsePattern(pattern: string): AST.Pattern {
  return parser.parsePattern(pattern, 0, pattern.length, { unicode: true });
}

function codePoint(cp: number): string {
  return `\\u{${cp.toString(16).toUpperCase()}}`;
}

function rangesSource(ranges: CodePointRanges): string {
  return ranges.map(([lo, hi]) => (lo === hi ? codePoint(lo) : `${codePoint(lo)}-${codePoint(hi)}`)).join('');
}

/** `\p{...}` / `\P{...}` replaced by explicit code point ranges (JS syntax; translateRegExp makes them RE2's). */
export function expandPropertyEscapes(pattern: string, ast: AST.Pattern = parsePattern(pattern)): string {
  const escapes: AST.CharacterUnicodePropertyCharacterSet[] = [];
  const visit = (node: AST.Node): void => {
    if (node.type === 'CharacterSet' && node.kind === 'property' && !node.strings) escapes.push(node);
    for (const child of childrenOf(node)) visit(child);
  };
  visit(ast);
  if (escapes.length === 0) return pattern;
  let out = '';
  let from = 0;
  for (const property of escapes.sort((a, b) => a.start - b.start)) {
    const body = property.raw.slice(3, -1); // between `\p{` and `}`
    const matched = propertyRanges(body);
    const inClass = property.parent.type === 'CharacterClass';
    const ranges = property.negate && inClass ? complement(matched) : matched;
    const source = rangesSource(ranges);
    out += pattern.slice(from, property.start);
    out += inClass ? source : `[${property.negate ? '^' : ''}${source}]`;
    from = property.end;
  }
  return out + pattern.slice(from);
}

function childrenOf(node: AST.Node): AST.Node[] {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
      return node.alternatives;
    case 'Assertion':
      return node.kind === 'lookahead' || node.kind === 'lookbehind' ? node.alternatives : [];
    case 'Alternative':
      return node.elements;
    case 'Quantifier':
      return [node.element];
    case 'CharacterClass':
      return node.elements;
    default:
      return [];
  }
}

interface Lookahead {
  negate: boolean;
  /** The lookahead's own alternatives, as written. */
  source: string;
}

/** `^(?!A)(?=B)C` -> lookaheads [!A, B] and rest `C`; undefined when the pattern has another shape. */
function leadingLookaheads(
  pattern: string,
  ast: AST.Pattern,
): { lookaheads: Lookahead[]; rest: string } | undefined {
  if (ast.alternatives.length !== 1) return undefined;
  const elements = ast.alternatives[0]!.elements;
  const first = elements[0];
  if (first?.type !== 'Assertion' || first.kind !== 'start') return undefined;
  const lookaheads: Lookahead[] = [];
  let index = 1;
  for (; index < elements.length; index++) {
    const element = elements[index]!;
    if (element.type !== 'Assertion' || element.kind !== 'lookahead') break;
    lookaheads.push({ negate: element.negate, source: pattern.slice(element.start + 3, element.end - 1) });
  }
  if (lookaheads.length === 0) return undefined;
  const rest = index < elements.length ? pattern.slice(elements[index]!.start) : '';
  return { lookaheads, rest };
}

function compileRe2(pattern: string, ast: AST.Pattern): RegExpLike {
  let re: RE2JS;
  try {
    re = RE2JS.compile(toRe2Syntax(expandPropertyEscapes(pattern, ast)));
  } catch (err) {
    throw new UnsupportedPatternError(pattern, err);
  }
  // ajv caches compiled patterns by toString(): it must name the pattern, or every pattern would share one.
  return { test: (s: string) => re.test(s), toString: () => `/${pattern}/u` } as RegExpLike;
}

function compileLinear(pattern: string, flags: string): RegExpLike {
  // Simple anchored patterns need no RE2: V8 matches them in linear time too, ~10x faster (./regexp-safe.ts).
  if (backtrackingSafe(pattern)) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // Not valid ECMAScript after all: reported below as a catalog problem.
    }
  }
  let ast: AST.Pattern;
  try {
    ast = parsePattern(pattern);
  } catch (err) {
    throw new InvalidPatternError(pattern, err);
  }
  const split = leadingLookaheads(pattern, ast);
  if (split) {
    let parts: { negate: boolean; re: RegExpLike }[];
    try {
      parts = split.lookaheads.map(({ negate, source }) => ({
        negate,
        re: compileLinear(`^(?:${source})`, flags),
      }));
      parts.push({ negate: false, re: compileLinear(`^(?:${split.rest})`, flags) });
    } catch (err) {
      throw new UnsupportedPatternError(pattern, err);
    }
    const test = (s: string): boolean => parts.every(({ negate, re }) => re.test(s) !== negate);
    return { test, toString: () => `/${pattern}/u` } as RegExpLike;
  }
  return compileRe2(pattern, ast);
}

/**
 * A pattern whose top-level alternatives are tested one by one: a string matches `A|B` exactly when it matches A
 * or B. For patterns a library builds by joining others with `|` (hyperjump's additionalProperties joins the
 * property names and patternProperties), so that each one gets its own linear route. `(?!)` never matches.
 */
export function linearUnion(pattern: string): RegExpLike {
  if (pattern === '(?!)') return { test: () => false, toString: () => '/(?!)/u' } as unknown as RegExpLike;
  let ast: AST.Pattern;
  try {
    ast = parsePattern(pattern);
  } catch (err) {
    throw new InvalidPatternError(pattern, err);
  }
  if (ast.alternatives.length < 2) return compileLinear(pattern, 'u');
  const parts = ast.alternatives.map((alternative) => compileLinear(alternative.raw, 'u'));
  return {
    test: (s: string) => parts.some((part) => part.test(s)),
    toString: () => `/${pattern}/u`,
  } as RegExpLike;
}

/** For ajv's `code.regExp` option. `code` is only used by ajv's standalone code generation, which we don't. */
export const linearRegExp: RegExpEngine = Object.assign(compileLinear, { code: 're2js' });
