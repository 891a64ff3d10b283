// One browser on /api/ws: authentication, the vhost it watches, its flow budget, and its consumers.
// The hub owns what is shared between browsers (topology state, stats, the flow tap); a session
// owns what is the browser's alone, and releases it when the socket closes.
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { User } from '../../broker/auth/users';
import type { BrokerCore } from '../../broker/core/broker-core';
import { AmqpError } from '../../broker/core/errors';
import { generatedConsumerTag } from '../../broker/core/names';
import type { Queue } from '../../broker/core/queue';
import { PRODUCT, VERSION } from '../../broker/amqp/server-properties';
import { canAccessVhost, hasAccess, isLoopback, isMonitor } from '../management/auth';
import { BrowserConnection } from './browser-connection';
import { BrowserConsumer } from './browser-consumer';
import { DEFAULT_FLOW_BUDGET, parseClientMessage, type Parsed } from './client-message';
import { FlowBudget } from './flow-sampler';
import type { ClientMessage, DeliveredMessage, Item, ServerMessage } from './protocol';

/** A browser has this long after the upgrade to send `auth`. */
export const AUTH_TIMEOUT_MS = 5_000;
/** Close code for failed, missing or late authentication (4000-4999 are the application's). */
export const CLOSE_UNAUTHORISED = 4401;
/** Deliveries pause while this much is waiting to go out on the socket. */
export const DELIVERY_BUFFER_LIMIT = 512 * 1024;
/** Stats and flow messages are skipped while this much waits; above HARD_LIMIT the browser is cut off. */
export const SOFT_BUFFER_LIMIT = 1024 * 1024;
export const HARD_BUFFER_LIMIT = 64 * 1024 * 1024;

/** What a session needs from the hub. */
export interface SessionHost {
  readonly core: BrokerCore;
  readonly authTimeoutMs: number;
  /** Logs what went wrong inside the hub or a session, without throwing. */
  failed(what: string, err: unknown): void;
  /** Sends the snapshot and starts diffs and stats for the session's vhost. */
  watch(session: LiveSession, vhost: string): void;
  unwatch(session: LiveSession): void;
  /** The session's vhost or flow budget changed: the tap may need installing or removing. */
  flowChanged(): void;
  closed(session: LiveSession): void;
}

export class LiveSession {
  readonly ws: WebSocket;
  readonly address: string;
  readonly port: number;
  user: User | undefined;
  /** the vhost the browser watches, once it said which */
  vhost: string | undefined;
  readonly flow = new FlowBudget(DEFAULT_FLOW_BUDGET);
  private readonly host: SessionHost;
  private readonly consumers = new Map<string, BrowserConsumer>();
  private connection: BrowserConnection | undefined;
  private nextChannel = 1;
  private authTimer: NodeJS.Timeout | undefined;
  /** deliveries paused on the socket's back-pressure; resumed from a send callback */
  private blocked = false;
  private closed = false;

  constructor(host: SessionHost, ws: WebSocket, req: IncomingMessage) {
    this.host = host;
    this.ws = ws;
    this.address = req.socket.remoteAddress ?? '';
    this.port = req.socket.remotePort ?? 0;
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        host.failed('message', err);
        this.error('internal_error', err instanceof Error ? err.message : String(err));
      }
    });
    ws.on('close', () => this.release());
    ws.on('error', () => ws.terminate());
    const ms = host.authTimeoutMs;
    this.authTimer = setTimeout(() => this.refuse('timeout', `no auth message within ${ms / 1000} s`), ms);
    this.authTimer.unref();
  }

  get connectionName(): string {
    return `websocket ${this.address}:${this.port}`;
  }

  /** Monitoring users and administrators see every connection; others their own, as in the REST API. */
  canSeeConnection(item: Item): boolean {
    const user = this.user;
    return user !== undefined && (isMonitor(user) || item.user === user.name);
  }

  // --- sending ---------------------------------------------------------------------------------

  send(msg: ServerMessage): void {
    this.sendText(JSON.stringify(msg));
  }

  sendText(text: string): void {
    const ws = this.ws;
    if (this.closed || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > HARD_BUFFER_LIMIT) {
      // far behind: a fresh snapshot after reconnecting is cheaper than catching up
      ws.close(1013, 'too slow');
      this.release();
      return;
    }
    ws.send(text, this.afterSend);
  }

  /** Lossy messages (stats, flow) wait for no one: skipped while the socket is backed up. */
  get congested(): boolean {
    return this.ws.bufferedAmount > SOFT_BUFFER_LIMIT;
  }

  private readonly afterSend = (): void => {
    if (!this.blocked || this.ws.bufferedAmount >= DELIVERY_BUFFER_LIMIT) return;
    this.blocked = false;
    for (const c of this.consumers.values()) c.queue.dispatch();
  };

  canWrite(): boolean {
    if (this.ws.bufferedAmount < DELIVERY_BUFFER_LIMIT) return true;
    this.blocked = true;
    return false;
  }

  sendDelivery(consumer: BrowserConsumer, message: DeliveredMessage): void {
    this.send({ type: 'delivery', id: consumer.id, message });
  }

  private error(error: string, reason: string, id?: string): void {
    this.send(id === undefined ? { type: 'error', error, reason } : { type: 'error', error, reason, id });
  }

  /** Authentication failed: say why, then close with 4401. */
  private refuse(error: string, reason: string): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.error(error, reason);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(CLOSE_UNAUTHORISED, reason.slice(0, 120));
    this.release();
  }

  // --- receiving -------------------------------------------------------------------------------

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const parsed: Parsed = isBinary ? { ok: false, reason: 'binary frames are not understood' } : parseClientMessage(textOf(data));
    if (this.user === undefined) {
      if (!parsed.ok || parsed.message.type !== 'auth') return this.refuse('not_authorised', 'the first message must be auth');
      return this.authenticate(parsed.message.username, parsed.message.password);
    }
    if (!parsed.ok) return this.error('bad_request', parsed.reason, parsed.id);
    this.handle(parsed.message);
  }

  private authenticate(username: string, password: string): void {
    const core = this.host.core;
    const user = core.users.authenticate(username, password);
    if (user === undefined) return this.refuse('not_authorised', 'Login failed');
    if (user.name === 'guest' && !isLoopback(this.address)) return this.refuse('not_authorised', 'User can only log in via localhost');
    if (!hasAccess(user, 'management')) return this.refuse('not_authorised', 'Not management user');
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.user = user;
    this.send({ type: 'hello', product: PRODUCT, version: VERSION, user: user.name, tags: [...user.tags] });
  }

  private handle(m: ClientMessage): void {
    switch (m.type) {
      case 'auth':
        return this.error('bad_request', 'already authenticated');
      case 'vhost':
        return this.selectVhost(m.vhost);
      case 'flow':
        this.flow.budget = m.budget;
        this.host.flowChanged();
        return;
      case 'consume':
        return this.consume(m.id, m.queue, m.prefetch, m.ack);
      case 'ack':
        return this.settle(m.id, (c) => c.ack(m.deliveryTag, m.multiple === true));
      case 'nack':
        return this.settle(m.id, (c) => c.nack(m.deliveryTag, m.multiple === true, m.requeue));
      case 'reject':
        return this.settle(m.id, (c) => c.reject(m.deliveryTag, m.requeue));
      case 'cancel': {
        const c = this.consumers.get(m.id);
        if (c === undefined) return this.error('not_found', `no consumer '${m.id}'`, m.id);
        this.endConsumer(c, 'cancelled');
        return;
      }
    }
  }

  private selectVhost(vhost: string): void {
    const core = this.host.core;
    const user = this.user;
    if (user === undefined) return;
    if (core.getVhost(vhost) === undefined) return this.error('not_found', `no vhost '${vhost}'`);
    if (!canAccessVhost(core, user, vhost)) return this.error('not_authorised', `access to vhost '${vhost}' refused for user '${user.name}'`);
    // a browser consumes in the vhost it watches, as an AMQP connection does in the one it opened
    if (vhost !== this.vhost) this.endConsumers('vhost changed');
    this.host.unwatch(this);
    this.vhost = vhost;
    this.host.watch(this, vhost);
    this.host.flowChanged();
  }

  /** After users, tags or permissions changed: a deleted user is cut off, a lost vhost left. */
  recheckUser(): void {
    const user = this.user;
    if (user === undefined) return;
    const core = this.host.core;
    const now = core.users.users.get(user.name);
    if (now === undefined) return this.refuse('not_authorised', `user '${user.name}' was deleted`);
    this.user = now;
    if (this.vhost !== undefined && !canAccessVhost(core, now, this.vhost)) this.leaveVhost('not_authorised', `access to vhost '${this.vhost}' was withdrawn`);
  }

  /** The watched vhost went away or became off-limits. */
  leaveVhost(error: string, reason: string): void {
    this.endConsumers(reason);
    this.host.unwatch(this);
    this.vhost = undefined;
    this.host.flowChanged();
    this.error(error, reason);
  }

  // --- consumers -------------------------------------------------------------------------------

  private consume(id: string, queueName: string, prefetch: number, ack: 'manual' | 'auto'): void {
    const core = this.host.core;
    const user = this.user;
    if (user === undefined) return;
    if (this.consumers.has(id)) return this.error('bad_request', `consumer '${id}' exists already`, id);
    const vh = this.vhost === undefined ? undefined : core.getVhost(this.vhost);
    if (vh === undefined) return this.send({ type: 'cancelled', id, reason: 'choose a vhost first' });
    let queue: Queue;
    try {
      queue = vh.getQueue(queueName);
      if (!core.users.isAllowed(user.name, vh.name, 'read', queue.name)) {
        throw new AmqpError(403, `access to queue '${queue.name}' in vhost '${vh.name}' refused for user '${user.name}'`);
      }
      vh.checkOwner(queue, null);
      if (queue.hasExclusiveConsumer) throw new AmqpError(403, `queue '${queue.name}' in vhost '${vh.name}' in exclusive use`);
    } catch (err) {
      if (!(err instanceof AmqpError)) throw err;
      return this.send({ type: 'cancelled', id, reason: err.message });
    }
    const connection = (this.connection ??= new BrowserConnection({
      name: this.connectionName,
      user: user.name,
      vhost: vh.name,
      channels: () => this.consumers.size,
      onClose: (reason) => this.endConsumers(reason),
    }));
    connection.register(core);
    const c = new BrowserConsumer(this, { id, tag: generatedConsumerTag(), queue, channel: this.nextChannel++, prefetch, ack });
    this.consumers.set(id, c);
    core.emit({ type: 'channel.opened', connection: connection.name, channel: c.channel });
    // consume-ok goes out before the first delivery
    this.send({ type: 'consume-ok', id, consumerTag: c.tag });
    core.emit({ type: 'consumer.created', vhost: vh.name, queue: queue.name, tag: c.tag });
    queue.addConsumer(c);
  }

  private settle(id: string, action: (c: BrowserConsumer) => string | undefined): void {
    const c = this.consumers.get(id);
    if (c === undefined) return this.error('not_found', `no consumer '${id}'`, id);
    const failed = action(c);
    if (failed !== undefined) this.error('precondition_failed', failed, id);
  }

  cancelledByQueue(c: BrowserConsumer): void {
    if (this.consumers.get(c.id) !== c) return;
    // the queue has already let go of the consumer; what it held can only be forgotten
    this.forget(c);
    c.requeueAll();
    this.send({ type: 'cancelled', id: c.id, reason: `queue '${c.queue.name}' was deleted` });
  }

  /** Cancels one consumer and requeues what it held: like closing an AMQP channel with one consumer. */
  private endConsumer(c: BrowserConsumer, reason: string): void {
    this.detach(c);
    c.requeueAll();
    c.queue.dispatch();
    this.send({ type: 'cancelled', id: c.id, reason });
  }

  private endConsumers(reason: string): void {
    for (const c of [...this.consumers.values()]) this.endConsumer(c, reason);
  }

  /** Off the queue (which may auto-delete) and out of this session. */
  private detach(c: BrowserConsumer): void {
    c.deactivate();
    this.host.core.emit({ type: 'consumer.deleted', vhost: c.queue.vhost, queue: c.queue.name, tag: c.tag });
    c.queue.removeConsumer(c);
    this.forget(c);
  }

  private forget(c: BrowserConsumer): void {
    this.consumers.delete(c.id);
    const conn = this.connection;
    if (conn === undefined) return;
    this.host.core.emit({ type: 'channel.closed', connection: conn.name, channel: c.channel });
    if (this.consumers.size === 0) {
      conn.unregister(this.host.core);
      this.connection = undefined;
    }
  }

  /** The socket closed (or is being closed): consumers cancelled first, then their messages requeued. */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    const all = [...this.consumers.values()];
    for (const c of all) this.detach(c);
    const queues = new Set<Queue>();
    for (const c of all) {
      c.requeueAll();
      queues.add(c.queue);
    }
    for (const q of queues) q.dispatch();
    this.host.unwatch(this);
    this.vhost = undefined;
    this.host.closed(this);
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
