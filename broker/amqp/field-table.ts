// AMQP field tables and field arrays on the wire: method arguments, client and server properties,
// message headers. The values and their types are the core's (broker/core/field-values.ts); this is
// their binary form.
//
// Value types are the ones RabbitMQ and its clients use (RabbitMQ's "amqp-0-9-1 errata"), which
// differ from the 0-9-1 spec's own table: notably 's' is a signed 16-bit integer, not a short
// string, and 'x' is a byte array. The tags of the types:
//
//   t boolean   b int8   B uint8   s int16   u uint16   I int32   i uint32   l int64
//   f float   d double   D decimal   S longstr   T timestamp   F table   A array   V void   x bytes
//
// Decoding records a value's tag as a type hint where it differs from the value's natural type,
// and encoding follows the hints (see field-values.ts), so encode(decode(bytes)) reproduces the
// bytes exactly for any table a client sends — with three exceptions no client produces:
// duplicate keys (the last one wins), keys that are not valid UTF-8, and NaN payloads other than
// the canonical one.
//
// Malformed input throws CodecError (MALFORMED, i.e. 501 as RabbitMQ answers). No read goes past
// the given end, and nothing is allocated from a length before the length is checked.

import { isUtf8 } from 'node:buffer';
import {
  Decimal,
  emptyTable,
  FIELD_TYPES,
  type FieldTable,
  type FieldType,
  type FieldTypeCode,
  type FieldValue,
  keepKeyOrder,
  naturalType,
  setTypeHint,
  tableKeys,
  typeFor,
  typeHints,
} from '../core/field-values';
import { CodecError, type CodecErrorKind, MALFORMED } from './codec-error';

// Wire tags as char codes, so the hot comparisons are on numbers.
const T_BOOL = 0x74; // t
const T_INT8 = 0x62; // b
const T_UINT8 = 0x42; // B
const T_INT16 = 0x73; // s
const T_UINT16 = 0x75; // u
const T_INT32 = 0x49; // I
const T_UINT32 = 0x69; // i
const T_INT64 = 0x6c; // l
// py-amqp writes integers beyond int32 as 'L' (signed 64-bit); RabbitMQ accepts it and writes it
// back as 'l', so it decodes as an int64 here and re-encodes as 'l'.
const T_INT64_PYAMQP = 0x4c; // L
const T_FLOAT = 0x66; // f
const T_DOUBLE = 0x64; // d
const T_DECIMAL = 0x44; // D
const T_LONGSTR = 0x53; // S
const T_TIMESTAMP = 0x54; // T
const T_TABLE = 0x46; // F
const T_ARRAY = 0x41; // A
const T_VOID = 0x56; // V
const T_BYTES = 0x78; // x

const TAGS: { readonly [K in FieldType]: number } = {
  boolean: T_BOOL,
  int8: T_INT8,
  uint8: T_UINT8,
  int16: T_INT16,
  uint16: T_UINT16,
  int32: T_INT32,
  uint32: T_UINT32,
  int64: T_INT64,
  float: T_FLOAT,
  double: T_DOUBLE,
  decimal: T_DECIMAL,
  longstr: T_LONGSTR,
  timestamp: T_TIMESTAMP,
  table: T_TABLE,
  array: T_ARRAY,
  void: T_VOID,
  bytes: T_BYTES,
};

// Type codes and tags both ways, as arrays: they are looked up once per value.
const TAG_OF_TYPE = Uint8Array.from(FIELD_TYPES, (t) => TAGS[t]);
const TYPE_OF_TAG = new Int8Array(256).fill(-1);
FIELD_TYPES.forEach((t, code) => (TYPE_OF_TAG[TAGS[t]] = code));

/**
 * Legitimate tables nest a few levels; the limit keeps a hostile frame (or a cyclic object) from
 * exhausting the stack.
 */
const MAX_DEPTH = 64;

const TWO_32 = 4294967296;

/** The tag `v` goes out with, given its type hint. */
function tagFor(v: FieldValue, hint: FieldTypeCode | undefined): number {
  return TAG_OF_TYPE[typeFor(v, hint)];
}

// ---------------------------------------------------------------------------------------------
// Sizes

/** Bytes `encodeTable(t)` produces, including the 4-byte length. Throws on keys over 255 bytes. */
export function tableSize(t: FieldTable): number {
  return tableSizeAt(t, 0);
}

function tableSizeAt(t: FieldTable, depth: number): number {
  if (depth > MAX_DEPTH) throw new TypeError('field table nested too deeply (is it cyclic?)');
  const types = typeHints(t);
  let size = 4;
  for (const key of tableKeys(t)) {
    const keyLen = Buffer.byteLength(key);
    if (keyLen > 255) throw new RangeError(`field table key longer than 255 bytes: ${key.slice(0, 40)}...`);
    const v = t[key];
    size += 2 + keyLen + valueSize(tagFor(v, types?.[key]), v, depth);
  }
  return size;
}

function arraySize(a: FieldValue[], depth: number): number {
  if (depth > MAX_DEPTH) throw new TypeError('field array nested too deeply (is it cyclic?)');
  const types = typeHints(a);
  let size = 4;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    size += 1 + valueSize(tagFor(v, types?.[i]), v, depth);
  }
  return size;
}

function valueSize(tag: number, v: FieldValue, depth: number): number {
  switch (tag) {
    case T_BOOL:
    case T_INT8:
    case T_UINT8:
      return 1;
    case T_INT16:
    case T_UINT16:
      return 2;
    case T_INT32:
    case T_UINT32:
    case T_FLOAT:
      return 4;
    case T_INT64:
    case T_DOUBLE:
    case T_TIMESTAMP:
      return 8;
    case T_DECIMAL:
      return 5;
    case T_LONGSTR:
      return 4 + (typeof v === 'string' ? Buffer.byteLength(v) : (v as Uint8Array).length);
    case T_BYTES:
      return 4 + (v as Uint8Array).length;
    case T_TABLE:
      return tableSizeAt(v as FieldTable, depth + 1);
    case T_ARRAY:
      return arraySize(v as FieldValue[], depth + 1);
    default:
      return 0; // T_VOID
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** The table with its 4-byte length, as it goes into a method or a content header. */
export function encodeTable(t: FieldTable): Buffer {
  const buf = Buffer.allocUnsafe(tableSize(t));
  writeTable(buf, 0, t);
  return buf;
}

/**
 * Writes the table (with its length) at `off`; `buf` must have tableSize(t) bytes free there.
 * Returns the bytes written.
 */
export function writeTable(buf: Buffer, off: number, t: FieldTable): number {
  return writeTableAt(buf, off, t, 0);
}

function writeTableAt(buf: Buffer, off: number, t: FieldTable, depth: number): number {
  if (depth > MAX_DEPTH) throw new TypeError('field table nested too deeply (is it cyclic?)');
  const types = typeHints(t);
  let o = off + 4;
  for (const key of tableKeys(t)) {
    // The key's length is only known once written; its length octet goes in front afterwards.
    const keyLen = buf.write(key, o + 1, 'utf8');
    buf[o] = keyLen;
    o += 1 + keyLen;
    const v = t[key];
    o = writeValue(buf, o, tagFor(v, types?.[key]), v, depth);
  }
  buf.writeUInt32BE(o - off - 4, off);
  return o - off;
}

function writeArray(buf: Buffer, off: number, a: FieldValue[], depth: number): number {
  if (depth > MAX_DEPTH) throw new TypeError('field array nested too deeply (is it cyclic?)');
  const types = typeHints(a);
  let o = off + 4;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    o = writeValue(buf, o, tagFor(v, types?.[i]), v, depth);
  }
  buf.writeUInt32BE(o - off - 4, off);
  return o - off;
}

/** Writes tag and value at `o`, returns the offset after them. */
function writeValue(buf: Buffer, o: number, tag: number, v: FieldValue, depth: number): number {
  buf[o++] = tag;
  switch (tag) {
    case T_BOOL:
      buf[o] = v ? 1 : 0;
      return o + 1;
    case T_INT8:
      return buf.writeInt8(v as number, o);
    case T_UINT8:
      return buf.writeUInt8(v as number, o);
    case T_INT16:
      return buf.writeInt16BE(v as number, o);
    case T_UINT16:
      return buf.writeUInt16BE(v as number, o);
    case T_INT32:
      return buf.writeInt32BE(v as number, o);
    case T_UINT32:
      return buf.writeUInt32BE(v as number, o);
    case T_FLOAT:
      return buf.writeFloatBE(v as number, o);
    case T_DOUBLE:
      return buf.writeDoubleBE(v as number, o);
    case T_INT64:
      return buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v as number), o);
    case T_TIMESTAMP: {
      const seconds = v instanceof Date ? Math.floor(v.getTime() / 1000) : v;
      return buf.writeBigUInt64BE(typeof seconds === 'bigint' ? seconds : BigInt(seconds as number), o);
    }
    case T_DECIMAL: {
      const d = v as Decimal;
      buf[o] = d.places;
      return buf.writeUInt32BE(d.digits, o + 1);
    }
    case T_LONGSTR: {
      const n = typeof v === 'string' ? buf.write(v, o + 4, 'utf8') : copyBytes(v as Uint8Array, buf, o + 4);
      buf.writeUInt32BE(n, o);
      return o + 4 + n;
    }
    case T_BYTES: {
      const n = copyBytes(v as Uint8Array, buf, o + 4);
      buf.writeUInt32BE(n, o);
      return o + 4 + n;
    }
    case T_TABLE:
      return o + writeTableAt(buf, o, v as FieldTable, depth + 1);
    case T_ARRAY:
      return o + writeArray(buf, o, v as FieldValue[], depth + 1);
    default:
      return o; // T_VOID
  }
}

function copyBytes(src: Uint8Array, dst: Buffer, at: number): number {
  dst.set(src, at);
  return src.length;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes the table (4-byte length, then entries) at `offset`; it must end by `end`.
 * Returns the table and the bytes consumed, length included.
 */
export function decodeTable(buf: Buffer, offset: number, end = buf.length): [FieldTable, number] {
  end = Math.min(end, buf.length);
  const r = new TableReader(buf, offset);
  const t = r.table(end, 0);
  return [t, r.o - offset];
}

/** Decodes a field array (4-byte length, then tagged values) at `offset`, like decodeTable. */
export function decodeArray(buf: Buffer, offset: number, end = buf.length): [FieldValue[], number] {
  end = Math.min(end, buf.length);
  const r = new TableReader(buf, offset);
  const a = r.array(end, 0);
  return [a, r.o - offset];
}

function malformed(what: string, kind: CodecErrorKind = 'cannot_decode'): CodecError {
  return new CodecError(MALFORMED, `malformed field table: ${what}`, 0, 0, kind);
}

class TableReader {
  /** the wire tag of the value value() returned last */
  private tag = 0;

  constructor(
    private readonly b: Buffer,
    public o: number,
  ) {}

  /** Moves past `n` bytes that must end by `stop`; returns where they start. */
  private take(n: number, stop: number): number {
    const at = this.o;
    if (at + n > stop) throw malformed('runs past the end');
    this.o = at + n;
    return at;
  }

  /** Moves past a 4-byte length and the bytes it announces, which must end by `stop`; returns their start. */
  private takeSized(stop: number): number {
    const len = this.b.readUInt32BE(this.take(4, stop));
    return this.take(len, stop);
  }

  /** Reads a table (length and entries) that must end by `stop`. */
  table(stop: number, depth: number): FieldTable {
    if (depth > MAX_DEPTH) throw malformed('nested too deeply');
    const b = this.b;
    const start = this.takeSized(stop);
    const end = this.o;
    this.o = start;
    const t = emptyTable();
    const wireOrder: string[] = [];
    while (this.o < end) {
      const keyLen = b[this.o];
      const keyAt = this.take(1 + keyLen, end) + 1;
      const key = b.toString('utf8', keyAt, keyAt + keyLen);
      const v = this.value(end, depth);
      // no prototype: "__proto__" is an ordinary key
      t[key] = v;
      const type = TYPE_OF_TAG[this.tag];
      if (type !== naturalType(v)) setTypeHint(t, key, type);
      wireOrder.push(key);
    }
    keepKeyOrder(t, wireOrder);
    return t;
  }

  /** Reads an array (length and values) that must end by `stop`. */
  array(stop: number, depth: number): FieldValue[] {
    if (depth > MAX_DEPTH) throw malformed('nested too deeply');
    const start = this.takeSized(stop);
    const end = this.o;
    this.o = start;
    const a: FieldValue[] = [];
    while (this.o < end) {
      const v = this.value(end, depth);
      const type = TYPE_OF_TAG[this.tag];
      if (type !== naturalType(v)) setTypeHint(a, String(a.length), type);
      a.push(v);
    }
    return a;
  }

  /** Reads a tag and its value, which must end by `stop`. */
  private value(stop: number, depth: number): FieldValue {
    const b = this.b;
    const tag = b[this.take(1, stop)];
    this.tag = tag;
    switch (tag) {
      case T_BOOL:
        return b[this.take(1, stop)] !== 0;
      case T_INT8:
        return b.readInt8(this.take(1, stop));
      case T_UINT8:
        return b[this.take(1, stop)];
      case T_INT16:
        return b.readInt16BE(this.take(2, stop));
      case T_UINT16:
        return b.readUInt16BE(this.take(2, stop));
      case T_INT32:
        return b.readInt32BE(this.take(4, stop));
      case T_UINT32:
        return b.readUInt32BE(this.take(4, stop));
      case T_FLOAT:
        return b.readFloatBE(this.take(4, stop));
      case T_DOUBLE:
        return b.readDoubleBE(this.take(8, stop));
      case T_INT64_PYAMQP:
      case T_INT64: {
        this.tag = T_INT64;
        const at = this.take(8, stop);
        // Safe integers come back as numbers; beyond 2^53 a bigint keeps every bit.
        const v = b.readInt32BE(at) * TWO_32 + b.readUInt32BE(at + 4);
        return Number.isSafeInteger(v) ? v : b.readBigInt64BE(at);
      }
      case T_TIMESTAMP: {
        const at = this.take(8, stop);
        const v = b.readUInt32BE(at) * TWO_32 + b.readUInt32BE(at + 4);
        return Number.isSafeInteger(v) ? v : b.readBigUInt64BE(at);
      }
      case T_DECIMAL: {
        const at = this.take(5, stop);
        return new Decimal(b[at], b.readUInt32BE(at + 1));
      }
      case T_LONGSTR: {
        const start = this.takeSized(stop);
        const s = b.toString('utf8', start, this.o);
        // U+FFFD may stand for bytes that were not UTF-8; keep those as bytes so nothing is lost.
        if (s.includes('\ufffd') && !isUtf8(b.subarray(start, this.o))) return Buffer.from(b.subarray(start, this.o));
        return s;
      }
      case T_BYTES: {
        const start = this.takeSized(stop);
        // A copy: a subarray would keep the whole frame alive as long as the value lives.
        return Buffer.from(b.subarray(start, this.o));
      }
      case T_TABLE:
        return this.table(stop, depth + 1);
      case T_ARRAY:
        return this.array(stop, depth + 1);
      case T_VOID:
        return null;
      default:
        throw malformed(`unknown value type ${JSON.stringify(String.fromCharCode(tag))} (0x${tag.toString(16)})`, 'unknown_field_type');
    }
  }
}

/**
 * Where the table (4-byte length, then entries) at `offset` ends, or -1 when decodeTable would
 * refuse it (runs past `end`, an unknown value type, nested too deeply). A structural walk that
 * builds nothing: cheap enough to check every published message's headers before accepting it.
 */
export function skipTable(buf: Buffer, offset: number, end = buf.length): number {
  return skipSized(buf, offset, Math.min(end, buf.length), 0, true);
}

/** The end of a sized table (entries: key and value) or array (values) at `o`, or -1. */
function skipSized(b: Buffer, o: number, stop: number, depth: number, entries: boolean): number {
  if (depth > MAX_DEPTH || o + 4 > stop) return -1;
  const end = o + 4 + b.readUInt32BE(o);
  if (end > stop) return -1;
  o += 4;
  while (o < end) {
    if (entries) o += 1 + b[o]; // the key
    if (o >= end) return -1;
    o = skipValue(b, o, end, depth);
    if (o < 0) return -1;
  }
  return o === end ? end : -1;
}

/** The end of the tagged value at `o`, or -1 (the caller checks it against its own end). */
function skipValue(b: Buffer, o: number, stop: number, depth: number): number {
  const tag = b[o++];
  switch (tag) {
    case T_BOOL:
    case T_INT8:
    case T_UINT8:
      return o + 1 <= stop ? o + 1 : -1;
    case T_INT16:
    case T_UINT16:
      return o + 2 <= stop ? o + 2 : -1;
    case T_INT32:
    case T_UINT32:
    case T_FLOAT:
      return o + 4 <= stop ? o + 4 : -1;
    case T_DECIMAL:
      return o + 5 <= stop ? o + 5 : -1;
    case T_DOUBLE:
    case T_INT64:
    case T_INT64_PYAMQP:
    case T_TIMESTAMP:
      return o + 8 <= stop ? o + 8 : -1;
    case T_LONGSTR:
    case T_BYTES: {
      if (o + 4 > stop) return -1;
      const e = o + 4 + b.readUInt32BE(o);
      return e <= stop ? e : -1;
    }
    case T_TABLE:
      return skipSized(b, o, stop, depth + 1, true);
    case T_ARRAY:
      return skipSized(b, o, stop, depth + 1, false);
    case T_VOID:
      return o;
    default:
      return -1;
  }
}
