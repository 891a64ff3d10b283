import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSpec } from '../../scripts/codegen';
import { REPLY_NAMES } from '../core/errors';
import type { FieldTable, FieldValue } from '../core/field-values';
import type { BasicProperties } from '../core/properties';
import { CodecError } from './codec-error';
import {
  type AmqpMethod,
  type BasicPublishArgs,
  type MethodInfo,
  type MethodInput,
  CLASS_BASIC,
  COMMAND_INVALID,
  FRAME_END,
  FRAME_ERROR,
  FRAME_METHOD,
  METHODS,
  NOT_FOUND,
  PROTOCOL_HEADER,
  REPLY_SUCCESS,
  decodeMethod,
  decodeProperties,
  encodeMethod,
  encodeProperties,
  methodName,
} from './generated/protocol';

// amqplib's generated codec is the independent oracle: it was generated from the same JSON by
// other people, so agreeing with it in both directions checks field order, types and bit packing.
interface AmqplibDefs {
  decode(id: number, buf: Buffer): Record<string, unknown>;
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  info(id: number): { name: string; args: { name: string; type: string }[] };
}
const require = createRequire(import.meta.url);
const defs = require('../../node_modules/amqplib/lib/defs.js') as AmqplibDefs;

const idOf = (m: MethodInfo): number => m.classId * 65536 + m.methodId;

/** Our field names mapped to amqplib's, by position (both follow the JSON's order). */
function toAmqplibNames(m: MethodInfo, args: Record<string, unknown>): Record<string, unknown> {
  const theirs = defs.info(idOf(m)).args;
  return Object.fromEntries(m.fields.map((f, i) => [theirs[i].name, args[f.name]]));
}

function fromAmqplibNames(m: MethodInfo, fields: Record<string, unknown>): Record<string, unknown> {
  const theirs = defs.info(idOf(m)).args;
  return Object.fromEntries(m.fields.map((f, i) => [f.name, fields[theirs[i].name]]));
}

/** The payload of a single complete frame, after checking its framing. */
function payloadOf(frame: Buffer, type: number, channel: number): Buffer {
  expect(frame[0]).toBe(type);
  expect(frame.readUInt16BE(1)).toBe(channel);
  expect(frame.readUInt32BE(3)).toBe(frame.length - 8);
  expect(frame[frame.length - 1]).toBe(FRAME_END);
  return frame.subarray(7, frame.length - 1);
}

// Values amqplib encodes the same way it decodes them (it has no -0, guesses integer types from
// magnitude, switching to int64 for non-integers at 2^50, reads a key '!' as a type tag, and sets
// the prototype for a key '__proto__' instead of adding it; field-table.test.ts covers that key).
const key = fc.string({ maxLength: 12 }).filter((k) => k !== '!' && k !== '__proto__');
const { value: naturalValue } = fc.letrec<{ value: FieldValue; table: FieldTable; array: FieldValue[] }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 20 }),
    fc.boolean(),
    fc.constant(null),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, min: -(2 ** 49), max: 2 ** 49 }).filter((x) => !Object.is(x, -0)),
    fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)),
    tie('table'),
    tie('array'),
  ),
  table: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  array: fc.array(tie('value'), { maxLength: 4 }),
}));
const naturalTable = fc.dictionary(key, naturalValue, { maxKeys: 5 });

const shortstr = fc.string({ maxLength: 70 }).filter((s) => Buffer.byteLength(s) <= 255);
const uint32 = fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([hi, lo]) => hi * 65536 + lo);

function arbitraryFor(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bit':
      return fc.boolean();
    case 'octet':
      return fc.nat(0xff);
    case 'short':
      return fc.nat(0xffff);
    case 'long':
      return uint32;
    case 'longlong':
    case 'timestamp':
      return fc.maxSafeNat();
    case 'shortstr':
      return shortstr;
    case 'longstr':
      return fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));
    case 'table':
      return naturalTable;
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

const methodWithArgs = fc
  .constantFrom(...METHODS)
  .chain((m) =>
    fc
      .record(Object.fromEntries(m.fields.map((f) => [f.name, arbitraryFor(f.type)])) as Record<string, fc.Arbitrary<unknown>>)
      .map((args) => ({ m, args })),
  );

const channelNumber = fc.nat(0xffff);

/** A method as our encoder takes it; the test builds names from data, hence the cast. */
function input(m: MethodInfo, args: Record<string, unknown>): MethodInput {
  return { name: m.name, args } as MethodInput;
}

describe('method codec', () => {
  it('covers every method in the spec, with the names the broker uses', () => {
    expect(METHODS).toHaveLength(66);
    expect(new Set(METHODS.map(idOf)).size).toBe(METHODS.length);
    const publish: BasicPublishArgs = { reserved1: 0, exchange: 'x', routingKey: 'k', mandatory: true, immediate: false };
    expect(publish.reserved1).toBe(0);
    expect(METHODS.find((m) => m.name === 'basic.publish')?.fields.map((f) => f.name)).toEqual([
      'reserved1',
      'exchange',
      'routingKey',
      'mandatory',
      'immediate',
    ]);
    expect(METHODS.find((m) => m.name === 'connection.open')?.fields.map((f) => f.name)).toEqual(['virtualHost', 'reserved1', 'reserved2']);
    expect(METHODS.find((m) => m.name === 'basic.consume')?.fields.map((f) => f.name)).toContain('noAck');
    expect(CLASS_BASIC).toBe(60);
    expect([FRAME_METHOD, FRAME_END, REPLY_SUCCESS, NOT_FOUND, FRAME_ERROR, COMMAND_INVALID]).toEqual([1, 0xce, 200, 404, 501, 503]);
    expect([...PROTOCOL_HEADER]).toEqual([65, 77, 81, 80, 0, 0, 9, 1]);
  });

  it('agrees with the core on the reply codes and their names', () => {
    const fromSpec = readSpec()
      .constants.filter((c) => c.class !== undefined || c.name === 'REPLY-SUCCESS')
      .map((c) => [String(c.value), c.name.replaceAll('-', '_')]);
    expect(Object.entries(REPLY_NAMES).sort()).toEqual(fromSpec.sort());
  });

  it('round-trips every method through encodeMethod and decodeMethod', () => {
    fc.assert(
      fc.property(methodWithArgs, channelNumber, ({ m, args }, channel) => {
        const frame = encodeMethod(channel, input(m, args));
        const decoded = decodeMethod(payloadOf(frame, FRAME_METHOD, channel));
        expect(decoded).toEqual({ name: m.name, classId: m.classId, methodId: m.methodId, args });
        // A decoded method encodes back to the same bytes.
        expect(encodeMethod(channel, decoded).equals(frame)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes frames amqplib decodes to the same arguments', () => {
    fc.assert(
      fc.property(methodWithArgs, channelNumber, ({ m, args }, channel) => {
        const payload = payloadOf(encodeMethod(channel, input(m, args)), FRAME_METHOD, channel);
        expect(payload.readUInt32BE(0)).toBe(idOf(m));
        const theirs = defs.decode(idOf(m), payload.subarray(4));
        expect(fromAmqplibNames(m, theirs)).toEqual(args);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes amqplib frames, and re-encodes them byte for byte', () => {
    fc.assert(
      fc.property(methodWithArgs, channelNumber, ({ m, args }, channel) => {
        const frame = defs.encodeMethod(idOf(m), channel, toAmqplibNames(m, args));
        const decoded = decodeMethod(payloadOf(frame, FRAME_METHOD, channel));
        expect(decoded.name).toBe(m.name);
        expect(decoded.args).toEqual(args);
        expect(encodeMethod(channel, decoded).equals(frame)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('packs consecutive bits into one octet, lowest first', () => {
    const frame = encodeMethod(1, { name: 'basic.nack', args: { deliveryTag: 2 ** 40 + 7, multiple: false, requeue: true } });
    expect([...frame.subarray(11, frame.length - 1)]).toEqual([0, 0, 1, 0, 0, 0, 0, 7, 0b10]);
    const declare = encodeMethod(1, {
      name: 'queue.declare',
      args: { queue: 'q', passive: true, durable: false, exclusive: true, autoDelete: false, nowait: true },
    });
    // reserved1 (2), queue (2), bits, arguments (4)
    expect(declare[11 + 4]).toBe(0b10101);
  });

  it('decodes each short string from its own octets, also when a recent one of the same length, first and last octet is remembered', () => {
    // same length, first and last octet: the same slot of readShortstr's recent strings
    const keys = ['a.b.c', 'a.x.c', 'a.b.c', 'aéc', 'a\u00e9c', 'a.y.c', '', 'a.x.c'];
    const decoded = keys.map((routingKey) => {
      const frame = encodeMethod(1, { name: 'basic.publish', args: { exchange: routingKey.toUpperCase(), routingKey } });
      return decodeMethod(payloadOf(frame, FRAME_METHOD, 1)).args as BasicPublishArgs;
    });
    expect(decoded.map((a) => a.routingKey)).toEqual(keys);
    expect(decoded.map((a) => a.exchange)).toEqual(keys.map((k) => k.toUpperCase()));
    // octets that are not UTF-8 are still refused where RabbitMQ refuses them, remembered or not
    // queue.declare: reserved1, queue (2 octets, not UTF-8), bits, an empty arguments table
    const bad = Buffer.from([0, 50, 0, 10, 0, 0, 2, 0xc3, 0x28, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 2; i++) expect(() => decodeMethod(bad)).toThrow(/Malformed UTF-8/);
  });

  it('fills in the spec defaults for fields left out', () => {
    const frame = encodeMethod(5, { name: 'basic.publish', args: { routingKey: 'k' } });
    expect(decodeMethod(frame.subarray(7, frame.length - 1)).args).toEqual({
      reserved1: 0,
      exchange: '',
      routingKey: 'k',
      mandatory: false,
      immediate: false,
    });
    expect(encodeMethod(0, { name: 'channel.open-ok', args: {} }).equals(defs.encodeMethod(0x0014000b, 0, {}))).toBe(true);
    const start = encodeMethod(0, { name: 'connection.start', args: { serverProperties: { product: 'Warren' } } });
    expect(defs.decode(0x000a000a, start.subarray(11, start.length - 1))).toEqual({
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: { product: 'Warren' },
      mechanisms: Buffer.from('PLAIN'),
      locales: Buffer.from('en_US'),
    });
  });

  it('ignores the unused bits of a bit octet, as RabbitMQ does', () => {
    const payload = Buffer.from([0, 60, 0, 40, 0, 0, 0, 1, 120, 0xfd]);
    expect(decodeMethod(payload).args).toEqual({ reserved1: 0, exchange: '', routingKey: 'x', mandatory: true, immediate: false });
  });

  it('reads delivery tags as 64-bit numbers', () => {
    const payload = Buffer.from([0, 60, 0, 80, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]);
    expect(decodeMethod(payload).args).toEqual({ deliveryTag: Number.MAX_SAFE_INTEGER, multiple: true });
  });

  it('cuts a long reply text the way RabbitMQ does instead of failing the close', () => {
    const text = `NOT_FOUND - no queue '${'q'.repeat(300)}' in vhost '/'`;
    const frame = encodeMethod(0, { name: 'connection.close', args: { replyCode: 404, replyText: text, classId: 50, methodId: 10 } });
    const m = decodeMethod(frame.subarray(7, frame.length - 1));
    expect(m.name).toBe('connection.close');
    const args = (m as Extract<AmqpMethod, { name: 'connection.close' }>).args;
    expect(Buffer.byteLength(args.replyText)).toBe(255);
    expect(args.replyText).toBe(`${text.slice(0, 252)}...`);
  });

  it('cuts a reply text between characters, never inside one', () => {
    const text = 'é'.repeat(200); // 400 bytes of two-byte characters
    const frame = encodeMethod(1, { name: 'channel.close', args: { replyCode: 406, replyText: text, classId: 0, methodId: 0 } });
    const m = decodeMethod(frame.subarray(7, frame.length - 1));
    expect(m.name === 'channel.close' && m.args.replyText).toBe(`${'é'.repeat(126)}...`);
  });

  it('refuses short strings over 255 bytes rather than corrupting the frame', () => {
    expect(() => encodeMethod(1, { name: 'queue.declare', args: { queue: 'é'.repeat(128) } })).toThrow(RangeError);
  });

  it('names methods for error texts', () => {
    expect(methodName(60, 40)).toBe('basic.publish');
    expect(methodName(10, 11)).toBe('connection.start-ok');
    expect(methodName(0, 0)).toBe('none');
    expect(methodName(99, 1)).toBe('unknown method 99/1');
  });
});

describe('malformed method frames', () => {
  function codecError(f: () => unknown): CodecError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CodecError);
      return e as CodecError;
    }
    throw new Error('expected a CodecError');
  }

  it('answers RabbitMQ\'s 501 for a payload too short to hold a method id', () => {
    const e = codecError(() => decodeMethod(Buffer.from([0, 60])));
    expect(e.code).toBe(501);
    expect(e.message).toBe('FRAME_ERROR - type 1, all octets = <<0,60>>: unknown_frame');
    expect([e.classId, e.methodId]).toEqual([0, 0]);
  });

  it('answers 503 for an unknown class or method id, naming them', () => {
    for (const [c, m] of [
      [99, 10],
      [60, 99],
      [10, 99],
    ]) {
      const payload = Buffer.from([0, c, 0, m]);
      const e = codecError(() => decodeMethod(payload));
      expect(e.code).toBe(503);
      expect(e.message).toBe(`COMMAND_INVALID - unknown method: class-id ${c}, method-id ${m}`);
      expect([e.classId, e.methodId, e.kind, e.fatal]).toEqual([c, m, 'unknown_method', false]);
    }
  });

  it('answers 501 "cannot decode" with the method\'s ids, as RabbitMQ does', () => {
    // The three payloads RabbitMQ 3.10 was sent: ends early, a string past the end, trailing octets.
    const cases: [number[], string][] = [
      [[0, 0, 3, 97], 'cannot decode basic.publish (all octets = <<0,0,3,97>>): runs past the end'],
      [[0, 0, 0, 200, 97, 98], 'cannot decode basic.publish (all octets = <<0,0,0,200,97,98>>): runs past the end'],
      [[0, 0, 0, 1, 120, 0, 1, 2], 'cannot decode basic.publish (all octets = <<0,0,0,1,120,0,1,2>>): 2 unexpected octets after the last field'],
    ];
    for (const [args, detail] of cases) {
      const e = codecError(() => decodeMethod(Buffer.from([0, 60, 0, 40, ...args])));
      expect(e.code).toBe(501);
      expect(e.detail).toBe(detail);
      expect(e.message).toBe(`FRAME_ERROR - ${detail}`);
      expect([e.classId, e.methodId, e.kind]).toEqual([60, 40, 'cannot_decode']);
    }
  });

  it('reports a bad field table in the arguments as 501 with the table\'s problem', () => {
    // queue.declare: reserved1, queue 'q', bits, then a table whose value has tag 'Q'
    const payload = Buffer.from([0, 50, 0, 10, 0, 0, 1, 113, 0, 0, 0, 0, 4, 1, 97, 0x51, 0]);
    const e = codecError(() => decodeMethod(payload));
    expect(e.code).toBe(501);
    // RabbitMQ crashes on this one (a reset); the kind lets the connection do the same.
    expect([e.classId, e.methodId, e.kind]).toEqual([50, 10, 'unknown_field_type']);
    expect(e.detail).toBe(
      'cannot decode queue.declare (all octets = <<0,0,1,113,0,0,0,0,4,1,97,81,0>>): malformed field table: unknown value type "Q" (0x51)',
    );
  });

  it('fails with 501 on every truncation and every extension of a valid payload, never reading past the end', () => {
    fc.assert(
      fc.property(methodWithArgs, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 3 }), ({ m, args }, cut, extra) => {
        const frame = encodeMethod(0, input(m, args));
        const payload = frame.subarray(7, frame.length - 1);
        if (payload.length > 4) {
          // Copies, so that a read past the end could not land in the rest of the frame.
          const short = Buffer.from(payload.subarray(0, 4 + (cut % (payload.length - 4))));
          const e = codecError(() => decodeMethod(short));
          expect([e.code, e.classId, e.methodId]).toEqual([501, m.classId, m.methodId]);
        }
        const long = Buffer.concat([payload, extra]);
        const e = codecError(() => decodeMethod(long));
        expect([e.code, e.classId, e.methodId]).toEqual([501, m.classId, m.methodId]);
      }),
      { numRuns: 3000 },
    );
  });

  it('throws only CodecError on random bytes behind a valid method id', () => {
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), fc.uint8Array({ maxLength: 64 }), (m, bytes) => {
        const payload = Buffer.alloc(4 + bytes.length);
        payload.writeUInt32BE(idOf(m), 0);
        payload.set(bytes, 4);
        try {
          decodeMethod(payload);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('basic properties', () => {
  const properties: fc.Arbitrary<BasicProperties> = fc.record(
    {
      contentType: shortstr,
      contentEncoding: shortstr,
      headers: naturalTable,
      deliveryMode: fc.nat(0xff),
      priority: fc.nat(0xff),
      correlationId: shortstr,
      replyTo: shortstr,
      expiration: shortstr,
      messageId: shortstr,
      timestamp: fc.maxSafeNat(),
      type: shortstr,
      userId: shortstr,
      appId: shortstr,
      clusterId: shortstr,
    },
    { requiredKeys: [] },
  );

  it('round-trips, and agrees with amqplib in both directions', () => {
    fc.assert(
      fc.property(properties, fc.maxSafeNat(), (p, bodySize) => {
        const ours = encodeProperties(p);
        expect(decodeProperties(ours, 0, ours.length)).toEqual(p);
        // amqplib sets the prototype for a "__proto__" key instead of adding it: not an oracle there
        fc.pre(!JSON.stringify(p.headers ?? {}).includes('__proto__'));

        const theirs = defs.decode(60, ours);
        expect(Object.fromEntries(Object.entries(theirs).filter(([, v]) => v !== undefined))).toEqual(p);

        // amqplib's content header frame: 7 framing, class, weight, body size, then the properties.
        const header = defs.encodeProperties(60, 1, bodySize, p as Record<string, unknown>);
        const raw = header.subarray(19, header.length - 1);
        expect(decodeProperties(header, 19, header.length - 1)).toEqual(p);
        expect(encodeProperties(decodeProperties(raw, 0, raw.length)).equals(raw)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('stops at `end`, whatever follows in the buffer', () => {
    const raw = encodeProperties({ contentType: 'text/plain', deliveryMode: 2 });
    const buf = Buffer.concat([Buffer.from([9, 9, 9]), raw, Buffer.from([0xce, 1, 2])]);
    expect(decodeProperties(buf, 3, 3 + raw.length)).toEqual({ contentType: 'text/plain', deliveryMode: 2 });
  });

  it('throws 501 on truncated properties or octets after the last one', () => {
    const raw = encodeProperties({ contentType: 'a', headers: { x: 1 }, timestamp: 5, appId: 'app' });
    for (let n = 0; n < raw.length; n++) {
      const cut = Buffer.from(raw.subarray(0, n));
      expect(() => decodeProperties(cut, 0, cut.length)).toThrow(CodecError);
    }
    const longer = Buffer.concat([raw, Buffer.from([0])]);
    expect(() => decodeProperties(longer, 0, longer.length)).toThrow(/^FRAME_ERROR - cannot decode content header properties/);
  });

  it('reads continuation flag words, refusing properties 0-9-1 does not have', () => {
    expect(decodeProperties(Buffer.from([0x80, 0x01, 0x00, 0x00, 1, 97]), 0, 6)).toEqual({ contentType: 'a' });
    expect(() => decodeProperties(Buffer.from([0x00, 0x01, 0x80, 0x00]), 0, 4)).toThrow(/unknown property flags 0x8000/);
    // bit 1 has no property; RabbitMQ ignores it
    expect(decodeProperties(Buffer.from([0x00, 0x02]), 0, 2)).toEqual({});
  });

  it('encodes an empty property set as two zero flag octets', () => {
    expect([...encodeProperties({})]).toEqual([0, 0]);
  });
});
