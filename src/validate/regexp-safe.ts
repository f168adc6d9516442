// Which schema patterns may run on V8's own RegExp instead of re2js. re2js is linear whatever the pattern but
// costs 1-2 µs per test: on the benchmark's order schema (6 patterns) it was 3% of the gateway's CPU per webhook
// and 5.7% per WebSocket document (issue 6 profiles). Most vendor patterns are simple anchored shapes
// (`^[A-Z]{3}$`, `^ord_[0-9a-z]{8,32}$`) that a backtracking engine also matches in linear time, and for them
// native RegExp is the exact JSON Schema (ECMA-262) meaning, with no translation.
//
// A pattern qualifies when it is provably deterministic for a backtracking matcher:
//  - anchored with `^` (one start position; an unanchored pattern is retried at every offset),
//  - a plain sequence of atoms (literal, escape, Unicode property escape, `.` or a class), each with an optional greedy quantifier;
//    no groups, alternation, lookaround, backreferences or lazy quantifiers,
//  - every variable-length atom's character set is disjoint from every character that can come next.
// Then each backtracking step (an atom giving a character back) fails at the very next atom in O(1), so a match
// is O(length of input). Anything else, or anything this parser does not understand, stays on re2js.
// Hand-written because the checkers on npm judge by heuristics (safe-regex's star height) rather than proof.

import { complement, merge as normalize, propertyRanges } from './unicode-properties.js';

/** Code point ranges [lo, hi], sorted and disjoint. */
type CharSet = [number, number][];

interface Atom {
  set: CharSet;
  min: number;
  max: number;
}

const MAX_CODE_POINT = 0x10ffff;
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
// ECMAScript WhiteSpace and LineTerminator (ECMA-262 §12.2, §12.3): what `\s` matches.
const SPACE: CharSet = normalize([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
// `.` without the s flag: anything but a line terminator.
const DOT: CharSet = complement([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]);
const CONTROL_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };
/** Characters that must be escaped to be literal outside a class in a `u` pattern. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

function intersects(a: CharSet, b: CharSet): boolean {
  for (const [alo, ahi] of a) for (const [blo, bhi] of b) if (alo <= bhi && blo <= ahi) return true;
  return false;
}

class Unsupported extends Error {}

/** Parses the subset described above; throws Unsupported for anything outside it. */
class Parser {
  private readonly chars: string[];
  private pos = 0;

  constructor(pattern: string) {
    this.chars = [...pattern]; // code points, as the `u` flag reads them
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private take(): string {
    const c = this.chars[this.pos++];
    if (c === undefined) throw new Unsupported();
    return c;
  }

  parse(): Atom[] {
    if (this.take() !== '^') throw new Unsupported();
    const atoms: Atom[] = [];
    while (this.pos < this.chars.length) {
      if (this.peek() === '$' && this.pos === this.chars.length - 1) break;
      const set = this.atom();
      const [min, max] = this.quantifier();
      atoms.push({ set, min, max });
    }
    return atoms;
  }

  private atom(): CharSet {
    const c = this.take();
    if (c === '[') return this.charClass();
    if (c === '.') return DOT;
    if (c === '\\') return this.escape(false);
    if (SYNTAX.has(c)) throw new Unsupported();
    const cp = c.codePointAt(0)!;
    return [[cp, cp]];
  }

  /** After a backslash. In a class `\b` is backspace; outside it is a word boundary (unsupported). */
  private escape(inClass: boolean): CharSet {
    const c = this.take();
    switch (c) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
    }
    if (c === 'p' || c === 'P') return this.property(c === 'P');
    if (c in CONTROL_ESCAPES) return single(CONTROL_ESCAPES[c]!);
    if (c === 'b' && inClass) return single(0x08);
    if (c === '-' && inClass) return single(0x2d);
    if (c === 'x') return single(this.hex(2));
    if (c === 'u') {
      if (this.peek() !== '{') return single(this.hex(4));
      this.take();
      let digits = '';
      while (this.peek() !== '}') digits += this.take();
      this.take();
      const cp = Number.parseInt(digits, 16);
      if (!/^[0-9a-fA-F]{1,6}$/.test(digits) || cp > MAX_CODE_POINT) throw new Unsupported();
      return single(cp);
    }
    // `u` mode allows only syntax characters (and `/`) as identity escapes.
    if (SYNTAX.has(c)) return single(c.codePointAt(0)!);
    throw new Unsupported();
  }

  /** `\\p{...}` / `\\P{...}`: the code points V8 itself matches (./unicode-properties.ts). */
  private property(negate: boolean): CharSet {
    if (this.take() !== '{') throw new Unsupported();
    let body = '';
    while (this.peek() !== '}') body += this.take();
    this.take();
    let ranges: CharSet;
    try {
      ranges = propertyRanges(body);
    } catch {
      throw new Unsupported(); // not a property ECMAScript knows: re2js's parse reports it
    }
    return negate ? complement(ranges) : ranges;
  }

  private hex(length: number): number {
    let digits = '';
    for (let i = 0; i < length; i++) digits += this.take();
    if (!/^[0-9a-fA-F]+$/.test(digits)) throw new Unsupported();
    return Number.parseInt(digits, 16);
  }

  private charClass(): CharSet {
    let negated = false;
    if (this.peek() === '^') {
      this.take();
      negated = true;
    }
    // `[]` and `[^]` (nothing, anything) are rare enough to leave to re2js.
    if (this.peek() === ']') throw new Unsupported();
    const members: CharSet = [];
    while (this.peek() !== ']') {
      const low = this.classMember();
      if (this.peek() === '-' && this.chars[this.pos + 1] !== ']') {
        this.take();
        const high = this.classMember();
        // A range needs single characters at both ends (`[\d-z]` is a syntax error with `u`).
        if (!isSingle(low) || !isSingle(high) || low[0]![0] > high[0]![0]) throw new Unsupported();
        members.push([low[0]![0], high[0]![0]]);
      } else {
        members.push(...low);
      }
    }
    this.take();
    return negated ? complement(members) : normalize(members);
  }

  private classMember(): CharSet {
    const c = this.take();
    if (c === '\\') return this.escape(true);
    if (c === '[' || c === ']') throw new Unsupported();
    return single(c.codePointAt(0)!);
  }

  private quantifier(): [number, number] {
    const c = this.peek();
    let bounds: [number, number];
    if (c === '*') bounds = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') bounds = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') bounds = [0, 1];
    else if (c === '{') return this.braces();
    else return [1, 1];
    this.take();
    if (this.peek() === '?') throw new Unsupported(); // lazy
    return bounds;
  }

  private braces(): [number, number] {
    this.take();
    let text = '';
    while (this.peek() !== '}') text += this.take();
    this.take();
    const m = /^(\d+)(,(\d*))?$/.exec(text);
    if (m === null) throw new Unsupported();
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    if (max < min || max === 0) throw new Unsupported();
    if (this.peek() === '?') throw new Unsupported(); // lazy
    return [min, max];
  }
}

function single(cp: number): CharSet {
  return [[cp, cp]];
}

function isSingle(set: CharSet): boolean {
  return set.length === 1 && set[0]![0] === set[0]![1];
}

/** True when V8's backtracking RegExp matches `pattern` (with the `u` flag) in time linear in the input. */
export function backtrackingSafe(pattern: string): boolean {
  let atoms: Atom[];
  try {
    atoms = new Parser(pattern).parse();
  } catch (err) {
    if (err instanceof Unsupported) return false;
    throw err;
  }
  for (let i = 0; i < atoms.length; i++) {
    if (atoms[i]!.min === atoms[i]!.max) continue;
    // Everything that can come right after atom i: each following atom up to the first one that cannot be empty.
    for (let j = i + 1; j < atoms.length; j++) {
      if (intersects(atoms[i]!.set, atoms[j]!.set)) return false;
      if (atoms[j]!.min > 0) break;
    }
  }
  return true;
}
