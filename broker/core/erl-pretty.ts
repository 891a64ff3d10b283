// Erlang terms as io_lib's ~p prints them. RabbitMQ writes policy validation errors with ~p of the
// JSON it decoded (strings as binaries, null as an atom, objects as maps), and clients that show or
// compare those texts see exactly this, line breaks included.

export type Term =
  | { bin: string }
  | { str: string }
  | { int: bigint }
  | { float: number }
  | { atom: string }
  | { list: Term[] }
  | { tuple: Term[] }
  | { map: [Term, Term][] };

/** A JSON value as RabbitMQ's decoder hands it over; `undefined` is a missing key. */
export function fromJson(v: unknown): Term {
  if (v === undefined) return { atom: 'undefined' };
  if (v === null) return { atom: 'null' };
  if (typeof v === 'boolean') return { atom: String(v) };
  if (typeof v === 'string') return { bin: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int: BigInt(v) } : { float: v };
  if (typeof v === 'bigint') return { int: v };
  if (Array.isArray(v)) return { list: v.map(fromJson) };
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => byteCompare(a, b));
  return { map: entries.map(([k, x]) => [{ bin: k }, fromJson(x)]) };
}

/** Erlang orders binaries byte by byte. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** `t` printed by ~p starting at column `col` (what precedes it on its line). */
export function pretty(t: Term, col = 0): string {
  return layout(t, col, 0, true);
}

// io_lib_pretty keeps a term on one line when it fits in 80 columns with room for what follows it:
// one column short for the last thing on a line, as observed for Erlang/OTP of RabbitMQ 3.10.
const fits = (col: number, text: string, tail: number, last: boolean) => col + width(text) + tail <= (last ? 78 : 79);

function layout(t: Term, col: number, tail: number, last: boolean): string {
  const text = flat(t);
  if (fits(col, text, tail, last) || !('list' in t || 'tuple' in t || 'map' in t)) return text;
  if ('tuple' in t) return broken('{', '}', t.tuple, col, tail, last);
  if ('map' in t) {
    const pad = ' '.repeat(col + 2);
    return `#{${t.map.map(([k, v]) => `${flat(k)} => ${flat(v)}`).join(`,\n${pad}`)}}`;
  }
  const items = t.list;
  if (asString(items) !== undefined) return text;
  if (items.every((i) => !('list' in i || 'tuple' in i || 'map' in i))) return filled(items, col, tail);
  return broken('[', ']', items, col, tail, last);
}

/** One element a line, under the first. */
function broken(open: string, close: string, items: Term[], col: number, tail: number, last: boolean): string {
  const inner = col + 1;
  const parts = items.map((item, i) => {
    const isLast = i === items.length - 1;
    return layout(item, inner, isLast ? tail + 1 : 1, isLast && last);
  });
  return `${open}${parts.join(`,\n${' '.repeat(inner)}`)}${close}`;
}

/** Lists of plain values fill each line, as ~p does for a list of numbers. */
function filled(items: Term[], col: number, tail: number): string {
  const inner = col + 1;
  let out = '[';
  let at = inner;
  items.forEach((item, i) => {
    const text = flat(item);
    const after = i === items.length - 1 ? 1 + tail : 1;
    if (i > 0 && at + width(text) + after > 78) {
      out += `\n${' '.repeat(inner)}`;
      at = inner;
    }
    out += text + (i === items.length - 1 ? ']' : ',');
    at += width(text) + 1;
  });
  return out;
}

/** Columns as Erlang counts them: bytes, since it prints binaries as latin-1. */
const width = (s: string): number => Buffer.byteLength(s);

export function flat(t: Term): string {
  if ('bin' in t) return binary(t.bin);
  if ('str' in t) return charList([...Buffer.from(t.str, 'latin1')]);
  if ('int' in t) return t.int.toString();
  if ('float' in t) return erlFloat(t.float);
  if ('atom' in t) return /^[a-z][A-Za-z0-9_@]*$/.test(t.atom) ? t.atom : `'${t.atom.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  if ('tuple' in t) return `{${t.tuple.map(flat).join(',')}}`;
  if ('map' in t) return `#{${t.map.map(([k, v]) => `${flat(k)} => ${flat(v)}`).join(',')}}`;
  const s = asString(t.list);
  return s ?? `[${t.list.map(flat).join(',')}]`;
}

const ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 34: '\\"', 92: '\\\\' };
const printable = (b: number): boolean => (b >= 32 && b <= 126) || (b >= 160 && b <= 255) || (b >= 8 && b <= 13) || b === 27;

/** A binary is quoted when every byte is printable latin-1; UTF-8 text mostly is, byte by byte. */
function binary(s: string): string {
  const bytes = [...Buffer.from(s, 'utf8')];
  if (bytes.length === 0) return '<<>>';
  if (!bytes.every(printable)) return `<<${bytes.join(',')}>>`;
  return `<<"${quoted(s, bytes)}">>`;
}

function quoted(s: string, bytes: number[]): string {
  // escapes are all ASCII, so the text keeps its UTF-8 characters (RabbitMQ's JSON encoder turns
  // the latin-1 bytes back into them)
  if (!bytes.some((b) => ESCAPES[b] !== undefined)) return s;
  return s.replace(/[\b\t\n\v\f\r\u001b"\\]/g, (c) => ESCAPES[c.charCodeAt(0)]);
}

function charList(codes: number[]): string {
  if (codes.length === 0) return '[]';
  if (!codes.every(printable)) return `[${codes.join(',')}]`;
  return `"${codes.map((c) => ESCAPES[c] ?? String.fromCharCode(c)).join('')}"`;
}

/** A list of integers that are all printable characters is a string to ~p. */
function asString(items: Term[]): string | undefined {
  if (items.length === 0) return undefined;
  const codes: number[] = [];
  for (const i of items) {
    if (!('int' in i) || i.int > 255n || !printable(Number(i.int))) return undefined;
    codes.push(Number(i.int));
  }
  return charList(codes);
}

/**
 * Erlang's shortest float text: the digits that read back as the same double, in plain or
 * scientific notation, whichever is shorter (plain on a tie) — `1.5`, `1.0e3`, `1.5e-7`.
 */
export function erlFloat(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sci = `${digits[0]}.${digits.slice(1) || '0'}e${exp}`;
  let fixed: string;
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    fixed = `${int}.${digits.slice(exp + 1) || '0'}`;
  } else {
    fixed = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return sign + (sci.length < fixed.length ? sci : fixed);
}
