// The wire fuzzer's byte builder: frames, method arguments, field tables and content headers
// encoded from the protocol JSON (broker/amqp/amqp-rabbitmq-0.9.1.json) by this file alone. It does
// not use Warren's own codec on purpose: a fuzzer that shared the broker's encoder would share its
// bugs, and it must be able to write what no encoder would (lying lengths, unknown tags, bad ends).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
export const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');

/** The wire types of the spec's domains. */
export type WireType = 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'table' | 'timestamp';

export interface SpecArgument {
  name: string;
  type: WireType;
}

export interface SpecMethod {
  /** "queue.declare" */
  name: string;
  classId: number;
  methodId: number;
  args: SpecArgument[];
  content: boolean;
}

interface SpecJson {
  domains: [string, string][];
  classes: {
    id: number;
    name: string;
    methods: { id: number; name: string; content?: boolean; arguments: { name: string; type?: string; domain?: string }[] }[];
    properties?: { name: string; type: string }[];
  }[];
}

const SPEC_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../amqp/amqp-rabbitmq-0.9.1.json');
const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as SpecJson;
const domains = new Map(spec.domains);
const wireType = (t: string): WireType => (domains.get(t) ?? t) as WireType;

/** Every method of the spec, client and server side alike: a fuzzer sends the server's own too. */
export const SPEC_METHODS: readonly SpecMethod[] = spec.classes.flatMap((c) =>
  c.methods.map((m) => ({
    name: `${c.name}.${m.name}`,
    classId: c.id,
    methodId: m.id,
    args: m.arguments.map((a) => ({ name: a.name, type: wireType(a.type ?? a.domain ?? '') })),
    content: m.content === true,
  })),
);

export function specMethod(name: string): SpecMethod {
  const m = SPEC_METHODS.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no method ${name} in the spec`);
  return m;
}

/** basic's content properties in flag order: the first is flag bit 15. */
export const BASIC_PROPERTIES: readonly SpecArgument[] = (spec.classes.find((c) => c.id === 60)?.properties ?? []).map((p) => ({
  name: p.name,
  type: wireType(p.type),
}));

/** A value for an argument: numbers and bigints for integers, bytes for strings and tables. */
export type ArgValue = boolean | number | bigint | Buffer;

/** Appends wire values; consecutive bits share an octet, as the spec packs them. */
export class Bytes {
  private readonly parts: Buffer[] = [];
  private bits = 0;

  private push(b: Buffer): this {
    this.parts.push(b);
    this.bits = 0;
    return this;
  }
  octet(v: number): this { return this.push(Buffer.from([v & 0xff])); }
  short(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.push(b);
  }
  long(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.push(b);
  }
  longlong(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(v)));
    return this.push(b);
  }
  /** A short string of raw bytes; only the low 8 bits of a longer length are written, as a liar would. */
  shortstr(s: Buffer | string): this {
    const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
    return this.octet(b.length).push(b);
  }
  longstr(s: Buffer | string): this {
    const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
    return this.long(b.length).push(b);
  }
  bit(v: boolean): this {
    if (this.bits === 0 || this.bits === 8) {
      this.parts.push(Buffer.alloc(1));
      this.bits = 0;
    }
    if (v) this.parts[this.parts.length - 1][0] |= 1 << this.bits;
    this.bits++;
    return this;
  }
  raw(b: Buffer): this { return this.push(b); }
  build(): Buffer { return Buffer.concat(this.parts); }
}

/** Appends one value of wire type `type`; a table's value is its encoded body (without the length). */
export function writeArg(out: Bytes, type: WireType, v: ArgValue): void {
  switch (type) {
    case 'bit': out.bit(Boolean(v)); return;
    case 'octet': out.octet(Number(v)); return;
    case 'short': out.short(Number(v)); return;
    case 'long': out.long(Number(v)); return;
    case 'longlong':
    case 'timestamp': out.longlong(typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))); return;
    case 'shortstr': out.shortstr(Buffer.isBuffer(v) ? v : Buffer.from(String(v))); return;
    case 'longstr':
    case 'table': out.longstr(Buffer.isBuffer(v) ? v : Buffer.from(String(v))); return;
  }
}

export function methodPayload(m: { classId: number; methodId: number }, args: Buffer): Buffer {
  return new Bytes().short(m.classId).short(m.methodId).raw(args).build();
}

export function encodeArgs(m: SpecMethod, values: readonly ArgValue[]): Buffer {
  const out = new Bytes();
  m.args.forEach((a, i) => writeArg(out, a.type, values[i]));
  return out.build();
}

export interface FrameShape {
  /** added to the true payload length in the size field: a liar's frame */
  sizeDelta?: number;
  /** the frame-end octet; 0xCE unless given */
  end?: number;
}

export function frame(type: number, channel: number, payload: Buffer, shape: FrameShape = {}): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type & 0xff, 0);
  head.writeUInt16BE(channel & 0xffff, 1);
  head.writeUInt32BE((payload.length + (shape.sizeDelta ?? 0)) >>> 0, 3);
  return Buffer.concat([head, payload, Buffer.from([shape.end ?? FRAME_END])]);
}

export function methodFrame(channel: number, m: SpecMethod, values: readonly ArgValue[]): Buffer {
  return frame(FRAME_METHOD, channel, methodPayload(m, encodeArgs(m, values)));
}

/** A content header payload: class, weight, body size, property flags, property bytes. */
export function headerPayload(classId: number, weight: number, bodySize: bigint, flags: number, props: Buffer): Buffer {
  return new Bytes().short(classId).short(weight).longlong(bodySize).short(flags).raw(props).build();
}

/** Property bytes for the flags set in `flags` (bit 15 = the first property), values in order. */
export function encodeProperties(flags: number, values: readonly ArgValue[]): Buffer {
  const out = new Bytes();
  let k = 0;
  BASIC_PROPERTIES.forEach((p, i) => {
    if ((flags & (1 << (15 - i))) === 0) return;
    writeArg(out, p.type, values[k++ % Math.max(values.length, 1)] ?? 0);
  });
  return out.build();
}

// --- field tables -----------------------------------------------------------------------------

/** One field value as the fuzzer builds it: a tag and the bytes after it. */
export interface Field {
  tag: number;
  bytes: Buffer;
}

export const tableBody = (entries: readonly { key: Buffer; value: Field }[]): Buffer =>
  Buffer.concat(entries.flatMap(({ key, value }) => [new Bytes().shortstr(key).build(), Buffer.from([value.tag]), value.bytes]));

export const arrayBody = (values: readonly Field[]): Buffer => Buffer.concat(values.flatMap((v) => [Buffer.from([v.tag]), v.bytes]));

/** A table or array value holding `inner`, its length written as `lengthDelta` more than it is. */
export function nested(tag: 0x46 | 0x41, inner: Buffer, lengthDelta = 0): Field {
  return { tag, bytes: new Bytes().long(inner.length + lengthDelta).raw(inner).build() };
}

/**
 * `depth` tables (F) or arrays (A) inside each other, innermost empty: nesting as deep as a frame
 * holds. Written outside in, in one buffer: building it level by level would copy it depth times.
 */
export function deepNesting(tag: 0x46 | 0x41, depth: number): Buffer {
  const per = tag === 0x46 ? 7 : 5; // key "k" (2) when in a table, tag (1), length (4)
  const out = Buffer.alloc(per * depth);
  for (let i = 0, o = 0; i < depth; i++, o += per) {
    if (tag === 0x46) {
      out[o++] = 1;
      out[o++] = 0x6b;
    }
    out[o] = tag;
    out.writeUInt32BE((depth - i - 1) * per, o + 1);
    o -= tag === 0x46 ? 2 : 0;
  }
  return out;
}

// --- reading the server's frames --------------------------------------------------------------

export interface ServerFrame {
  type: number;
  channel: number;
  payload: Buffer;
}

/**
 * Splits what the server sent into frames, checking its framing: the end octet and, once tuned, the
 * client's frame_max. Returns the frames and the bytes of an unfinished one; throws on bad framing.
 */
export function splitServerFrames(buf: Buffer, frameMax: number): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let o = 0;
  while (buf.length - o >= 8) {
    const size = buf.readUInt32BE(o + 3);
    if (frameMax > 0 && size + 8 > frameMax) throw new Error(`server sent a frame of ${size + 8} octets, above frame_max ${frameMax}`);
    if (buf.length - o < size + 8) break;
    if (buf[o + 7 + size] !== FRAME_END) throw new Error(`server sent frame-end octet ${buf[o + 7 + size]}`);
    frames.push({ type: buf[o], channel: buf.readUInt16BE(o + 1), payload: buf.subarray(o + 7, o + 7 + size) });
    o += size + 8;
  }
  return { frames, rest: buf.subarray(o) };
}

/** reply-code and reply-text of a connection.close or channel.close payload. */
export function readClose(payload: Buffer): { code: number; text: string; classId: number; methodId: number } {
  const code = payload.readUInt16BE(4);
  const len = payload[6];
  const text = payload.toString('utf8', 7, 7 + len);
  return { code, text, classId: payload.readUInt16BE(7 + len), methodId: payload.readUInt16BE(9 + len) };
}

/**
 * How a byte stream of frames (from a frame boundary) ends, as a reader limited to `frameMax`
 * payload octets sees it: on a frame boundary, inside a frame, or at a frame it must refuse for
 * good (too large, or a bad frame-end octet).
 */
export function streamEnd(buf: Buffer, frameMax: number): 'aligned' | 'partial' | 'fatal' {
  let o = 0;
  for (;;) {
    if (o === buf.length) return 'aligned';
    if (buf.length - o < 7) return 'partial';
    const size = buf.readUInt32BE(o + 3);
    if (frameMax > 0 && size > frameMax) return 'fatal';
    if (buf.length - o < size + 8) return 'partial';
    if (buf[o + 7 + size] !== FRAME_END) return 'fatal';
    o += size + 8;
  }
}
