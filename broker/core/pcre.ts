// Policy, permission and listing-filter patterns are PCRE (Erlang's `re`), matched against names.
// Warren checks a pattern the way PCRE reports the common mistakes — same message, same offset —
// rewrites the PCRE-only spellings that have a JavaScript equivalent, lets JavaScript check the
// syntax, and runs it with regex-engine.ts, whose time no pattern can blow up (never with a
// JavaScript RegExp: one backtracking pattern would freeze the broker).
import { LinearRegex, MAX_REPEAT, PatternTooLarge } from './regex-engine';

/** A compiled pattern: whether it matches somewhere in a name. */
export interface NamePattern {
  test(name: string): boolean;
}

export type PatternResult = { ok: true; regex: NamePattern } | { ok: false; message: string; offset: number };

const fail = (message: string, offset: number): PatternResult => ({ ok: false, message, offset });

const MAX_PATTERN_LENGTH = 65_535;

/** Escapes that assert a position: PCRE has nothing to repeat after them. */
const ASSERTIONS = new Set(['b', 'B', 'A', 'z', 'Z', 'G']);

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\t\\n\\v\\f\\r ',
  xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

/**
 * PCRE's verdict on `pattern` for the mistakes people make, then the matcher to run. `caseless` is
 * re's `caseless` option (the management API's `use_regex` filters).
 */
export function compilePattern(pattern: string, options: { caseless?: boolean } = {}): PatternResult {
  const p = pattern;
  const n = p.length;
  // PCRE's compiled form is limited to 64 KiB, which a pattern this long exceeds (RabbitMQ: 70,000
  // letters are "too large" at 70000); refused before any work, so no body size makes it costly
  if (n > MAX_PATTERN_LENGTH) return fail('regular expression is too large', n);
  const open: number[] = [];
  let groups = 0;
  let maxRef = { ref: 0, end: 0 };
  let out = '';
  let flags = '';
  let canRepeat = false;
  let i = 0;
  // a leading (?i) is the one inline option JavaScript (as a flag) can take
  const leading = /^\(\?([imsx]+)\)/.exec(p);
  if (leading !== null && !leading[1].includes('x')) {
    flags = [...new Set(leading[1])].join('');
    i = leading[0].length;
  }
  while (i < n) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 >= n) return fail('\\ at end of pattern', n);
      const e = p[i + 1];
      if (e === 'c' && i + 2 >= n) return fail('\\c at end of pattern', n);
      if (e === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const literal = p.slice(i + 2, end < 0 ? n : end);
        out += literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        i = end < 0 ? n : end + 2;
        canRepeat = literal.length > 0;
        continue;
      }
      if (/[1-9]/.test(e)) {
        const m = /^\d+/.exec(p.slice(i + 1)) as RegExpExecArray;
        const ref = Number(m[0]);
        if (ref > maxRef.ref) maxRef = { ref, end: i + 1 + m[0].length };
      }
      out += e === 'A' ? '^' : e === 'z' ? '$' : e === 'Z' ? '(?=\\n?$)' : c + e;
      canRepeat = !ASSERTIONS.has(e);
      i += 2;
      continue;
    }
    if (c === '[') {
      const r = charClass(p, i);
      if (typeof r === 'object' && 'message' in r) return fail(r.message, r.offset);
      out += r.text;
      i = r.end;
      canRepeat = true;
      continue;
    }
    if (c === '(') {
      open.push(i);
      canRepeat = false;
      if (p[i + 1] !== '?') {
        if (p[i + 1] !== '*') groups++;
        out += c;
        i++;
        continue;
      }
      const rest = p.slice(i + 2);
      const named = /^(?:P?<)([A-Za-z_]\w*)>/.exec(rest);
      if (named !== null) {
        groups++;
        out += `(?<${named[1]}>`;
        i += 2 + named[0].length;
        continue;
      }
      const ref = /^P=([A-Za-z_]\w*)\)/.exec(rest);
      if (ref !== null) {
        open.pop();
        out += `\\k<${ref[1]}>`;
        i += 2 + ref[0].length;
        canRepeat = true;
        continue;
      }
      if (rest.startsWith('#')) {
        const end = p.indexOf(')', i);
        if (end < 0) return fail('missing ) after comment', n);
        open.pop();
        i = end + 1;
        continue;
      }
      // (?: (?= (?! (?<= (?<! (?> and option groups; JavaScript has no atomic group, so (?> is
      // run as a plain group (the same names match unless the pattern relies on no backtracking)
      const head = /^(?::|=|!|<=|<!|>|[imsxJU-]+[:)])/.exec(rest);
      if (head === null) return fail('unrecognized character after (? or (?-', i + 2);
      out += head[0] === '>' ? '(?:' : `(?${head[0]}`;
      i += 2 + head[0].length;
      if (head[0].endsWith(')') && head[0] !== ')') {
        // (?i) in the middle of a pattern: PCRE takes it, JavaScript (Node 20) cannot
        open.pop();
      }
      continue;
    }
    if (c === ')') {
      if (open.length === 0) return fail('unmatched parentheses', i);
      open.pop();
      out += c;
      i++;
      canRepeat = true;
      continue;
    }
    if (c === '|' || c === '^' || c === '$') {
      out += c;
      i++;
      canRepeat = false;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      if (!canRepeat) return fail('nothing to repeat', i);
      out += c;
      i++;
      if (p[i] === '?') out += p[i++];
      else if (p[i] === '+') i++; // possessive: JavaScript has none; the greedy form matches the same names but for rare patterns
      canRepeat = false;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (m !== null) {
        const end = i + m[0].length - 1;
        if (!canRepeat) return fail('nothing to repeat', end);
        // PCRE reads a count and stops right after it when it is past its largest
        const minEnd = i + 1 + m[1].length;
        if (Number(m[1]) > MAX_REPEAT) return fail('number too big in {} quantifier', minEnd);
        if (m[3] !== undefined && m[3] !== '' && Number(m[3]) > MAX_REPEAT) return fail('number too big in {} quantifier', minEnd + 1 + m[3].length);
        if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) return fail('numbers out of order in {} quantifier', end);
        out += m[0];
        i += m[0].length;
        if (p[i] === '?') out += p[i++];
        else if (p[i] === '+') i++;
        canRepeat = false;
        continue;
      }
      out += '\\{';
      i++;
      canRepeat = true;
      continue;
    }
    out += c === '}' || c === ']' ? `\\${c}` : c;
    i++;
    canRepeat = true;
  }
  if (open.length > 0) return fail('missing )', n);
  if (maxRef.ref > groups) return fail('reference to non-existent subpattern', maxRef.end);
  if (options.caseless === true && !flags.includes('i')) flags += 'i';
  try {
    // syntax check only: this RegExp is never run
    new RegExp(out, flags);
  } catch (err) {
    // PCRE took it and JavaScript cannot read it: say so rather than never match
    return fail(`not supported by Warren: ${err instanceof Error ? err.message : String(err)}`, 0);
  }
  try {
    return { ok: true, regex: new LinearRegex(out, flags) };
  } catch (err) {
    if (err instanceof PatternTooLarge) return fail(err.message, n);
    return fail(`not supported by Warren: ${err instanceof Error ? err.message : String(err)}`, 0);
  }
}

/** A character class from `[` at `start`: its JavaScript text and where it ends, or PCRE's error. */
function charClass(p: string, start: number): { text: string; end: number } | { message: string; offset: number } {
  const n = p.length;
  let j = start + 1;
  let text = '[';
  if (p[j] === '^') text += p[j++];
  // a ] right after [ or [^ is a literal, as in PCRE
  if (p[j] === ']') {
    text += '\\]';
    j++;
  }
  while (j < n && p[j] !== ']') {
    if (p[j] === '\\') {
      if (j + 1 >= n) return { message: '\\ at end of pattern', offset: n };
      text += p.slice(j, j + 2);
      j += 2;
      continue;
    }
    if (p[j] === '[' && p[j + 1] === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(j));
      if (m !== null) {
        const set = POSIX_CLASSES[m[2]];
        if (set === undefined) return { message: 'unknown POSIX class name', offset: j };
        if (m[1] === '^') return { message: 'not supported by Warren: negated POSIX class', offset: j };
        text += set;
        j += m[0].length;
        continue;
      }
    }
    if (p[j + 1] === '-' && j + 2 < n && p[j + 2] !== ']' && p[j + 2] !== '\\' && p[j + 2] !== '[') {
      if (p.charCodeAt(j) > p.charCodeAt(j + 2)) return { message: 'range out of order in character class', offset: j + 2 };
      text += p.slice(j, j + 3);
      j += 3;
      continue;
    }
    text += p[j] === '[' ? '\\[' : p[j];
    j++;
  }
  if (j >= n) return { message: 'missing terminating ] for character class', offset: n };
  return { text: `${text}]`, end: j + 1 };
}
