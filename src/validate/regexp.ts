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
// RE2 has no lookaround and no backreferences: a pattern that needs them cannot run in linear time, so such a
// schema is refused at catalog load (a catalog problem naming the pattern) rather than silently risked.
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';
import { backtrackingSafe } from './regexp-safe.js';

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
        'with RE2 semantics, which have no lookaround or backreferences, so that a pattern cannot make ' +
        'validation hang',
      { cause },
    );
    this.name = 'UnsupportedPatternError';
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

function compileLinear(pattern: string, flags: string): RegExpLike {
  // Simple anchored patterns need no RE2: V8 matches them in linear time too, ~10x faster (./regexp-safe.ts).
  if (backtrackingSafe(pattern)) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // Not valid ECMAScript after all: re2js reports it below as a catalog problem.
    }
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(toRe2Syntax(pattern));
  } catch (err) {
    throw new UnsupportedPatternError(pattern, err);
  }
  // ajv caches compiled patterns by toString(): it must name the pattern, or every pattern would share one.
  return { test: (s: string) => re.test(s), toString: () => `/${pattern}/u` } as RegExpLike;
}

/** For ajv's `code.regExp` option. `code` is only used by ajv's standalone code generation, which we don't. */
export const linearRegExp: RegExpEngine = Object.assign(compileLinear, { code: 're2js' });
