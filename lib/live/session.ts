// One browser on /api/ws: authentication, the vhost it watches, its flow budget, and its consumers,
// all through the broker API. The session is the sink of its watch (topology, stats, flow) and of
// its consumers (deliveries), and releases both when the socket closes. Browser messages are
// handled one at a time, in order, as an AMQP channel handles its methods: a `vhost` sent right
// behind `auth` waits for the login to finish, and an ack never overtakes the consume it is for.
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import {
  hasAccess, isBrokerError, type Actor, type BrokerApi, type BrokerInfo, type ConsumerHandle, type DeliverySink, type FlowEvent, type FollowTarget,
  type StatsTick, type TopologyChange, type VhostListener, type VhostWatch,
} from '../../broker/index';
import { resolveSession, type LoginSessions } from '../management/sessions';
import { DEFAULT_FLOW_BUDGET, parseClientMessage, type Parsed } from './client-message';
import type { ClientMessage, ServerMessage } from './protocol';

/** A browser has this long after the upgrade to send `auth`. */
export const AUTH_TIMEOUT_MS = 5_000;
/** Close code for failed, missing or late authentication (4000-4999 are the application's). */
export const CLOSE_UNAUTHORISED = 4401;
/** Deliveries pause while this much is waiting to go out on the socket. */
export const DELIVERY_BUFFER_LIMIT = 512 * 1024;
/** Stats and flow messages are skipped while this much waits; above HARD_LIMIT the browser is cut off. */
export const SOFT_BUFFER_LIMIT = 1024 * 1024;
export const HARD_BUFFER_LIMIT = 64 * 1024 * 1024;
/** Bodies longer than this reach the browser cut short (payloadBytes still tells the full size). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** What a session needs from the hub. */
export interface SessionHost {
  readonly api: BrokerApi;
  readonly authTimeoutMs: number;
  /** the console's login sessions, when the login cookie is accepted */
  readonly sessions: LoginSessions | undefined;
  brokerInfo(): Promise<BrokerInfo>;
  /** `message()` as JSON, encoded once for every session handed the same `shared` object. */
  encoded(shared: object, message: () => ServerMessage): string;
  /** Logs what went wrong inside the hub or a session, without throwing. */
  failed(what: string, err: unknown): void;
  closed(session: LiveSession): void;
}

/** A browser's consumer: its handle once the broker answered the consume. */
interface BrowserConsumer {
  readonly id: string;
  handle: ConsumerHandle | undefined;
  /** cancelled, or its session or vhost left: takes nothing more */
  ended: boolean;
}

export class LiveSession {
  readonly ws: WebSocket;
  readonly address: string;
  readonly port: number;
  /** the console login (cookie) this socket was opened with; such a socket needs no `auth` */
  readonly loginId: string | undefined;
  private readonly host: SessionHost;
  private readonly api: BrokerApi;
  private actor: Actor | undefined;
  /** the vhost the browser watches, once it said which (set while the watch is being started) */
  private vhost: string | undefined;
  private feed: WatchFeed | undefined;
  private watch: VhostWatch | undefined;
  private flowBudget = DEFAULT_FLOW_BUDGET;
  /** flow events skipped while the socket was backed up, told with the next flow message */
  private flowDropped = 0;
  private readonly consumers = new Map<string, BrowserConsumer>();
  private work: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  /** closes a cookie-authenticated socket when its login's lifetime is over */
  private lifetimeTimer: NodeJS.Timeout | undefined;
  /** deliveries paused on the socket's back-pressure; resumed from a send callback */
  private blocked = false;
  private closed = false;

  constructor(host: SessionHost, ws: WebSocket, req: IncomingMessage, loginId?: string) {
    this.host = host;
    this.api = host.api;
    this.ws = ws;
    this.address = req.socket.remoteAddress ?? '';
    this.port = req.socket.remotePort ?? 0;
    this.loginId = loginId;
    ws.on('message', (data, isBinary) => this.enqueue('message', () => this.onMessage(data, isBinary)));
    ws.on('close', () => this.release());
    ws.on('error', () => ws.terminate());
    const ms = host.authTimeoutMs;
    this.authTimer = setTimeout(() => this.refuse('timeout', `no auth message within ${ms / 1000} s`), ms);
    this.authTimer.unref();
    // first in line: a `vhost` the browser sends at once waits for the login to be known
    if (loginId !== undefined) this.enqueue('login', () => this.authenticateLogin(loginId));
  }

  get connectionName(): string {
    return `websocket ${this.address}:${this.port}`;
  }

  private enqueue(what: string, job: () => Promise<void> | void): void {
    this.work = this.work.then(job).catch((err: unknown) => {
      this.host.failed(what, err);
      this.error('internal_error', err instanceof Error ? err.message : String(err));
    });
  }

  // --- sending ---------------------------------------------------------------------------------

  private send(msg: ServerMessage): void {
    this.sendText(JSON.stringify(msg));
  }

  private sendText(text: string): void {
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
  private get congested(): boolean {
    return this.ws.bufferedAmount > SOFT_BUFFER_LIMIT;
  }

  private readonly afterSend = (): void => {
    if (!this.blocked || this.ws.bufferedAmount >= DELIVERY_BUFFER_LIMIT) return;
    this.blocked = false;
    for (const c of this.consumers.values()) c.handle?.resume();
  };

  private canWrite(): boolean {
    if (this.ws.bufferedAmount < DELIVERY_BUFFER_LIMIT) return true;
    this.blocked = true;
    return false;
  }

  private error(error: string, reason: string, id?: string): void {
    this.send(id === undefined ? { type: 'error', error, reason } : { type: 'error', error, reason, id });
  }

  /** Authentication failed: say why, then close with 4401. */
  private refuse(error: string, reason: string): void {
    this.clearAuthTimer();
    this.error(error, reason);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(CLOSE_UNAUTHORISED, reason.slice(0, 120));
    this.release();
  }

  private clearAuthTimer(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
  }

  // --- what the watch hands over ---------------------------------------------------------------

  sendDiff(changes: TopologyChange[]): void {
    this.sendText(this.host.encoded(changes, () => ({ type: 'diff', changes })));
  }

  sendStats(tick: StatsTick): void {
    if (!this.congested) this.sendText(this.host.encoded(tick, () => ({ type: 'stats', ...tick })));
  }

  sendFlow(events: FlowEvent[], dropped: number): void {
    if (this.congested) {
      // a followed message's events are few (bounded per watcher) and the reason it is followed: they go anyway
      const followed = events.filter((e) => e.followed === true);
      this.flowDropped += events.length - followed.length + dropped;
      if (followed.length > 0) this.send({ type: 'flow', events: followed, dropped: 0 });
      return;
    }
    const total = dropped + this.flowDropped;
    this.flowDropped = 0;
    this.send({ type: 'flow', events, dropped: total });
  }

  watchGone(feed: WatchFeed, reason: string): void {
    if (feed === this.feed) this.leaveVhost('not_found', reason);
  }

  // --- receiving -------------------------------------------------------------------------------

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    const parsed: Parsed = isBinary ? { ok: false, reason: 'binary frames are not understood' } : parseClientMessage(textOf(data));
    if (this.actor === undefined) {
      if (!parsed.ok || parsed.message.type !== 'auth') return this.refuse('not_authorised', 'the first message must be auth');
      return this.authenticate(parsed.message.username, parsed.message.password);
    }
    if (!parsed.ok) return this.error('bad_request', parsed.reason, parsed.id);
    return this.handle(parsed.message);
  }

  /** The login cookie's session, as the REST API checks it: the user as they are now. */
  private async authenticateLogin(id: string): Promise<void> {
    const sessions = this.host.sessions;
    if (sessions === undefined || this.closed) return;
    const check = await resolveSession(this.api, sessions, id);
    if (this.closed) return;
    if (!check.ok) return this.refuse('not_authorised', check.reason);
    this.scheduleLoginEnd(sessions.expiresAt(check.session));
    return this.welcome(check.actor);
  }

  private scheduleLoginEnd(at: number): void {
    // timers take at most 2^31-1 ms; a longer lifetime is checked again when this one fires
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    this.lifetimeTimer = setTimeout(() => (Date.now() >= at ? this.loginEnded() : this.scheduleLoginEnd(at)), delay);
    this.lifetimeTimer.unref();
  }

  /** The login this socket came with ended (logout, expiry): the socket goes as a failed login does. */
  loginEnded(): void {
    if (!this.closed) this.refuse('not_authorised', 'Login session ended');
  }

  private async authenticate(username: string, password: string): Promise<void> {
    let actor: Actor;
    try {
      actor = await this.api.authenticate(username, password, this.address);
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      return this.closed ? undefined : this.refuse(err.kind, err.detail);
    }
    if (this.closed) return;
    return this.welcome(actor);
  }

  private async welcome(actor: Actor): Promise<void> {
    if (!hasAccess(actor, 'management')) return this.refuse('not_authorised', 'Not management user');
    this.clearAuthTimer();
    this.actor = actor;
    const info = await this.host.brokerInfo();
    this.send({ type: 'hello', product: info.product, version: info.productVersion, user: actor.name, tags: [...actor.tags] });
  }

  private async handle(m: ClientMessage): Promise<void> {
    switch (m.type) {
      case 'auth':
        return this.error('bad_request', 'already authenticated');
      case 'vhost':
        return this.selectVhost(m.vhost);
      case 'flow':
        this.flowBudget = m.budget;
        this.watch?.setFlowBudget(m.budget);
        return;
      case 'firehose':
        return this.setFirehose(m.on);
      case 'consume':
        return this.consume(m.id, m.queue, m.prefetch, m.ack);
      case 'ack':
        return this.settle(m.id, (h) => h.ack(m.deliveryTag, m.multiple === true));
      case 'nack':
        return this.settle(m.id, (h) => h.nack(m.deliveryTag, m.multiple === true, m.requeue));
      case 'reject':
        return this.settle(m.id, (h) => h.reject(m.deliveryTag, m.requeue));
      case 'cancel':
        return this.cancel(m.id);
      case 'follow':
        return this.follow(m.exchange !== undefined ? { exchange: m.exchange } : { id: m.flowId });
    }
  }

  private async setFirehose(on: boolean): Promise<void> {
    const watch = this.watch;
    if (watch === undefined) return this.error('bad_request', 'firehose needs a vhost to watch first');
    if (watch.setFirehose === undefined) return this.error('not_supported', 'this broker\'s message flow is always measured: it has no firehose to turn on');
    try {
      await watch.setFirehose(on);
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      if (this.watch === watch) this.send({ type: 'firehose', on: false, reason: err.detail });
      return;
    }
    // the vhost changed meanwhile: its watch (and firehose) went with it
    if (this.watch === watch) this.send({ type: 'firehose', on });
  }

  /** The firehose stopped by itself: the browser goes back to estimates. */
  firehoseLost(feed: WatchFeed, reason: string): void {
    if (this.feed === feed) this.send({ type: 'firehose', on: false, reason });
  }

  private follow(target: FollowTarget): void {
    const watch = this.watch;
    if (watch === undefined) return this.error('bad_request', 'follow needs a vhost to watch first');
    if (watch.follow === undefined) return this.error('not_supported', 'following a message is not supported on this broker: RabbitMQ has no per-message tap Warren could use');
    try {
      watch.follow(target);
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      this.error(err.kind, err.detail);
    }
  }

  private async selectVhost(vhost: string): Promise<void> {
    const actor = this.actor;
    if (actor === undefined) return;
    const access = await this.api.vhostAccess(actor, vhost);
    if (this.closed) return;
    if (access === 'missing') return this.error('not_found', `no vhost '${vhost}'`);
    if (access === 'refused') return this.error('not_authorised', `access to vhost '${vhost}' refused for user '${actor.name}'`);
    // a browser consumes in the vhost it watches, as an AMQP connection does in the one it opened
    if (vhost !== this.vhost) this.endConsumers('vhost changed');
    this.stopWatching();
    this.vhost = vhost;
    const feed = new WatchFeed(this);
    this.feed = feed;
    let watch: VhostWatch;
    try {
      watch = await this.api.watchVhost(actor, vhost, feed);
    } catch (err) {
      if (this.feed === feed) {
        this.feed = undefined;
        this.vhost = undefined;
      }
      if (!isBrokerError(err)) throw err;
      return this.error(err.kind, err.detail);
    }
    // the session closed, or left the vhost, while the watch was being set up
    if (this.feed !== feed) return watch.close();
    this.watch = watch;
    watch.setFlowBudget(this.flowBudget);
    // each queue's default-exchange binding is implied (impliedDefaultBinding): a big vhost's snapshot is a quarter smaller
    const { bindings, ...lists } = watch.snapshot;
    this.send({ type: 'snapshot', vhost, ...lists, bindings: bindings.filter((b) => b.source !== ''), defaultBindings: 'implied', history: watch.history });
    feed.start();
  }

  private stopWatching(): void {
    this.feed?.stop();
    this.feed = undefined;
    this.watch?.close();
    this.watch = undefined;
  }

  /** After users, tags or permissions changed: a deleted user is cut off, a lost vhost left. */
  recheckUser(): void {
    if (this.actor !== undefined) this.enqueue('access', () => this.recheck());
  }

  private async recheck(): Promise<void> {
    const was = this.actor;
    if (was === undefined || this.closed) return;
    const sessions = this.host.sessions;
    if (this.loginId !== undefined && sessions !== undefined) {
      // a changed password ends the login, and with it this socket
      const check = await resolveSession(this.api, sessions, this.loginId);
      if (this.closed) return;
      if (!check.ok) return this.refuse('not_authorised', check.reason);
    }
    const now = await this.api.actor(was.name);
    if (this.closed) return;
    if (now === undefined) return this.refuse('not_authorised', `user '${was.name}' was deleted`);
    if (!hasAccess(now, 'management')) return this.refuse('not_authorised', 'Not management user');
    this.actor = now;
    const vhost = this.vhost;
    if (vhost === undefined) return;
    const access = await this.api.vhostAccess(now, vhost);
    if (access === 'allowed' || this.vhost !== vhost) return;
    if (access === 'missing') this.leaveVhost('not_found', `vhost '${vhost}' was deleted`);
    else this.leaveVhost('not_authorised', `access to vhost '${vhost}' was withdrawn`);
  }

  vhostDeleted(name: string): void {
    if (this.vhost === name) this.leaveVhost('not_found', `vhost '${name}' was deleted`);
  }

  /** The watched vhost went away or became off-limits. */
  private leaveVhost(error: string, reason: string): void {
    if (this.vhost === undefined) return;
    this.endConsumers(reason);
    this.stopWatching();
    this.vhost = undefined;
    this.error(error, reason);
  }

  // --- consumers -------------------------------------------------------------------------------

  private async consume(id: string, queue: string, prefetch: number, ack: 'manual' | 'auto'): Promise<void> {
    const actor = this.actor;
    if (actor === undefined) return;
    if (this.consumers.has(id)) return this.error('bad_request', `consumer '${id}' exists already`, id);
    const vhost = this.vhost;
    if (vhost === undefined) return this.send({ type: 'cancelled', id, reason: 'choose a vhost first' });
    const c: BrowserConsumer = { id, handle: undefined, ended: false };
    this.consumers.set(id, c);
    const sink: DeliverySink = {
      // nothing until consume-ok is out, which must reach the browser before the first delivery
      canTake: () => c.handle !== undefined && !c.ended && this.canWrite(),
      deliver: (message) => this.send({ type: 'delivery', id, message }),
      cancelled: (reason) => {
        if (c.ended) return;
        this.forget(c);
        this.send({ type: 'cancelled', id, reason });
      },
    };
    let handle: ConsumerHandle;
    try {
      handle = await this.api.consume(actor, vhost, queue, { prefetch, ack, connectionName: this.connectionName, maxPayloadBytes: MAX_PAYLOAD_BYTES }, sink);
    } catch (err) {
      if (c.ended) return;
      this.forget(c);
      if (!isBrokerError(err)) throw err;
      return this.send({ type: 'cancelled', id, reason: err.message });
    }
    if (c.ended) {
      // the socket closed or the vhost was left while the broker set it up
      await handle.cancel();
      return;
    }
    c.handle = handle;
    this.send({ type: 'consume-ok', id, consumerTag: handle.tag });
    handle.resume();
  }

  private async settle(id: string, action: (h: ConsumerHandle) => Promise<void>): Promise<void> {
    const c = this.consumers.get(id);
    if (c?.handle === undefined) return this.error('not_found', `no consumer '${id}'`, id);
    try {
      await action(c.handle);
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      this.error(err.kind, err.detail, id);
    }
  }

  /** Ends one consumer; the broker requeues what it held, like closing an AMQP channel with one consumer. */
  private async cancel(id: string): Promise<void> {
    const c = this.consumers.get(id);
    if (c?.handle === undefined) return this.error('not_found', `no consumer '${id}'`, id);
    this.forget(c);
    await c.handle.cancel();
    this.send({ type: 'cancelled', id, reason: 'cancelled' });
  }

  /**
   * Ends every consumer. All stop taking before any is cancelled, so what one held goes back to
   * the queue for others, not to a sibling of this session.
   */
  private endConsumers(reason: string, tell = true): void {
    const all = [...this.consumers.values()];
    for (const c of all) this.forget(c);
    for (const c of all) {
      c.handle?.cancel().catch((err: unknown) => this.host.failed('cancel', err));
      if (tell) this.send({ type: 'cancelled', id: c.id, reason });
    }
  }

  private forget(c: BrowserConsumer): void {
    c.ended = true;
    if (this.consumers.get(c.id) === c) this.consumers.delete(c.id);
  }

  /** The socket closed (or is being closed): consumers end, their messages go back, the watch stops. */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearAuthTimer();
    if (this.lifetimeTimer) clearTimeout(this.lifetimeTimer);
    this.endConsumers('', false);
    this.stopWatching();
    this.vhost = undefined;
    this.host.closed(this);
  }
}

/**
 * The session's listener on one watch. Diffs the broker sends before the session has put out the
 * snapshot wait for it; once the session moved on (another vhost, closed) it hears nothing.
 */
class WatchFeed implements VhostListener {
  private live = false;
  private stopped = false;
  private early: TopologyChange[][] = [];

  constructor(private readonly session: LiveSession) {}

  start(): void {
    this.live = true;
    for (const changes of this.early) this.session.sendDiff(changes);
    this.early = [];
  }

  stop(): void {
    this.stopped = true;
    this.early = [];
  }

  topology(changes: TopologyChange[]): void {
    if (this.stopped) return;
    if (this.live) this.session.sendDiff(changes);
    else this.early.push(changes);
  }

  stats(tick: StatsTick): void {
    if (this.live && !this.stopped) this.session.sendStats(tick);
  }

  flow(events: FlowEvent[], dropped: number): void {
    if (this.live && !this.stopped) this.session.sendFlow(events, dropped);
  }

  firehoseLost(reason: string): void {
    if (!this.stopped) this.session.firehoseLost(this, reason);
  }

  gone(reason: string): void {
    if (!this.stopped) this.session.watchGone(this, reason);
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
