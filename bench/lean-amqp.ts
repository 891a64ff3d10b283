// A lean AMQP 0-9-1 load client, written for `npm run bench` only: enough protocol to publish and
// consume as cheaply as a client can, so that the broker, not the client, is what runs out of CPU.
// amqplib spends more CPU per message than Warren does, so with it the figure is the client's ceiling.
//
// Publishing writes a buffer built once (N copies of basic.publish + content header + body frames)
// again and again: no encoding per message. Consuming reads frame headers only, counts basic.deliver
// methods and keeps the last delivery tag; acks are `multiple`, one per batch. No properties, no
// heartbeats (tune-ok asks for none), no confirms. Handshake: PLAIN, one channel.

import net from 'node:net';

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
const CHANNEL = 1;

function shortstr(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 255) throw new Error(`short string over 255 bytes: ${s.slice(0, 40)}…`);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

function longstr(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function frame(type: number, channel: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([FRAME_END])]);
}

function method(channel: number, classId: number, methodId: number, ...args: Buffer[]): Buffer {
  return frame(FRAME_METHOD, channel, Buffer.concat([u16(classId), u16(methodId), ...args]));
}

/** basic.publish to the default exchange + a header with no properties + the body, `copies` times. */
export function publishBatch(queue: string, body: Buffer, copies: number): Buffer {
  return Buffer.concat(Array.from({ length: copies }, () => publishFrames('', queue, body)));
}

/** One basic.publish (no properties) with its content frames. */
export function publishFrames(exchange: string, routingKey: string, body: Buffer): Buffer {
  const publish = method(CHANNEL, 60, 40, u16(0), shortstr(exchange), shortstr(routingKey), Buffer.from([0]));
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(body.length));
  const header = frame(FRAME_HEADER, CHANNEL, Buffer.concat([u16(60), u16(0), size, u16(0)]));
  return Buffer.concat(body.length > 0 ? [publish, header, frame(FRAME_BODY, CHANNEL, body)] : [publish, header]);
}

interface Incoming {
  classId: number;
  methodId: number;
  args: Buffer;
}

/**
 * One connection with one open channel. Frames are parsed as they come: methods other than
 * basic.deliver go to whoever awaits the next method; deliveries only bump a counter.
 */
export class LeanConnection {
  /** basic.deliver methods received */
  delivered = 0;
  /** connection.blocked notifications received: the broker stopped reading (a resource alarm) */
  blocked = 0;
  /** delivery tag of the last basic.deliver */
  lastTag = 0n;
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private waiters: Array<{ resolve: (m: Incoming) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;
  onDeliveries: (() => void) | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the broker')));
  }

  static async open(url: string, connectionName: string): Promise<LeanConnection> {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 5672) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new LeanConnection(socket);
    socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
    await c.expect(10, 10); // connection.start
    // connection.blocked announced, so that the broker says when it stops reading publishes
    const caps = Buffer.concat([shortstr('connection.blocked'), Buffer.from('t'), Buffer.from([1])]);
    const props = Buffer.concat([
      shortstr('connection_name'), Buffer.from('S'), longstr(Buffer.from(connectionName)),
      shortstr('capabilities'), Buffer.from('F'), longstr(caps),
    ]);
    const user = decodeURIComponent(u.username || 'guest');
    const pass = decodeURIComponent(u.password || 'guest');
    socket.write(
      method(0, 10, 11, longstr(props), shortstr('PLAIN'), longstr(Buffer.from(`\0${user}\0${pass}`)), shortstr('en_US')),
    );
    const tune = await c.expect(10, 30);
    const channelMax = tune.args.readUInt16BE(0);
    const frameMax = tune.args.readUInt32BE(2);
    socket.write(method(0, 10, 31, u16(channelMax), u32(frameMax), u16(0)));
    const vhost = u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/';
    socket.write(method(0, 10, 40, shortstr(vhost), shortstr(''), Buffer.from([0])));
    await c.expect(10, 41);
    socket.write(method(CHANNEL, 20, 10, shortstr('')));
    await c.expect(20, 11);
    return c;
  }

  /** queue.declare (non-durable, not exclusive, not auto-delete). */
  async declareQueue(queue: string): Promise<void> {
    await this.declareQueues([queue]);
  }

  async deleteQueue(queue: string): Promise<void> {
    this.socket.write(method(CHANNEL, 50, 40, u16(0), shortstr(queue), Buffer.from([0])));
    await this.expect(50, 41);
  }

  /** basic.qos (per consumer) + basic.consume with manual acks on each queue, pipelined. */
  async consume(queue: string | string[], prefetch: number): Promise<void> {
    this.socket.write(method(CHANNEL, 60, 10, u32(0), u16(prefetch), Buffer.from([0])));
    await this.expect(60, 11);
    await this.pipelined(Array.isArray(queue) ? queue : [queue], (q) =>
      method(CHANNEL, 60, 20, u16(0), shortstr(q), shortstr(''), Buffer.from([0]), u32(0)),
    60, 21);
  }

  /**
   * queue.declare of each (non-durable), pipelined. Exclusive queues go with this connection, so a
   * scenario with thousands of them needs no deletes afterwards, even when it fails half-way.
   */
  async declareQueues(queues: string[], opts: { exclusive?: boolean } = {}): Promise<void> {
    const bits = Buffer.from([opts.exclusive ? 4 : 0]);
    await this.pipelined(queues, (q) => method(CHANNEL, 50, 10, u16(0), shortstr(q), bits, u32(0)), 50, 11);
  }

  /** exchange.declare, non-durable and auto-delete: it goes with the last of its bindings. */
  async declareExchange(exchange: string, type: string): Promise<void> {
    this.socket.write(method(CHANNEL, 40, 10, u16(0), shortstr(exchange), shortstr(type), Buffer.from([4]), u32(0)));
    await this.expect(40, 11);
  }

  async deleteExchange(exchange: string): Promise<void> {
    this.socket.write(method(CHANNEL, 40, 20, u16(0), shortstr(exchange), Buffer.from([0])));
    await this.expect(40, 21);
  }

  /** queue.bind of each [queue, routing key] to `exchange`, pipelined. */
  async bindAll(exchange: string, bindings: Array<[string, string]>): Promise<void> {
    await this.pipelined(bindings, ([q, key]) =>
      method(CHANNEL, 50, 20, u16(0), shortstr(q), shortstr(exchange), shortstr(key), Buffer.from([0]), u32(0)),
    50, 21);
  }

  /**
   * Sends one request per item without waiting for each answer, at most WINDOW unanswered, and
   * waits for all answers: thousands of declares or binds in the time of a few round trips.
   */
  private async pipelined<T>(items: T[], encode: (item: T) => Buffer, classId: number, methodId: number): Promise<void> {
    const WINDOW = 500;
    const answers: Promise<Incoming>[] = [];
    for (let i = 0; i < items.length; i++) {
      this.socket.write(encode(items[i]));
      answers.push(this.expect(classId, methodId));
      if (answers.length >= WINDOW) await Promise.all(answers.splice(0));
    }
    await Promise.all(answers);
  }

  /** basic.ack of everything up to the last delivery. */
  ackAll(): void {
    const tag = Buffer.alloc(8);
    tag.writeBigUInt64BE(this.lastTag);
    this.socket.write(method(CHANNEL, 60, 80, tag, Buffer.from([1])));
  }

  /** Writes the buffer; false when the socket wants a 'drain' first. */
  write(buf: Buffer): boolean {
    return this.socket.write(buf);
  }

  drained(): Promise<void> {
    return new Promise((resolve) => this.socket.once('drain', resolve));
  }

  get error(): Error | undefined {
    return this.failure;
  }

  async close(): Promise<void> {
    if (this.failure || this.socket.destroyed) return;
    this.socket.write(method(0, 10, 50, u16(200), shortstr('bench over'), u16(0), u16(0)));
    await Promise.race([this.expect(10, 51).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    this.socket.destroy();
  }

  private expect(classId: number, methodId: number): Promise<Incoming> {
    return new Promise<Incoming>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.waiters.push({
        resolve: (m) => {
          if (m.classId === classId && m.methodId === methodId) resolve(m);
          else reject(new Error(`expected ${classId}.${methodId}, got ${m.classId}.${m.methodId}${closeText(m)}`));
        },
        reject,
      });
    });
  }

  private read(chunk: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    const before = this.delivered;
    while (buf.length - off >= 8) {
      const type = buf[off];
      const size = buf.readUInt32BE(off + 3);
      if (buf.length - off < size + 8) break;
      if (type === FRAME_METHOD) {
        const classId = buf.readUInt16BE(off + 7);
        const methodId = buf.readUInt16BE(off + 9);
        if (classId === 60 && methodId === 60) {
          // basic.deliver: consumer-tag (shortstr), then the delivery tag
          const tagAt = off + 11 + 1 + buf[off + 11];
          this.delivered++;
          this.lastTag = buf.readBigUInt64BE(tagAt);
        } else if (classId === 10 && (methodId === 60 || methodId === 61)) {
          if (methodId === 60) this.blocked++;
        } else {
          const m = { classId, methodId, args: Buffer.from(buf.subarray(off + 11, off + 7 + size)) };
          const w = this.waiters.shift();
          if (w) w.resolve(m);
          else if (classId === 10 && methodId === 50) this.failure ??= new Error(`connection closed${closeText(m)}`);
          else if (classId === 20 && methodId === 40) this.failure ??= new Error(`channel closed${closeText(m)}`);
        }
      }
      off += size + 8;
    }
    this.pending = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
    if (this.delivered !== before) this.onDeliveries?.();
  }
}

function closeText(m: Incoming): string {
  if (!((m.classId === 10 || m.classId === 20) && m.methodId === (m.classId === 10 ? 50 : 40))) return '';
  const code = m.args.readUInt16BE(0);
  const text = m.args.subarray(3, 3 + m.args[2]).toString('utf8');
  return `: ${code} ${text}`;
}
