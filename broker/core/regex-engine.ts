// A regex matcher whose time no pattern can blow up: user-supplied patterns (policies, permissions,
// listing filters) are run here, never by JavaScript's backtracking RegExp, so one pattern cannot
// freeze the event loop. It reads JavaScript regex syntax (pcre.ts translates PCRE into it and lets
// JavaScript check the syntax first) and only answers "does it match somewhere" (`test`).
//
// The pattern becomes a small program run by a backtracker that remembers every (instruction,
// position) it has already tried (RE2's "bit state" idea): for a yes/no answer a state that failed
// once fails again, so the work is at most program size × (text length + 1), for any pattern.
// Lookarounds are sub-programs (a lookbehind runs right to left, as JavaScript's does) whose
// states are remembered as failing or as leading to a match, across the positions they are tried
// at. Back-references are the one thing that memory cannot serve (the state includes what a group
// captured): a pattern with one is a plain backtracker. Every test runs under a hard step budget
// too and, as Erlang's `re` past its match limit, past it does not match.

/**
 * Past this many instructions a program is not run. Counted repeats are expanded, but only as far
 * as the text can hold (see `Compiler.repeat`), so for names (≤ 255 characters) a pattern PCRE
 * takes fits; on a longer text a program past this size counts as no match, as past the step
 * budget. Against a name the visited states of the largest program still fit the dense array.
 */
export const MAX_PROGRAM = 8_000;
/** The text length every pattern is compiled for first: names are at most 255 bytes. */
const NAME_LENGTH = 255;
/** PCRE's limit on a compiled pattern (64 KiB with 2-byte links), estimated by `pcreSize`. */
const PCRE_MAX_SIZE = 65_535;
/** PCRE's largest repeat count. */
export const MAX_REPEAT = 65_535;
/**
 * Steps one `test` may take before it counts as no match, as Erlang's `re` past its match limit.
 * Without back-references a test takes at most program size × (text length + 1) steps, far below
 * this for any sensible pattern and name; the budget bounds what a huge pattern (up to
 * MAX_PROGRAM) on a long text, or a pattern with back-references, may cost: a few milliseconds.
 */
export const STEP_BUDGET = 100_000;

export class PatternTooLarge extends Error {}

type Node =
  | { t: 'char'; c: number }
  /** `op`: a class PCRE compiles to one opcode (`.`, `\d`, `\w`, `\s` and their negations). */
  | { t: 'class'; ranges: number[]; neg: boolean; op?: true }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; cap: number; body: Node }
  | { t: 'repeat'; body: Node; min: number; max: number }
  | { t: 'assert'; kind: Assertion }
  | { t: 'look'; behind: boolean; neg: boolean; body: Node }
  | { t: 'backref'; n: number };

type Assertion = 'bol' | 'eol' | 'wb' | 'nwb';

const enum Op {
  Char,
  Class,
  Split,
  Jmp,
  Assert,
  Look,
  Save,
  Backref,
  Match,
  Mark,
  Progress,
}

type Inst =
  | { op: Op.Char; c: number; back: boolean }
  | { op: Op.Class; ranges: number[]; neg: boolean; back: boolean }
  | { op: Op.Split; x: number; y: number }
  | { op: Op.Jmp; x: number }
  | { op: Op.Assert; kind: Assertion }
  | { op: Op.Look; prog: Program; behind: boolean; reversed: boolean; neg: boolean; id: number }
  | { op: Op.Save; slot: number }
  | { op: Op.Backref; n: number }
  | { op: Op.Match }
  | { op: Op.Mark; reg: number }
  | { op: Op.Progress; reg: number };

interface Program {
  insts: Inst[];
  /** Group slots and loop registers the program uses. */
  registers: number;
}

interface Flags {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
}

const MAX_CHAR = 0xffff;
const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000,
  0xfeff, 0xfeff,
];

function complement(ranges: number[]): number[] {
  const sorted: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) sorted.push([ranges[i], ranges[i + 1]]);
  sorted.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push(next, lo - 1);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CHAR) out.push(next, MAX_CHAR);
  return out;
}

const BRACES = /\{(\d+)(,(\d*))?\}/y;
const isHex = (s: string) => /^[0-9A-Fa-f]+$/.test(s);
const isWordChar = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);

/** JavaScript regex syntax (Annex B, no `u` flag), already known to be valid, as a tree. */
class Parser {
  private i = 0;
  private groups = 0;
  readonly groupCount: number;
  readonly names = new Map<string, number>();
  hasBackref = false;

  constructor(
    private readonly p: string,
    private readonly dotAll: boolean,
  ) {
    this.groupCount = this.scanGroups();
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.p.length) throw new Error(`unexpected ${this.p[this.i]} at ${this.i}`);
    return node;
  }

  /** Capturing groups and their names, counted before parsing: `\2` may come before group 2. */
  private scanGroups(): number {
    const p = this.p;
    let n = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p[i];
      if (c === '\\') i++;
      else if (c === '[') {
        for (i++; i < p.length && p[i] !== ']'; i++) if (p[i] === '\\') i++;
      } else if (c === '(') {
        if (p[i + 1] !== '?') n++;
        else if (p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!') {
          n++;
          const end = p.indexOf('>', i);
          this.names.set(p.slice(i + 3, end), n);
        }
      }
    }
    return n;
  }

  private alternation(): Node {
    const alts = [this.sequence()];
    while (this.p[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      let atom = this.atom();
      const q = this.quantifier();
      if (q !== undefined) atom = { t: 'repeat', body: atom, min: q[0], max: q[1] };
      items.push(atom);
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  private quantifier(): [number, number] | undefined {
    const p = this.p;
    const c = p[this.i];
    let q: [number, number] | undefined;
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    if (q !== undefined) this.i++;
    else if (c === '{') {
      BRACES.lastIndex = this.i;
      const m = BRACES.exec(p);
      if (m === null) return undefined;
      const min = Number(m[1]);
      q = [min, m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])];
      if (q[0] > MAX_REPEAT || (q[1] !== Infinity && q[1] > MAX_REPEAT)) throw new PatternTooLarge('number too big in {} quantifier');
      this.i += m[0].length;
    } else return undefined;
    // lazy or greedy, a yes/no answer is the same
    if (p[this.i] === '?') this.i++;
    return q;
  }

  private atom(): Node {
    const p = this.p;
    const c = p[this.i];
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'assert', kind: c === '^' ? 'bol' : 'eol' };
    }
    if (c === '.') {
      this.i++;
      return { t: 'class', ranges: this.dotAll ? [] : [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029], neg: true, op: true };
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    if (c === '(') {
      this.i++;
      let cap = -1;
      let look: { behind: boolean; neg: boolean } | undefined;
      if (p[this.i] === '?') {
        const rest = p.slice(this.i + 1, this.i + 3);
        if (rest.startsWith(':')) this.i += 2;
        else if (rest.startsWith('=') || rest.startsWith('!')) {
          look = { behind: false, neg: rest[0] === '!' };
          this.i += 2;
        } else if (rest === '<=' || rest === '<!') {
          look = { behind: true, neg: rest[1] === '!' };
          this.i += 3;
        } else if (rest.startsWith('<')) {
          cap = ++this.groups;
          this.i = p.indexOf('>', this.i) + 1;
        } else throw new Error(`unsupported group at ${this.i}`);
      } else cap = ++this.groups;
      const body = this.alternation();
      if (p[this.i] !== ')') throw new Error('missing )');
      this.i++;
      return look !== undefined ? { t: 'look', ...look, body } : { t: 'group', cap, body };
    }
    this.i++;
    return { t: 'char', c: c.charCodeAt(0) };
  }

  /** `\` outside a class. */
  private escape(): Node {
    const p = this.p;
    const e = p[this.i + 1];
    this.i += 2;
    switch (e) {
      case 'd': return { t: 'class', ranges: DIGIT, neg: false, op: true };
      case 'D': return { t: 'class', ranges: DIGIT, neg: true, op: true };
      case 'w': return { t: 'class', ranges: WORD, neg: false, op: true };
      case 'W': return { t: 'class', ranges: WORD, neg: true, op: true };
      case 's': return { t: 'class', ranges: SPACE, neg: false, op: true };
      case 'S': return { t: 'class', ranges: SPACE, neg: true, op: true };
      case 'b': return { t: 'assert', kind: 'wb' };
      case 'B': return { t: 'assert', kind: 'nwb' };
      case 'k': {
        const m = /^<([^>]+)>/.exec(p.slice(this.i));
        if (this.names.size > 0 && m !== null) {
          this.i += m[0].length;
          this.hasBackref = true;
          return { t: 'backref', n: this.names.get(m[1]) ?? 0 };
        }
        return { t: 'char', c: 0x6b };
      }
      default:
        break;
    }
    if (e >= '1' && e <= '9') {
      const m = /^\d+/.exec(p.slice(this.i - 1)) as RegExpExecArray;
      const n = Number(m[0]);
      if (n <= this.groupCount) {
        this.i += m[0].length - 1;
        this.hasBackref = true;
        return { t: 'backref', n };
      }
    }
    this.i -= 2;
    return { t: 'char', c: this.charEscape() };
  }

  /** A `\` escape that stands for one character (outside or inside a class), Annex B rules. */
  private charEscape(): number {
    const p = this.p;
    const e = p[this.i + 1];
    this.i += 2;
    switch (e) {
      case 'n': return 10;
      case 'r': return 13;
      case 't': return 9;
      case 'f': return 12;
      case 'v': return 11;
      case 'x': {
        const h = p.slice(this.i, this.i + 2);
        if (h.length === 2 && isHex(h)) {
          this.i += 2;
          return parseInt(h, 16);
        }
        return 0x78;
      }
      case 'u': {
        const h = p.slice(this.i, this.i + 4);
        if (h.length === 4 && isHex(h)) {
          this.i += 4;
          return parseInt(h, 16);
        }
        return 0x75;
      }
      case 'c': {
        const l = p[this.i];
        if (l !== undefined && /[A-Za-z]/.test(l)) {
          this.i++;
          return l.charCodeAt(0) % 32;
        }
        // `\c` without a letter is a backslash, and the `c` is read again as itself
        this.i--;
        return 0x5c;
      }
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      // legacy octal: up to three digits, at most \377
      const m = /^[0-7]{1,3}/.exec(p.slice(this.i - 1)) as RegExpExecArray;
      let digits = m[0];
      if (digits.length === 3 && digits[0] > '3') digits = digits.slice(0, 2);
      this.i += digits.length - 1;
      return parseInt(digits, 8);
    }
    return e.charCodeAt(0);
  }

  private charClass(): Node {
    const p = this.p;
    this.i++;
    let neg = false;
    if (p[this.i] === '^') {
      neg = true;
      this.i++;
    }
    const ranges: number[] = [];
    while (this.i < p.length && p[this.i] !== ']') {
      const lo = this.classAtom();
      if (typeof lo !== 'number') {
        ranges.push(...lo);
        continue;
      }
      if (p[this.i] === '-' && this.i + 1 < p.length && p[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi === 'number') {
          ranges.push(lo, hi);
          continue;
        }
        // `[a-\d]`: the `-` is a literal (Annex B)
        ranges.push(lo, lo, 0x2d, 0x2d, ...hi);
        continue;
      }
      ranges.push(lo, lo);
    }
    this.i++;
    return { t: 'class', ranges, neg };
  }

  /** One character of a class, or the ranges of a class escape (`\d`, `\W`, ...). */
  private classAtom(): number | number[] {
    const p = this.p;
    if (p[this.i] !== '\\') return p.charCodeAt(this.i++);
    const e = p[this.i + 1];
    const set: Record<string, [number[], boolean]> = { d: [DIGIT, false], D: [DIGIT, true], w: [WORD, false], W: [WORD, true], s: [SPACE, false], S: [SPACE, true] };
    const s = set[e];
    if (s !== undefined) {
      this.i += 2;
      return s[1] ? complement(s[0]) : s[0];
    }
    if (e === 'b') {
      this.i += 2;
      return 8;
    }
    if (e === '-') {
      this.i += 2;
      return 0x2d;
    }
    if (e === 'c' && p[this.i + 2] !== undefined && /[0-9_]/.test(p[this.i + 2])) {
      const c = p.charCodeAt(this.i + 2) % 32;
      this.i += 3;
      return c;
    }
    if (e === '8' || e === '9') {
      this.i += 2;
      return e.charCodeAt(0);
    }
    return this.charEscape();
  }
}

/** Upper-case canonical form of each UTF-16 unit, as JavaScript's `i` flag (no `u`) compares; worked out on first use. */
const canonTable = new Int32Array(MAX_CHAR + 1).fill(-1);
function canon(c: number): number {
  let v = canonTable[c];
  if (v < 0) {
    const u = String.fromCharCode(c).toUpperCase();
    v = u.length === 1 ? u.charCodeAt(0) : c;
    // JavaScript does not map a non-ASCII unit onto ASCII
    if (c >= 128 && v < 128) v = c;
    canonTable[c] = v;
  }
  return v;
}

function inRanges(ranges: number[], c: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (c >= ranges[i] && c <= ranges[i + 1]) return true;
  return false;
}

/**
 * The fewest characters `node` can match. A back-reference may match nothing; lookarounds and
 * assertions consume nothing. Memoised: repeats ask for their body's, at every level of nesting.
 */
function minWidth(node: Node, memo: WeakMap<Node, number>): number {
  let w = memo.get(node);
  if (w !== undefined) return w;
  switch (node.t) {
    case 'char':
    case 'class':
      w = 1;
      break;
    case 'seq':
      w = 0;
      for (const item of node.items) w += minWidth(item, memo);
      break;
    case 'alt':
      w = Infinity;
      for (const alt of node.alts) w = Math.min(w, minWidth(alt, memo));
      break;
    case 'group':
      w = minWidth(node.body, memo);
      break;
    case 'repeat':
      w = node.min === 0 ? 0 : node.min * minWidth(node.body, memo);
      break;
    default:
      w = 0;
  }
  memo.set(node, w);
  return w;
}

/**
 * About the bytes PCRE compiles `node` to (checked against RabbitMQ 3.10 at the limit: `(?:ab){6552}`,
 * `(?:[ab]c){1598}`, `(?:a|b){5040}`, `(?:a+){8191}`, `(?:ab){1,3855}` are the largest it takes). A
 * single-character repeat is one opcode; any other repeat copies its body once per count, an
 * optional copy in brackets of its own. Past PCRE_MAX_SIZE a pattern is "too large" for RabbitMQ,
 * so it is for Warren too: `(?:a{1000}){1000}` is taken, one more level of it refused.
 */
function pcreSize(node: Node): number {
  switch (node.t) {
    case 'char':
      return 2;
    case 'class':
      // one opcode; one character, or all but one, as a character; else a 32-byte bitmap
      return node.op ? 1 : node.ranges.length === 2 && node.ranges[0] === node.ranges[1] ? 2 : 33;
    case 'seq': {
      let n = 0;
      for (const item of node.items) n += pcreSize(item);
      return n;
    }
    case 'alt': {
      let n = 3 * (node.alts.length - 1);
      for (const alt of node.alts) n += pcreSize(alt);
      return n;
    }
    case 'group':
      return pcreSize(node.body) + (node.cap > 0 ? 8 : 6);
    case 'repeat': {
      const body = pcreSize(node.body);
      if (node.body.t === 'char' || node.body.t === 'class') return node.min <= 1 && (node.max === 1 || node.max === Infinity) ? body : body + 2;
      const optional = node.max === Infinity ? (node.min === 0 ? body + 7 : 0) : (node.max - node.min) * (body + 7);
      return node.min * body + optional;
    }
    case 'look':
      return pcreSize(node.body) + 6;
    default:
      return 3;
  }
}

class Compiler {
  private looks = 0;
  private regs: number;
  private readonly widths = new WeakMap<Node, number>();

  /** `textLimit`: the longest text the program will be run on; repeats are expanded no further. */
  constructor(
    private readonly ignoreCase: boolean,
    private readonly withBackrefs: boolean,
    groupCount: number,
    private readonly textLimit: number,
  ) {
    // slots 2n, 2n+1 hold group n; loop registers come after
    this.regs = 2 * (groupCount + 1);
  }

  program(node: Node): Program {
    const insts: Inst[] = [];
    this.emit(node, insts);
    insts.push({ op: Op.Match });
    return { insts, registers: this.regs };
  }

  private push(insts: Inst[], inst: Inst): number {
    if (insts.length >= MAX_PROGRAM) throw new PatternTooLarge('regular expression is too large');
    insts.push(inst);
    return insts.length - 1;
  }

  /** `back`: matched right to left, from the end of a lookbehind (as JavaScript runs one). */
  private emit(node: Node, insts: Inst[], back = false): void {
    switch (node.t) {
      case 'char':
        this.push(insts, { op: Op.Char, c: this.ignoreCase ? canon(node.c) : node.c, back });
        return;
      case 'class':
        this.push(insts, { op: Op.Class, ranges: node.ranges, neg: node.neg, back });
        return;
      case 'seq':
        if (back) for (let k = node.items.length - 1; k >= 0; k--) this.emit(node.items[k], insts, back);
        else for (const item of node.items) this.emit(item, insts);
        return;
      case 'alt': {
        const jumps: Inst[] = [];
        for (let k = 0; k < node.alts.length; k++) {
          if (k < node.alts.length - 1) {
            const split = { op: Op.Split, x: 0, y: 0 } as Inst & { op: Op.Split };
            this.push(insts, split);
            split.x = insts.length;
            this.emit(node.alts[k], insts, back);
            const jmp = { op: Op.Jmp, x: 0 } as Inst & { op: Op.Jmp };
            this.push(insts, jmp);
            jumps.push(jmp);
            split.y = insts.length;
          } else this.emit(node.alts[k], insts, back);
        }
        for (const j of jumps) (j as { x: number }).x = insts.length;
        return;
      }
      case 'group':
        if (this.withBackrefs && node.cap > 0) this.push(insts, { op: Op.Save, slot: 2 * node.cap });
        this.emit(node.body, insts, back);
        if (this.withBackrefs && node.cap > 0) this.push(insts, { op: Op.Save, slot: 2 * node.cap + 1 });
        return;
      case 'repeat':
        this.repeat(node.body, node.min, node.max, insts, back);
        return;
      case 'assert':
        this.push(insts, { op: Op.Assert, kind: node.kind });
        return;
      case 'look': {
        // without back-references a lookbehind runs right to left from where it stands; with
        // them, forwards from each earlier position (under the step budget)
        const reversed = node.behind && !this.withBackrefs;
        const sub: Inst[] = [];
        this.emit(node.body, sub, reversed);
        sub.push({ op: Op.Match });
        this.push(insts, { op: Op.Look, prog: { insts: sub, registers: 0 }, behind: node.behind, reversed, neg: node.neg, id: this.looks++ });
        return;
      }
      case 'backref':
        this.push(insts, { op: Op.Backref, n: node.n });
        return;
    }
  }

  private repeat(body: Node, min: number, max: number, insts: Inst[], back: boolean): void {
    // Only as many turns as the text can hold are emitted. A body that takes w ≥ 1 characters
    // fits at most limit / w times; past that the repeat cannot match. A body that can match
    // nothing needs at most one empty turn per position besides the turns that take characters,
    // so 2 × limit + 1 turns say all that more would.
    const w = minWidth(body, this.widths);
    const turns = w > 0 ? Math.floor(this.textLimit / w) : 2 * this.textLimit + 1;
    if (min > turns) {
      if (w > 0) {
        this.push(insts, { op: Op.Class, ranges: [], neg: false, back });
        return;
      }
      min = turns;
    }
    if (max !== Infinity && max > turns) max = turns;
    for (let k = 0; k < min; k++) this.emit(body, insts, back);
    if (max === Infinity) {
      const split = { op: Op.Split, x: 0, y: 0 } as Inst & { op: Op.Split };
      const loop = this.push(insts, split);
      split.x = insts.length;
      // without back-references, an empty turn of the loop is cut by the visited states;
      // with them, a register holds where the turn began and an empty turn goes no further
      const reg = this.withBackrefs ? this.regs++ : -1;
      if (reg >= 0) this.push(insts, { op: Op.Mark, reg });
      this.emit(body, insts, back);
      if (reg >= 0) this.push(insts, { op: Op.Progress, reg });
      this.push(insts, { op: Op.Jmp, x: loop });
      split.y = insts.length;
      return;
    }
    const splits: (Inst & { op: Op.Split })[] = [];
    for (let k = min; k < max; k++) {
      const split = { op: Op.Split, x: 0, y: 0 } as Inst & { op: Op.Split };
      this.push(insts, split);
      split.x = insts.length;
      splits.push(split);
      this.emit(body, insts, back);
    }
    for (const s of splits) s.y = insts.length;
  }
}

class BudgetExceeded extends Error {}

/** The text limit a text of `length` characters is run with: names, or the next power of two. */
function textLimitFor(length: number): number {
  if (length <= NAME_LENGTH) return NAME_LENGTH;
  let limit = 512;
  while (limit <= length) limit *= 2;
  return limit - 1;
}

/** A compiled pattern: `test` answers whether it matches anywhere in the text. */
export class LinearRegex {
  private readonly tree: Node;
  private readonly groupCount: number;
  /** Programs by the text limit they were compiled for; undefined: too large to run at it. */
  private readonly programs = new Map<number, Program | undefined>();
  private readonly flags: Flags;
  private readonly backrefs: boolean;
  private readonly anchored: boolean;
  /** Matches the empty string with no condition (`.*`, ``): matches every text. */
  private readonly always: boolean;
  /** Recent answers: permissions are checked on every publish, mostly for the same few names. */
  private readonly recent = new Map<string, boolean>();
  // per-test state
  private text = '';
  private steps = 0;
  private testId = 0;
  private visited = new Map<Program, Visited>();
  private lookMemo: Int8Array[] = [];
  /** The top-level program of the test under way (lookarounds are sub-programs). */
  private prog!: Program;
  private stepLimit = STEP_BUDGET;
  /** Set while `find` explores: the furthest end of a match of the top-level program from its start. */
  private longest: { end: number } | undefined;

  constructor(source: string, flagString = '') {
    this.flags = { ignoreCase: flagString.includes('i'), multiline: flagString.includes('m'), dotAll: flagString.includes('s') };
    const parser = new Parser(source, this.flags.dotAll);
    const tree = parser.parse();
    if (pcreSize(tree) + 6 > PCRE_MAX_SIZE) throw new PatternTooLarge('regular expression is too large');
    this.tree = tree;
    this.groupCount = parser.groupCount;
    this.backrefs = parser.hasBackref;
    // compiled for names now, so a pattern too large to run on one is refused when it is set
    const prog = this.compile(NAME_LENGTH);
    if (prog === undefined) throw new PatternTooLarge('regular expression is too large');
    const first = prog.insts[0];
    this.anchored = !this.flags.multiline && first.op === Op.Assert && first.kind === 'bol';
    this.always = reachesMatchFreely(prog);
  }

  /** Whether the pattern has back-references (then `find` does not take it). */
  get hasBackrefs(): boolean {
    return this.backrefs;
  }

  private compile(textLimit: number): Program | undefined {
    if (this.programs.has(textLimit)) return this.programs.get(textLimit);
    let prog: Program | undefined;
    try {
      prog = new Compiler(this.flags.ignoreCase, this.backrefs, this.groupCount, textLimit).program(this.tree);
    } catch (err) {
      if (!(err instanceof PatternTooLarge)) throw err;
    }
    this.programs.set(textLimit, prog);
    return prog;
  }

  test(text: string): boolean {
    if (this.always) return true;
    let r = this.recent.get(text);
    if (r === undefined) {
      r = this.search(text);
      if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
      if (text.length <= RECENT_TEXT_LIMIT) this.recent.set(text, r);
    }
    return r;
  }

  private search(text: string): boolean {
    const prog = this.compile(textLimitFor(text.length));
    // a program too large for a text this long: as past the step budget, no match
    if (prog === undefined) return false;
    this.prog = prog;
    this.text = text;
    this.steps = 0;
    this.testId++;
    this.lookMemo = [];
    const caps = new Int32Array(prog.registers).fill(-1);
    try {
      const last = this.anchored ? 0 : text.length;
      for (let start = 0; start <= last; start++) {
        if (this.run(prog, start, -1, caps)) return true;
        if (this.backrefs) caps.fill(-1);
      }
      return false;
    } catch (err) {
      if (err instanceof BudgetExceeded) return false;
      throw err;
    } finally {
      this.text = '';
    }
  }

  /**
   * The leftmost match at or after `from`, and of those the longest: [start, end), or undefined
   * when there is none. Each start is explored whole, but a state explored from an earlier start
   * that found nothing cannot reach a match from a later one either, so the states stay remembered
   * across starts: one call visits each (instruction, position) once at most, program size ×
   * (text length + 1) in all. `budget.steps` is what the call may take and is spent as it goes:
   * when it runs out the answer is 'budget', and the caller treats the rest of the text as unknown.
   * Not for patterns with back-references (their exploration has no memory to bound it).
   * `until`: only starts before it are tried (the match may run past it), so a caller can look
   * through a long text a stretch at a time, the answer for each stretch exact.
   */
  find(text: string, from: number, budget: { steps: number }, until = Infinity): [number, number] | undefined | 'budget' {
    if (this.backrefs) throw new Error('find does not take patterns with back-references');
    const prog = this.compile(textLimitFor(text.length));
    if (prog === undefined) return 'budget';
    this.prog = prog;
    this.text = text;
    this.testId++;
    this.lookMemo = [];
    this.steps = 0;
    this.stepLimit = budget.steps;
    const longest = (this.longest = { end: -1 });
    const caps = new Int32Array(prog.registers).fill(-1);
    const last = Math.min(this.anchored ? Math.min(0, text.length) : text.length, until - 1);
    try {
      for (let start = Math.max(0, from); start <= last; start++) {
        // on a text too long for the dense array the memory is a map, which grows slower to use
        // than exploring afresh: there each start begins with an empty one
        if (start > from && this.visited.get(prog)?.dense === undefined) this.testId++;
        this.run(prog, start, -1, caps);
        if (longest.end >= 0) return [start, longest.end];
      }
      return undefined;
    } catch (err) {
      if (err instanceof BudgetExceeded) return 'budget';
      throw err;
    } finally {
      budget.steps -= Math.min(this.steps, budget.steps);
      this.longest = undefined;
      this.stepLimit = STEP_BUDGET;
      this.text = '';
    }
  }

  private visitedOf(prog: Program): Visited {
    let v = this.visited.get(prog);
    if (v === undefined) this.visited.set(prog, (v = new Visited()));
    if (v.testId !== this.testId) v.reset(this.testId, prog.insts.length * (this.text.length + 1));
    return v;
  }

  /**
   * Whether `prog` matches from `start` (ending exactly at `end` when `end` >= 0, else anywhere).
   * An explicit stack, so a long text cannot overflow the call stack; entries are (pc, pos) pairs
   * or, with back-references, (-1 - slot, old value) to undo a capture on the way back.
   */
  private run(prog: Program, start: number, end: number, caps: Int32Array): boolean {
    const insts = prog.insts;
    const text = this.text;
    const n = text.length;
    const width = n + 1;
    const memo = !this.backrefs;
    const visited = memo ? this.visitedOf(prog) : undefined;
    // the dense array read in place: this loop is where a test spends its time
    const dense = visited?.dense;
    const base = visited?.base ?? 0;
    const { ignoreCase, multiline } = this.flags;
    const stack: number[] = [0, start];
    // A sub-program (lookaround) runs again from other positions, so its states are remembered
    // as failed (1) or as leading to a match (2). A state's turn ends when the stack drops below
    // the height it saw; at a match, the states whose turn has not ended lead to it. `trail`
    // holds (state, height) for each visit and (-1, height) for each pop, to tell them apart.
    const trail: number[] | undefined = visited !== undefined && prog !== this.prog ? [] : undefined;
    while (stack.length > 0) {
      let pos = stack.pop() as number;
      let pc = stack.pop() as number;
      if (pc < 0) {
        caps[-1 - pc] = pos;
        continue;
      }
      trail?.push(-1, stack.length);
      for (;;) {
        if (visited !== undefined) {
          const k = pc * width + pos;
          let seen: number;
          if (dense !== undefined) {
            const v = dense[k];
            seen = v === base ? 1 : v === base + 1 ? 2 : 0;
          } else seen = visited.get(k);
          if (seen === 2) return this.succeeded(trail, visited);
          if (seen === 1) break;
          if (dense !== undefined) dense[k] = base;
          else visited.set(k, 1);
          trail?.push(k, stack.length);
        }
        if (++this.steps > this.stepLimit) throw new BudgetExceeded();
        const inst = insts[pc];
        let ok = true;
        switch (inst.op) {
          case Op.Match:
            // exploring for the longest match: note where this one ends and look for a longer
            if (prog === this.prog && this.longest !== undefined) {
              if (pos > this.longest.end) this.longest.end = pos;
              ok = false;
              break;
            }
            if (end < 0 || pos === end) return this.succeeded(trail, visited);
            ok = false;
            break;
          case Op.Char: {
            if (inst.back ? pos === 0 : pos >= n) ok = false;
            else {
              const c = text.charCodeAt(inst.back ? --pos : pos++);
              ok = c === inst.c || (ignoreCase && canon(c) === inst.c);
            }
            break;
          }
          case Op.Class: {
            if (inst.back ? pos === 0 : pos >= n) ok = false;
            else {
              const c = text.charCodeAt(inst.back ? --pos : pos++);
              let hit = inRanges(inst.ranges, c);
              if (!hit && ignoreCase) {
                const u = canon(c);
                hit = inRanges(inst.ranges, u) || inRanges(inst.ranges, String.fromCharCode(c).toLowerCase().charCodeAt(0));
              }
              ok = hit !== inst.neg;
            }
            break;
          }
          case Op.Split:
            stack.push(inst.y, pos);
            pc = inst.x;
            continue;
          case Op.Jmp:
            pc = inst.x;
            continue;
          case Op.Assert:
            ok = this.assertion(inst.kind, pos, multiline);
            break;
          case Op.Look:
            ok = this.look(inst, pos, caps, stack) !== inst.neg;
            break;
          case Op.Save:
          case Op.Mark: {
            const slot = inst.op === Op.Save ? inst.slot : inst.reg;
            stack.push(-1 - slot, caps[slot]);
            caps[slot] = pos;
            break;
          }
          case Op.Progress:
            ok = caps[inst.reg] !== pos;
            break;
          case Op.Backref: {
            const s = caps[2 * inst.n];
            const e = caps[2 * inst.n + 1];
            // as PCRE: a group that has not matched matches nothing
            if (s < 0 || e < 0) ok = false;
            else {
              const len = e - s;
              if (pos + len > n) ok = false;
              for (let k = 0; ok && k < len; k++) {
                const a = text.charCodeAt(s + k);
                const b = text.charCodeAt(pos + k);
                ok = a === b || (ignoreCase && canon(a) === canon(b));
              }
              pos += len;
            }
            break;
          }
        }
        if (!ok) break;
        pc++;
      }
    }
    return false;
  }

  /** A match: every state whose turn had not ended leads to it (see `run`). */
  private succeeded(trail: number[] | undefined, visited: Visited | undefined): true {
    if (trail === undefined || visited === undefined) return true;
    let lowest = Infinity;
    for (let t = trail.length - 2; t >= 0; t -= 2) {
      const k = trail[t];
      const height = trail[t + 1];
      if (k < 0) lowest = Math.min(lowest, height);
      else if (lowest >= height) visited.set(k, 2);
    }
    return true;
  }

  private assertion(kind: Assertion, pos: number, multiline: boolean): boolean {
    const text = this.text;
    const n = text.length;
    switch (kind) {
      case 'bol':
        return pos === 0 || (multiline && isLineEnd(text.charCodeAt(pos - 1)));
      case 'eol':
        return pos === n || (multiline && isLineEnd(text.charCodeAt(pos)));
      default: {
        const before = pos > 0 && isWordChar(text.charCodeAt(pos - 1));
        const after = pos < n && isWordChar(text.charCodeAt(pos));
        return (before !== after) === (kind === 'wb');
      }
    }
  }

  /** Whether the lookaround's body matches at `pos` (before the negation), remembered per position. */
  private look(inst: Inst & { op: Op.Look }, pos: number, caps: Int32Array, stack: number[]): boolean {
    if (this.backrefs) {
      const saved = caps.slice();
      const hit = this.lookRun(inst, pos, caps);
      if (!hit || inst.neg) caps.set(saved);
      else {
        // what the lookaround captured stays, and is undone when the outer match backs off
        for (let s = 0; s < saved.length; s++) if (saved[s] !== caps[s]) stack.push(-1 - s, saved[s]);
      }
      return hit;
    }
    let memo = this.lookMemo[inst.id];
    if (memo === undefined) this.lookMemo[inst.id] = memo = new Int8Array(this.text.length + 1);
    if (memo[pos] === 0) memo[pos] = this.lookRun(inst, pos, caps) ? 1 : 2;
    return memo[pos] === 1;
  }

  private lookRun(inst: Inst & { op: Op.Look }, pos: number, caps: Int32Array): boolean {
    if (!inst.behind || inst.reversed) return this.run(inst.prog, pos, -1, caps);
    // with back-references: a match of the body, forwards, that ends exactly here
    for (let s = pos; s >= 0; s--) if (this.run(inst.prog, s, pos, caps)) return true;
    return false;
  }
}

/**
 * States (instruction × position) of one program already tried in this test: 1 failed, 2 leads to
 * a match. An array stamped per test when it is small (nothing to clear between tests), a map when
 * a huge program meets a long text (the step budget bounds its size).
 */
class Visited {
  testId = -1;
  /** In dense mode, the array: `base` marks a failed state, `base + 1` one that leads to a match. */
  dense: Uint32Array | undefined;
  base = 0;
  private arr: Uint32Array | undefined;
  private map: Map<number, number> | undefined;

  reset(testId: number, size: number): void {
    this.testId = testId;
    if (size > DENSE_LIMIT) {
      this.map = new Map();
      this.dense = undefined;
      return;
    }
    this.map = undefined;
    if (this.arr === undefined || this.arr.length < size) {
      this.arr = new Uint32Array(Math.max(size, 64));
      this.base = 0;
    }
    this.base += 2;
    if (this.base >= 0xfffffff0) {
      this.arr.fill(0);
      this.base = 2;
    }
    this.dense = this.arr;
  }

  get(k: number): number {
    if (this.map !== undefined) return this.map.get(k) ?? 0;
    const v = (this.arr as Uint32Array)[k];
    return v === this.base ? 1 : v === this.base + 1 ? 2 : 0;
  }

  set(k: number, v: 1 | 2): void {
    if (this.map !== undefined) this.map.set(k, v);
    else (this.arr as Uint32Array)[k] = this.base + v - 1;
  }
}

const DENSE_LIMIT = 1 << 21;
const RECENT_LIMIT = 1024;
const RECENT_TEXT_LIMIT = 1024;

/** Whether Match is reached from the start through jumps and splits alone. */
function reachesMatchFreely(prog: Program): boolean {
  const seen = new Set<number>();
  const todo = [0];
  while (todo.length > 0) {
    const pc = todo.pop() as number;
    if (seen.has(pc)) continue;
    seen.add(pc);
    const inst = prog.insts[pc];
    if (inst.op === Op.Match) return true;
    if (inst.op === Op.Jmp) todo.push(inst.x);
    else if (inst.op === Op.Split) todo.push(inst.x, inst.y);
  }
  return false;
}

const isLineEnd = (c: number) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
