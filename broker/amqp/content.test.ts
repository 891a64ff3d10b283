import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentSize, encodeContent, encodeDeliver, encodeGetOk, encodeReturn, utf8Length, writeContent } from './content';
import { FrameReader } from './frame-reader';
import type { BasicProperties } from '../core/properties';
import { decodeMethod, decodeProperties, encodeProperties } from './generated/protocol';

// amqplib's own encoders as the oracle: a delivery must be byte for byte what amqplib would send
// for the same method, properties and body.
interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
}
interface AmqplibFrame {
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
}
const require = createRequire(import.meta.url);
const defs = require('../../node_modules/amqplib/lib/defs.js') as AmqplibDefs;
const amqplibFrame = require('../../node_modules/amqplib/lib/frame.js') as AmqplibFrame;

const BASIC_DELIVER = 0x003c003c;
const BASIC_GET_OK = 0x003c0047;
const BASIC_RETURN = 0x003c0032;

/** What amqplib sends: method frame, header frame, then the body in frames of frameMax - 8. */
function amqplibMessage(id: number, channel: number, frameMax: number, fields: Record<string, unknown>, props: BasicProperties, body: Buffer): Buffer {
  const parts = [defs.encodeMethod(id, channel, fields), defs.encodeProperties(60, channel, body.length, props as Record<string, unknown>)];
  for (let i = 0; i < body.length; i += frameMax - 8) parts.push(amqplibFrame.makeBodyFrame(channel, body.subarray(i, i + frameMax - 8)));
  return Buffer.concat(parts);
}

interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
}

/** The properties as a publisher using amqplib sent them: the raw bytes the broker passes on. */
function rawProperties(props: BasicProperties): Buffer {
  const header = defs.encodeProperties(60, 0, 0, props as Record<string, unknown>);
  return header.subarray(19, header.length - 1);
}

function frames(buf: Buffer, frameMax: number): Frame[] {
  const out: Frame[] = [];
  new FrameReader(frameMax).push(buf, (type, channel, buf, start, end) => out.push({ type, channel, payload: buf.subarray(start, end) }));
  return out;
}

const shortstr = fc.string({ maxLength: 60 }).filter((s) => Buffer.byteLength(s) <= 255);
const properties: fc.Arbitrary<BasicProperties> = fc.record(
  {
    contentType: shortstr,
    headers: fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== '!'), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 3 }),
    deliveryMode: fc.constantFrom(1, 2),
    priority: fc.nat(9),
    correlationId: shortstr,
    messageId: shortstr,
    timestamp: fc.nat(2 ** 31),
    appId: shortstr,
  },
  { requiredKeys: [] },
);
const frameMax = fc.oneof(fc.constant(4096), fc.constant(131072), fc.integer({ min: 4096, max: 9000 }));
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 100 }).map((u) => Buffer.from(u)),
  fc.integer({ min: 0, max: 30000 }).map((n) => Buffer.alloc(n, n & 0xff)),
);
const deliveryTag = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.maxSafeNat());

describe('content-carrying methods', () => {
  it('encodes basic.deliver exactly as amqplib does', () => {
    fc.assert(
      fc.property(
        fc.nat(0xffff),
        frameMax,
        shortstr,
        deliveryTag,
        fc.boolean(),
        shortstr,
        shortstr,
        properties,
        body,
        (channel, max, consumerTag, tag, redelivered, exchange, routingKey, props, b) => {
          const ours = encodeDeliver(channel, max, consumerTag, tag, redelivered, exchange, routingKey, rawProperties(props), b);
          const fields = { consumerTag, deliveryTag: tag, redelivered, exchange, routingKey };
          expect(ours.equals(amqplibMessage(BASIC_DELIVER, channel, max, fields, props, b))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('encodes basic.get-ok exactly as amqplib does', () => {
    fc.assert(
      fc.property(fc.nat(0xffff), frameMax, deliveryTag, fc.boolean(), shortstr, shortstr, fc.nat(), properties, body, (channel, max, tag, redelivered, exchange, routingKey, count, props, b) => {
        const ours = encodeGetOk(channel, max, tag, redelivered, exchange, routingKey, count, rawProperties(props), b);
        const fields = { deliveryTag: tag, redelivered, exchange, routingKey, messageCount: count };
        expect(ours.equals(amqplibMessage(BASIC_GET_OK, channel, max, fields, props, b))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes basic.return exactly as amqplib does', () => {
    fc.assert(
      fc.property(fc.nat(0xffff), frameMax, fc.nat(0xffff), shortstr, shortstr, shortstr, properties, body, (channel, max, code, text, exchange, routingKey, props, b) => {
        const ours = encodeReturn(channel, max, code, text, exchange, routingKey, rawProperties(props), b);
        const fields = { replyCode: code, replyText: text, exchange, routingKey };
        expect(ours.equals(amqplibMessage(BASIC_RETURN, channel, max, fields, props, b))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('passes the publisher\'s raw properties through untouched', () => {
    // A content header as a client sent it, flags and values exactly as they were.
    const raw = Buffer.from([0x90, 0x00, 0x0a, ...Buffer.from('text/plain'), 0x02]);
    const msg = encodeDeliver(3, 4096, 'ctag', 1, false, 'ex', 'rk', raw, Buffer.from('hi'));
    const [method, header, bodyFrame] = frames(msg, 4096);
    expect(decodeMethod(method.payload)).toEqual({
      name: 'basic.deliver',
      classId: 60,
      methodId: 60,
      args: { consumerTag: 'ctag', deliveryTag: 1, redelivered: false, exchange: 'ex', routingKey: 'rk' },
    });
    expect(header.payload.subarray(12).equals(raw)).toBe(true);
    expect(decodeProperties(header.payload, 12, header.payload.length)).toEqual({ contentType: 'text/plain', deliveryMode: 2 });
    expect(bodyFrame.payload.toString()).toBe('hi');
  });

  it('splits bodies at frameMax - 8 and sends no body frame for an empty body', () => {
    const raw = encodeProperties({});
    const sizes = (n: number, max: number): number[] =>
      frames(encodeDeliver(1, max, 't', 1, false, '', 'q', raw, Buffer.alloc(n)), max)
        .filter((f) => f.type === 3)
        .map((f) => f.payload.length);
    expect(sizes(0, 4096)).toEqual([]);
    expect(sizes(1, 4096)).toEqual([1]);
    expect(sizes(4088, 4096)).toEqual([4088]);
    expect(sizes(4089, 4096)).toEqual([4088, 1]);
    expect(sizes(3 * 4088, 4096)).toEqual([4088, 4088, 4088]);
    expect(sizes(200000, 0)).toEqual([200000]); // frame_max 0: no limit
    const header = frames(encodeDeliver(1, 4096, 't', 1, false, '', 'q', raw, Buffer.alloc(0)), 4096)[1];
    expect(header.payload.readUInt32BE(8)).toBe(0);
  });

  it('keeps body frames within the frame size a peer\'s reader accepts', () => {
    const msg = encodeGetOk(1, 4096, 9, true, 'e', 'k', 0, encodeProperties({}), Buffer.alloc(10000));
    expect(frames(msg, 4096 - 8).map((f) => f.type)).toEqual([1, 2, 3, 3, 3]);
  });

  it('cuts a reply text too long for a short string, as RabbitMQ does', () => {
    const msg = encodeReturn(1, 4096, 312, `NO_ROUTE ${'x'.repeat(400)}`, 'e', 'k', encodeProperties({}), Buffer.alloc(0));
    const m = decodeMethod(frames(msg, 4096)[0].payload);
    expect(m.name === 'basic.return' && m.args.replyText).toBe(`NO_ROUTE ${'x'.repeat(243)}...`);
  });

  it('writes multi-byte names correctly on either string path', () => {
    const msg = encodeDeliver(1, 4096, 'tag-é', 2, true, 'ëx', 'ключ.路由', encodeProperties({}), Buffer.from('b'));
    const m = decodeMethod(frames(msg, 4096)[0].payload);
    expect(m.args).toEqual({ consumerTag: 'tag-é', deliveryTag: 2, redelivered: true, exchange: 'ëx', routingKey: 'ключ.路由' });
  });

  it('writes content alone at an offset, from a body at an offset, and sizes it first', () => {
    const raw = encodeProperties({ messageId: 'm' });
    const b = Buffer.alloc(5000, 7);
    const size = contentSize(4096, raw.length, b.length);
    const buf = Buffer.alloc(size + 3);
    // the body read where it lies in a bigger buffer (a slab), from its offset
    const slab = Buffer.concat([Buffer.alloc(11, 1), b, Buffer.alloc(5, 2)]);
    expect(writeContent(buf, 3, 9, 4096, raw, slab, 11, b.length)).toBe(size + 3);
    expect(buf.subarray(3).equals(encodeContent(9, 4096, raw, b))).toBe(true);
    expect(frames(buf.subarray(3), 4096).map((f) => [f.type, f.channel, f.payload.length])).toEqual([
      [2, 9, 12 + raw.length],
      [3, 9, 4088],
      [3, 9, 912],
    ]);
  });
});

describe('utf8Length', () => {
  it('is what Buffer.byteLength says, for any string short or long', () => {
    for (const s of ['', 'a', 'bench.spread.abcd1234.9999', 'é', 'queue-ü-1', '日本', '\u{1F600}', '\ud800', 'x'.repeat(47) + 'é', 'y'.repeat(300)]) {
      expect(utf8Length(s)).toBe(Buffer.byteLength(s));
    }
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => utf8Length(s) === Buffer.byteLength(s)));
  });
});
