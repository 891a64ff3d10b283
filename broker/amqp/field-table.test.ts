import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from './codec-error';
import {
  Decimal,
  type FieldTable,
  type FieldType,
  type FieldValue,
  fieldType,
  setFieldType,
} from '../core/field-values';
import {
  decodeArray,
  decodeTable,
  encodeTable,
  tableSize,
  writeTable,
} from './field-table';

interface AmqplibCodec {
  decodeFields(slice: Buffer): Record<string, unknown>;
  encodeTable(buf: Buffer, val: Record<string, unknown>, offset: number): number;
}
const require = createRequire(import.meta.url);
const amqplib = require('../../node_modules/amqplib/lib/codec.js') as AmqplibCodec;

function amqplibEncode(t: Record<string, unknown>): Buffer {
  const scratch = Buffer.alloc(1 << 16);
  return Buffer.from(scratch.subarray(0, amqplib.encodeTable(scratch, t, 0)));
}

// ---------------------------------------------------------------------------------------------
// An independent description of wire tables: every type a client can send, written out byte by
// byte here, so the codec under test is checked against bytes it did not produce.

type Wire =
  | { tag: 't'; v: boolean }
  | { tag: 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'f' | 'd'; v: number }
  | { tag: 'l' | 'T'; v: bigint }
  | { tag: 'D'; places: number; digits: number }
  | { tag: 'S' | 'x'; v: Buffer }
  | { tag: 'V' }
  | { tag: 'F'; entries: [string, Wire][] }
  | { tag: 'A'; items: Wire[] };

function wireValue(w: Wire): Buffer {
  const tag = Buffer.from(w.tag, 'latin1');
  const sized = (body: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([tag, len, body]);
  };
  const fixed = (n: number, write: (b: Buffer) => void): Buffer => {
    const b = Buffer.alloc(n);
    write(b);
    return Buffer.concat([tag, b]);
  };
  switch (w.tag) {
    case 't':
      return fixed(1, (b) => (b[0] = w.v ? 1 : 0));
    case 'b':
      return fixed(1, (b) => b.writeInt8(w.v));
    case 'B':
      return fixed(1, (b) => b.writeUInt8(w.v));
    case 's':
      return fixed(2, (b) => b.writeInt16BE(w.v));
    case 'u':
      return fixed(2, (b) => b.writeUInt16BE(w.v));
    case 'I':
      return fixed(4, (b) => b.writeInt32BE(w.v));
    case 'i':
      return fixed(4, (b) => b.writeUInt32BE(w.v));
    case 'f':
      return fixed(4, (b) => b.writeFloatBE(w.v));
    case 'd':
      return fixed(8, (b) => b.writeDoubleBE(w.v));
    case 'l':
      return fixed(8, (b) => b.writeBigInt64BE(w.v));
    case 'T':
      return fixed(8, (b) => b.writeBigUInt64BE(w.v));
    case 'D':
      return fixed(5, (b) => {
        b[0] = w.places;
        b.writeUInt32BE(w.digits, 1);
      });
    case 'S':
    case 'x':
      return sized(w.v);
    case 'V':
      return tag;
    case 'F':
      return sized(wireEntries(w.entries));
    case 'A':
      return sized(Buffer.concat(w.items.map(wireValue)));
  }
}

function wireEntries(entries: [string, Wire][]): Buffer {
  return Buffer.concat(entries.map(([k, v]) => Buffer.concat([Buffer.from([Buffer.byteLength(k)]), Buffer.from(k), wireValue(v)])));
}

function wireTable(entries: [string, Wire][]): Buffer {
  return wireValue({ tag: 'F', entries }).subarray(1);
}

const utf8Text = fc.string({ maxLength: 20, unit: 'grapheme' }).map((s) => Buffer.from(s));
// Keys: text, plus integer-like keys, which JS objects would list first whatever the wire order.
const wireKey = fc.oneof(fc.string({ maxLength: 10, unit: 'grapheme' }), fc.nat(300).map(String));

const { value: wireAny } = fc.letrec<{ value: Wire; table: Wire; array: Wire }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.boolean().map((v): Wire => ({ tag: 't', v })),
    fc.integer({ min: -128, max: 127 }).map((v): Wire => ({ tag: 'b', v })),
    fc.nat(255).map((v): Wire => ({ tag: 'B', v })),
    fc.integer({ min: -32768, max: 32767 }).map((v): Wire => ({ tag: 's', v })),
    fc.nat(65535).map((v): Wire => ({ tag: 'u', v })),
    fc.integer().map((v): Wire => ({ tag: 'I', v })),
    fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((v): Wire => ({ tag: 'i', v: Number(v) })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v): Wire => ({ tag: 'l', v })),
    fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((v): Wire => ({ tag: 'l', v: BigInt(v) })),
    fc.oneof(fc.float({ noNaN: true }), fc.constant(Number.NaN)).map((v): Wire => ({ tag: 'f', v })),
    fc.oneof(fc.double({ noNaN: true }), fc.constant(Number.NaN), fc.integer()).map((v): Wire => ({ tag: 'd', v })),
    fc.record({ places: fc.nat(255), digits: fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }) }).map((d): Wire => ({ tag: 'D', places: d.places, digits: Number(d.digits) })),
    utf8Text.map((v): Wire => ({ tag: 'S', v })),
    fc.uint8Array({ maxLength: 12 }).map((u): Wire => ({ tag: 'S', v: Buffer.from(u) })), // often not UTF-8
    fc.uint8Array({ maxLength: 12 }).map((u): Wire => ({ tag: 'x', v: Buffer.from(u) })),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v): Wire => ({ tag: 'T', v })),
    fc.integer({ min: 0, max: 2 ** 31 }).map((v): Wire => ({ tag: 'T', v: BigInt(v) })),
    fc.constant<Wire>({ tag: 'V' }),
    tie('table'),
    tie('array'),
  ),
  table: fc
    .uniqueArray(fc.tuple(wireKey, tie('value')), { maxLength: 5, selector: ([k]) => k })
    .map((entries): Wire => ({ tag: 'F', entries })),
  array: fc.array(tie('value'), { maxLength: 5 }).map((items): Wire => ({ tag: 'A', items })),
}));

const wireTableEntries = fc.uniqueArray(fc.tuple(wireKey, wireAny), { maxLength: 8, selector: ([k]) => k });

/** Our decoded value in amqplib's decoded shape, to compare with what amqplib makes of the bytes. */
function asAmqplib(v: FieldValue, type: FieldType): unknown {
  switch (type) {
    case 'int64':
      return Number(v);
    case 'timestamp':
      return { '!': 'timestamp', value: Number(v) };
    case 'decimal':
      return { '!': 'decimal', value: { places: (v as Decimal).places, digits: (v as Decimal).digits } };
    case 'longstr':
      return typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8');
    case 'table': {
      const t = v as FieldTable;
      return Object.fromEntries(Object.keys(t).map((k) => [k, asAmqplib(t[k], fieldType(t, k))]));
    }
    case 'array': {
      const a = v as FieldValue[];
      return a.map((x, i) => asAmqplib(x, fieldType(a, i)));
    }
    default:
      return v;
  }
}

function codecError(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}

describe('field tables', () => {
  it('re-encodes every table a client can send byte for byte', () => {
    fc.assert(
      fc.property(wireTableEntries, (entries) => {
        const bytes = wireTable(entries);
        const [t, used] = decodeTable(bytes, 0);
        expect(used).toBe(bytes.length);
        expect(tableSize(t)).toBe(bytes.length);
        expect(encodeTable(t).equals(bytes)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes to the values amqplib decodes', () => {
    fc.assert(
      fc.property(wireTableEntries, (entries) => {
        const bytes = wireTable(entries);
        // amqplib sets the prototype for a "__proto__" key; that is its problem, not ours.
        fc.pre(!bytes.includes('__proto__'));
        const [t] = decodeTable(bytes, 0);
        expect(asAmqplib(t, 'table')).toEqual(amqplib.decodeFields(bytes.subarray(4)));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes tables amqplib writes, and writes them back identically', () => {
    const t = {
      str: 'héllo',
      small: 5,
      short: 1000,
      int: 100000,
      long: 2 ** 40,
      neg: -(2 ** 40),
      dbl: 1.5,
      yes: true,
      nil: null,
      bytes: Buffer.from([1, 2, 3]),
      nested: { a: [1, 'two', { three: 3 }], b: [] },
      ts: { '!': 'timestamp', value: 1_700_000_000 },
      dec: { '!': 'decimal', value: { places: 2, digits: 12345 } },
      f32: { '!': 'float', value: 0.5 },
      u8: { '!': 'uint8', value: 200 },
      u16: { '!': 'uint16', value: 60000 },
      u32: { '!': 'uint32', value: 4_000_000_000 },
      i64: { '!': 'int64', value: 7 },
    };
    const bytes = amqplibEncode(t);
    const [decoded] = decodeTable(bytes, 0);
    expect(decoded).toEqual({
      str: 'héllo',
      small: 5,
      short: 1000,
      int: 100000,
      long: 2 ** 40,
      neg: -(2 ** 40),
      dbl: 1.5,
      yes: true,
      nil: null,
      bytes: Buffer.from([1, 2, 3]),
      nested: { a: [1, 'two', { three: 3 }], b: [] },
      ts: 1_700_000_000,
      dec: new Decimal(2, 12345),
      f32: 0.5,
      u8: 200,
      u16: 60000,
      u32: 4_000_000_000,
      i64: 7,
    });
    expect(encodeTable(decoded).equals(bytes)).toBe(true);
    expect(fieldType(decoded, 'small')).toBe('int8');
    expect(fieldType(decoded, 'short')).toBe('int16');
    expect(fieldType(decoded, 'ts')).toBe('timestamp');
    expect(fieldType(decoded, 'i64')).toBe('int64');
    expect(fieldType((decoded.nested as FieldTable).a as FieldValue[], 0)).toBe('int8');
    // The hints stay out of the way of ordinary object handling; a copy loses them and encodes
    // the same values with natural types.
    expect(Object.keys(decoded)).toEqual(Object.keys(t));
    const copy = { ...decoded };
    expect(copy).toEqual(decoded);
    expect(fieldType(copy, 'short')).toBe('int32');
    // Only a timestamp changes meaning when its hint is lost: it becomes a plain number.
    expect(amqplib.decodeFields(encodeTable(copy).subarray(4))).toEqual({ ...amqplib.decodeFields(bytes.subarray(4)), ts: 1_700_000_000 });
  });

  it('encodes natural values by their natural type, as amqplib reads them', () => {
    const when = new Date('2024-01-02T03:04:05.678Z');
    const t: FieldTable = {
      s: 'text',
      i: -7,
      big: 2 ** 40,
      huge: 2n ** 62n,
      frac: 0.25,
      beyond: 2 ** 60,
      yes: false,
      nil: null,
      undef: undefined,
      bytes: new Uint8Array([9]),
      when,
      dec: new Decimal(1, 5),
      arr: [1, 'a', [true]],
      tbl: { x: {} },
    };
    const bytes = encodeTable(t);
    expect(amqplib.decodeFields(bytes.subarray(4))).toEqual({
      s: 'text',
      i: -7,
      big: 2 ** 40,
      huge: 2 ** 62,
      frac: 0.25,
      beyond: 2 ** 60,
      yes: false,
      nil: null,
      undef: null,
      bytes: Buffer.from([9]),
      when: { '!': 'timestamp', value: Math.floor(when.getTime() / 1000) },
      dec: { '!': 'decimal', value: { places: 1, digits: 5 } },
      arr: [1, 'a', [true]],
      tbl: { x: {} },
    });
    const [back] = decodeTable(bytes, 0);
    expect(['s', 'i', 'big', 'huge', 'frac', 'beyond', 'yes', 'nil', 'bytes', 'when', 'dec', 'arr', 'tbl'].map((k) => fieldType(back, k))).toEqual([
      'longstr',
      'int32',
      'int64',
      'int64',
      'double',
      'double',
      'boolean',
      'void',
      'bytes',
      'timestamp',
      'decimal',
      'array',
      'table',
    ]);
  });

  it('keeps a hint only while the value still fits its type', () => {
    const [t] = decodeTable(amqplibEncode({ ttl: 1000 }), 0);
    expect(fieldType(t, 'ttl')).toBe('int16');
    t.ttl = 100000;
    expect(fieldType(t, 'ttl')).toBe('int32');
    t.ttl = 'soon';
    expect(fieldType(t, 'ttl')).toBe('longstr');
    expect(amqplib.decodeFields(encodeTable(t).subarray(4))).toEqual({ ttl: 'soon' });
  });

  it('takes explicit types for numbers', () => {
    const death: FieldTable = { count: 1, time: 1_700_000_000, ratio: 0.5 };
    setFieldType(death, 'count', 'int64');
    setFieldType(death, 'time', 'timestamp');
    setFieldType(death, 'ratio', 'float');
    const bytes = encodeTable(death);
    expect(amqplib.decodeFields(bytes.subarray(4))).toEqual({ count: 1, time: { '!': 'timestamp', value: 1_700_000_000 }, ratio: 0.5 });
    expect(bytes.length).toBe(4 + 3 * 2 + 'count'.length + 'time'.length + 'ratio'.length + 8 + 8 + 4);
    const arr: FieldValue[] = [1, 2];
    setFieldType(arr, 1, 'uint8');
    expect([...encodeTable({ a: arr }).subarray(4 + 2)]).toEqual([0x41, 0, 0, 0, 7, 0x49, 0, 0, 0, 1, 0x42, 2]);
  });

  it('keeps the wire order of integer-like keys, which JS would put first', () => {
    const bytes = wireTable([
      ['b', { tag: 'V' }],
      ['10', { tag: 'V' }],
      ['a', { tag: 'V' }],
      ['2', { tag: 'V' }],
    ]);
    const [t] = decodeTable(bytes, 0);
    expect(Object.keys(t)).toEqual(['2', '10', 'b', 'a']);
    expect(encodeTable(t).equals(bytes)).toBe(true);
    // Keys added later go after the remembered ones; removed ones are skipped.
    delete t.b;
    t.c = null;
    const [again] = decodeTable(encodeTable(t), 0);
    expect(encodeTable(again).equals(wireTable([
      ['10', { tag: 'V' }],
      ['a', { tag: 'V' }],
      ['2', { tag: 'V' }],
      ['c', { tag: 'V' }],
    ]))).toBe(true);
  });

  it('keeps a long string that is not UTF-8 as its bytes', () => {
    const raw = Buffer.from([0x61, 0xff, 0xfe, 0xf0, 0x9f, 0x98]);
    const bytes = wireTable([['k', { tag: 'S', v: raw }]]);
    const [t] = decodeTable(bytes, 0);
    expect(t.k).toEqual(raw);
    expect(fieldType(t, 'k')).toBe('longstr');
    expect(encodeTable(t).equals(bytes)).toBe(true);
    // A real U+FFFD in valid UTF-8 stays a string.
    const [u] = decodeTable(wireTable([['k', { tag: 'S', v: Buffer.from('a\ufffdb') }]]), 0);
    expect(u.k).toBe('a\ufffdb');
  });

  it('treats a "__proto__" key as a key', () => {
    const bytes = wireTable([['__proto__', { tag: 'F', entries: [['polluted', { tag: 't', v: true }]] }]]);
    const [t] = decodeTable(bytes, 0);
    // no prototype at all, so that `constructor` or `toString` are not inherited keys either
    expect(Object.getPrototypeOf(t)).toBeNull();
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(encodeTable(t).equals(bytes)).toBe(true);
  });

  it('reads int64 and timestamps beyond 2^53 as bigints', () => {
    const bytes = wireTable([
      ['l', { tag: 'l', v: -(2n ** 63n) }],
      ['t', { tag: 'T', v: 2n ** 64n - 1n }],
      ['edge', { tag: 'l', v: -(2n ** 53n) }],
    ]);
    const [t] = decodeTable(bytes, 0);
    expect(t).toEqual({ l: -(2n ** 63n), t: 2n ** 64n - 1n, edge: -(2n ** 53n) });
    expect(encodeTable(t).equals(bytes)).toBe(true);
  });

  it("reads py-amqp's 'L' as a signed int64 and writes it back as 'l', as RabbitMQ does", () => {
    const entry = (tag: string, v: bigint) => {
      const b = Buffer.alloc(11);
      b[0] = 1;
      b[1] = 0x62; // key "b"
      b[2] = tag.charCodeAt(0);
      b.writeBigInt64BE(v, 3);
      return b;
    };
    const table = (e: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, e.length]), e]);
    const [t] = decodeTable(table(entry('L', -(2n ** 40n))), 0);
    expect(t).toEqual({ b: -(2 ** 40) });
    expect(fieldType(t, 'b')).toBe('int64');
    expect(encodeTable(t).equals(table(entry('l', -(2n ** 40n))))).toBe(true);
  });

  it('writes into a buffer at an offset and says how much it wrote', () => {
    const t = { a: 'b', n: [1, 2, 3] };
    const buf = Buffer.alloc(100, 0xaa);
    const n = writeTable(buf, 10, t);
    expect(n).toBe(tableSize(t));
    expect(buf.subarray(10, 10 + n).equals(encodeTable(t))).toBe(true);
    expect(buf[9]).toBe(0xaa);
    expect(buf[10 + n]).toBe(0xaa);
    expect(decodeTable(buf, 10, 10 + n)).toEqual([t, n]);
  });

  it('decodes field arrays on their own', () => {
    const bytes = wireValue({ tag: 'A', items: [{ tag: 'I', v: 1 }, { tag: 'S', v: Buffer.from('x') }] }).subarray(1);
    expect(decodeArray(bytes, 0)).toEqual([[1, 'x'], bytes.length]);
  });

  it('refuses what cannot be encoded', () => {
    const cyclic: FieldTable = {};
    cyclic.self = cyclic;
    expect(() => encodeTable(cyclic)).toThrow(/nested too deeply/);
    expect(() => encodeTable({ ['k'.repeat(256)]: 1 })).toThrow(RangeError);
    expect(() => encodeTable({ f: (() => 1) as unknown as FieldValue })).toThrow(TypeError);
  });
});

describe('malformed field tables', () => {
  it('throws 501 for every truncation of a valid table', () => {
    fc.assert(
      fc.property(wireTableEntries, fc.nat(), (entries, cut) => {
        const bytes = wireTable(entries);
        const short = Buffer.from(bytes.subarray(0, cut % bytes.length));
        expect(codecError(() => decodeTable(short, 0)).code).toBe(501);
        // The same when the buffer goes on but the table must stop at `end`.
        expect(codecError(() => decodeTable(bytes, 0, cut % bytes.length)).code).toBe(501);
      }),
      { numRuns: 2000 },
    );
  });

  it('throws 501 when a value runs past its table, even inside the buffer', () => {
    // table of 8 bytes: key "a", then S announcing 9 bytes; the buffer has plenty after it
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 8, 1, 0x61, 0x53, 0, 0, 0, 9, 0]), Buffer.alloc(20)]);
    expect(codecError(() => decodeTable(bytes, 0)).detail).toBe('malformed field table: runs past the end');
    // a nested table longer than its parent
    const nested = Buffer.concat([Buffer.from([0, 0, 0, 7, 1, 0x61, 0x46, 0, 0, 0, 10]), Buffer.alloc(20)]);
    expect(codecError(() => decodeTable(nested, 0)).code).toBe(501);
  });

  it('checks announced lengths before using them', () => {
    expect(codecError(() => decodeTable(Buffer.from([0xff, 0xff, 0xff, 0xff, 0]), 0)).code).toBe(501);
    const x = Buffer.from([0, 0, 0, 7, 1, 0x61, 0x78, 0xff, 0xff, 0xff, 0xff]);
    expect(codecError(() => decodeTable(x, 0)).code).toBe(501);
  });

  it('names an unknown value type', () => {
    const e = codecError(() => decodeTable(Buffer.from([0, 0, 0, 3, 1, 0x61, 0x51]), 0));
    expect(e.message).toBe('FRAME_ERROR - malformed field table: unknown value type "Q" (0x51)');
  });

  it('limits nesting, so a hostile frame cannot exhaust the stack', () => {
    let w: Wire = { tag: 'V' };
    for (let i = 0; i < 200; i++) w = { tag: 'A', items: [w] };
    const bytes = wireTable([['deep', w]]);
    expect(codecError(() => decodeTable(bytes, 0)).detail).toBe('malformed field table: nested too deeply');
    let ok: Wire = { tag: 'V' };
    for (let i = 0; i < 30; i++) ok = { tag: 'F', entries: [['n', ok]] };
    expect(encodeTable(decodeTable(wireTable([['deep', ok]]), 0)[0]).equals(wireTable([['deep', ok]]))).toBe(true);
  });

  it('throws nothing but CodecError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (u) => {
        const buf = Buffer.from(u);
        // A plausible length prefix makes the fuzzing reach the values.
        if (buf.length >= 4) buf.writeUInt32BE(buf.length - 4, 0);
        try {
          const [, n] = decodeTable(buf, 0);
          expect(n).toBe(buf.length);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 20000 },
    );
  });
});

describe('keys that are Object.prototype names', () => {
  it('decodes __proto__, constructor and prototype as ordinary keys of a table with no prototype', () => {
    const sent = JSON.parse('{"__proto__":{"x-max-length":0},"constructor":"c","prototype":1}') as FieldTable;
    const [t] = decodeTable(encodeTable(sent), 0);
    expect(Object.getPrototypeOf(t)).toBeNull();
    expect(Object.keys(t)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(t['__proto__']).toEqual({ 'x-max-length': 0 });
    expect((t as Record<string, unknown>)['x-max-length']).toBeUndefined();
    const [empty] = decodeTable(encodeTable({}), 0);
    expect(empty.constructor).toBeUndefined();
  });
});
