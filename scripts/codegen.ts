// Generates broker/amqp/generated/protocol.ts from RabbitMQ's protocol JSON:
//   npx tsx scripts/codegen.ts   (npm run codegen)
// The output depends only on the JSON, so running it twice gives the same file; codegen.test.ts
// fails when the checked-in file differs from what generate() returns.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SPEC_PATH = join(ROOT, 'broker/amqp/amqp-rabbitmq-0.9.1.json');
export const OUTPUT_PATH = join(ROOT, 'broker/amqp/generated/protocol.ts');

// ---------------------------------------------------------------------------------------------
// The JSON's shape

interface SpecField {
  name: string;
  type?: string;
  domain?: string;
  'default-value'?: unknown;
}

interface SpecMethod {
  name: string;
  id: number;
  arguments: SpecField[];
  synchronous?: boolean;
  content?: boolean;
}

interface SpecClass {
  name: string;
  id: number;
  methods: SpecMethod[];
  properties?: SpecField[];
}

interface Spec {
  'major-version': number;
  'minor-version': number;
  revision: number;
  copyright: string[];
  domains: [string, string][];
  constants: { name: string; value: number; class?: string }[];
  classes: SpecClass[];
}

type Prim = 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'table' | 'timestamp';

interface Field {
  /** name in the JSON, e.g. routing-key */
  wire: string;
  /** camelCase name in the generated interfaces */
  name: string;
  type: Prim;
  hasDefault: boolean;
  default: unknown;
}

interface Method {
  cls: string;
  name: string; // basic.publish
  pascal: string; // BasicPublish
  classId: number;
  methodId: number;
  id: number; // classId << 16 | methodId
  synchronous: boolean;
  content: boolean;
  fields: Field[];
}

// RabbitMQ's JSON still carries the 0-8 names of fields that 0-9-1 declares reserved; the brief for
// the broker (and the 0-9-1 spec) call them reserved-N. auto-delete and internal on
// exchange.declare are reserved in the spec too, but RabbitMQ gives them meaning, so they keep it.
const RESERVED_NAMES: { readonly [methodField: string]: string } = {
  'connection.open.capabilities': 'reserved-1',
  'connection.open.insist': 'reserved-2',
  'connection.open-ok.known-hosts': 'reserved-1',
  'channel.open.out-of-band': 'reserved-1',
  'channel.open-ok.channel-id': 'reserved-1',
  'basic.get-empty.cluster-id': 'reserved-1',
};

function fieldWireName(cls: string, method: string, field: string): string {
  // access.request-ok's ticket is a real value; everywhere else a ticket is 0-9-1's reserved-1.
  if (field === 'ticket' && cls !== 'access') return 'reserved-1';
  return RESERVED_NAMES[`${cls}.${method}.${field}`] ?? field;
}

// Identifiers a generated local variable must not take.
const RESERVED_WORDS = new Set(['arguments', 'eval', 'b', 'o', 'end', 'f', 'a', 'p', 'channel', 'size']);

function camel(s: string): string {
  return s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pascal(s: string): string {
  const c = camel(s);
  return c[0].toUpperCase() + c.slice(1);
}

function upperSnake(s: string): string {
  return s.replace(/-/g, '_').toUpperCase();
}

function local(f: Field): string {
  return RESERVED_WORDS.has(f.name) ? `${f.name}Value` : f.name;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

const TS_TYPE: { readonly [P in Prim]: string } = {
  bit: 'boolean',
  octet: 'number',
  short: 'number',
  long: 'number',
  longlong: 'number',
  timestamp: 'number',
  shortstr: 'string',
  longstr: 'Buffer',
  table: 'FieldTable',
};

const FIXED_SIZE: { readonly [P in Prim]?: number } = { octet: 1, short: 2, long: 4, longlong: 8, timestamp: 8 };

function literal(v: unknown, type: Prim): string {
  if (type === 'table') return 'EMPTY_TABLE';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Reading the spec

function load(spec: Spec): { methods: Method[]; properties: Field[] } {
  const domains = new Map(spec.domains);
  const prim = (f: SpecField): Prim => {
    let t = f.type ?? f.domain;
    // Domains may name other domains; follow them down to a primitive.
    for (let i = 0; t !== undefined && domains.has(t) && domains.get(t) !== t && i < 10; i++) t = domains.get(t);
    if (t === undefined || !(t in TS_TYPE)) throw new Error(`no primitive type for field ${f.name}`);
    return t as Prim;
  };
  const methods: Method[] = [];
  let properties: Field[] = [];
  for (const c of spec.classes) {
    for (const m of c.methods) {
      methods.push({
        cls: c.name,
        name: `${c.name}.${m.name}`,
        pascal: pascal(c.name) + pascal(m.name),
        classId: c.id,
        methodId: m.id,
        id: c.id * 65536 + m.id,
        synchronous: m.synchronous === true,
        content: m.content === true,
        fields: m.arguments.map((a) => {
          const wire = fieldWireName(c.name, m.name, a.name);
          return {
            wire,
            name: camel(wire),
            type: prim(a),
            hasDefault: 'default-value' in a,
            default: a['default-value'],
          };
        }),
      });
    }
    if (c.name === 'basic') {
      properties = (c.properties ?? []).map((a) => ({
        wire: a.name,
        name: camel(a.name),
        type: prim(a),
        hasDefault: false,
        default: undefined,
      }));
    }
  }
  if (properties.length > 15) throw new Error('more than 15 basic properties need a second flag word');
  return { methods, properties };
}

// ---------------------------------------------------------------------------------------------
// Emitting

const PREAMBLE = `import { isUtf8 } from 'node:buffer';
import type { FieldTable } from '../../core/field-values';
import type { BasicProperties } from '../../core/properties';
import { CodecError, MALFORMED, describeOctets, fitShortstr, frameError } from '../codec-error';
import { decodeTable, tableSize, writeTable } from '../field-table';

// ---------------------------------------------------------------------------------------------
// Primitive readers and writers shared by the method codecs. Readers check bounds against \`end\`
// and throw CodecError; writers trust sizes computed beforehand.

const TWO_32 = 4294967296;
const EMPTY_TABLE: FieldTable = Object.freeze({}) as FieldTable;

function truncated(): CodecError {
  return new CodecError(MALFORMED, 'runs past the end');
}

function need(o: number, n: number, end: number): void {
  if (o + n > end) throw truncated();
}

function finished(o: number, end: number): void {
  if (o !== end) throw new CodecError(MALFORMED, \`\${end - o} unexpected octets after the last field\`);
}

// A publisher sends the same exchange and routing key again and again, and decoding a short string
// is a native call that costs more than comparing its few octets: the strings last read are kept
// with their octets, in slots picked by a hash of all the octets (a topic publisher's keys often
// differ only in the middle), and octets that match a slot's are not decoded again. Bounded:
// RECENT_SLOTS × 256 octets, whatever arrives; names made to collide only cost their decoding.
const RECENT_SLOTS = 1024;
const recentOctets = Buffer.alloc(RECENT_SLOTS * 256);
const recentSizes = new Int16Array(RECENT_SLOTS).fill(-1);
const recentTexts: string[] = new Array<string>(RECENT_SLOTS).fill('');

export function readShortstr(b: Buffer, o: number, end: number): string {
  if (o >= end || o + 1 + b[o] > end) throw truncated();
  const n = b[o];
  if (n === 0) return '';
  const from = o + 1;
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[from + i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (RECENT_SLOTS - 1);
  const at = slot * 256;
  if (recentSizes[slot] === n) {
    let i = 0;
    while (i < n && recentOctets[at + i] === b[from + i]) i++;
    if (i === n) return recentTexts[slot];
  }
  const s = b.toString('utf8', from, from + n);
  for (let i = 0; i < n; i++) recentOctets[at + i] = b[from + i];
  recentSizes[slot] = n;
  recentTexts[slot] = s;
  return s;
}

/**
 * A method's short string, which RabbitMQ 3.10 refuses unless it is UTF-8 (501 "Malformed UTF-8 in
 * shortstr"; content-carrying methods, properties and table keys are not checked). Only a string holding U+FFFD can have come
 * from bad bytes, so a well-formed one costs no second look.
 */
function readUtf8Shortstr(b: Buffer, o: number, end: number): string {
  const s = readShortstr(b, o, end);
  if (s.includes('\\ufffd') && !isUtf8(b.subarray(o + 1, o + 1 + b[o]))) {
    throw new CodecError(MALFORMED, 'Malformed UTF-8 in shortstr', 0, 0, 'malformed_utf8');
  }
  return s;
}

function readLongstr(b: Buffer, o: number, end: number): Buffer {
  need(o, 4, end);
  const len = b.readUInt32BE(o);
  need(o + 4, len, end);
  // A copy, so a value kept from the handshake does not pin the frame it came in.
  return Buffer.from(b.subarray(o + 4, o + 4 + len));
}

function readLonglong(b: Buffer, o: number): number {
  // Delivery tags and the like: exact up to 2^53, which is as far as a JS number goes.
  return b.readUInt32BE(o) * TWO_32 + b.readUInt32BE(o + 4);
}

function writeLonglong(f: Buffer, o: number, v: number): void {
  f.writeUInt32BE(Math.floor(v / TWO_32), o);
  f.writeUInt32BE(v >>> 0, o + 4);
}

function shortstrLength(s: string, field: string): number {
  const n = Buffer.byteLength(s);
  if (n > 255) throw new RangeError(\`\${field} is longer than the 255 bytes of a short string\`);
  return n;
}

function writeShortstr(f: Buffer, o: number, s: string, len: number): number {
  f[o] = len;
  if (len > 0) f.write(s, o + 1, len, 'utf8');
  return o + 1 + len;
}

function longstrLength(v: Buffer | string): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

function writeLongstr(f: Buffer, o: number, v: Buffer | string, len: number): number {
  f.writeUInt32BE(len, o);
  if (typeof v === 'string') f.write(v, o + 4, len, 'utf8');
  else v.copy(f, o + 4);
  return o + 4 + len;
}

/** A method frame of \`size\` payload bytes with everything but the arguments written. */
function methodFrame(channel: number, id: number, size: number): Buffer {
  const f = Buffer.allocUnsafe(size + 8);
  f[0] = FRAME_METHOD;
  f.writeUInt16BE(channel, 1);
  f.writeUInt32BE(size, 3);
  f.writeUInt32BE(id, 7);
  f[size + 7] = FRAME_END;
  return f;
}
`;

/** Fields split into runs of fixed-size fields (bits included) and single variable-size fields. */
type Run =
  | { kind: 'fixed'; size: number; items: { field: Field; at: number; bit: number }[] }
  | { kind: 'var'; field: Field };

function runs(fields: Field[]): Run[] {
  const out: Run[] = [];
  let fixed: Extract<Run, { kind: 'fixed' }> | undefined;
  let bitOctet = -1;
  let bit = 0;
  for (const f of fields) {
    if (f.type === 'shortstr' || f.type === 'longstr' || f.type === 'table') {
      fixed = undefined;
      bitOctet = -1;
      out.push({ kind: 'var', field: f });
      continue;
    }
    if (fixed === undefined) {
      fixed = { kind: 'fixed', size: 0, items: [] };
      out.push(fixed);
    }
    if (f.type === 'bit') {
      // Consecutive bits share an octet, eight to an octet, lowest bit first.
      if (bitOctet < 0 || bit === 8) {
        bitOctet = fixed.size;
        fixed.size += 1;
        bit = 0;
      }
      fixed.items.push({ field: f, at: bitOctet, bit: bit++ });
    } else {
      bitOctet = -1;
      fixed.items.push({ field: f, at: fixed.size, bit: -1 });
      fixed.size += FIXED_SIZE[f.type] ?? 0;
    }
  }
  return out;
}

/**
 * Where the next field starts: a constant (past `base`, the decoders' payload start) while only
 * fixed-size fields came before it, the variable `o` after the first string or table.
 */
class Cursor {
  private fixed: number | undefined;

  constructor(
    start: number,
    private readonly base = '',
  ) {
    this.fixed = start;
  }

  private constant(n: number): string {
    return this.base === '' ? String(n) : `${this.base} + ${n}`;
  }

  /** The expression for `n` bytes further on. */
  at(n: number): string {
    if (this.fixed !== undefined) return this.constant(this.fixed + n);
    return n === 0 ? 'o' : `o + ${n}`;
  }

  /** Moves past a fixed run; the line that does it at run time, if one is needed. */
  advance(n: number): string | undefined {
    if (this.fixed !== undefined) {
      this.fixed += n;
      return undefined;
    }
    return `  o += ${n};`;
  }

  /** Before a variable-size field: from here on the position lives in `o`. */
  toVariable(): string | undefined {
    if (this.fixed === undefined) return undefined;
    const decl = `  let o = ${this.constant(this.fixed)};`;
    this.fixed = undefined;
    return decl;
  }
}

function emitDecoder(m: Method): string[] {
  const L: string[] = [];
  const push = (line: string | undefined): void => {
    if (line !== undefined) L.push(line);
  };
  // the payload is b from s to end: a frame's, in the socket chunk it came in
  L.push(`function decode${m.pascal}(b: Buffer, s: number, end: number): ${m.pascal}Args {`);
  if (m.fields.length === 0) {
    L.push('  finished(s + 4, end);', '  return {};', '}');
    return L;
  }
  const c = new Cursor(4, 's');
  for (const r of runs(m.fields)) {
    if (r.kind === 'var') {
      const f = r.field;
      const v = local(f);
      push(c.toVariable());
      // RabbitMQ checks the short strings of every method but those that carry content (basic.publish
      // with a routing key that is not UTF-8 is accepted), which also keeps the check off the publish path
      if (f.type === 'shortstr') L.push(`  const ${v} = ${m.content ? 'readShortstr' : 'readUtf8Shortstr'}(b, o, end);`, '  o += 1 + b[o];');
      else if (f.type === 'longstr') L.push(`  const ${v} = readLongstr(b, o, end);`, `  o += 4 + ${v}.length;`);
      else L.push(`  const [${v}, ${v}Size] = decodeTable(b, o, end);`, `  o += ${v}Size;`);
      continue;
    }
    L.push(`  need(${c.at(0)}, ${r.size}, end);`);
    const octets = new Set<number>();
    for (const { field: f, at: off, bit } of r.items) {
      const v = local(f);
      if (bit >= 0) {
        if (!octets.has(off)) {
          octets.add(off);
          L.push(`  const bits${octets.size - 1} = b[${c.at(off)}];`);
        }
        L.push(`  const ${v} = (bits${octets.size - 1} & ${1 << bit}) !== 0;`);
      } else if (f.type === 'octet') L.push(`  const ${v} = b[${c.at(off)}];`);
      else if (f.type === 'short') L.push(`  const ${v} = b.readUInt16BE(${c.at(off)});`);
      else if (f.type === 'long') L.push(`  const ${v} = b.readUInt32BE(${c.at(off)});`);
      else L.push(`  const ${v} = readLonglong(b, ${c.at(off)});`);
    }
    push(c.advance(r.size));
  }
  L.push(`  finished(${c.at(0)}, end);`);
  L.push(`  return { ${m.fields.map((f) => (local(f) === f.name ? f.name : `${f.name}: ${local(f)}`)).join(', ')} };`);
  L.push('}');
  return L;
}

function emitEncoder(m: Method): string[] {
  const L: string[] = [];
  const push = (line: string | undefined): void => {
    if (line !== undefined) L.push(line);
  };
  const value = (f: Field): string => (f.hasDefault ? `a.${f.name} ?? ${literal(f.default, f.type)}` : `a.${f.name}`);
  const input = m.fields.length === 0 ? `_a: ${m.pascal}Input` : `a: ${m.pascal}Input`;
  L.push(`/** The complete ${m.name} frame. */`);
  L.push(`export function encode${m.pascal}(channel: number, ${input}): Buffer {`);
  let fixed = 4;
  const variable: string[] = [];
  for (const f of m.fields) {
    const v = local(f);
    if (f.type === 'shortstr') {
      // A reply text is cut to fit, as RabbitMQ cuts it, rather than failing the close it is in.
      L.push(f.wire === 'reply-text' ? `  const ${v} = fitShortstr(${value(f)});` : `  const ${v} = ${value(f)};`);
      L.push(`  const ${v}Len = shortstrLength(${v}, '${m.name} ${f.wire}');`);
      fixed += 1;
      variable.push(`${v}Len`);
    } else if (f.type === 'longstr') {
      L.push(`  const ${v} = ${value(f)};`, `  const ${v}Len = longstrLength(${v});`);
      fixed += 4;
      variable.push(`${v}Len`);
    } else if (f.type === 'table') {
      L.push(`  const ${v} = ${value(f)};`, `  const ${v}Size = tableSize(${v});`);
      variable.push(`${v}Size`);
    }
  }
  const all = runs(m.fields);
  for (const r of all) if (r.kind === 'fixed') fixed += r.size;
  const frame = `methodFrame(channel, ${hex(m.id)}, ${[String(fixed), ...variable].join(' + ')})`;
  if (m.fields.length === 0) {
    L.push(`  return ${frame};`, '}');
    return L;
  }
  L.push(`  const f = ${frame};`);
  const c = new Cursor(11);
  all.forEach((r, i) => {
    const last = i === all.length - 1;
    if (r.kind === 'var') {
      const f = r.field;
      const v = local(f);
      push(c.toVariable());
      const assign = last ? '' : 'o = ';
      if (f.type === 'shortstr') L.push(`  ${assign}writeShortstr(f, o, ${v}, ${v}Len);`);
      else if (f.type === 'longstr') L.push(`  ${assign}writeLongstr(f, o, ${v}, ${v}Len);`);
      else L.push(`  ${last ? '' : 'o += '}writeTable(f, o, ${v});`);
      return;
    }
    const bitTerms = new Map<number, string[]>();
    for (const { field: f, at: off, bit } of r.items) {
      if (bit >= 0) {
        const terms = bitTerms.get(off) ?? [];
        terms.push(f.hasDefault ? `((${value(f)}) ? ${1 << bit} : 0)` : `(${value(f)} ? ${1 << bit} : 0)`);
        bitTerms.set(off, terms);
      } else if (f.type === 'octet') L.push(`  f.writeUInt8(${value(f)}, ${c.at(off)});`);
      else if (f.type === 'short') L.push(`  f.writeUInt16BE(${value(f)}, ${c.at(off)});`);
      else if (f.type === 'long') L.push(`  f.writeUInt32BE(${value(f)}, ${c.at(off)});`);
      else L.push(`  writeLonglong(f, ${c.at(off)}, ${value(f)});`);
    }
    for (const [off, terms] of bitTerms) L.push(`  f[${c.at(off)}] = ${terms.join(' | ')};`);
    if (!last) push(c.advance(r.size));
  });
  L.push('  return f;', '}');
  return L;
}

function emitProperties(props: Field[]): string[] {
  const L: string[] = [];
  const flag = (i: number): string => `0x${(0x8000 >> i).toString(16).padStart(4, '0')}`;
  // BasicProperties is the core's (broker/core/properties.ts); the mapped type makes the compiler
  // check that it names exactly the spec's properties.
  L.push('/** Each basic property\'s bit in the property flags. */');
  L.push('export const PROPERTY_FLAGS: { readonly [K in keyof Required<BasicProperties>]: number } = {');
  props.forEach((p, i) => L.push(`  ${p.name}: ${flag(i)},`));
  L.push('};', '');

  L.push('/**');
  L.push(' * Decodes the property flags (with continuation words) and values in buf[offset, end): a content');
  L.push(' * header frame\'s payload after its class id, weight and body size.');
  L.push(' */');
  L.push('export function decodeProperties(buf: Buffer, offset: number, end: number): BasicProperties {');
  L.push('  try {');
  L.push('    return readProperties(buf, offset, Math.min(end, buf.length));');
  L.push('  } catch (e) {');
  L.push('    const why = e instanceof CodecError ? e.detail : \'runs past the end\';');
  L.push('    throw new CodecError(MALFORMED, `cannot decode content header properties (${describeOctets(buf, offset, end)}): ${why}`);');
  L.push('  }');
  L.push('}', '');
  L.push('function readProperties(b: Buffer, o: number, end: number): BasicProperties {');
  L.push('  need(o, 2, end);');
  L.push('  const flags = b.readUInt16BE(o);');
  L.push('  o += 2;');
  L.push('  // More flag words may follow (bit 0); none of their properties exist in 0-9-1.');
  L.push('  for (let more = flags & 1; more !== 0; o += 2) {');
  L.push('    need(o, 2, end);');
  L.push('    const word = b.readUInt16BE(o);');
  L.push('    if ((word & 0xfffe) !== 0) throw new CodecError(MALFORMED, `unknown property flags 0x${word.toString(16)}`);');
  L.push('    more = word & 1;');
  L.push('  }');
  L.push('  const p: BasicProperties = {};');
  props.forEach((p, i) => {
    L.push(`  if ((flags & ${flag(i)}) !== 0) {`);
    if (p.type === 'shortstr') L.push(`    p.${p.name} = readShortstr(b, o, end);`, '    o += 1 + b[o];');
    else if (p.type === 'table') L.push(`    const [t, n] = decodeTable(b, o, end);`, `    p.${p.name} = t;`, '    o += n;');
    else if (p.type === 'octet') L.push('    need(o, 1, end);', `    p.${p.name} = b[o];`, '    o += 1;');
    else if (p.type === 'short') L.push('    need(o, 2, end);', `    p.${p.name} = b.readUInt16BE(o);`, '    o += 2;');
    else if (p.type === 'long') L.push('    need(o, 4, end);', `    p.${p.name} = b.readUInt32BE(o);`, '    o += 4;');
    else if (p.type === 'longlong' || p.type === 'timestamp') L.push('    need(o, 8, end);', `    p.${p.name} = readLonglong(b, o);`, '    o += 8;');
    else throw new Error(`property type ${p.type} not supported`);
    L.push('  }');
  });
  L.push('  finished(o, end);');
  L.push('  return p;');
  L.push('}', '');

  L.push('/** Property flags and values, as they follow the body size in a content header. */');
  L.push('export function encodeProperties(p: BasicProperties): Buffer {');
  L.push('  let size = 2;');
  L.push('  let flags = 0;');
  props.forEach((p, i) => {
    const cond = `p.${p.name} != null`;
    if (p.type === 'shortstr') {
      L.push(`  const ${p.name}Len = ${cond} ? shortstrLength(p.${p.name}, 'property ${p.wire}') : -1;`);
      L.push(`  if (${p.name}Len >= 0) {`, `    flags |= ${flag(i)};`, `    size += 1 + ${p.name}Len;`, '  }');
    } else if (p.type === 'table') {
      L.push(`  const ${p.name}Size = ${cond} ? tableSize(p.${p.name}) : -1;`);
      L.push(`  if (${p.name}Size >= 0) {`, `    flags |= ${flag(i)};`, `    size += ${p.name}Size;`, '  }');
    } else {
      L.push(`  if (${cond}) {`, `    flags |= ${flag(i)};`, `    size += ${FIXED_SIZE[p.type]};`, '  }');
    }
  });
  L.push('  const buf = Buffer.allocUnsafe(size);');
  L.push('  buf.writeUInt16BE(flags, 0);');
  L.push('  let o = 2;');
  props.forEach((p, i) => {
    if (p.type === 'shortstr') L.push(`  if (${p.name}Len >= 0) o = writeShortstr(buf, o, p.${p.name} as string, ${p.name}Len);`);
    else if (p.type === 'table') L.push(`  if (${p.name}Size >= 0) o += writeTable(buf, o, p.${p.name} as FieldTable);`);
    else {
      const write =
        p.type === 'octet'
          ? `buf.writeUInt8(p.${p.name} as number, o)`
          : p.type === 'short'
            ? `buf.writeUInt16BE(p.${p.name} as number, o)`
            : p.type === 'long'
              ? `buf.writeUInt32BE(p.${p.name} as number, o)`
              : `(writeLonglong(buf, o, p.${p.name} as number), o + 8)`;
      L.push(`  if ((flags & ${flag(i)}) !== 0) o = ${write};`);
    }
  });
  L.push('  return buf;');
  L.push('}');
  return L;
}

export function generate(spec: Spec): string {
  const { methods, properties } = load(spec);
  const L: string[] = [];
  L.push('// Generated by `npm run codegen` (scripts/codegen.ts) from broker/amqp/amqp-rabbitmq-0.9.1.json.');
  L.push('// Do not edit: change the generator and run it again.');
  L.push('//');
  L.push('// The protocol definitions come from RabbitMQ\'s amqp-rabbitmq-0.9.1.json, which carries this notice:');
  L.push('//');
  for (const line of spec.copyright.join('').replace(/\n$/, '').split('\n')) L.push(`// ${line}`.trimEnd());
  L.push('');
  L.push(PREAMBLE);

  L.push('// ---------------------------------------------------------------------------------------------');
  L.push('// Constants');
  L.push('');
  const v = spec;
  L.push(`/** "AMQP" 0 ${v['major-version']} ${v['minor-version']} ${v.revision}: what a client sends before its first frame */`);
  L.push(`export const PROTOCOL_HEADER: Buffer = Buffer.from([65, 77, 81, 80, 0, ${v['major-version']}, ${v['minor-version']}, ${v.revision}]);`);
  L.push('');
  for (const c of spec.constants) {
    const note = c.class === undefined ? '' : ` // ${c.class}`;
    L.push(`export const ${upperSnake(c.name)} = ${c.value};${note}`);
  }
  L.push('');
  for (const c of spec.classes) L.push(`export const CLASS_${upperSnake(c.name)} = ${c.id};`);
  L.push('');

  L.push('// ---------------------------------------------------------------------------------------------');
  L.push('// Method arguments. Reserved fields are named reserved1, reserved2 as in the 0-9-1 spec.');
  L.push('');
  L.push('/**');
  L.push(' * What encodeMethod takes for a method\'s arguments: fields with a default in the spec may be left');
  L.push(' * out, and long strings may be given as text.');
  L.push(' */');
  L.push('export type ArgsInput<A, Defaulted extends keyof A> = {');
  L.push('  [K in Exclude<keyof A, Defaulted>]: A[K] extends Buffer ? Buffer | string : A[K];');
  L.push('} & {');
  L.push('  [K in Defaulted]?: A[K] extends Buffer ? Buffer | string : A[K];');
  L.push('};');
  L.push('');
  for (const m of methods) {
    if (m.fields.length === 0) {
      L.push(`export type ${m.pascal}Args = Record<string, never>;`);
      L.push(`export type ${m.pascal}Input = Record<string, never>;`);
    } else {
      L.push(`export interface ${m.pascal}Args {`);
      for (const f of m.fields) L.push(`  ${f.name}: ${TS_TYPE[f.type]};`);
      L.push('}');
      const defaulted = m.fields.filter((f) => f.hasDefault).map((f) => `'${f.name}'`);
      L.push(`export type ${m.pascal}Input = ArgsInput<${m.pascal}Args, ${defaulted.length > 0 ? defaulted.join(' | ') : 'never'}>;`);
    }
    L.push('');
  }

  L.push('/** A decoded method frame. */');
  L.push('export type AmqpMethod =');
  for (const m of methods) L.push(`  | { name: '${m.name}'; classId: ${m.classId}; methodId: ${m.methodId}; args: ${m.pascal}Args }`);
  L[L.length - 1] += ';';
  L.push('');
  L.push('/** A method to encode: decoded methods qualify, and so do ones that leave defaulted fields out. */');
  L.push('export type MethodInput =');
  for (const m of methods) L.push(`  | { name: '${m.name}'; args: ${m.pascal}Input }`);
  L[L.length - 1] += ';';
  L.push('');
  L.push('export type MethodName = AmqpMethod[\'name\'];');
  L.push('export type MethodArgs<N extends MethodName> = Extract<AmqpMethod, { name: N }>[\'args\'];');
  L.push('');

  L.push('export interface MethodInfo {');
  L.push('  name: MethodName;');
  L.push('  classId: number;');
  L.push('  methodId: number;');
  L.push('  /** the server or client answers it with a -ok method */');
  L.push('  synchronous: boolean;');
  L.push('  /** a content header and body frames follow it */');
  L.push('  content: boolean;');
  L.push('  fields: readonly { name: string; type: string }[];');
  L.push('}');
  L.push('');
  L.push('export const METHODS: readonly MethodInfo[] = [');
  for (const m of methods) {
    const fields = m.fields.map((f) => `{ name: '${f.name}', type: '${f.type}' }`).join(', ');
    L.push(`  { name: '${m.name}', classId: ${m.classId}, methodId: ${m.methodId}, synchronous: ${m.synchronous}, content: ${m.content}, fields: [${fields}] },`);
  }
  L.push('];');
  L.push('');

  L.push('/** "basic.publish" for (60, 40), for error texts; "none" for (0, 0) as RabbitMQ says. */');
  L.push('export function methodName(classId: number, methodId: number): string {');
  L.push('  switch (classId * 65536 + methodId) {');
  for (const m of methods) L.push(`    case ${hex(m.id)}:`, `      return '${m.name}';`);
  L.push('    case 0:');
  L.push('      return \'none\';');
  L.push('    default:');
  L.push('      return `unknown method ${classId}/${methodId}`;');
  L.push('  }');
  L.push('}');
  L.push('');

  L.push('// ---------------------------------------------------------------------------------------------');
  L.push('// Decoding');
  L.push('');
  L.push('/**');
  L.push(' * Decodes a method frame\'s payload (class id, method id, arguments). Throws CodecError: 501 for a');
  L.push(' * payload that is too short, has octets left over, or holds a bad field table (kind \'cannot_decode\',');
  L.push(' * or \'unknown_field_type\'; a short string that is not UTF-8, \'malformed_utf8\'); 503 for an');
  L.push(' * unknown class or method id (kind \'unknown_method\'), which RabbitMQ answers by dropping the');
  L.push(' * connection. The payload is `payload` from `start` to `end` (a frame read where it lies in the');
  L.push(' * socket chunk), or all of it.');
  L.push(' */');
  L.push('export function decodeMethod(payload: Buffer, start = 0, end = payload.length): AmqpMethod {');
  L.push('  if (end - start < 4) throw frameError(FRAME_METHOD, payload.subarray(start, end), \'unknown_frame\');');
  L.push('  const id = payload.readUInt32BE(start);');
  L.push('  try {');
  L.push('    switch (id) {');
  for (const m of methods) {
    L.push(`      case ${hex(m.id)}:`);
    L.push(`        return { name: '${m.name}', classId: ${m.classId}, methodId: ${m.methodId}, args: decode${m.pascal}(payload, start, end) };`);
  }
  L.push('    }');
  L.push('  } catch (e) {');
  L.push('    const inner = e instanceof CodecError ? e : new CodecError(MALFORMED, \'runs past the end\');');
  L.push('    // RabbitMQ words this one alone, with no method: the connection adds the ids on channel 0');
  L.push('    if (inner.kind === \'malformed_utf8\') throw inner;');
  L.push('    const classId = id >>> 16;');
  L.push('    const methodId = id & 0xffff;');
  L.push('    const what = `${methodName(classId, methodId)} (${describeOctets(payload.subarray(start, end), 4)})`;');
  L.push('    throw new CodecError(MALFORMED, `cannot decode ${what}: ${inner.detail}`, classId, methodId, inner.kind);');
  L.push('  }');
  L.push('  const classId = id >>> 16;');
  L.push('  const methodId = id & 0xffff;');
  L.push('  const text = `unknown method: class-id ${classId}, method-id ${methodId}`;');
  L.push('  throw new CodecError(COMMAND_INVALID, text, classId, methodId, \'unknown_method\');');
  L.push('}');
  L.push('');
  for (const m of methods) L.push(...emitDecoder(m), '');

  L.push('// ---------------------------------------------------------------------------------------------');
  L.push('// Encoding. Each encoder sizes the frame first and allocates once.');
  L.push('');
  L.push('/** The complete frame (header, payload, frame-end) for a method on `channel`. */');
  L.push('export function encodeMethod(channel: number, m: MethodInput): Buffer {');
  L.push('  switch (m.name) {');
  for (const m of methods) L.push(`    case '${m.name}':`, `      return encode${m.pascal}(channel, m.args);`);
  L.push('  }');
  L.push('}');
  L.push('');
  for (const m of methods) L.push(...emitEncoder(m), '');

  L.push('// ---------------------------------------------------------------------------------------------');
  L.push('// Content header properties (class basic)');
  L.push('');
  L.push(...emitProperties(properties));
  return L.join('\n') + '\n';
}

export function readSpec(): Spec {
  return JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUTPUT_PATH, generate(readSpec()));
  console.log(`wrote ${OUTPUT_PATH}`);
}
