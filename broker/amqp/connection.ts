import type { Socket } from 'node:net';
import { describeError } from '../core/contained';
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import type { Queue } from '../core/queue';
import type { VirtualHost } from '../core/vhost';
import { Channel } from './channel';
import { CodecError, describeOctets, frameError } from './codec-error';
import type { DirectReplyTo } from './direct-reply-to';
import type { FieldTable } from '../core/field-values';
import { DiscardedContent, carriesContent, unexpectedContent } from './discarded-content';
import { FrameReader, checkFrame } from './frame-reader';
import {
  decodeMethod, encodeMethod, FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD,
  type AmqpMethod, type MethodInput,
} from './generated/protocol';
import { Handshake, type HandshakeHost, type Login } from './handshake';
import type { Logger } from '../logger';

/** Deliveries are encoded into buffers of this size (a larger one for a larger delivery). */
const ARENA_BYTES = 64 * 1024;
const EMPTY_ARENA = Buffer.alloc(0);
const HEARTBEAT_FRAME = Buffer.from([FRAME_HEARTBEAT, 0, 0, 0, 0, 0, 0, FRAME_END]);
/** Above this many bytes waiting for the socket, consumers on this connection get no credit. */
const WRITE_HIGH_WATER = 1 << 20;
/** Replies waiting in the socket beyond which the connection stops reading requests. */
const READ_PAUSE_AT = 16 << 20;
/** How long a closing connection waits for the peer's close-ok. */
const CLOSE_OK_TIMEOUT = 3_000;

type State = 'handshake' | 'opened' | 'closing' | 'closed';

/** What a publisher can be blocked for, as RabbitMQ names the resources. */
export type ResourceAlarm = 'memory' | 'disk';

/**
 * One client connection: channel 0, heartbeats, the frame loop and the write batcher, with the
 * opening left to its Handshake. Frames for other channels go to their Channel. Every AmqpError
 * thrown while handling input ends here and becomes a channel.close or connection.close.
 */
export class AmqpConnection implements ConnectionHandle, HandshakeHost {
  readonly name: string;
  readonly socket: Socket;
  readonly core: BrokerCore;
  readonly log: Logger;
  readonly directReplyTo: DirectReplyTo;
  readonly connectedAt = Date.now();
  user = '';
  vhostName = '';
  vhost: VirtualHost | undefined;
  clientProperties: FieldTable = {};
  /** the SASL mechanism of the login, for the connection listing */
  authMechanism = '';
  frameMax: number;
  channelMax: number;
  heartbeat = 0;
  readonly channels = new Map<number, Channel>();
  /** Exclusive queues this connection declared: they go when it closes. */
  readonly exclusiveQueues = new Set<Queue>();
  /** Channels holding publisher confirms to send with the next flush. */
  readonly confirmsDue = new Set<Channel>();
  /** Content of a method sent on a channel that is not open, gathered before the method's 504. */
  private readonly discarding = new Map<number, DiscardedContent>();
  /** Frames for channels waiting until a durable change they made is on disk (see afterStored). */
  private readonly parked = new Map<number, { type: number; payload: Buffer }[]>();
  consumerCancelNotify = false;
  private blockedNotify = false;
  /** Resource alarms on (memory, disk): the next publish blocks this connection, as RabbitMQ does. */
  private readonly alarms = new Set<ResourceAlarm>();
  private alarm = false;
  private blocked = false;
  private publishedAny = false;
  private state: State = 'handshake';
  private readonly handshake: Handshake;
  private readonly reader: FrameReader;
  private out: Buffer[] = [];
  outBytes = 0;
  /** where deliveries are encoded in place (see reserve); [arenaStart, arenaEnd) is not queued yet */
  arena: Buffer = EMPTY_ARENA;
  private arenaStart = 0;
  private arenaEnd = 0;
  private flushScheduled = false;
  private needsDrainKick = false;
  private readPaused = false;
  private receivedSinceTick = true;
  /** Date.now() of the last flush of frames other than heartbeats */
  private lastSentAt = 0;
  private missedTicks = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /**
   * Date.now() when the chunk being handled was read: a clock for per-message bookkeeping that reads
   * the real one (about 0.1 µs on this machine) once per chunk rather than once per message.
   */
  readAt = Date.now();
  /** told the size of every chunk read: the memory alarm samples sooner when clients send fast */
  onRead: (bytes: number) => void = () => {};
  // counters for listings
  recvOct = 0;
  sendOct = 0;

  constructor(core: BrokerCore, socket: Socket, log: Logger, directReplyTo: DirectReplyTo) {
    this.core = core;
    this.directReplyTo = directReplyTo;
    this.socket = socket;
    this.log = log;
    this.name = `${socket.remoteAddress}:${socket.remotePort} -> ${socket.localAddress}:${socket.localPort}`;
    this.frameMax = core.limits.frameMax;
    this.channelMax = core.limits.channelMax;
    this.reader = new FrameReader(core.limits.frameMax);
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', (err) => this.log.debug(`connection ${this.name}: ${err.message}`));
    socket.on('close', () => {
      // an event callback: a failure while releasing channels and queues is logged, not thrown
      try {
        this.cleanup();
      } catch (err) {
        this.log.error(`connection ${this.name}: cleanup after close failed: ${describeError(err)}`);
      }
    });
    this.handshake = new Handshake(this);
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get isOpen(): boolean {
    return this.state === 'opened';
  }

  // --- input -----------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.readAt = Date.now();
    this.receivedSinceTick = true;
    this.recvOct += chunk.length;
    this.onRead(chunk.length);
    if (this.state === 'closed') return;
    try {
      if (this.state === 'handshake') {
        chunk = this.handshake.readProtocolHeader(chunk);
        if (chunk.length === 0) return;
      }
      this.reader.push(chunk, this.onFrame);
    } catch (err) {
      this.fail(err);
    }
  };

  private readonly onFrame = (type: number, channel: number, buf: Buffer, start: number, end: number): void => {
    // Methods, content headers and bodies on an open channel, which is nearly every frame, are read
    // where they lie: the same steps as onPayload's for them (checkFrame passes a method of 4
    // octets or more, a header of 12 or more and any body), without a Buffer view of each.
    const size = end - start;
    if (this.state === 'opened' && channel !== 0 && (type === FRAME_METHOD ? size >= 4 : type === FRAME_BODY || (type === FRAME_HEADER && size >= 12))) {
      const ch = this.channels.get(channel);
      if (ch !== undefined && this.parked.get(channel) === undefined) {
        if (type === FRAME_BODY) ch.onContentBody(buf, start, end);
        else if (type === FRAME_HEADER) ch.onContentHeader(buf, start, end);
        else {
          ch.beforeMethod();
          // basic.publish (60/40) need not be decoded (see publishFromOctets)
          const publish = buf[start + 1] === 60 && buf[start + 3] === 40 && buf[start] === 0 && buf[start + 2] === 0;
          if (!publish || !ch.publishFromOctets(buf, start, end)) ch.onMethod(decodeMethod(buf, start, end));
        }
        return;
      }
    }
    this.onPayload(type, channel, buf.subarray(start, end));
  };

  private onPayload(type: number, channel: number, payload: Buffer): void {
    // RabbitMQ's order (rabbit_reader:handle_frame): channel 0 first; before connection.open any
    // frame on a channel is unexpected, whatever it holds; once closing, such frames are dropped;
    // then the frame's shape (checkFrame), then what it means.
    if (this.state !== 'opened' && channel !== 0) {
      if (this.state === 'closed' || this.state === 'closing') return;
      this.handshake.admit(type, channel);
      throw frameText(505, type, payload);
    }
    if (this.state === 'closed') return;
    if (this.state === 'handshake') this.handshake.admit(type, channel);
    checkFrame(type, payload);
    if (type === FRAME_HEARTBEAT) {
      if (channel !== 0) throw frameText(505, type, payload);
      return;
    }
    if (channel === 0) {
      if (type !== FRAME_METHOD) throw frameText(505, type, payload);
      this.onConnectionMethod(decodeConnectionMethod(payload));
      return;
    }
    const ch = this.channels.get(channel);
    const held = this.parked.get(channel);
    if (held !== undefined) {
      // the frame reader may reuse the buffer of a frame it handed over
      held.push({ type, payload: Buffer.from(payload) });
      return;
    }
    if (type === FRAME_METHOD) {
      // content due on the channel: RabbitMQ answers 505 before it reads the method
      const gathering = ch === undefined ? this.discarding.get(channel) : undefined;
      if (gathering !== undefined) throw gathering.interrupted();
      ch?.beforeMethod();
      const method = decodeMethod(payload);
      if (ch === undefined) {
        // RabbitMQ limits how many channels are open, not their numbers
        if (this.channelMax !== 0 && this.channels.size + this.discarding.size >= this.channelMax) {
          throw new AmqpError(
            530,
            `number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`,
            'connection',
          );
        }
        if (method.name !== 'channel.open') {
          const refusal = new AmqpError(504, `expected 'channel.open'`, 'connection', method.classId, method.methodId);
          if (!carriesContent(method)) throw refusal;
          // RabbitMQ gathers the content before the channel refuses the method
          this.discarding.set(channel, new DiscardedContent(method, refusal));
          return;
        }
        this.openChannel(channel);
        return;
      }
      ch.onMethod(method);
    } else if (type === FRAME_HEADER) {
      if (ch === undefined) this.discardContent(channel, (d) => d.header(payload));
      else ch.onContentHeader(payload, 0, payload.length);
    } else if (type === FRAME_BODY) {
      if (ch === undefined) this.discardContent(channel, (d) => d.body(payload));
      else ch.onContentBody(payload, 0, payload.length);
    } else {
      throw frameError(type, payload, 'unknown_frame');
    }
  }

  /** Content for a method on a channel that is not open: counted, then the method is refused. */
  private discardContent(channel: number, step: (d: DiscardedContent) => boolean): void {
    const d = this.discarding.get(channel);
    if (d === undefined) throw unexpectedContent();
    if (!step(d)) return;
    this.discarding.delete(channel);
    if (d.refusal !== undefined) throw d.refusal;
  }

  private onConnectionMethod(m: AmqpMethod): void {
    switch (this.state) {
      case 'handshake':
        this.handshake.onMethod(m);
        return;
      case 'opened':
        if (m.name === 'connection.close') {
          this.sendMethod(0, { name: 'connection.close-ok', args: {} });
          this.state = 'closed';
          this.flush();
          this.socket.end();
          this.cleanup();
          return;
        }
        if (m.name === 'connection.update-secret') {
          // PLAIN has no token to refresh; RabbitMQ accepts and acknowledges it the same way.
          this.sendMethod(0, { name: 'connection.update-secret-ok', args: {} });
          return;
        }
        if (m.name === 'connection.close-ok') return;
        break;
      case 'closing':
        if (m.name === 'connection.close-ok' || m.name === 'connection.close') {
          if (m.name === 'connection.close') this.sendMethod(0, { name: 'connection.close-ok', args: {} });
          this.flush();
          this.state = 'closed';
          this.socket.end();
          this.cleanup();
        }
        return;
      default:
        break;
    }
    throw new AmqpError(504, 'unexpected method in connection state running', 'connection', m.classId, m.methodId);
  }

  // --- the handshake's results -----------------------------------------------------------------

  loggedIn(login: Login): void {
    this.user = login.user;
    this.clientProperties = login.clientProperties;
    this.consumerCancelNotify = login.consumerCancelNotify;
    this.blockedNotify = login.blockedNotify;
    this.authMechanism = login.mechanism;
  }

  tuned(channelMax: number, frameMax: number, heartbeat: number): void {
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.reader.maxFrameSize = frameMax;
    this.heartbeat = heartbeat;
  }

  opened(vhostName: string, vhost: VirtualHost): void {
    this.vhost = vhost;
    this.vhostName = vhostName;
    this.state = 'opened';
    this.startHeartbeats();
    this.core.connections.add(this);
    this.core.emit({ type: 'connection.opened', name: this.name });
  }

  private openChannel(id: number): void {
    const ch = new Channel(this, id);
    this.channels.set(id, ch);
    this.sendMethod(id, { name: 'channel.open-ok', args: {} });
    this.core.emit({ type: 'channel.opened', connection: this.name, channel: id });
  }

  /**
   * Sends `reply` (a declare-ok, bind-ok, ...) once the durable change just made is on disk; until
   * then the channel's later frames wait, so replies keep their order. If the disk refused it, the
   * connection is closed with 541 INTERNAL_ERROR instead: the client is never told it is stored.
   * `messages`: the change also wrote to the message log (a purge's REMOVED records), so the reply
   * waits for the log's next batch too, which carries the definitions before it.
   */
  afterStored(ch: Channel, what: string, reply: () => void, messages = false): void {
    const durability = this.core.durability;
    if (durability === undefined || (!messages && !durability.changesPending())) return reply();
    this.parked.set(ch.id, []);
    const wait = messages ? (cb: (ok: boolean) => void) => durability.whenDurable(cb) : (cb: (ok: boolean) => void) => durability.whenChangesDurable(cb);
    wait((ok) => {
      const held = this.parked.get(ch.id) ?? [];
      this.parked.delete(ch.id);
      if (this.state !== 'opened' || ch.closing || this.channels.get(ch.id) !== ch) return;
      try {
        if (!ok) throw new AmqpError(541, `${what} could not be written to disk; it is not stored`, 'connection');
        reply();
        for (let i = 0; i < held.length; i++) {
          const again = this.parked.get(ch.id);
          if (again !== undefined) {
            again.push(...held.slice(i));
            return;
          }
          this.onPayload(held[i].type, ch.id, held[i].payload);
        }
      } catch (err) {
        this.fail(err);
      }
    });
  }

  /** Called by a channel once its close handshake is over. */
  channelClosed(ch: Channel): void {
    if (this.channels.get(ch.id) === ch) {
      this.channels.delete(ch.id);
      this.confirmsDue.delete(ch);
      this.core.emit({ type: 'channel.closed', connection: this.name, channel: ch.id });
    }
  }

  // --- resource alarms -------------------------------------------------------------------------

  setAlarm(resource: ResourceAlarm, active: boolean): void {
    if (active) this.alarms.add(resource);
    else this.alarms.delete(resource);
    this.alarm = this.alarms.size > 0;
    if (this.alarm && this.publishedAny && !this.blocked) this.block();
    else if (!this.alarm && this.blocked) {
      this.blocked = false;
      if (this.blockedNotify && this.state === 'opened') this.sendMethod(0, { name: 'connection.unblocked', args: {} });
      if (!this.readPaused) this.socket.resume();
    }
  }

  /** Called for every publish; cheap unless the alarm is on. */
  notePublish(): void {
    this.publishedAny = true;
    if (this.alarm && !this.blocked) this.block();
  }

  private block(): void {
    this.blocked = true;
    // RabbitMQ's words, joined as it joins them when both alarms are on
    const reason = [...this.alarms].sort().map((r) => `low on ${r}`).join(' & ');
    if (this.blockedNotify && this.state === 'opened') this.sendMethod(0, { name: 'connection.blocked', args: { reason } });
    // Stop reading: the client's writes back up in its own buffers, as with RabbitMQ.
    this.socket.pause();
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Not reading: the client has not read the replies already waiting for it. */
  get isReadPaused(): boolean {
    return this.readPaused;
  }

  // --- permissions -----------------------------------------------------------------------------

  checkPermission(kind: 'configure' | 'write' | 'read', resourceType: 'queue' | 'exchange', name: string): void {
    if (this.core.users.isAllowed(this.user, this.vhostName, kind, name)) return;
    throw new AmqpError(403, `access to ${resourceType} '${name}' in vhost '${this.vhostName}' refused for user '${this.user}'`);
  }

  // --- output ----------------------------------------------------------------------------------

  sendMethod(channel: number, m: MethodInput): void {
    this.write(encodeMethod(channel, m));
  }

  /** Queues bytes for this event-loop turn; one socket write carries them all. */
  write(buf: Buffer): void {
    this.sealArena();
    this.out.push(buf);
    this.outBytes += buf.length;
    this.scheduleFlush();
  }

  /**
   * Room for `size` bytes of frames in `this.arena`, at the offset returned, sent in order with
   * everything else written: deliveries are encoded in place, one after the other, so a turn's
   * deliveries leave as one piece of one buffer — no Buffer of their own, no copy to join them.
   * What was handed to the socket is never written over: a full arena is left to it and a new one
   * taken.
   */
  reserve(size: number): number {
    if (this.arenaEnd + size > this.arena.length) {
      this.sealArena();
      this.arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, size));
      this.arenaStart = this.arenaEnd = 0;
    }
    const at = this.arenaEnd;
    this.arenaEnd += size;
    this.outBytes += size;
    this.scheduleFlush();
    return at;
  }

  /** What was reserved since the last piece went out joins the queue as one piece. */
  private sealArena(): void {
    if (this.arenaEnd === this.arenaStart) return;
    this.out.push(this.arena.subarray(this.arenaStart, this.arenaEnd));
    this.arenaStart = this.arenaEnd;
  }

  scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flush);
    }
  }

  readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.confirmsDue.size > 0) {
      for (const ch of this.confirmsDue) ch.flushConfirms();
      this.confirmsDue.clear();
    }
    this.sealArena();
    const out = this.out;
    if (out.length === 0) return;
    this.out = [];
    const bytes = this.outBytes;
    this.outBytes = 0;
    this.lastSentAt = Date.now();
    this.sendOct += bytes;
    if (this.socket.destroyed || !this.socket.writable) return;
    if (out.length === 1) this.socket.write(out[0]);
    else if (bytes <= 65536) this.socket.write(Buffer.concat(out, bytes));
    else {
      this.socket.cork();
      for (const b of out) this.socket.write(b);
      this.socket.uncork();
    }
    // A client that sends requests but never reads the answers is not read from either, so
    // its replies cannot pile up in memory without bound (TCP back-pressure, as in RabbitMQ).
    if (this.socket.writableLength > READ_PAUSE_AT && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    }
  };

  /** Whether consumers may write more; when not, a drain resumes them. */
  canWrite(): boolean {
    if (this.outBytes + this.socket.writableLength < WRITE_HIGH_WATER) return true;
    this.needsDrainKick = true;
    return false;
  }

  private readonly onDrain = (): void => {
    if (this.readPaused) {
      this.readPaused = false;
      if (!this.blocked) this.socket.resume();
    }
    if (!this.needsDrainKick) return;
    this.needsDrainKick = false;
    try {
      for (const ch of this.channels.values()) ch.resumeWaiting(true);
    } catch (err) {
      this.fail(err); // an event callback must not throw out to the process
    }
  };

  // --- heartbeats ------------------------------------------------------------------------------

  private startHeartbeats(): void {
    if (this.heartbeat === 0) return;
    // Ticks at half the interval: send unless we sent in the last quarter, drop the peer after two
    // silent intervals. Some clients (amqp-client.js) drop the connection after one silent
    // interval, so the gap between our frames stays well under it.
    const tickMs = (this.heartbeat * 1000) / 2;
    this.heartbeatTimer = setInterval(() => {
      try {
        if (Date.now() - this.lastSentAt >= tickMs / 2) this.socket.write(HEARTBEAT_FRAME);
        if (this.receivedSinceTick) {
          this.receivedSinceTick = false;
          this.missedTicks = 0;
        } else if (++this.missedTicks >= 4) {
          this.log.warn(`closing ${this.name}: missed heartbeats from client, timeout: ${this.heartbeat}s`);
          this.socket.destroy();
        }
      } catch (err) {
        // a timer must not throw out to the process; the connection is given up instead
        this.log.error(`connection ${this.name}: heartbeat failed: ${describeError(err)}`);
        this.socket.destroy();
      }
    }, tickMs);
    this.heartbeatTimer.unref();
  }

  // --- closing ---------------------------------------------------------------------------------

  /** Closes with an error or on request (management, shutdown): connection.close, then wait for close-ok. */
  close(code: number, reason: string): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.state !== 'opened') {
      this.state = 'closed';
      this.socket.destroy();
      return;
    }
    this.sendClose(code, `${code === 320 ? 'CONNECTION_FORCED - ' : ''}${reason}`, 0, 0);
  }

  sendClose(code: number, text: string, classId: number, methodId: number): void {
    this.sendMethod(0, { name: 'connection.close', args: { replyCode: code, replyText: text, classId, methodId } });
    this.flush();
    this.state = 'closing';
    this.releaseChannels();
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT);
    this.closeTimer.unref();
  }

  /** How the handshake refuses: no connection.close, just what is queued, `last`, and FIN. */
  end(last?: Buffer): void {
    this.state = 'closed';
    this.flush();
    if (last === undefined) this.socket.end();
    else this.socket.end(last);
  }

  /** The one place input errors become close frames. */
  fail(err: unknown): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.state === 'handshake' && this.handshake.closesSilently(err)) {
      this.log.debug(`closing ${this.name} during the handshake: ${err instanceof Error ? err.message : String(err)}`);
      this.state = 'closed';
      this.socket.destroy();
      return;
    }
    let e: AmqpError;
    if (err instanceof AmqpError) e = err;
    else if (err instanceof CodecError) e = new AmqpError(err.code, err.detail, 'connection', err.classId, err.methodId);
    else {
      this.log.error(`internal error on ${this.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      e = new AmqpError(541, 'internal error', 'connection');
    }
    this.log.debug(`closing ${this.name}: ${e.code} ${e.message}`);
    this.sendClose(e.code, e.message, e.classId, e.methodId);
  }

  private releaseChannels(): void {
    for (const ch of this.channels.values()) ch.release();
    this.channels.clear();
    this.confirmsDue.clear();
  }

  private cleanup(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.handshake.stop();
    if (this.closeTimer && this.socket.destroyed) clearTimeout(this.closeTimer);
    this.heartbeatTimer = undefined;
    if (this.state !== 'closed' && this.state !== 'closing') this.state = 'closed';
    this.releaseChannels();
    const vhost = this.vhost;
    if (vhost !== undefined) {
      for (const q of this.exclusiveQueues) vhost.deleteQueue(q, false, false);
    }
    this.exclusiveQueues.clear();
    if (this.core.connections.delete(this)) this.core.emit({ type: 'connection.closed', name: this.name });
  }
}

/**
 * decodeMethod as RabbitMQ answers on channel 0 (rabbit_reader:handle_method0): arguments it cannot
 * decode are a bare 541 INTERNAL_ERROR, 0/0 (on a channel they are 501); a short string that is
 * not UTF-8 is 501 with the method's ids (on a channel 0/0).
 */
function decodeConnectionMethod(payload: Buffer): AmqpMethod {
  try {
    return decodeMethod(payload);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    if (err.kind === 'malformed_utf8') throw new CodecError(err.code, err.detail, payload.readUInt16BE(0), payload.readUInt16BE(2), err.kind);
    if (err.kind === 'cannot_decode' || err.kind === 'unknown_field_type') throw new AmqpError(541, err.detail, 'connection');
    throw err;
  }
}

/** RabbitMQ's text for a frame that has no business where it arrived. */
function frameText(code: number, type: number, payload: Buffer): AmqpError {
  return new AmqpError(code, `type ${type}, ${describeOctets(payload)}`, 'connection');
}
