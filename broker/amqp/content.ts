// Encoders for the methods that carry a message to a client — basic.deliver, basic.get-ok,
// basic.return — each producing the method frame, the content header frame and the body frames in
// one buffer, allocated once. This is the delivery hot path: no closures, no intermediate buffers,
// and the properties go out as the publisher sent them (the raw flags and values).

import { Buffer } from 'node:buffer';
import { copyOctets } from '../core/octets';
import { fitShortstr } from './codec-error';

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
const CLASS_BASIC = 60;
const TWO_32 = 4294967296;

// class id << 16 | method id
const BASIC_RETURN = 0x003c0032;
const BASIC_DELIVER = 0x003c003c;
const BASIC_GET_OK = 0x003c0047;

/** basic.deliver with its content, on `channel`, bodies split to fit `frameMax`. */
export function encodeDeliver(
  channel: number,
  frameMax: number,
  consumerTag: string,
  deliveryTag: number,
  redelivered: boolean,
  exchange: string,
  routingKey: string,
  properties: Buffer,
  body: Buffer,
): Buffer {
  const d = DELIVER_FRAMES.measure(frameMax, consumerTag, exchange, routingKey, properties.length, body.length);
  const f = Buffer.allocUnsafe(d.size);
  d.write(f, 0, channel, deliveryTag, redelivered, properties, body, 0);
  return f;
}

/**
 * The sizes of a basic.deliver and its content, measured once, so that the frames can be written
 * in place where the connection has room (Connection.reserve) instead of into a buffer of their own.
 */
export class DeliverFrames {
  frameMax = 0;
  consumerTag = '';
  exchange = '';
  routingKey = '';
  tagLen = 0;
  exchangeLen = 0;
  keyLen = 0;
  argsSize = 0;
  size = 0;
  bodyLength = 0;

  /**
   * Measures a delivery, to be written before the next is measured: one object serves every
   * delivery (`DELIVER_FRAMES`) rather than one made and dropped per message.
   */
  measure(frameMax: number, consumerTag: string, exchange: string, routingKey: string, propertiesLength: number, bodyLength: number, tagLen = utf8Length(consumerTag)): this {
    const exchangeLen = utf8Length(exchange);
    const keyLen = utf8Length(routingKey);
    // consumer-tag, delivery-tag, redelivered, exchange, routing-key
    // refused here, before any room is reserved: a frame cut short would corrupt the stream
    if (tagLen > 255 || exchangeLen > 255 || keyLen > 255) throw new RangeError('short string longer than 255 bytes in basic.deliver');
    this.frameMax = frameMax;
    this.consumerTag = consumerTag;
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.tagLen = tagLen;
    this.exchangeLen = exchangeLen;
    this.keyLen = keyLen;
    this.argsSize = 1 + tagLen + 8 + 1 + 1 + exchangeLen + 1 + keyLen;
    this.size = 8 + 4 + this.argsSize + contentSize(frameMax, propertiesLength, bodyLength);
    this.bodyLength = bodyLength;
    return this;
  }

  /**
   * Writes the frames at `at` in `f`, which has `size` bytes there. The body is `bodyLength` octets
   * of `body` from `bodyStart`: a small one is read where it lies in its slab, not through a view.
   */
  write(f: Buffer, at: number, channel: number, deliveryTag: number, redelivered: boolean, properties: Buffer, body: Buffer, bodyStart: number): void {
    let o = methodFrameAt(f, at, channel, this.frameMax, BASIC_DELIVER, this.argsSize, properties, body, bodyStart, this.bodyLength);
    o = writeShortstr(f, o, this.consumerTag, this.tagLen);
    writeLonglong(f, o, deliveryTag);
    f[o + 8] = redelivered ? 1 : 0;
    o = writeShortstr(f, o + 9, this.exchange, this.exchangeLen);
    writeShortstr(f, o, this.routingKey, this.keyLen);
  }
}

export const DELIVER_FRAMES = new DeliverFrames();

/** basic.get-ok with its content. */
export function encodeGetOk(
  channel: number,
  frameMax: number,
  deliveryTag: number,
  redelivered: boolean,
  exchange: string,
  routingKey: string,
  messageCount: number,
  properties: Buffer,
  body: Buffer,
): Buffer {
  const exchangeLen = Buffer.byteLength(exchange);
  const keyLen = Buffer.byteLength(routingKey);
  // delivery-tag, redelivered, exchange, routing-key, message-count
  const f = withContent(channel, frameMax, BASIC_GET_OK, 8 + 1 + 1 + exchangeLen + 1 + keyLen + 4, properties, body);
  writeLonglong(f, 11, deliveryTag);
  f[19] = redelivered ? 1 : 0;
  let o = writeShortstr(f, 20, exchange, exchangeLen);
  o = writeShortstr(f, o, routingKey, keyLen);
  f.writeUInt32BE(messageCount, o);
  return f;
}

/** basic.return with its content; a reply text too long for a short string is cut as RabbitMQ cuts it. */
export function encodeReturn(
  channel: number,
  frameMax: number,
  replyCode: number,
  replyText: string,
  exchange: string,
  routingKey: string,
  properties: Buffer,
  body: Buffer,
): Buffer {
  const text = fitShortstr(replyText);
  const textLen = Buffer.byteLength(text);
  const exchangeLen = Buffer.byteLength(exchange);
  const keyLen = Buffer.byteLength(routingKey);
  // reply-code, reply-text, exchange, routing-key
  const f = withContent(channel, frameMax, BASIC_RETURN, 2 + 1 + textLen + 1 + exchangeLen + 1 + keyLen, properties, body);
  f.writeUInt16BE(replyCode, 11);
  let o = writeShortstr(f, 13, text, textLen);
  o = writeShortstr(f, o, exchange, exchangeLen);
  writeShortstr(f, o, routingKey, keyLen);
  return f;
}

/** The content header frame and body frames alone, for a basic-class message. */
export function encodeContent(channel: number, frameMax: number, properties: Buffer, body: Buffer): Buffer {
  const f = Buffer.allocUnsafe(contentSize(frameMax, properties.length, body.length));
  writeContent(f, 0, channel, frameMax, properties, body, 0, body.length);
  return f;
}

/** Bytes writeContent writes: the header frame, and one body frame per frameMax - 8 bytes of body. */
export function contentSize(frameMax: number, propertiesLength: number, bodyLength: number): number {
  const perFrame = maxBodyPerFrame(frameMax, bodyLength);
  const frames = bodyLength === 0 ? 0 : Math.ceil(bodyLength / perFrame);
  return 8 + 12 + propertiesLength + frames * 8 + bodyLength;
}

/**
 * Writes the content header frame (class basic, weight 0, body size, raw properties) and the body
 * frames at `off`; `buf` must have contentSize(...) bytes free there. Returns the offset after them.
 * An empty body gets no body frame.
 */
/** The content frames at `off` in `buf`, of a body of `bodyLength` octets of `body` from `bodyStart`. */
export function writeContent(
  buf: Buffer, off: number, channel: number, frameMax: number, properties: Buffer, body: Buffer, bodyStart: number, bodyLength: number,
): number {
  const headerSize = 12 + properties.length;
  buf[off] = FRAME_HEADER;
  u16(buf, off + 1, channel);
  u32(buf, off + 3, headerSize);
  u16(buf, off + 7, CLASS_BASIC);
  u16(buf, off + 9, 0); // weight, unused
  writeLonglong(buf, off + 11, bodyLength);
  copyOctets(properties, 0, properties.length, buf, off + 19);
  let o = off + 7 + headerSize;
  buf[o++] = FRAME_END;

  const perFrame = maxBodyPerFrame(frameMax, bodyLength);
  for (let from = 0; from < bodyLength; from += perFrame) {
    const n = Math.min(perFrame, bodyLength - from);
    buf[o] = FRAME_BODY;
    u16(buf, o + 1, channel);
    u32(buf, o + 3, n);
    copyOctets(body, bodyStart + from, bodyStart + from + n, buf, o + 7);
    o += 7 + n;
    buf[o++] = FRAME_END;
  }
  return o;
}

/** frame_max counts the frame's 8 octets of framing; 0 means no limit. */
function maxBodyPerFrame(frameMax: number, bodyLength: number): number {
  return frameMax > 0 ? frameMax - 8 : Math.max(bodyLength, 1);
}

/**
 * One buffer for a content-carrying method and its content: the method frame with everything
 * but its arguments (which start at offset 11, `argsSize` bytes), then the content frames.
 */
function withContent(channel: number, frameMax: number, id: number, argsSize: number, properties: Buffer, body: Buffer): Buffer {
  const f = Buffer.allocUnsafe(8 + 4 + argsSize + contentSize(frameMax, properties.length, body.length));
  methodFrameAt(f, 0, channel, frameMax, id, argsSize, properties, body, 0, body.length);
  return f;
}

/** The same at `at` in `f`; returns where the method's arguments go. */
function methodFrameAt(
  f: Buffer, at: number, channel: number, frameMax: number, id: number, argsSize: number, properties: Buffer, body: Buffer, bodyStart: number, bodyLength: number,
): number {
  const methodSize = 4 + argsSize;
  f[at] = FRAME_METHOD;
  u16(f, at + 1, channel);
  u32(f, at + 3, methodSize);
  u32(f, at + 7, id);
  f[at + 7 + methodSize] = FRAME_END;
  writeContent(f, at + 8 + methodSize, channel, frameMax, properties, body, bodyStart, bodyLength);
  return at + 11;
}

/** The UTF-8 length of a name: a short ASCII one (most) is scanned here rather than measured by a call into the encoder. */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n < 48) {
    let i = 0;
    while (i < n && s.charCodeAt(i) < 0x80) i++;
    if (i === n) return n;
  }
  return Buffer.byteLength(s);
}

function writeShortstr(f: Buffer, o: number, s: string, len: number): number {
  if (len > 255) throw new RangeError(`short string longer than 255 bytes: ${s.slice(0, 40)}...`);
  f[o] = len;
  if (len === s.length && len < 48) {
    // ASCII (one byte per char): a plain loop beats a call into the UTF-8 encoder for short strings.
    for (let i = 0; i < len; i++) f[o + 1 + i] = s.charCodeAt(i);
  } else if (len > 0) {
    f.write(s, o + 1, len, 'utf8');
  }
  return o + 1 + len;
}

/**
 * Big-endian stores of values the encoder made itself (in range by construction): the Buffer
 * methods check their arguments on each call, several times a delivery.
 */
function u16(f: Buffer, o: number, v: number): void {
  f[o] = v >>> 8;
  f[o + 1] = v;
}

function u32(f: Buffer, o: number, v: number): void {
  f[o] = v >>> 24;
  f[o + 1] = v >>> 16;
  f[o + 2] = v >>> 8;
  f[o + 3] = v;
}

function writeLonglong(f: Buffer, o: number, v: number): void {
  u32(f, o, Math.floor(v / TWO_32));
  u32(f, o + 4, v >>> 0);
}
