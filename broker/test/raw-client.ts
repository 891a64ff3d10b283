// The raw AMQP 0-9-1 client of the tests: for the wire tests (handshake, bad input) and for what the
// amqplib conformance suite cannot express (a bad protocol header, a tune-ok above the server's
// maximum, the exact connection.close of a failed handshake, watching heartbeat frames). It builds
// frames by hand (so tests can send anything, including nonsense) and parses what comes back:
// frames, methods, connection.close / channel.close with their reply code, text and class/method
// ids, and the socket closing.
// Self-contained on purpose: it must not share bugs with Warren's own codec in broker/amqp.
import net from 'node:net';
import { expect } from 'vitest';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
export const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');

/** [class id, method id] of the methods tests use. */
export const M = {
  connectionStart: [10, 10],
  connectionStartOk: [10, 11],
  connectionTune: [10, 30],
  connectionTuneOk: [10, 31],
  connectionOpen: [10, 40],
  connectionOpenOk: [10, 41],
  connectionClose: [10, 50],
  connectionCloseOk: [10, 51],
  channelOpen: [20, 10],
  channelOpenOk: [20, 11],
  channelClose: [20, 40],
  channelCloseOk: [20, 41],
  queueDeclare: [50, 10],
  queueDeclareOk: [50, 11],
  basicQos: [60, 10],
  basicPublish: [60, 40],
} as const satisfies Record<string, readonly [number, number]>;
export type MethodId = readonly [number, number];

export type FieldValue = string | number | boolean | bigint | Buffer | null | FieldTable | FieldValue[];
export interface FieldTable {
  [key: string]: FieldValue;
}

/** Method arguments, appended in order; consecutive `bit`s share an octet as the spec says. */
export class Args {
  private readonly parts: Buffer[] = [];
  private bitCount = 0;

  private push(b: Buffer): this {
    this.parts.push(b);
    this.bitCount = 0;
    return this;
  }
  private int(size: 1 | 2 | 4 | 8, v: number | bigint): this {
    const b = Buffer.alloc(size);
    if (size === 8) b.writeBigUInt64BE(BigInt(v));
    else b.writeUIntBE(Number(v), 0, size);
    return this.push(b);
  }
  octet(v: number): this { return this.int(1, v); }
  short(v: number): this { return this.int(2, v); }
  long(v: number): this { return this.int(4, v); }
  longlong(v: number | bigint): this { return this.int(8, v); }
  shortstr(s: string): this {
    const b = Buffer.from(s);
    return this.octet(b.length).push(b);
  }
  longstr(s: string | Buffer): this {
    const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
    return this.long(b.length).push(b);
  }
  table(t: FieldTable): this {
    return this.longstr(encodeTableFields(t));
  }
  bit(v: boolean): this {
    if (this.bitCount === 0 || this.bitCount === 8) this.push(Buffer.alloc(1));
    const last = this.parts[this.parts.length - 1];
    if (v) last[0] |= 1 << this.bitCount;
    this.bitCount = (this.bitCount % 8) + 1;
    return this;
  }
  raw(b: Buffer): this { return this.push(b); }
  build(): Buffer { return Buffer.concat(this.parts); }
}

function encodeValue(v: FieldValue): Buffer {
  if (typeof v === 'string') return Buffer.concat([Buffer.from('S'), new Args().longstr(v).build()]);
  if (typeof v === 'boolean') return Buffer.from([0x74, v ? 1 : 0]);
  if (typeof v === 'number') return Buffer.concat([Buffer.from('I'), new Args().long(v >>> 0).build()]);
  if (typeof v === 'bigint') return Buffer.concat([Buffer.from('l'), new Args().longlong(v).build()]);
  if (v === null) return Buffer.from('V');
  if (Buffer.isBuffer(v)) return Buffer.concat([Buffer.from('x'), new Args().longstr(v).build()]);
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('A'), new Args().longstr(Buffer.concat(v.map(encodeValue))).build()]);
  return Buffer.concat([Buffer.from('F'), new Args().table(v).build()]);
}

/** A field table without its 4-byte length (the body of a table, and AMQPLAIN's response). */
export function encodeTableFields(t: FieldTable): Buffer {
  return Buffer.concat(Object.entries(t).flatMap(([k, v]) => [new Args().shortstr(k).build(), encodeValue(v)]));
}

/** Reads AMQP-encoded arguments in order; throws RangeError past the end. */
export class Reader {
  constructor(private readonly b: Buffer, private pos = 0) {}
  private take(n: number): Buffer {
    if (this.pos + n > this.b.length) throw new RangeError(`need ${n} bytes at ${this.pos} of ${this.b.length}`);
    this.pos += n;
    return this.b.subarray(this.pos - n, this.pos);
  }
  octet(): number { return this.take(1).readUInt8(0); }
  short(): number { return this.take(2).readUInt16BE(0); }
  long(): number { return this.take(4).readUInt32BE(0); }
  longlong(): bigint { return this.take(8).readBigUInt64BE(0); }
  shortstr(): string { return this.take(this.octet()).toString(); }
  longstr(): Buffer { return this.take(this.long()); }
  table(): FieldTable {
    const r = new Reader(this.longstr());
    const t: FieldTable = {};
    while (!r.atEnd()) t[r.shortstr()] = r.value();
    return t;
  }
  atEnd(): boolean { return this.pos >= this.b.length; }
  private value(): FieldValue {
    const type = String.fromCharCode(this.octet());
    switch (type) {
      case 't': return this.octet() !== 0;
      case 'b': return this.take(1).readInt8(0);
      case 'B': return this.octet();
      case 's': return this.take(2).readInt16BE(0);
      case 'u': return this.short();
      case 'I': return this.take(4).readInt32BE(0);
      case 'i': return this.long();
      case 'l': return this.take(8).readBigInt64BE(0);
      case 'T': return this.longlong();
      case 'f': return this.take(4).readFloatBE(0);
      case 'd': return this.take(8).readDoubleBE(0);
      case 'D': return this.take(5).toString('hex');
      case 'S': return this.longstr().toString();
      case 'x': return this.longstr();
      case 'F': return this.table();
      case 'A': {
        const r = new Reader(this.longstr());
        const out: FieldValue[] = [];
        while (!r.atEnd()) out.push(r.value());
        return out;
      }
      case 'V': return null;
      default: throw new RangeError(`unknown field type ${JSON.stringify(type)}`);
    }
  }
}

export function frame(type: number, channel: number, payload: Buffer, end = FRAME_END): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([end])]);
}

export function methodFrame(channel: number, [classId, methodId]: MethodId, args: Args | Buffer = Buffer.alloc(0)): Buffer {
  const ids = new Args().short(classId).short(methodId).build();
  return frame(FRAME_METHOD, channel, Buffer.concat([ids, args instanceof Args ? args.build() : args]));
}

/** A content header with no properties (flags 0) unless given. */
export function headerFrame(channel: number, bodySize: number | bigint, classId = 60, flags = 0, props = Buffer.alloc(0)): Buffer {
  return frame(FRAME_HEADER, channel, new Args().short(classId).short(0).longlong(bodySize).short(flags).raw(props).build());
}

export function bodyFrame(channel: number, body: Buffer | string): Buffer {
  return frame(FRAME_BODY, channel, Buffer.from(body));
}

export function heartbeatFrame(channel = 0): Buffer {
  return frame(FRAME_HEARTBEAT, channel, Buffer.alloc(0));
}

export function plainResponse(user: string, pass: string): Buffer {
  return Buffer.from(`\0${user}\0${pass}`);
}

export function amqplainResponse(user: string, pass: string): Buffer {
  return encodeTableFields({ LOGIN: user, PASSWORD: pass });
}

/** basic.publish(exchange, routingKey) on a channel. */
export function publishFrame(channel: number, exchange: string, routingKey: string): Buffer {
  return methodFrame(channel, M.basicPublish, new Args().short(0).shortstr(exchange).shortstr(routingKey).bit(false).bit(false));
}

/** queue.declare(name) with no flags, waiting for declare-ok. */
export function queueDeclareFrame(channel: number, name: string): Buffer {
  return methodFrame(channel, M.queueDeclare, new Args().short(0).shortstr(name).bit(false).bit(false).bit(false).bit(false).bit(false).table({}));
}

export interface Frame { type: number; channel: number; payload: Buffer }
export interface Method { channel: number; classId: number; methodId: number; args: Buffer }
export interface Close { scope: 'connection' | 'channel'; channel: number; code: number; text: string; classId: number; methodId: number }
export interface Start { versionMajor: number; versionMinor: number; serverProperties: FieldTable; mechanisms: string; locales: string }
export interface Tune { channelMax: number; frameMax: number; heartbeat: number }
export interface HandshakeOptions {
  user?: string;
  pass?: string;
  vhost?: string;
  mechanism?: 'PLAIN' | 'AMQPLAIN';
  /** tune-ok values; default: accept the server's, heartbeat 0 */
  tune?: Partial<Tune>;
  /** false: stop after tune-ok, before connection.open */
  open?: boolean;
  /** how long to wait for the answer to connection.open (ms) */
  replyMs?: number;
}
/** How far a handshake got: tune-ok sent (with `open: false`), open-ok, a connection.close instead, or the socket closed. */
export type Outcome = { kind: 'tuned' } | { kind: 'open-ok' } | ({ kind: 'close' } & Close) | { kind: 'closed' };
export interface Attempt {
  start: Start;
  /** what the server offered; missing if it did not get to connection.tune */
  tune?: Tune;
  result: Outcome;
}

const sameId = (m: Method, [c, id]: MethodId) => m.classId === c && m.methodId === id;
/** "method 10.50 on channel 0 {close…}" for error messages. */
function describeMethod(m: Method): string {
  const close = sameId(m, M.connectionClose) || sameId(m, M.channelClose) ? ` ${JSON.stringify(parseClose(m))}` : '';
  return `method ${m.classId}.${m.methodId} on channel ${m.channel}${close}`;
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private wake: (() => void)[] = [];
  /** true once the server (or we) closed the socket */
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {}); // ECONNRESET and friends show up as `closed`
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }

  /** Waits until `take` returns a value, or the socket is closed (null); throws after `ms`. */
  private async until<T>(take: () => T | undefined, ms: number, what: string): Promise<T | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = take();
      if (v !== undefined) return v;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  send(...chunks: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(chunks));
  }

  /** Half-closes our side (FIN) after what was sent. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Everything received and not yet read (raw bytes), once the socket has closed or after `ms`. */
  async rest(ms = 2000): Promise<Buffer> {
    await this.waitClosed(ms);
    const out = this.buf;
    this.buf = Buffer.alloc(0);
    return out;
  }

  /** The next whole frame; null if the socket closed first. */
  nextFrame(ms = 2000): Promise<Frame | null> {
    return this.until(() => {
      if (this.buf.length < 8) return undefined;
      const size = this.buf.readUInt32BE(3);
      if (this.buf.length < size + 8) return undefined;
      if (this.buf[size + 7] !== FRAME_END) throw new Error(`bad frame end from server: ${this.buf[size + 7]}`);
      const f = { type: this.buf[0], channel: this.buf.readUInt16BE(1), payload: this.buf.subarray(7, 7 + size) };
      this.buf = this.buf.subarray(size + 8);
      return f;
    }, ms, 'a frame');
  }

  /** The next method frame, skipping heartbeats; null if the socket closed first. */
  async nextMethod(ms = 2000): Promise<Method | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const f = await this.nextFrame(Math.max(0, deadline - Date.now()));
      if (f === null) return null;
      if (f.type === FRAME_HEARTBEAT) continue;
      if (f.type !== FRAME_METHOD) throw new Error(`expected a method frame, got frame type ${f.type} on channel ${f.channel}`);
      return { channel: f.channel, classId: f.payload.readUInt16BE(0), methodId: f.payload.readUInt16BE(2), args: f.payload.subarray(4) };
    }
  }

  /** The next method, which must be `id`; returns its arguments. */
  async expectMethod(id: MethodId, ms = 2000): Promise<Reader> {
    const m = await this.nextMethod(ms);
    if (m === null) throw new Error(`socket closed while waiting for method ${id.join('.')}`);
    if (!sameId(m, id)) throw new Error(`expected method ${id.join('.')}, got ${describeMethod(m)}`);
    return new Reader(m.args);
  }

  /** The next method, which must be connection.close on channel 0 (nothing is skipped). */
  async nextConnectionClose(ms = 2000): Promise<Close> {
    const m = await this.nextMethod(ms);
    if (m === null) throw new Error('socket closed without a connection.close');
    expect([m.channel, m.classId, m.methodId], 'connection.close on channel 0').toEqual([0, ...M.connectionClose]);
    return parseClose(m);
  }

  /** The next connection.close or channel.close (other methods are skipped); throws if the socket closes first. */
  async expectClose(ms = 2000): Promise<Close> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await this.nextMethod(Math.max(0, deadline - Date.now()));
      if (m === null) throw new Error('socket closed without a connection.close or channel.close');
      if (sameId(m, M.connectionClose) || sameId(m, M.channelClose)) return parseClose(m);
    }
  }

  /** Resolves true once the socket is closed, false if it is still open after `ms`. */
  async waitClosed(ms = 2000): Promise<boolean> {
    try {
      await this.until(() => undefined, ms, 'the socket to close');
    } catch {
      return false;
    }
    return true;
  }

  // --- the handshake, one step at a time -------------------------------------------------------

  /** Sends the protocol header (the real one unless given) and reads connection.start. */
  async start(header = PROTOCOL_HEADER): Promise<Start> {
    this.send(header);
    const r = await this.expectMethod(M.connectionStart);
    return { versionMajor: r.octet(), versionMinor: r.octet(), serverProperties: r.table(), mechanisms: r.longstr().toString(), locales: r.longstr().toString() };
  }

  startOk(mechanism: string, response: Buffer, capabilities: FieldTable = { authentication_failure_close: true }): void {
    const props = { product: 'warren-raw-client', capabilities };
    this.send(methodFrame(0, M.connectionStartOk, new Args().table(props).shortstr(mechanism).longstr(response).shortstr('en_US')));
  }

  async tune(): Promise<Tune> {
    return readTune(await this.expectMethod(M.connectionTune));
  }

  tuneOk({ channelMax, frameMax, heartbeat }: Tune): void {
    this.send(methodFrame(0, M.connectionTuneOk, new Args().short(channelMax).long(frameMax).short(heartbeat)));
  }

  open(vhost = '/'): void {
    this.send(methodFrame(0, M.connectionOpen, new Args().shortstr(vhost).shortstr('').bit(false)));
  }

  /**
   * The handshake, taking whatever the server answers at each step: header, start-ok, tune-ok, then
   * (unless `open: false`) connection.open. Stops at a connection.close or the socket closing.
   */
  async tryHandshake(o: HandshakeOptions = {}): Promise<Attempt> {
    const { user = 'guest', pass = 'guest', mechanism = 'PLAIN' } = o;
    const start = await this.start();
    this.startOk(mechanism, mechanism === 'PLAIN' ? plainResponse(user, pass) : amqplainResponse(user, pass));
    const tuned = await this.answer(M.connectionTune);
    if (!(tuned instanceof Reader)) return { start, result: tuned };
    const tune = readTune(tuned);
    this.tuneOk({ ...tune, heartbeat: 0, ...o.tune });
    if (o.open === false) return { start, tune, result: { kind: 'tuned' } };
    this.open(o.vhost);
    const opened = await this.answer(M.connectionOpenOk, o.replyMs);
    return { start, tune, result: opened instanceof Reader ? { kind: 'open-ok' } : opened };
  }

  /** Header, start-ok, tune-ok; stops before connection.open. Throws unless the server tuned. */
  async authenticate(o: HandshakeOptions = {}): Promise<void> {
    await this.handshakeTo('tuned', { ...o, open: false });
  }

  /** The whole handshake up to connection.open-ok; throws if it stops short. */
  async handshake(o: HandshakeOptions = {}): Promise<void> {
    await this.handshakeTo('open-ok', o);
  }

  private async handshakeTo(kind: Outcome['kind'], o: HandshakeOptions): Promise<void> {
    const { result } = await this.tryHandshake(o);
    if (result.kind !== kind) throw new Error(`handshake stopped short of ${kind}: ${JSON.stringify(result)}`);
  }

  /** The next method's arguments if it is `id`; else the connection.close sent instead, or `closed`. Anything else throws. */
  private async answer(id: MethodId, ms = 2000): Promise<Reader | ({ kind: 'close' } & Close) | { kind: 'closed' }> {
    const m = await this.nextMethod(ms);
    if (m === null) return { kind: 'closed' };
    if (sameId(m, id)) return new Reader(m.args);
    if (sameId(m, M.connectionClose)) return { kind: 'close', ...parseClose(m) };
    throw new Error(`expected method ${id.join('.')} or connection.close, got ${describeMethod(m)}`);
  }

  closeOk(): void {
    this.send(methodFrame(0, M.connectionCloseOk));
  }

  /** The next close must be a connection.close with this code, a text containing `text`, and these ids. */
  async expectConnectionClose(code: number, text: string, [classId, methodId]: MethodId = [0, 0], ms = 2000): Promise<Close> {
    const close = await this.expectClose(ms);
    expect(close).toEqual({ scope: 'connection', channel: 0, code, text: expect.stringContaining(text), classId, methodId });
    return close;
  }

  /**
   * A connection error the usual way: connection.close, then the server waits for close-ok (RabbitMQ
   * for 30 s) and closes the socket once it has it.
   */
  async expectConnectionError(code: number, text: string, ids: MethodId = [0, 0]): Promise<Close> {
    const close = await this.expectConnectionClose(code, text, ids);
    expect(await this.waitClosed(200), 'the server waits for close-ok').toBe(false);
    this.closeOk();
    expect(await this.waitClosed(1000), 'the server closes the socket after close-ok').toBe(true);
    return close;
  }

  /**
   * A fatal frame error: connection.close, and the socket closes without waiting for close-ok
   * (RabbitMQ stops reading and closes it about 3 s later).
   */
  async expectFatalFrameError(text: string, ms = 5000): Promise<Close> {
    const close = await this.expectConnectionClose(501, text);
    expect(await this.waitClosed(ms), 'the socket closes without close-ok').toBe(true);
    return close;
  }

  /**
   * The socket closes with no (further) method sent: RabbitMQ's answer to errors before
   * connection.open (after ~3 s), and to unknown class or method ids (at once).
   */
  async expectSilentClose(ms = 5000): Promise<void> {
    const m = await this.nextMethod(ms);
    expect(m && describeMethod(m), 'nothing sent before the socket closes').toBeNull();
  }

  /** Opens `channel`; the next method must be channel.open-ok on it. */
  async openChannel(channel: number): Promise<void> {
    this.send(methodFrame(channel, M.channelOpen, new Args().shortstr('')));
    const m = await this.nextMethod();
    if (m === null || m.channel !== channel || !sameId(m, M.channelOpenOk)) {
      throw new Error(`expected channel.open-ok on channel ${channel}, got ${m ? describeMethod(m) : 'the socket closed'}`);
    }
  }
}

function readTune(r: Reader): Tune {
  return { channelMax: r.short(), frameMax: r.long(), heartbeat: r.short() };
}

export function parseClose(m: Method): Close {
  const r = new Reader(m.args);
  const scope = m.classId === 10 ? 'connection' : 'channel';
  return { scope, channel: m.channel, code: r.short(), text: r.shortstr(), classId: r.short(), methodId: r.short() };
}

/** Runs `fn` with a fresh connection to `target` (a harness broker) and destroys it afterwards. */
export async function withClient<T>(target: { port: number; host?: string }, fn: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.connect(target.port, target.host);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}
