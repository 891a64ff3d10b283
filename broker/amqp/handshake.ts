import type { Socket } from 'node:net';
import type { BrokerCore } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import type { VirtualHost } from '../core/vhost';
import type { Logger } from '../logger';
import type { FieldTable } from '../core/field-values';
import { decodeTable } from './field-table';
import { FRAME_METHOD, FRAME_MIN_SIZE, type AmqpMethod, type MethodInput } from './generated/protocol';
import { serverProperties } from './server-properties';
import { certificateLogin } from './tls-peer';

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
/** RabbitMQ also takes the header of the 0-9 draft for 0-9-1. */
const OLD_0_9_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 9]);

type Phase = 'header' | 'start' | 'tune' | 'open';

/** Who logged in, and what their client said it can take. */
export interface Login {
  readonly user: string;
  readonly clientProperties: FieldTable;
  readonly consumerCancelNotify: boolean;
  readonly blockedNotify: boolean;
  /** the SASL mechanism the client logged in with */
  readonly mechanism: string;
}

/** The connection as its handshake sees it: told of each step as it is agreed. */
export interface HandshakeHost {
  readonly name: string;
  readonly socket: Socket;
  readonly core: BrokerCore;
  readonly log: Logger;
  sendMethod(channel: number, m: MethodInput): void;
  /** connection.close, then wait for close-ok. */
  sendClose(code: number, text: string, classId: number, methodId: number): void;
  /** Closes without connection.close: what is queued goes out, then `last`, then FIN. */
  end(last?: Buffer): void;
  loggedIn(login: Login): void;
  /** From here on frames are held to the client's frame_max. */
  tuned(channelMax: number, frameMax: number, heartbeat: number): void;
  /** connection.open-ok has been queued. */
  opened(vhostName: string, vhost: VirtualHost): void;
}

/**
 * The opening of a connection, up to connection.open-ok: the protocol header, start/start-ok with
 * SASL PLAIN or AMQPLAIN (or EXTERNAL over TLS with a verified client certificate), tune/tune-ok
 * within the broker's limits, and open with vhost access, all within the handshake timeout.
 * Channel-0 methods come here until the host is opened.
 */
export class Handshake {
  private phase: Phase = 'header';
  private headerBytes: Buffer | undefined;
  private user = '';
  private authFailureClose = false;
  /** The user a verified client certificate names: EXTERNAL is offered only when there is one. */
  private certificateUser: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: HandshakeHost) {
    this.timer = setTimeout(() => {
      host.log.warn(`closing ${host.name}: handshake timeout`);
      host.socket.destroy();
    }, host.core.limits.handshakeTimeout);
    this.timer.unref();
  }

  /**
   * Returns what follows the 8-byte header, or the chunk itself once the header is read; anything
   * but AMQP 0-9-1 gets our header back.
   */
  readProtocolHeader(chunk: Buffer): Buffer {
    if (this.phase !== 'header') return chunk;
    const have = this.headerBytes ? Buffer.concat([this.headerBytes, chunk]) : chunk;
    if (have.length < 8) {
      // a wrong first byte needs no more input to be refused
      if (!have.subarray(0, Math.min(have.length, 4)).equals(PROTOCOL_HEADER.subarray(0, Math.min(have.length, 4)))) {
        this.host.end(PROTOCOL_HEADER);
        return Buffer.alloc(0);
      }
      this.headerBytes = have;
      return Buffer.alloc(0);
    }
    this.headerBytes = undefined;
    if (!have.subarray(0, 8).equals(PROTOCOL_HEADER) && !have.subarray(0, 8).equals(OLD_0_9_HEADER)) {
      this.host.end(PROTOCOL_HEADER);
      return Buffer.alloc(0);
    }
    this.phase = 'start';
    this.certificateUser = certificateLogin(this.host.socket);
    this.host.sendMethod(0, {
      name: 'connection.start',
      args: {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: serverProperties(this.host.core.clusterName),
        // as RabbitMQ with rabbitmq_auth_mechanism_ssl: EXTERNAL only where a peer certificate is
        // (its should_offer); in alphabetical order like the other two, clients choose by name
        mechanisms: this.certificateUser === undefined ? 'AMQPLAIN PLAIN' : 'AMQPLAIN EXTERNAL PLAIN',
        locales: 'en_US',
      },
    });
    return have.subarray(8);
  }

  /** Any frame, before the host looks at it. */
  admit(type: number, channel: number): void {
    // Before start-ok RabbitMQ answers nothing but a close of the socket; so do we.
    if (this.phase === 'start' && (type !== FRAME_METHOD || channel !== 0)) {
      throw new SilentClose('frame before connection.start-ok');
    }
  }

  onMethod(m: AmqpMethod): void {
    switch (this.phase) {
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
      default:
        break;
    }
    if (this.phase === 'start' || this.phase === 'tune') throw new SilentClose(`unexpected ${m.name} during the handshake`);
    throw new AmqpError(504, 'unexpected method in connection state opening', 'connection', m.classId, m.methodId);
  }

  /** RabbitMQ answers nothing before the client is authenticated and tuned, bar the 530 for tune-ok. */
  closesSilently(err: unknown): boolean {
    if (err instanceof SilentClose) return true;
    return this.phase === 'start' || (this.phase === 'tune' && !(err instanceof AmqpError && err.code === 530));
  }

  /** The connection is going: the timeout must not fire for it. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startOk(clientProperties: FieldTable, mechanism: string, response: Buffer | string): void {
    const caps = clientProperties.capabilities;
    let consumerCancelNotify = false;
    let blockedNotify = false;
    if (caps !== null && typeof caps === 'object' && !Array.isArray(caps) && !Buffer.isBuffer(caps)) {
      const c = caps as FieldTable;
      consumerCancelNotify = c.consumer_cancel_notify === true;
      this.authFailureClose = c.authentication_failure_close === true;
      blockedNotify = c['connection.blocked'] === true;
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
    } else if (mechanism === 'EXTERNAL' && this.certificateUser !== undefined) {
      // The certificate is the credential: the response (an authzid, if anything) is not looked at,
      // and the user must exist, as RabbitMQ's internal backend checks for a login without password.
      username = this.certificateUser;
    } else {
      throw new SilentClose(`unsupported authentication mechanism '${mechanism}'`);
    }
    if (username === undefined || (password === undefined && mechanism !== 'EXTERNAL')) throw new SilentClose(`malformed ${mechanism} response`);
    const user = password === undefined ? this.host.core.users.users.get(username) : this.host.core.users.authenticate(username, password);
    if (user === undefined) {
      const why = password === undefined ? `user '${username}' from the client certificate does not exist` : `invalid credentials for user '${username}'`;
      return this.refuseLogin(mechanism, why);
    }
    if (user.name === 'guest' && !isLoopback(this.host.socket.remoteAddress)) {
      return this.refuseLogin(mechanism, `user 'guest' can only connect via localhost`);
    }
    this.user = user.name;
    this.host.loggedIn({ user: user.name, clientProperties, consumerCancelNotify, blockedNotify, mechanism });
    this.phase = 'tune';
    const limits = this.host.core.limits;
    this.host.sendMethod(0, {
      name: 'connection.tune',
      args: { channelMax: limits.channelMax, frameMax: limits.frameMax, heartbeat: limits.heartbeat },
    });
  }

  private refuseLogin(mechanism: string, why: string): void {
    this.host.log.warn(`login refused on ${this.host.name}: ${why}`);
    const text = `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`;
    if (this.authFailureClose) this.host.sendClose(403, text, 0, 0);
    else this.host.end();
  }

  private tuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    const limits = this.host.core.limits;
    if (frameMax !== 0 && frameMax < FRAME_MIN_SIZE) {
      throw new AmqpError(530, `frame_max=${frameMax} < ${FRAME_MIN_SIZE} min size`, 'connection', 10, 31);
    }
    if (frameMax > limits.frameMax || (frameMax === 0 && limits.frameMax !== 0)) {
      throw new AmqpError(530, `frame_max=${frameMax} > ${limits.frameMax} max size`, 'connection', 10, 31);
    }
    if (channelMax > limits.channelMax || (channelMax === 0 && limits.channelMax !== 0)) {
      throw new AmqpError(530, `channel_max=${channelMax} > ${limits.channelMax} max channels`, 'connection', 10, 31);
    }
    this.host.tuned(channelMax, frameMax, heartbeat);
    this.phase = 'open';
  }

  private open(vhostName: string): void {
    const core = this.host.core;
    const vhost = core.getVhost(vhostName);
    if (vhost === undefined) throw new AmqpError(530, `vhost ${vhostName} not found`, 'connection', 10, 40);
    if (!core.users.canAccessVhost(this.user, vhostName)) {
      throw new AmqpError(530, `access to vhost '${vhostName}' refused for user '${this.user}'`, 'connection', 10, 40);
    }
    this.stop();
    this.host.sendMethod(0, { name: 'connection.open-ok', args: {} });
    this.host.opened(vhostName, vhost);
  }
}

/** An error during the handshake: RabbitMQ closes the socket without a word, and so do we. */
class SilentClose extends Error {}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
