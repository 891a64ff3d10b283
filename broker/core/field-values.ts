// Field tables and field arrays as the broker holds them: queue and binding arguments, message
// headers, client properties. The values are plain JS; a protocol codec (broker/amqp/field-table.ts)
// turns them into bytes and back.
//
// The types are the ones RabbitMQ and its clients use. A value's JS form and its type:
//
//   type                        held as                             natural type of a JS value
//   boolean                     boolean                             boolean
//   int8 uint8 int16 uint16     number                              integer in int32 range: int32
//   int32 uint32                number                              other safe integer: int64
//   int64                       number; bigint beyond 2^53          bigint: int64
//   float, double               number                              other number: double
//   decimal                     Decimal                             Decimal
//   longstr                     string (Buffer if not valid UTF-8)  string
//   timestamp                   number of seconds (bigint > 2^53)   Date (encoded as seconds)
//   table                       plain object                        plain object
//   array                       array                               array
//   void                        null                                null, undefined
//   bytes                       Buffer                              Buffer/Uint8Array
//
// Type hints. Where a value arrived with a type other than its natural one (an int16 1000 would
// go back out as int32), the decoder records the type in a hidden, non-enumerable symbol property
// of the containing table or array. Encoding uses a hint when the current value still fits that
// type, and the natural type otherwise. So the broker reads plain numbers (`args['x-message-ttl']`)
// while encode(decode(bytes)) reproduces the bytes exactly, and a dead-lettered message keeps its
// headers' types. Copies made with spread or JSON drop the hints and encode naturally: the same
// numbers, but a timestamp becomes a plain integer. Code that rebuilds a table should copy types
// with copyTable() or fieldType()/setFieldType(), which also set a type explicitly (x-death's int64
// count, say).
//
// Hints hold a type as a small integer, its index in FIELD_TYPES, so that codecs map it to their
// own tags with an array lookup; the functions after "For codecs" are what a codec needs of them.

/** A decimal as the wire carries it: digits / 10^places, both unsigned (as RabbitMQ reads them). */
export class Decimal {
  constructor(
    readonly places: number,
    readonly digits: number,
  ) {}
}

export type FieldValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Date
  | Decimal
  | Buffer
  | Uint8Array
  | FieldValue[]
  | FieldTable;

export interface FieldTable {
  [key: string]: FieldValue;
}

/** Every field type; a type's index here is its code (FieldTypeCode). */
export const FIELD_TYPES = [
  'boolean',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float',
  'double',
  'decimal',
  'longstr',
  'timestamp',
  'table',
  'array',
  'void',
  'bytes',
] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

/** A FieldType as its index in FIELD_TYPES. */
export type FieldTypeCode = number;

/** The types a number (or bigint) can be given explicitly with setFieldType. */
export type NumericFieldType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float' | 'double' | 'timestamp';

// The codes, in FIELD_TYPES order; constants so the switches below compare small integers.
const BOOLEAN = 0;
const INT8 = 1;
const UINT8 = 2;
const INT16 = 3;
const UINT16 = 4;
const INT32 = 5;
const UINT32 = 6;
const INT64 = 7;
const FLOAT = 8;
const DOUBLE = 9;
const DECIMAL = 10;
const LONGSTR = 11;
const TIMESTAMP = 12;
const TABLE = 13;
const ARRAY = 14;
const VOID = 15;
const BYTES = 16;

const CODE_OF_NUMERIC_TYPE: { readonly [K in NumericFieldType]: FieldTypeCode } = {
  int8: INT8,
  uint8: UINT8,
  int16: INT16,
  uint16: UINT16,
  int32: INT32,
  uint32: UINT32,
  int64: INT64,
  float: FLOAT,
  double: DOUBLE,
  timestamp: TIMESTAMP,
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// ---------------------------------------------------------------------------------------------
// Hints

const HINTS = Symbol('field types');

interface Hints {
  /** type code per key (tables) or index (arrays), only where the natural type differs */
  types?: { [key: string]: FieldTypeCode };
  /** wire order of the keys, kept only when JS lists them otherwise (it puts integer-like keys first) */
  order?: string[];
}

type Container = (FieldTable | FieldValue[]) & { [HINTS]?: Hints };

function ensureHints(c: Container): Hints {
  let h = c[HINTS];
  if (h === undefined) {
    h = {};
    Object.defineProperty(c, HINTS, { value: h, enumerable: false, writable: true, configurable: true });
  }
  return h;
}

/** The wire type `container[key]` encodes as. */
export function fieldType(container: FieldTable | FieldValue[], key: string | number): FieldType {
  const value = Array.isArray(container) ? container[Number(key)] : container[String(key)];
  return FIELD_TYPES[typeFor(value, typeHints(container)?.[String(key)])];
}

/**
 * Gives `container[key]` an explicit wire type, used while the value fits it (a number in range,
 * or a bigint for int64/timestamp).
 */
export function setFieldType(container: FieldTable | FieldValue[], key: string | number, type: NumericFieldType): void {
  setTypeHint(container, String(key), CODE_OF_NUMERIC_TYPE[type]);
}

/**
 * A table with no prototype: every key a client or a user sends (`__proto__`, `constructor`,
 * `prototype`) is an ordinary own key, set by plain assignment and never inherited when read.
 */
export function emptyTable(): FieldTable {
  return Object.create(null) as FieldTable;
}

/** String(v), except that a table (no prototype, so no toString) reads `[object Object]` as before. */
export function valueText(v: FieldValue): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * A shallow copy of `t` with its keys in `keys` order (the wire order by default), whose values
 * keep their wire types: a spread copy would send a float32 back as a double.
 */
export function copyTable(t: FieldTable, keys: readonly string[] = tableKeys(t)): FieldTable {
  const out = emptyTable();
  const types = typeHints(t);
  for (const k of keys) {
    if (!Object.hasOwn(t, k)) continue;
    out[k] = t[k];
    const type = types?.[k];
    if (type !== undefined) setTypeHint(out, k, type);
  }
  // JS lists integer-like keys first whatever the insertion order; keep the order asked for
  if (Object.keys(out).some((k, i) => k !== keys[i])) ensureHints(out).order = keys.filter((k) => Object.hasOwn(t, k));
  return out;
}

// ---------------------------------------------------------------------------------------------
// For codecs

/** The hinted type codes of a table's keys or an array's indexes, if any differ from the natural. */
export function typeHints(c: FieldTable | FieldValue[]): { readonly [key: string]: FieldTypeCode } | undefined {
  return (c as Container)[HINTS]?.types;
}

/** Records that `container[key]` arrived as (or must go out as) type `code`. */
export function setTypeHint(c: FieldTable | FieldValue[], key: string, code: FieldTypeCode): void {
  const h = ensureHints(c);
  // No prototype, so that a key named "__proto__" is an ordinary key here too.
  (h.types ??= Object.create(null) as { [key: string]: FieldTypeCode })[key] = code;
}

/** Records the keys' order as decoded, where JS would list the table's keys otherwise. */
export function keepKeyOrder(t: FieldTable, order: string[]): void {
  const keys = Object.keys(t);
  if (keys.length !== order.length || keys.some((k, i) => k !== order[i])) ensureHints(t).order = order;
}

/** Keys in the order they go on the wire: the decoded order when JS would have changed it. */
export function tableKeys(t: FieldTable): string[] {
  const keys = Object.keys(t);
  const order = (t as Container)[HINTS]?.order;
  if (order === undefined) return keys;
  const present = new Set(keys);
  const out = order.filter((k) => present.delete(k));
  for (const k of present) out.push(k);
  return out;
}

/** The type `v` encodes as with no hint. Throws TypeError for what no table can hold (a function, say). */
export function naturalType(v: FieldValue): FieldTypeCode {
  switch (typeof v) {
    case 'string':
      return LONGSTR;
    case 'number':
      if (Number.isInteger(v)) {
        if (v >= -0x80000000 && v <= 0x7fffffff) return INT32;
        if (Number.isSafeInteger(v)) return INT64;
      }
      return DOUBLE;
    case 'boolean':
      return BOOLEAN;
    case 'bigint':
      return INT64;
    case 'undefined':
      return VOID;
    case 'object':
      if (v === null) return VOID;
      if (Array.isArray(v)) return ARRAY;
      if (v instanceof Uint8Array) return BYTES;
      if (v instanceof Date) return TIMESTAMP;
      if (v instanceof Decimal) return DECIMAL;
      return TABLE;
    default:
      throw new TypeError(`a ${typeof v} cannot go into a field table`);
  }
}

/** The type `v` encodes as given its hint: the hint while the value fits it, else the natural type. */
export function typeFor(v: FieldValue, hint: FieldTypeCode | undefined): FieldTypeCode {
  return hint !== undefined && fits(hint, v) ? hint : naturalType(v);
}

function isIntIn(v: FieldValue, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function fits(type: FieldTypeCode, v: FieldValue): boolean {
  switch (type) {
    case INT8:
      return isIntIn(v, -0x80, 0x7f);
    case UINT8:
      return isIntIn(v, 0, 0xff);
    case INT16:
      return isIntIn(v, -0x8000, 0x7fff);
    case UINT16:
      return isIntIn(v, 0, 0xffff);
    case INT32:
      return isIntIn(v, -0x80000000, 0x7fffffff);
    case UINT32:
      return isIntIn(v, 0, 0xffffffff);
    case INT64:
      return typeof v === 'bigint' ? v >= INT64_MIN && v <= INT64_MAX : Number.isSafeInteger(v);
    case TIMESTAMP:
      return typeof v === 'bigint' ? v >= 0n && v <= UINT64_MAX : Number.isSafeInteger(v) && (v as number) >= 0;
    case FLOAT:
      return typeof v === 'number' && (Number.isNaN(v) || Math.fround(v) === v);
    case DOUBLE:
      return typeof v === 'number';
    case LONGSTR:
      return typeof v === 'string' || v instanceof Uint8Array;
    default:
      return false;
  }
}
