// Masking rules as an operator writes them (`MASK_RULES=<file.json>`), checked and compiled once at
// start-up: header names, JSON paths into bodies, and body patterns (PCRE as policies take them,
// run by the bounded regex engine, never by a JavaScript RegExp). A rule file that is wrong in any
// way is refused whole, with a sentence saying where, so a demo never runs half-masked.
import { compilePattern } from './pcre';
import { LinearRegex } from './regex-engine';

/** One step of a JSON path: a member name, an array index, or every member / element (`*`). */
export type JsonPathStep = { name: string } | { index: number } | { any: true };

export interface MaskRules {
  /** header names, lower-cased: headers are matched whatever their case */
  headers: ReadonlySet<string>;
  /** each path without its leading `$` */
  jsonPaths: readonly (readonly JsonPathStep[])[];
  bodyPatterns: readonly LinearRegex[];
  /** the file's own text of each, for messages */
  sources: { jsonPaths: readonly string[]; bodyPatterns: readonly string[] };
}

export const MASK_MAX_HEADERS = 256;
export const MASK_MAX_JSON_PATHS = 64;
export const MASK_MAX_PATH_STEPS = 32;
/** Each pattern is run over every body shown; their number bounds what showing a body costs. */
export const MASK_MAX_BODY_PATTERNS = 16;
const MAX_STRING = 1000;

export class MaskRulesError extends Error {}

/** `$.card.number`, `$.items[0].pan`, `$.users[*].email`, `$['odd key']`. */
export function parseJsonPath(path: string): JsonPathStep[] {
  if (!path.startsWith('$')) throw new MaskRulesError(`JSON path ${JSON.stringify(path)} does not start with $`);
  const steps: JsonPathStep[] = [];
  let i = 1;
  const bad = (why: string) => new MaskRulesError(`JSON path ${JSON.stringify(path)}: ${why} at ${i}`);
  while (i < path.length) {
    if (steps.length >= MASK_MAX_PATH_STEPS) throw bad(`more than ${MASK_MAX_PATH_STEPS} steps`);
    if (path[i] === '.') {
      const m = /^(\*|[A-Za-z_$][\w$-]*)/.exec(path.slice(i + 1));
      if (m === null) throw bad('a member name or * must follow "."');
      steps.push(m[1] === '*' ? { any: true } : { name: m[1] });
      i += 1 + m[1].length;
    } else if (path[i] === '[') {
      const rest = path.slice(i);
      const m = /^\[(?:(\*)|(\d{1,9})|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest);
      if (m === null) throw bad('a bracket takes *, an index or a quoted name');
      if (m[1] !== undefined) steps.push({ any: true });
      else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
      else steps.push({ name: (m[3] ?? m[4]).replace(/\\(.)/g, '$1') });
      i += m[0].length;
    } else throw bad('expected "." or "["');
  }
  if (steps.length === 0) throw new MaskRulesError(`JSON path ${JSON.stringify(path)} names no value ($ alone would mask the whole body: use a body pattern)`);
  return steps;
}

function stringList(o: Record<string, unknown>, key: string, max: number): string[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_STRING)) {
    throw new MaskRulesError(`"${key}" must be a list of non-empty strings of at most ${MAX_STRING} characters`);
  }
  if (v.length > max) throw new MaskRulesError(`"${key}" has ${v.length} entries, more than ${max}`);
  return v as string[];
}

/** The rules from the file's parsed JSON; MaskRulesError says what is wrong. */
export function parseMaskRules(value: unknown): MaskRules {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MaskRulesError('wants an object {"headers": [...], "jsonPaths": [...], "bodyPatterns": [...]}');
  }
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['headers', 'jsonPaths', 'bodyPatterns'].includes(k));
  if (unknown.length > 0) throw new MaskRulesError(`unknown key ${JSON.stringify(unknown[0])} (known: headers, jsonPaths, bodyPatterns)`);
  const headers = stringList(o, 'headers', MASK_MAX_HEADERS);
  const jsonPaths = stringList(o, 'jsonPaths', MASK_MAX_JSON_PATHS);
  const bodyPatterns = stringList(o, 'bodyPatterns', MASK_MAX_BODY_PATTERNS);
  const compiled = bodyPatterns.map((p) => {
    const r = compilePattern(p);
    if (!r.ok) throw new MaskRulesError(`body pattern ${JSON.stringify(p)}: ${r.message} at ${r.offset}`);
    if (!(r.regex instanceof LinearRegex)) throw new Error('compilePattern did not give the bounded engine');
    if (r.regex.hasBackrefs) throw new MaskRulesError(`body pattern ${JSON.stringify(p)}: back-references are not taken (their cost has no bound)`);
    return r.regex;
  });
  return {
    headers: new Set(headers.map((h) => h.toLowerCase())),
    jsonPaths: jsonPaths.map(parseJsonPath),
    bodyPatterns: compiled,
    sources: { jsonPaths, bodyPatterns },
  };
}
