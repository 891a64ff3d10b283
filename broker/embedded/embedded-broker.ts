// The broker API over the broker in this process. Each call checks the caller's rights, works on
// the core synchronously and answers with plain rows; the core's AmqpErrors leave as BrokerErrors
// carrying the same reply code and text, so a refusal reads the same as over AMQP.
import type { AmqpServer } from '../amqp/server';
import { AmqpError } from '../core/errors';
import type { BrokerCore } from '../core/broker-core';
import type { Queue } from '../core/queue';
import type { Logger } from '../logger';
import type { DurableStore } from '../store/durable-store';
import type {
  AccessEvent, Actor, BindingSpec, BrokerApi, BrokerInfo, BrowsedMessage, BrowseOptions, BrowsePage, ConsumeOptions, FilterOptions, FilterPage, MessageSelection, ReturnPreview, TransferJob, TransferSpec, ImportSpec, ConsumerHandle, DeliverySink, ExchangeSpec, ExplainRouteRequest, GetOptions, RouteExplanation,
  GotMessage, HistoryQuery, RestartReport, MetricsChunk, MetricsSample, OutgoingMessage, PermissionSpec, PolicySpec, QueueMetrics, QueueSpec, Row, TopicPermissionSpec, UserSpec, VhostListener,
  VhostSpec, VhostWatch,
} from '../api/broker-api';
import { hasAccess } from '../api/access-levels';
import { BrokerError } from '../api/errors';
import { actorOf, authenticate, canAccessVhost, passwordStampOf, requireAdmin, requireVhostLogin, vhostFor, vhostsFor } from './access';
import { channelsOf } from './amqp-view';
import { consume } from './api-consumer';
import { bind, bindingsOf, unbind } from './bindings';
import { channelNamed, channelRows, connectionNamed, connectionRow, listConsumers, queueConsumers, visibleConnections } from './connections';
import { exportDefinitions, exportVhostDefinitions } from './definitions-export';
import { importDefinitions } from './definitions-import';
import { declareExchange, deleteExchange, exchangeRow } from './exchanges';
import { LoginThrottle } from './login-throttle';
import { ManagementContext } from './management-context';
import { get, publish } from './messages';
import { browseMessage, browseQueue } from './messages-browse';
import { filterQueue } from './messages-filter';
import { LoopSlices } from '../api/loop-slices';
import { maskBrowsedAll, maskGot, maskingSink } from '../api/masking';
import type { MaskRules } from '../core/mask-rules';
import { explainEmbeddedRoute } from './route-explanation';
import { cancelTransfer, getTransfer, previewReturn, startTransfer } from './message-transfer';
import { startImport } from './message-import';
import { nodeRow, overviewRow, PRODUCT, RABBITMQ_VERSION, VERSION, type NodeSide } from './overview';
import { operatorPolicyRows, operatorPolicyVhost, parseOperatorPolicySpec, parsePolicySpec, policyRows, policyVhost } from './policies';
import { declareQueue, deleteQueue, purgeQueue, queueRow } from './queues';
import { listPermissions, listTopicPermissions, listUsers, permissionFromSpec, topicPermissionFromSpec, userFromSpec, userRow } from './users';
import { listVhosts, putVhost, vhostRow } from './vhosts';
import { LiveState, watchVhost } from './vhost-watch';

/** What the embedded broker keeps beside the API; broker-side tests reach it through `internals`. */
export interface EmbeddedParts {
  core: BrokerCore;
  server: AmqpServer;
  /** replaced by a restart: the recovered store */
  store: DurableStore | undefined;
  mgmt: ManagementContext;
  log: Logger;
  /** a new store over the same DATA_DIR, for a restart; absent without a DATA_DIR */
  reopenStore?: () => DurableStore;
  /** what every message shown through this API has masked (masking.ts); undefined: nothing */
  maskRules?: MaskRules;
}

/** A core refusal as the API's error; anything else passes unchanged. */
function translate(err: unknown): unknown {
  if (err instanceof AmqpError) {
    const i = err.message.indexOf(' - ');
    return BrokerError.amqp(err.code, i < 0 ? err.message : err.message.slice(i + 3));
  }
  return err;
}

/** Lets pending I/O (AMQP sockets) run before going on. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function queueMetrics(q: Queue): QueueMetrics {
  return {
    vhost: q.vhost,
    name: q.name,
    ready: q.messagesReady,
    unacked: q.unacked,
    consumers: q.consumerCount,
    published: q.stats.published,
    delivered: q.stats.delivered + q.stats.deliveredNoAck + q.stats.got,
    acked: q.stats.acked,
  };
}

function run<T>(op: () => T): Promise<T> {
  try {
    return Promise.resolve(op());
  } catch (err) {
    return Promise.reject(translate(err));
  }
}

/**
 * `run`, answering only once a durable change it made is on disk: when the disk refused it, the
 * caller gets 'unavailable' (HTTP 503) instead of success, as an AMQP client gets 541.
 */
async function runStored<T>(core: BrokerCore, what: string, op: () => T, messages = false): Promise<T> {
  const result = await run(op);
  const durability = core.durability;
  if (durability === undefined || (!messages && !durability.changesPending())) return result;
  // `messages`: the change wrote records to the message log too (a purge); its batch carries the definitions first
  const ok = await new Promise<boolean>((resolve) => (messages ? durability.whenDurable(resolve) : durability.whenChangesDurable(resolve)));
  if (!ok) throw new BrokerError('unavailable', `${what} could not be written to disk; it is not stored`);
  return result;
}

const notFound = (what: string) => new BrokerError('not_found', what, { code: 404 });

export class EmbeddedBrokerApi implements BrokerApi {
  private readonly core: BrokerCore;
  private readonly mgmt: ManagementContext;
  private readonly node: NodeSide;
  private readonly amqpsPort: number | undefined;
  private readonly live: LiveState;

  /** externalAuth: AMQPS verifies peers, so a client certificate can log in with EXTERNAL */
  constructor(private readonly parts: EmbeddedParts, amqp: { host: string; port: number; amqpsPort?: number; externalAuth?: boolean }) {
    this.core = parts.core;
    this.mgmt = parts.mgmt;
    this.node = { host: amqp.host, port: amqp.port, alarm: parts.server.memoryAlarm, disk: parts.server.diskAlarm, externalAuth: amqp.externalAuth === true };
    this.amqpsPort = amqp.amqpsPort;
    this.live = new LiveState(parts.core, parts.mgmt, parts.log);
  }

  /** failed logins per address (HTTP API and /api/ws), with their back-off */
  private readonly logins = new LoginThrottle();

  info(): Promise<BrokerInfo> {
    return run(() => ({
      kind: 'warren' as const,
      product: PRODUCT,
      productVersion: VERSION,
      rabbitmqVersion: RABBITMQ_VERSION,
      node: this.mgmt.node,
      clusterName: this.core.clusterName,
      amqp: { host: this.node.host, port: this.node.port },
      ...(this.amqpsPort === undefined ? {} : { amqps: { host: this.node.host, port: this.amqpsPort } }),
    }));
  }

  // --- identity ----------------------------------------------------------------------------------

  authenticate(username: string, password: string, peerAddress: string | undefined): Promise<Actor> {
    return run(() => {
      const wait = this.logins.wait(peerAddress);
      if (wait > 0) throw new BrokerError('not_authorised', `Too many failed logins from this address; try again in ${Math.ceil(wait / 1000)} s`);
      try {
        const actor = authenticate(this.core, username, password, peerAddress);
        this.logins.succeeded(peerAddress);
        return actor;
      } catch (err) {
        if (err instanceof BrokerError && err.kind === 'not_authorised') this.logins.failed(peerAddress);
        throw err;
      }
    });
  }

  actor(name: string): Promise<Actor | undefined> {
    return run(() => actorOf(this.core, name));
  }

  passwordStamp(name: string): Promise<string | undefined> {
    return run(() => passwordStampOf(this.core, name));
  }

  vhostAccess(who: Actor, vhost: string): Promise<'allowed' | 'refused' | 'missing'> {
    return run(() => (this.core.getVhost(vhost) === undefined ? 'missing' : canAccessVhost(this.core, who, vhost) ? 'allowed' : 'refused'));
  }

  onAccessChange(listener: (e: AccessEvent) => void): () => void {
    return this.core.on((e) => {
      if (e.type === 'users.changed') listener({ type: 'users.changed' });
      else if (e.type === 'vhost.deleted') listener({ type: 'vhost.deleted', name: e.name });
    });
  }

  // --- overview, nodes, health -------------------------------------------------------------------

  overview(who: Actor, history?: HistoryQuery): Promise<Row> {
    return run(() => {
      this.mgmt.sampler.touch();
      return overviewRow(this.mgmt, this.core, who, this.node, history);
    });
  }

  nodes(who: Actor): Promise<Row[]> {
    return run(() => {
      if (!hasAccess(who, 'monitoring')) throw new BrokerError('not_authorised', 'Not monitor user');
      this.mgmt.sampler.touch();
      return [nodeRow(this.mgmt, this.core, this.node)];
    });
  }

  async aliveness(who: Actor, vhost: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const payload = 'test_message';
    await run(() => requireVhostLogin(this.core, who, vhost));
    try {
      await this.declareQueue(who, vhost, 'aliveness-test', { durable: false, autoDelete: false, arguments: {} });
      await this.publish(who, vhost, '', { routingKey: 'aliveness-test', properties: {}, body: Buffer.from(payload) });
      const got = await this.get(who, vhost, 'aliveness-test', { count: 1, ackMode: 'ack_requeue_false', encoding: 'auto' });
      // a body pattern may mask the test message as shown: it came back all the same
      if (got.length === 0 || (got[0].payload !== payload && got[0].masked !== true)) return { ok: false, reason: 'message not returned' };
    } catch (err) {
      if (err instanceof BrokerError && err.kind !== 'not_authorised') return { ok: false, reason: err.detail };
      throw err;
    }
    return { ok: true };
  }

  alarms(): Promise<{ node: string; resource: 'memory' | 'disk' }[]> {
    return run(() => {
      const on: { node: string; resource: 'memory' | 'disk' }[] = [];
      if (this.node.alarm.active) on.push({ node: this.mgmt.node, resource: 'memory' });
      if (this.node.disk?.active === true) on.push({ node: this.mgmt.node, resource: 'disk' });
      return on;
    });
  }

  metrics(): Promise<MetricsSample> {
    return run(() => {
      const core = this.core;
      const queues = { count: 0, ready: 0, unacked: 0, consumers: 0, published: 0, delivered: 0, acked: 0 };
      const exchanges = { count: 0, publishIn: 0, publishOut: 0 };
      for (const vh of core.vhosts.values()) {
        for (const q of vh.queues.values()) {
          const m = queueMetrics(q);
          queues.count++;
          queues.ready += m.ready;
          queues.unacked += m.unacked;
          queues.consumers += m.consumers;
          queues.published += m.published;
          queues.delivered += m.delivered;
          queues.acked += m.acked;
        }
        for (const e of vh.exchanges.values()) {
          exchanges.count++;
          exchanges.publishIn += e.publishIn;
          exchanges.publishOut += e.publishOut;
        }
      }
      return {
        queues,
        exchanges,
        connections: core.connections.size,
        channels: [...core.connections].reduce((n, c) => n + channelsOf(c).length, 0),
        consumers: queues.consumers,
        memory: { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed, limit: this.node.alarm.limitBytes, alarm: this.node.alarm.active },
      };
    });
  }

  async *metricsPerObject(opts: { chunkSize?: number; kind?: 'queues' | 'exchanges' } = {}): AsyncIterable<MetricsChunk> {
    const chunkSize = opts.chunkSize ?? 1000;
    // references only, taken at once; the numbers are read chunk by chunk
    const vhosts = [...this.core.vhosts.values()];
    const queues = opts.kind === 'exchanges' ? [] : vhosts.flatMap((vh) => [...vh.queues.values()]);
    const exchanges = opts.kind === 'queues' ? [] : vhosts.flatMap((vh) => [...vh.exchanges.values()]);
    for (let i = 0; i < queues.length; i += chunkSize) {
      yield { queues: queues.slice(i, i + chunkSize).map(queueMetrics), exchanges: [] };
      await nextTurn();
    }
    for (let i = 0; i < exchanges.length; i += chunkSize) {
      const some = exchanges.slice(i, i + chunkSize);
      yield { queues: [], exchanges: some.map((e) => ({ vhost: e.vhost, name: e.name, publishIn: e.publishIn, publishOut: e.publishOut })) };
      await nextTurn();
    }
  }

  // --- vhosts ------------------------------------------------------------------------------------

  listVhosts(who: Actor, history?: HistoryQuery): Promise<Row[]> {
    return run(() => {
      this.mgmt.sampler.touch();
      return listVhosts(this.mgmt, this.core, who, history);
    });
  }

  getVhost(who: Actor, name: string, history?: HistoryQuery): Promise<Row | undefined> {
    return run(() => {
      requireAdmin(who);
      this.mgmt.sampler.touch();
      const vh = this.core.getVhost(name);
      return vh === undefined ? undefined : vhostRow(this.mgmt, vh, history);
    });
  }

  putVhost(who: Actor, name: string, spec: VhostSpec): Promise<boolean> {
    return runStored(this.core, `vhost '${name}'`, () => putVhost(this.mgmt, this.core, who, name, spec));
  }

  deleteVhost(who: Actor, name: string): Promise<void> {
    return runStored(this.core, `deletion of vhost '${name}'`, () => {
      requireAdmin(who);
      if (this.core.getVhost(name) === undefined) throw notFound(`no vhost '${name}'`);
      this.core.deleteVhost(name);
    });
  }

  // --- exchanges, queues, bindings ---------------------------------------------------------------

  listExchanges(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => {
      this.mgmt.sampler.touch();
      return vhostsFor(this.core, who, vhost).flatMap((vh) => [...vh.exchanges.values()].map((e) => exchangeRow(this.mgmt, e)));
    });
  }

  getExchange(who: Actor, vhost: string, name: string): Promise<Row | undefined> {
    return run(() => {
      this.mgmt.sampler.touch();
      const e = vhostFor(this.core, who, vhost).exchanges.get(name);
      return e === undefined ? undefined : exchangeRow(this.mgmt, e);
    });
  }

  declareExchange(who: Actor, vhost: string, name: string, spec: ExchangeSpec): Promise<boolean> {
    return runStored(this.core, `exchange '${name}' in vhost '${vhost}'`, () => declareExchange(this.core, who, vhost, name, spec));
  }

  deleteExchange(who: Actor, vhost: string, name: string, opts: { ifUnused: boolean }): Promise<void> {
    return runStored(this.core, `deletion of exchange '${name}' in vhost '${vhost}'`, () => deleteExchange(this.core, who, vhost, name, opts.ifUnused));
  }

  listQueues(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => {
      this.mgmt.sampler.touch();
      return vhostsFor(this.core, who, vhost).flatMap((vh) => [...vh.queues.values()].map((q) => queueRow(this.mgmt, q)));
    });
  }

  getQueue(who: Actor, vhost: string, name: string, history?: HistoryQuery): Promise<Row | undefined> {
    return run(() => {
      this.mgmt.sampler.touch();
      const q = vhostFor(this.core, who, vhost).queues.get(name);
      return q === undefined ? undefined : { consumer_details: queueConsumers(this.mgmt, this.core, q), ...queueRow(this.mgmt, q, history) };
    });
  }

  declareQueue(who: Actor, vhost: string, name: string, spec: QueueSpec): Promise<boolean> {
    return runStored(this.core, `queue '${name}' in vhost '${vhost}'`, () => declareQueue(this.core, who, vhost, name, spec));
  }

  deleteQueue(who: Actor, vhost: string, name: string, opts: { ifUnused: boolean; ifEmpty: boolean }): Promise<void> {
    return runStored(this.core, `deletion of queue '${name}' in vhost '${vhost}'`, () => deleteQueue(this.core, who, vhost, name, opts.ifUnused, opts.ifEmpty));
  }

  purgeQueue(who: Actor, vhost: string, name: string): Promise<void> {
    return runStored(this.core, `purge of queue '${name}' in vhost '${vhost}'`, () => purgeQueue(this.core, who, vhost, name), true);
  }

  listBindings(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => vhostsFor(this.core, who, vhost).flatMap(bindingsOf));
  }

  bind(who: Actor, vhost: string, spec: BindingSpec): Promise<string> {
    return runStored(this.core, `binding in vhost '${vhost}'`, () => bind(this.core, who, vhost, spec));
  }

  unbind(who: Actor, vhost: string, b: { source: string; destination: string; destinationType: 'queue' | 'exchange'; propertiesKey: string }): Promise<void> {
    return runStored(this.core, `unbinding in vhost '${vhost}'`, () => unbind(this.core, who, vhost, b));
  }

  // --- messages ----------------------------------------------------------------------------------

  publish(who: Actor, vhost: string, exchange: string, message: OutgoingMessage): Promise<{ routed: boolean }> {
    return run(() => {
      const routed = publish(this.core, who, vhost, exchange, message);
      this.mgmt.totals.add(vhost, { publish: 1 });
      this.live.httpPublished(who.name, vhost, exchange, message.routingKey);
      return { routed };
    });
  }

  explainRoute(who: Actor, vhost: string, exchange: string, req: ExplainRouteRequest): Promise<RouteExplanation> {
    return run(() => explainEmbeddedRoute(this.core, who, vhost, exchange, req));
  }

  async get(who: Actor, vhost: string, queue: string, opts: GetOptions): Promise<GotMessage[]> {
    const rules = this.parts.maskRules;
    const bodies: Buffer[] = [];
    const got = await run(() => get(this.core, who, vhost, queue, opts, rules === undefined ? undefined : bodies));
    if (rules === undefined) return got;
    const slices = new LoopSlices();
    const out: GotMessage[] = [];
    for (let i = 0; i < got.length; i++) out.push(await maskGot(rules, got[i], bodies[i], slices));
    return out;
  }

  // Masking runs after the page is read, a slice at a time: a page of big bodies does not hold the
  // loop that the broker's AMQP clients share.
  async browseQueue(who: Actor, vhost: string, queue: string, opts: BrowseOptions): Promise<BrowsePage> {
    const bodies: (() => Buffer)[] = [];
    const page = await run(() => browseQueue(this.core, who, vhost, queue, opts, bodies));
    return { ...page, messages: await maskBrowsedAll(this.parts.maskRules, page.messages, bodies) };
  }

  async filterQueue(who: Actor, vhost: string, queue: string, opts: FilterOptions): Promise<FilterPage> {
    try {
      // the expression sees the original message; only what is shown is masked
      const bodies: (() => Buffer)[] = [];
      const page = await filterQueue(this.core, who, vhost, queue, opts, bodies);
      return { ...page, matches: await maskBrowsedAll(this.parts.maskRules, page.matches, bodies) };
    } catch (err) {
      throw translate(err);
    }
  }

  async browseMessage(who: Actor, vhost: string, queue: string, id: number, position: number, opts: { raw?: boolean } = {}): Promise<BrowsedMessage> {
    const m = await run(() => browseMessage(this.core, who, vhost, queue, id, position, opts.raw === true));
    return (await maskBrowsedAll(this.parts.maskRules, [m]))[0];
  }

  startTransfer(who: Actor, vhost: string, queue: string, spec: TransferSpec): Promise<TransferJob> {
    return run(() => startTransfer(this.core, who, vhost, queue, spec));
  }

  getTransfer(who: Actor, vhost: string, id: string): Promise<TransferJob> {
    return run(() => getTransfer(this.core, who, vhost, id));
  }

  cancelTransfer(who: Actor, vhost: string, id: string): Promise<TransferJob> {
    return run(() => cancelTransfer(this.core, who, vhost, id));
  }

  startImport(who: Actor, vhost: string, spec: ImportSpec): Promise<TransferJob> {
    return run(() =>
      startImport(this.core, who, vhost, spec, (m) => {
        const routed = publish(this.core, who, vhost, spec.exchange, m);
        this.mgmt.totals.add(vhost, { publish: 1 });
        this.live.httpPublished(who.name, vhost, spec.exchange, m.routingKey);
        return routed;
      }),
    );
  }

  previewReturn(who: Actor, vhost: string, queue: string, opts: { selection: MessageSelection; cursor: number; limit: number }): Promise<ReturnPreview> {
    return run(() => previewReturn(this.core, who, vhost, queue, opts));
  }

  async consume(who: Actor, vhost: string, queue: string, opts: ConsumeOptions, sink: DeliverySink): Promise<ConsumerHandle> {
    let handle: ConsumerHandle | undefined;
    let resumeLater = false;
    const shown = maskingSink(this.parts.maskRules, sink, () => (handle === undefined ? (resumeLater = true) : handle.resume()));
    handle = await run(() => consume(this.live, who, vhost, queue, opts, shown));
    if (resumeLater) handle.resume();
    return handle;
  }

  // --- connections, channels, consumers ----------------------------------------------------------

  listConnections(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => {
      this.mgmt.sampler.touch();
      return visibleConnections(this.core, who, vhost).map((c) => connectionRow(this.mgmt, c));
    });
  }

  getConnection(who: Actor, name: string): Promise<Row> {
    return run(() => {
      this.mgmt.sampler.touch();
      return connectionRow(this.mgmt, connectionNamed(this.core, who, name));
    });
  }

  closeConnection(who: Actor, name: string, reason: string): Promise<void> {
    return run(() => connectionNamed(this.core, who, name, 'close').close(320, reason));
  }

  getChannel(who: Actor, name: string): Promise<Row> {
    return run(() => {
      this.mgmt.sampler.touch();
      return channelNamed(this.mgmt, this.core, who, name);
    });
  }

  listChannels(who: Actor, filter: { vhost?: string; connection?: string } = {}): Promise<Row[]> {
    return run(() => {
      this.mgmt.sampler.touch();
      const conns = filter.connection !== undefined ? [connectionNamed(this.core, who, filter.connection)] : visibleConnections(this.core, who, filter.vhost);
      return channelRows(this.mgmt, conns);
    });
  }

  listConsumers(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => listConsumers(this.mgmt, this.core, who, vhost));
  }

  // --- users, permissions, policies --------------------------------------------------------------

  listUsers(who: Actor, opts: { withoutPermissions?: boolean } = {}): Promise<Row[]> {
    return run(() => {
      requireAdmin(who);
      return listUsers(this.core, opts.withoutPermissions === true);
    });
  }

  getUser(who: Actor, name: string): Promise<Row | undefined> {
    return run(() => {
      requireAdmin(who);
      const u = this.core.users.users.get(name);
      return u === undefined ? undefined : userRow(u);
    });
  }

  putUser(who: Actor, name: string, spec: UserSpec): Promise<boolean> {
    return runStored(this.core, `user '${name}'`, () => {
      requireAdmin(who);
      const user = userFromSpec(name, spec);
      const isNew = !this.core.users.users.has(name);
      this.core.users.putUser(user);
      return isNew;
    });
  }

  deleteUsers(who: Actor, names: readonly string[]): Promise<void> {
    return runStored(this.core, `deletion of users ${names.map((n) => `'${n}'`).join(', ')}`, () => {
      requireAdmin(who);
      for (const n of names) this.core.users.deleteUser(n);
    });
  }

  listPermissions(who: Actor, filter?: { vhost?: string; user?: string }): Promise<Row[]> {
    return run(() => {
      requireAdmin(who);
      return listPermissions(this.core, filter);
    });
  }

  setPermission(who: Actor, vhost: string, user: string, spec: PermissionSpec): Promise<boolean> {
    return runStored(this.core, `permissions of '${user}' in vhost '${vhost}'`, () => {
      requireAdmin(who);
      const p = permissionFromSpec(spec);
      if (!this.core.vhosts.has(vhost) || !this.core.users.users.has(user)) throw BrokerError.badRequest('vhost_or_user_not_found');
      const isNew = this.core.users.getPermission(vhost, user) === undefined;
      this.core.users.setPermission(vhost, user, p);
      return isNew;
    });
  }

  clearPermission(who: Actor, vhost: string, user: string): Promise<void> {
    return runStored(this.core, `clearing of the permissions of '${user}' in vhost '${vhost}'`, () => {
      requireAdmin(who);
      if (this.core.users.getPermission(vhost, user) === undefined) throw notFound(`no permission for '${user}' in vhost '${vhost}'`);
      this.core.users.clearPermission(vhost, user);
    });
  }

  listTopicPermissions(who: Actor, filter?: { vhost?: string; user?: string }): Promise<Row[]> {
    return run(() => {
      requireAdmin(who);
      return listTopicPermissions(this.core, filter);
    });
  }

  setTopicPermission(who: Actor, vhost: string, user: string, spec: TopicPermissionSpec): Promise<boolean> {
    return runStored(this.core, `topic permissions of '${user}' in vhost '${vhost}'`, () => {
      requireAdmin(who);
      if (!this.core.vhosts.has(vhost) || !this.core.users.users.has(user)) throw BrokerError.badRequest('vhost_or_user_not_found');
      const p = topicPermissionFromSpec(spec);
      const isNew = !this.core.users.hasTopicPermissions(vhost, user);
      this.core.users.setTopicPermission(vhost, user, p);
      return isNew;
    });
  }

  clearTopicPermissions(who: Actor, vhost: string, user: string, exchange?: string): Promise<void> {
    return runStored(this.core, `clearing of the topic permissions of '${user}' in vhost '${vhost}'`, () => {
      requireAdmin(who);
      if (!this.core.users.clearTopicPermissions(vhost, user, exchange)) throw notFound(`no topic permission for '${user}' in vhost '${vhost}'`);
    });
  }

  listPolicies(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => policyRows(vhostsFor(this.core, who, vhost)));
  }

  putPolicy(who: Actor, vhost: string, name: string, spec: PolicySpec): Promise<boolean> {
    return runStored(this.core, `policy '${name}' in vhost '${vhost}'`, () => {
      const vh = policyVhost(this.core, who, vhost);
      return vh.putPolicy(parsePolicySpec(vh.name, name, spec));
    });
  }

  deletePolicy(who: Actor, vhost: string, name: string): Promise<void> {
    return runStored(this.core, `deletion of policy '${name}' in vhost '${vhost}'`, () => {
      const vh = policyVhost(this.core, who, vhost);
      if (!vh.policies.has(name)) throw notFound(`no policy '${name}' in vhost '${vhost}'`);
      vh.deletePolicy(name);
    });
  }

  listOperatorPolicies(who: Actor, vhost?: string): Promise<Row[]> {
    return run(() => operatorPolicyRows(vhostsFor(this.core, who, vhost)));
  }

  putOperatorPolicy(who: Actor, vhost: string, name: string, spec: PolicySpec): Promise<boolean> {
    return runStored(this.core, `operator policy '${name}' in vhost '${vhost}'`, () => {
      const vh = operatorPolicyVhost(this.core, who, vhost);
      return vh.putOperatorPolicy(parseOperatorPolicySpec(vh.name, name, spec));
    });
  }

  deleteOperatorPolicy(who: Actor, vhost: string, name: string): Promise<void> {
    return runStored(this.core, `deletion of operator policy '${name}' in vhost '${vhost}'`, () => {
      const vh = operatorPolicyVhost(this.core, who, vhost);
      if (!vh.deleteOperatorPolicy(name)) throw notFound(`no operator policy '${name}' in vhost '${vhost}'`);
    });
  }

  // --- definitions -------------------------------------------------------------------------------

  exportDefinitions(who: Actor, vhost?: string): Promise<Row> {
    return run(() => {
      requireAdmin(who);
      if (vhost === undefined) return exportDefinitions(this.core, this.mgmt);
      const vh = this.core.getVhost(vhost);
      if (vh === undefined) throw notFound('vhost_not_found');
      return exportVhostDefinitions(vh);
    });
  }

  importDefinitions(who: Actor, definitions: Row, vhost?: string): Promise<{ skipped: string[] }> {
    return runStored(this.core, 'imported definitions', () => {
      requireAdmin(who);
      if (vhost !== undefined && this.core.getVhost(vhost) === undefined) throw notFound('vhost_not_found');
      const plan = importDefinitions(this.core, this.mgmt, definitions, vhost);
      if (plan.skipped.length > 0) this.parts.log.warn(`definitions import: skipped ${plan.skipped.join(', ')} (not supported by Warren)`);
      return { skipped: plan.skipped };
    });
  }

  // --- restart -----------------------------------------------------------------------------------

  async restartBroker(who: Actor): Promise<RestartReport> {
    requireAdmin(who);
    const { reopenStore, server, log } = this.parts;
    if (reopenStore === undefined || this.parts.store === undefined) {
      throw new BrokerError('not_supported', 'this broker keeps nothing on disk (no DATA_DIR): a restart would lose every definition, so it is not offered');
    }
    this.restarting ??= server.restart('restart requested', async () => {
      const started = Date.now();
      await this.parts.store!.close();
      // the old store has let go; what is still in memory goes without touching the disk, as a stopped process's memory does
      this.core.durability = undefined;
      for (const [name, vh] of [...this.core.vhosts]) {
        for (const q of vh.queues.values()) q.persistence = undefined;
        this.core.deleteVhost(name);
      }
      const store = reopenStore();
      this.parts.store = store;
      const r = store.recover();
      log.info(`restarted in place: recovered ${r.queues} durable queues and ${r.messages} messages in ${r.ms} ms`);
      return { queues: r.queues, messages: r.messages, ms: Date.now() - started };
    }).finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  private restarting: Promise<RestartReport> | undefined;

  // --- live --------------------------------------------------------------------------------------

  watchVhost(who: Actor, vhost: string, listener: VhostListener): Promise<VhostWatch> {
    return run(() => {
      vhostFor(this.core, who, vhost);
      return watchVhost(this.live, who, vhost, listener);
    });
  }
}
