import type { Socket } from 'node:net';
import type { User } from '../auth/users';
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import type { Queue } from '../core/queue';
import type { VirtualHost } from '../core/vhost';
import { Channel } from './channel';
import { CodecError, describeOctets, frameError } from './codec-error';
import type { DirectReplyTo } from './direct-reply-to';
import { decodeTable, type FieldTable } from './field-table';
import { FrameReader } from './frame-reader';
import {
  decodeMethod, encodeMethod, FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, FRAME_MIN_SIZE,
  type AmqpMethod, type MethodInput,
} from './generated/protocol';
import type { Logger } from '../logger';
import { serverProperties } from './server-properties';

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
/** RabbitMQ also takes the header of the 0-9 draft for 0-9-1. */
const OLD_0_9_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 9]);
const HEARTBEAT_FRAME = Buffer.from([FRAME_HEARTBEAT, 0, 0, 0, 0, 0, 0, FRAME_END]);
/** Above this many bytes waiting for the socket, consumers on this connection get no credit. */
const WRITE_HIGH_WATER = 1 << 20;
/** Replies waiting in the socket beyond which the connection stops reading requests. */
const READ_PAUSE_AT = 16 << 20;
/** How long a closing connection waits for the peer's close-ok. */
const CLOSE_OK_TIMEOUT = 3_000;

type State = 'header' | 'start' | 'tune' | 'open' | 'opened' | 'closing' | 'closed';

/**
 * One client connection: the handshake, channel 0, heartbeats, the frame loop and the write
 * batcher. Frames for other channels go to their Channel. Every AmqpError thrown while handling
 * input ends here and becomes a channel.close or connection.close.
 */
export class AmqpConnection implements ConnectionHandle {
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
  frameMax: number;
  channelMax: number;
  heartbeat = 0;
  readonly channels = new Map<number, Channel>();
  /** Exclusive queues this connection declared: they go when it closes. */
  readonly exclusiveQueues = new Set<Queue>();
  /** Channels holding publisher confirms to send with the next flush. */
  readonly confirmsDue = new Set<Channel>();
  consumerCancelNotify = false;
  private blockedNotify = false;
  /** Memory alarm on: the next publish blocks this connection, as RabbitMQ does. */
  private alarm = false;
  private blocked = false;
  private publishedAny = false;
  private authFailureClose = false;
  private state: State = 'header';
  private readonly reader: FrameReader;
  private headerBytes: Buffer | undefined;
  private out: Buffer[] = [];
  outBytes = 0;
  private flushScheduled = false;
  private needsDrainKick = false;
  private readPaused = false;
  private receivedSinceTick = true;
  /** Date.now() of the last flush of frames other than heartbeats */
  private lastSentAt = 0;
  private missedTicks = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private userRecord: User | undefined;
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
    socket.on('close', () => this.cleanup());
    this.handshakeTimer = setTimeout(() => {
      this.log.warn(`closing ${this.name}: handshake timeout`);
      this.socket.destroy();
    }, core.limits.handshakeTimeout);
    this.handshakeTimer.unref();
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get isOpen(): boolean {
    return this.state === 'opened';
  }

  // --- input -----------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.receivedSinceTick = true;
    this.recvOct += chunk.length;
    if (this.state === 'closed') return;
    try {
      if (this.state === 'header') {
        chunk = this.readProtocolHeader(chunk);
        if (chunk.length === 0) return;
      }
      this.reader.push(chunk, this.onFrame);
    } catch (err) {
      this.fail(err);
    }
  };

  /** Returns what follows the 8-byte header; anything but AMQP 0-9-1 gets our header back. */
  private readProtocolHeader(chunk: Buffer): Buffer {
    const have = this.headerBytes ? Buffer.concat([this.headerBytes, chunk]) : chunk;
    if (have.length < 8) {
      // a wrong first byte needs no more input to be refused
      if (!have.subarray(0, Math.min(have.length, 4)).equals(PROTOCOL_HEADER.subarray(0, Math.min(have.length, 4)))) {
        this.refuseProtocol();
        return Buffer.alloc(0);
      }
      this.headerBytes = have;
      return Buffer.alloc(0);
    }
    this.headerBytes = undefined;
    if (!have.subarray(0, 8).equals(PROTOCOL_HEADER) && !have.subarray(0, 8).equals(OLD_0_9_HEADER)) {
      this.refuseProtocol();
      return Buffer.alloc(0);
    }
    this.state = 'start';
    this.sendMethod(0, {
      name: 'connection.start',
      args: {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: serverProperties(this.core.clusterName),
        mechanisms: 'AMQPLAIN PLAIN',
        locales: 'en_US',
      },
    });
    return have.subarray(8);
  }

  private refuseProtocol(): void {
    this.state = 'closed';
    this.socket.end(PROTOCOL_HEADER);
  }

  private readonly onFrame = (type: number, channel: number, payload: Buffer): void => {
    if (this.state === 'closed') return;
    if (this.state === 'start') {
      // Before start-ok RabbitMQ answers nothing but a close of the socket; so do we.
      if (type !== FRAME_METHOD || channel !== 0) throw new SilentClose('frame before connection.start-ok');
    }
    if (type === FRAME_HEARTBEAT) {
      if (channel !== 0) throw frameText(505, type, payload);
      return;
    }
    if (channel === 0) {
      if (type !== FRAME_METHOD) throw frameText(505, type, payload);
      this.onConnectionMethod(decodeMethod(payload));
      return;
    }
    if (this.state === 'closing') return; // RabbitMQ discards everything but close-ok here
    if (this.state !== 'opened') throw frameText(505, type, payload);
    const ch = this.channels.get(channel);
    if (type === FRAME_METHOD) {
      const method = decodeMethod(payload);
      if (ch === undefined) {
        if (method.name !== 'channel.open') {
          throw new AmqpError(504, `expected 'channel.open'`, 'connection', method.classId, method.methodId);
        }
        // RabbitMQ limits how many channels are open, not their numbers
        if (this.channelMax !== 0 && this.channels.size >= this.channelMax) {
          throw new AmqpError(
            530,
            `number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`,
            'connection',
          );
        }
        this.openChannel(channel);
        return;
      }
      ch.onMethod(method);
    } else if (type === FRAME_HEADER) {
      if (ch === undefined) throw new AmqpError(505, 'expected method frame, got non method frame instead', 'connection');
      ch.onContentHeader(payload);
    } else if (type === FRAME_BODY) {
      if (ch === undefined) throw new AmqpError(505, 'expected method frame, got non method frame instead', 'connection');
      ch.onContentBody(payload);
    } else {
      throw frameError(type, payload, 'unknown_frame');
    }
  };

  private onConnectionMethod(m: AmqpMethod): void {
    switch (this.state) {
      case 'start':
        if (m.name !== 'connection.start-ok') break;
        this.startOk(m.args.clientProperties, m.args.mechanism, m.args.response);
        return;
      case 'tune':
        if (m.name !== 'connection.tune-ok') break;
        this.tuneOk(m.args.channelMax, m.args.frameMax, m.args.heartbeat);
        return;
      case 'open':
        if (m.name !== 'connection.open') break;
        this.open(m.args.virtualHost);
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
    if (this.state === 'start' || this.state === 'tune') throw new SilentClose(`unexpected ${m.name} during the handshake`);
    const state = this.state === 'open' ? 'opening' : 'running';
    throw new AmqpError(504, `unexpected method in connection state ${state}`, 'connection', m.classId, m.methodId);
  }

  private startOk(clientProperties: FieldTable, mechanism: string, response: Buffer | string): void {
    this.clientProperties = clientProperties;
    const caps = clientProperties.capabilities;
    if (caps !== null && typeof caps === 'object' && !Array.isArray(caps) && !Buffer.isBuffer(caps)) {
      const c = caps as FieldTable;
      this.consumerCancelNotify = c.consumer_cancel_notify === true;
      this.authFailureClose = c.authentication_failure_close === true;
      this.blockedNotify = c['connection.blocked'] === true;
    }
    const raw = typeof response === 'string' ? Buffer.from(response, 'utf8') : response;
    let username: string | undefined;
    let password: string | undefined;
    if (mechanism === 'PLAIN') {
      // authzid \0 authcid \0 password
      const parts = raw.toString('utf8').split('\u0000');
      if (parts.length === 3) [, username, password] = parts;
    } else if (mechanism === 'AMQPLAIN') {
      // a field table without its length prefix
      const framed = Buffer.allocUnsafe(raw.length + 4);
      framed.writeUInt32BE(raw.length, 0);
      raw.copy(framed, 4);
      const [table] = decodeTable(framed, 0);
      if (typeof table.LOGIN === 'string') username = table.LOGIN;
      if (typeof table.PASSWORD === 'string') password = table.PASSWORD;
    } else {
      throw new SilentClose(`unsupported authentication mechanism '${mechanism}'`);
    }
    if (username === undefined || password === undefined) throw new SilentClose(`malformed ${mechanism} response`);
    const user = this.core.users.authenticate(username, password);
    if (user === undefined) return this.refuseLogin(mechanism, `invalid credentials for user '${username}'`);
    if (user.name === 'guest' && !isLoopback(this.socket.remoteAddress)) {
      return this.refuseLogin(mechanism, `user 'guest' can only connect via localhost`);
    }
    this.user = user.name;
    this.userRecord = user;
    this.state = 'tune';
    this.sendMethod(0, {
      name: 'connection.tune',
      args: { channelMax: this.core.limits.channelMax, frameMax: this.core.limits.frameMax, heartbeat: this.core.limits.heartbeat },
    });
  }

  private refuseLogin(mechanism: string, why: string): void {
    this.log.warn(`login refused on ${this.name}: ${why}`);
    const text = `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`;
    if (this.authFailureClose) {
      this.sendClose(403, text, 0, 0);
    } else {
      this.state = 'closed';
      this.flush();
      this.socket.end();
    }
  }

  private tuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    const limits = this.core.limits;
    if (frameMax !== 0 && frameMax < FRAME_MIN_SIZE) {
      throw new AmqpError(530, `frame_max=${frameMax} < ${FRAME_MIN_SIZE} min size`, 'connection', 10, 31);
    }
    if (frameMax > limits.frameMax || (frameMax === 0 && limits.frameMax !== 0)) {
      throw new AmqpError(530, `frame_max=${frameMax} > ${limits.frameMax} max size`, 'connection', 10, 31);
    }
    if (channelMax > limits.channelMax || (channelMax === 0 && limits.channelMax !== 0)) {
      throw new AmqpError(530, `channel_max=${channelMax} > ${limits.channelMax} max channels`, 'connection', 10, 31);
    }
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.reader.maxFrameSize = frameMax;
    this.heartbeat = heartbeat;
    this.state = 'open';
  }

  private open(vhostName: string): void {
    const vhost = this.core.getVhost(vhostName);
    if (vhost === undefined) throw new AmqpError(530, `vhost ${vhostName} not found`, 'connection', 10, 40);
    if (!this.core.users.canAccessVhost(this.user, vhostName)) {
      throw new AmqpError(530, `access to vhost '${vhostName}' refused for user '${this.user}'`, 'connection', 10, 40);
    }
    this.vhost = vhost;
    this.vhostName = vhostName;
    this.state = 'opened';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.sendMethod(0, { name: 'connection.open-ok', args: {} });
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

  /** Called by a channel once its close handshake is over. */
  channelClosed(ch: Channel): void {
    if (this.channels.get(ch.id) === ch) {
      this.channels.delete(ch.id);
      this.confirmsDue.delete(ch);
      this.core.emit({ type: 'channel.closed', connection: this.name, channel: ch.id });
    }
  }

  // --- memory alarm ----------------------------------------------------------------------------

  setAlarm(active: boolean): void {
    this.alarm = active;
    if (active && this.publishedAny) this.block();
    else if (!active && this.blocked) {
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
    if (this.blockedNotify && this.state === 'opened') this.sendMethod(0, { name: 'connection.blocked', args: { reason: 'low on memory' } });
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
    this.out.push(buf);
    this.outBytes += buf.length;
    this.scheduleFlush();
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
    for (const ch of this.channels.values()) ch.resumeDeliveries();
  };

  // --- heartbeats ------------------------------------------------------------------------------

  private startHeartbeats(): void {
    if (this.heartbeat === 0) return;
    // Ticks at half the interval: send unless we sent in the last quarter, drop the peer after two
    // silent intervals. Some clients (amqp-client.js) drop the connection after one silent
    // interval, so the gap between our frames stays well under it.
    const tickMs = (this.heartbeat * 1000) / 2;
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastSentAt >= tickMs / 2) this.socket.write(HEARTBEAT_FRAME);
      if (this.receivedSinceTick) {
        this.receivedSinceTick = false;
        this.missedTicks = 0;
      } else if (++this.missedTicks >= 4) {
        this.log.warn(`closing ${this.name}: missed heartbeats from client, timeout: ${this.heartbeat}s`);
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

  private sendClose(code: number, text: string, classId: number, methodId: number): void {
    this.sendMethod(0, { name: 'connection.close', args: { replyCode: code, replyText: text, classId, methodId } });
    this.flush();
    this.state = 'closing';
    this.releaseChannels();
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT);
    this.closeTimer.unref();
  }

  /** The one place input errors become close frames. */
  fail(err: unknown): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    // RabbitMQ answers nothing before the client is authenticated and tuned, bar the 530 for tune-ok
    const handshaking = this.state === 'start' || (this.state === 'tune' && !(err instanceof AmqpError && err.code === 530));
    if (err instanceof SilentClose || handshaking) {
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
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.closeTimer && this.socket.destroyed) clearTimeout(this.closeTimer);
    this.heartbeatTimer = undefined;
    this.handshakeTimer = undefined;
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

/** An error during the handshake: RabbitMQ closes the socket without a word, and so do we. */
class SilentClose extends Error {}

/** RabbitMQ's text for a frame that has no business where it arrived. */
function frameText(code: number, type: number, payload: Buffer): AmqpError {
  return new AmqpError(code, `type ${type}, ${describeOctets(payload)}`, 'connection');
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
