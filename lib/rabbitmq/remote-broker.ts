// The broker API over a remote RabbitMQ 3.x/4.x cluster: reads and changes through its management
// HTTP API, consuming through AMQP (remote-consumer.ts), live topology from amq.rabbitmq.event or
// polling (remote-watch.ts).
//
// Who acts: every call runs with the console user's own RabbitMQ credentials, kept server-side
// (in this object's memory, never sent to a browser) from the login that produced the Actor. So the
// cluster itself applies that user's tags and vhost permissions, and its refusals come back in its
// own words. The configured account (the URL's user) is used only for what no user asked for: the
// event subscription and polling behind watches, info(), alarms() and metrics().
import { createHash } from 'node:crypto';
import type {
  RestartReport,
  AccessEvent, Actor, BindingSpec, BrokerApi, BrokerInfo, BrowsedMessage, BrowseOptions, BrowsePage, ConsumeOptions, FilterOptions, FilterPage, MessageSelection, ReturnPreview, TransferJob, TransferSpec, ImportSpec, ConsumerHandle, DeliverySink, ExchangeSpec,
  ExplainRouteRequest, GetOptions, RouteExplanation, GotMessage, HistoryQuery, MetricsChunk, MetricsSample, OutgoingMessage, PermissionSpec, PolicySpec, QueueSpec, TopicPermissionSpec,
  Row, UserSpec, VhostListener, VhostSpec, VhostWatch,
} from '../../broker/index';
import { BrokerError, IMPORT_MAX_MESSAGES, IMPORT_MAX_RATE, isLoopback, LoopSlices, maskGot, maskingSink, MessageJobs, runImport, type MaskRules } from '../../broker/index';
import { ManagementClient, p, type Credentials } from './management-client';
import type { RemoteBrokerConfig } from './broker-spec';
import { consumeRemote } from './remote-consumer';
import { queueRow, queueRows } from './rows';
import { explainFromListing } from './remote-route-explain';
import { NodeReaders } from './node-readers';
import { RemoteWatches } from './remote-watch';

/** A successful login is trusted this long before the cluster is asked again (one request per API call otherwise). */
const LOGIN_CACHE_MS = 10_000;
const MAX_STAMPS = 10_000;

interface Session {
  password: string;
  actor: Actor;
  checked: number;
}

export function tagsOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string') return raw.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return [];
}

function historyQuery(h: HistoryQuery | undefined): string {
  const parts: string[] = [];
  if (h?.msgRates) parts.push(`msg_rates_age=${h.msgRates.age}`, `msg_rates_incr=${h.msgRates.incr}`);
  if (h?.lengths) parts.push(`lengths_age=${h.lengths.age}`, `lengths_incr=${h.lengths.incr}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function stat(row: Row, key: string): number {
  return num((row.message_stats as Row | undefined)?.[key]);
}

const BROWSE_REFUSAL =
  'RabbitMQ cannot browse a queue without consuming: its get with requeue marks every message redelivered (and counts a delivery on quorum queues). Use Get messages to take or requeue them knowingly.';

const TRANSFER_REFUSAL =
  'RabbitMQ cannot move, copy or return chosen messages from here: taking a message out of a queue means consuming (and requeueing the rest, marked redelivered). Use a shovel (rabbitmq_shovel) to move a whole queue.';

export class RemoteBrokerApi implements BrokerApi {
  readonly name: string;
  readonly config: RemoteBrokerConfig;
  readonly http: ManagementClient;
  /** every running node's management API, for spreading a big listing (the configured account's) */
  readonly readers: NodeReaders;
  /** the configured account: for what no console user asked for */
  readonly service: Credentials;
  private readonly sessions = new Map<string, Session>();
  /** passwordStamp's answers by user, asked again after LOGIN_CACHE_MS (or sooner, on a user change) */
  private readonly stamps = new Map<string, { stamp: string | undefined; checked: number }>();
  private readonly accessListeners = new Set<(e: AccessEvent) => void>();
  private readonly watches: RemoteWatches;

  private readonly jobs = new MessageJobs();

  constructor(config: RemoteBrokerConfig, private readonly maskRules?: MaskRules) {
    this.name = config.name;
    this.config = config;
    this.http = new ManagementClient({ baseUrl: config.managementUrl, caFile: config.caFile });
    this.service = config.credentials;
    this.readers = new NodeReaders(this.http, this.service, config.caFile);
    this.watches = new RemoteWatches(this, (e) => this.accessChanged(e));
  }

  async close(): Promise<void> {
    await this.watches.close();
    this.readers.close();
    this.http.close();
  }

  /** The credentials a call runs with: the actor's own, from its login. */
  creds(who: Actor): Credentials {
    const s = this.sessions.get(who.name);
    if (s !== undefined) return { username: who.name, password: s.password };
    if (who.name === this.service.username) return this.service;
    throw new BrokerError('not_authorised', `no RabbitMQ login of '${who.name}' on broker '${this.name}': log in again`);
  }

  private accessChanged(e: AccessEvent): void {
    if (e.type === 'users.changed') {
      for (const s of this.sessions.values()) s.checked = 0;
      this.stamps.clear();
    }
    for (const l of [...this.accessListeners]) l(e);
  }

  // --- identity ----------------------------------------------------------------------------------

  async info(): Promise<BrokerInfo> {
    const o = await this.http.request<Row>(this.service, 'GET', '/api/overview?columns=product_name,product_version,rabbitmq_version,node,cluster_name,listeners');
    const listeners = (o.listeners as Row[] | undefined) ?? [];
    const amqp = listeners.find((l) => l.protocol === 'amqp');
    const url = this.config.amqpUrl !== undefined ? new URL(this.config.amqpUrl) : undefined;
    return {
      kind: 'rabbitmq',
      product: String(o.product_name ?? 'RabbitMQ'),
      productVersion: String(o.product_version ?? o.rabbitmq_version ?? ''),
      rabbitmqVersion: String(o.rabbitmq_version ?? ''),
      node: String(o.node ?? ''),
      clusterName: String(o.cluster_name ?? ''),
      amqp: url !== undefined
        ? { host: url.hostname, port: Number(url.port || (url.protocol === 'amqps:' ? 5671 : 5672)) }
        : { host: this.http.baseUrl.hostname, port: num(amqp?.port) || 5672 },
    };
  }

  async authenticate(username: string, password: string, peerAddress: string | undefined): Promise<Actor> {
    // RabbitMQ's guest is loopback-only; the cluster sees the console as its client, so the console's own peer decides
    if (username === 'guest' && !isLoopback(peerAddress)) throw new BrokerError('not_authorised', 'Login failed');
    const s = this.sessions.get(username);
    if (s !== undefined && s.password === password && Date.now() - s.checked < LOGIN_CACHE_MS) return s.actor;
    const me = await this.http.request<Row>({ username, password }, 'GET', '/api/whoami');
    const actor: Actor = { name: String(me.name ?? username), tags: tagsOf(me.tags) };
    this.sessions.set(username, { password, actor, checked: Date.now() });
    // a login that the cluster accepted may follow a password change the cache has not seen
    this.stamps.delete(username);
    return actor;
  }

  /**
   * A digest of the user's password hash as the cluster stores it (a new salt with every password
   * set, so it changes with it), read with the configured account; undefined once the user is gone.
   * An account that may not read users cannot tell: every stamp is then the same, and sessions end
   * only as passwordStamp's absence would let them.
   */
  async passwordStamp(name: string): Promise<string | undefined> {
    const known = this.stamps.get(name);
    if (known !== undefined && Date.now() - known.checked < LOGIN_CACHE_MS) return known.stamp;
    let stamp: string | undefined;
    try {
      const u = await this.http.getOptional<Row>(this.service, p('users', name));
      stamp = u === undefined ? undefined : createHash('sha256').update(`${String(u.hashing_algorithm)}:${String(u.password_hash)}`).digest('base64url');
    } catch (err) {
      if ((err as BrokerError).kind !== 'not_authorised') throw err;
      stamp = 'unknown';
    }
    // names come from logins; a bound all the same
    if (this.stamps.size >= MAX_STAMPS) this.stamps.clear();
    this.stamps.set(name, { stamp, checked: Date.now() });
    return stamp;
  }

  async actor(name: string): Promise<Actor | undefined> {
    const s = this.sessions.get(name);
    if (s === undefined) {
      const u = await this.http.getOptional<Row>(this.service, p('users', name));
      return u === undefined ? undefined : { name, tags: tagsOf(u.tags) };
    }
    // a console login asks on every request: the cluster is asked again only when the answer is old
    if (Date.now() - s.checked < LOGIN_CACHE_MS) return s.actor;
    try {
      const me = await this.http.request<Row>({ username: name, password: s.password }, 'GET', '/api/whoami');
      s.actor = { name, tags: tagsOf(me.tags) };
      s.checked = Date.now();
      return s.actor;
    } catch (err) {
      if ((err as BrokerError).kind !== 'not_authorised') throw err;
      // deleted, or the password changed: this login is over
      this.sessions.delete(name);
      return undefined;
    }
  }

  async vhostAccess(who: Actor, vhost: string): Promise<'allowed' | 'refused' | 'missing'> {
    // GET /api/vhosts/<name> is for administrators; the list holds exactly the vhosts the user may use
    const mine = await this.http.request<Row[]>(this.creds(who), 'GET', '/api/vhosts?columns=name');
    if (mine.some((v) => v.name === vhost)) return 'allowed';
    const exists = await this.http.getOptional<Row>(this.service, p('vhosts', vhost)).catch(() => undefined);
    return exists === undefined ? 'missing' : 'refused';
  }

  onAccessChange(listener: (e: AccessEvent) => void): () => void {
    this.accessListeners.add(listener);
    return () => this.accessListeners.delete(listener);
  }

  // --- overview, nodes, health -------------------------------------------------------------------

  async overview(who: Actor, history?: HistoryQuery): Promise<Row> {
    return this.http.request<Row>(this.creds(who), 'GET', `/api/overview${historyQuery(history)}`);
  }

  async nodes(who: Actor): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', '/api/nodes');
  }

  async aliveness(who: Actor, vhost: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const r = await this.http.request<Row>(this.creds(who), 'GET', p('aliveness-test', vhost));
    return r.status === 'ok' ? { ok: true } : { ok: false, reason: String(r.reason ?? r.status) };
  }

  async alarms(): Promise<{ node: string; resource: 'memory' | 'disk' }[]> {
    const nodes = await this.http.request<Row[]>(this.service, 'GET', '/api/nodes?columns=name,mem_alarm,disk_free_alarm');
    const out: { node: string; resource: 'memory' | 'disk' }[] = [];
    for (const n of nodes) {
      if (n.mem_alarm === true) out.push({ node: String(n.name), resource: 'memory' });
      if (n.disk_free_alarm === true) out.push({ node: String(n.name), resource: 'disk' });
    }
    return out;
  }

  async metrics(): Promise<MetricsSample> {
    const [o, nodes] = await Promise.all([
      this.http.request<Row>(this.service, 'GET', '/api/overview?columns=object_totals,queue_totals,message_stats'),
      this.http.request<Row[]>(this.service, 'GET', '/api/nodes?columns=mem_used,mem_limit,mem_alarm'),
    ]);
    const totals = (o.object_totals as Row | undefined) ?? {};
    const q = (o.queue_totals as Row | undefined) ?? {};
    const mem = nodes.reduce<{ used: number; limit: number; alarm: boolean }>((m, n) => ({ used: m.used + num(n.mem_used), limit: m.limit + num(n.mem_limit), alarm: m.alarm || n.mem_alarm === true }), { used: 0, limit: 0, alarm: false });
    return {
      queues: {
        count: num(totals.queues), ready: num(q.messages_ready), unacked: num(q.messages_unacknowledged), consumers: num(totals.consumers),
        published: stat(o, 'publish'), delivered: stat(o, 'deliver_get'), acked: stat(o, 'ack'),
      },
      exchanges: { count: num(totals.exchanges), publishIn: stat(o, 'publish'), publishOut: stat(o, 'deliver_get') },
      connections: num(totals.connections),
      channels: num(totals.channels),
      consumers: num(totals.consumers),
      // the cluster's memory as its nodes count it (the console's own process is not the broker)
      memory: { rss: mem.used, heapUsed: mem.used, limit: mem.limit, alarm: mem.alarm },
    };
  }

  async *metricsPerObject(opts: { chunkSize?: number; kind?: 'queues' | 'exchanges' } = {}): AsyncIterable<MetricsChunk> {
    if (opts.kind !== 'exchanges') {
      const cols = 'vhost,name,messages_ready,messages_unacknowledged,consumers,message_stats.publish,message_stats.deliver_get,message_stats.ack';
      for (const chunk of await this.pages(`/api/queues`, `columns=${cols}`)) {
        yield {
          exchanges: [],
          queues: chunk.map((r) => ({
            vhost: String(r.vhost), name: String(r.name), ready: num(r.messages_ready), unacked: num(r.messages_unacknowledged),
            consumers: num(r.consumers), published: stat(r, 'publish'), delivered: stat(r, 'deliver_get'), acked: stat(r, 'ack'),
          })),
        };
      }
    }
    if (opts.kind !== 'queues') {
      const cols = 'vhost,name,message_stats.publish_in,message_stats.publish_out';
      for (const chunk of await this.pages(`/api/exchanges`, `columns=${cols}`)) {
        yield { queues: [], exchanges: chunk.map((r) => ({ vhost: String(r.vhost), name: String(r.name), publishIn: stat(r, 'publish_in'), publishOut: stat(r, 'publish_out') })) };
      }
    }
  }

  private async pages(path: string, query: string): Promise<Row[][]> {
    // one request: paging costs RabbitMQ 3.10 the whole list per page
    const all = await this.http.request<Row[]>(this.service, 'GET', `${path}?${query}`);
    const out: Row[][] = [];
    for (let i = 0; i < all.length; i += 1000) out.push(all.slice(i, i + 1000));
    return out;
  }

  // --- vhosts ------------------------------------------------------------------------------------

  async listVhosts(who: Actor, history?: HistoryQuery): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', `/api/vhosts${historyQuery(history)}`);
  }

  async getVhost(who: Actor, name: string, history?: HistoryQuery): Promise<Row | undefined> {
    return this.http.getOptional<Row>(this.creds(who), `${p('vhosts', name)}${historyQuery(history)}`);
  }

  async putVhost(who: Actor, name: string, spec: VhostSpec): Promise<boolean> {
    const body: Row = {};
    if (spec.description !== undefined) body.description = spec.description;
    if (spec.tags !== undefined) body.tags = spec.tags.join(',');
    if (spec.tracing !== undefined) body.tracing = spec.tracing;
    return (await this.http.exchange(this.creds(who), 'PUT', p('vhosts', name), body)).status === 201;
  }

  async deleteVhost(who: Actor, name: string): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', p('vhosts', name));
  }

  // --- exchanges, queues, bindings ---------------------------------------------------------------

  async listExchanges(who: Actor, vhost?: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', vhost === undefined ? '/api/exchanges' : p('exchanges', vhost));
  }

  async getExchange(who: Actor, vhost: string, name: string): Promise<Row | undefined> {
    return this.http.getOptional<Row>(this.creds(who), p('exchanges', vhost, name));
  }

  async declareExchange(who: Actor, vhost: string, name: string, spec: ExchangeSpec): Promise<boolean> {
    const body = { type: spec.type, durable: spec.durable, auto_delete: spec.autoDelete, internal: spec.internal, arguments: spec.arguments };
    return (await this.http.exchange(this.creds(who), 'PUT', p('exchanges', vhost, name), body)).status === 201;
  }

  async deleteExchange(who: Actor, vhost: string, name: string, opts: { ifUnused: boolean }): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', `${p('exchanges', vhost, name)}${opts.ifUnused ? '?if-unused=true' : ''}`);
  }

  async listQueues(who: Actor, vhost?: string): Promise<Row[]> {
    // one request, not pages: RabbitMQ 3.10 builds the whole list for each page (20 pages of 10,000 queues cost 20 listings)
    return queueRows(await this.http.request<Row[]>(this.creds(who), 'GET', vhost === undefined ? '/api/queues' : p('queues', vhost)));
  }

  async getQueue(who: Actor, vhost: string, name: string, history?: HistoryQuery): Promise<Row | undefined> {
    const row = await this.http.getOptional<Row>(this.creds(who), `${p('queues', vhost, name)}${historyQuery(history)}`);
    return row && queueRow(row);
  }

  async declareQueue(who: Actor, vhost: string, name: string, spec: QueueSpec): Promise<boolean> {
    const body = { durable: spec.durable, auto_delete: spec.autoDelete, arguments: spec.arguments };
    return (await this.http.exchange(this.creds(who), 'PUT', p('queues', vhost, name), body)).status === 201;
  }

  async deleteQueue(who: Actor, vhost: string, name: string, opts: { ifUnused: boolean; ifEmpty: boolean }): Promise<void> {
    const q = [opts.ifUnused ? 'if-unused=true' : '', opts.ifEmpty ? 'if-empty=true' : ''].filter((s) => s !== '').join('&');
    await this.http.request(this.creds(who), 'DELETE', `${p('queues', vhost, name)}${q === '' ? '' : `?${q}`}`);
  }

  async purgeQueue(who: Actor, vhost: string, name: string): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', `${p('queues', vhost, name)}/contents`);
  }

  async listBindings(who: Actor, vhost?: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', vhost === undefined ? '/api/bindings' : p('bindings', vhost));
  }

  async bind(who: Actor, vhost: string, spec: BindingSpec): Promise<string> {
    const d = spec.destinationType === 'queue' ? 'q' : 'e';
    const res = await this.http.exchange(this.creds(who), 'POST', p('bindings', vhost, 'e', spec.source, d, spec.destination), {
      routing_key: spec.routingKey,
      arguments: spec.arguments,
    });
    // Location: <destination>/<properties_key>, the key percent-encoded
    const location = String(res.headers.location ?? '');
    return decodeURIComponent(location.slice(location.lastIndexOf('/') + 1));
  }

  async unbind(who: Actor, vhost: string, b: { source: string; destination: string; destinationType: 'queue' | 'exchange'; propertiesKey: string }): Promise<void> {
    const d = b.destinationType === 'queue' ? 'q' : 'e';
    await this.http.request(this.creds(who), 'DELETE', p('bindings', vhost, 'e', b.source, d, b.destination, b.propertiesKey));
  }

  // --- messages ----------------------------------------------------------------------------------

  async publish(who: Actor, vhost: string, exchange: string, message: OutgoingMessage): Promise<{ routed: boolean }> {
    // the default exchange is `amq.default` in the API's URLs
    const r = await this.http.request<Row>(this.creds(who), 'POST', `${p('exchanges', vhost, exchange === '' ? 'amq.default' : exchange)}/publish`, {
      properties: message.properties,
      routing_key: message.routingKey,
      payload: message.body.toString('base64'),
      payload_encoding: 'base64',
    });
    return { routed: r.routed === true };
  }

  async explainRoute(who: Actor, vhost: string, exchange: string, req: ExplainRouteRequest): Promise<RouteExplanation> {
    const creds = this.creds(who);
    // bounded by the vhost's size, as the console's own graph of it is
    const [exchanges, queues, bindings] = await Promise.all([
      this.http.all<Row>(creds, p('exchanges', vhost)),
      this.http.all<Row>(creds, p('queues', vhost)),
      this.http.request<Row[]>(creds, 'GET', p('bindings', vhost)),
    ]);
    return explainFromListing(vhost, exchange, req, { exchanges, queues, bindings });
  }

  async get(who: Actor, vhost: string, queue: string, opts: GetOptions): Promise<GotMessage[]> {
    const rules = this.maskRules;
    // masking reads whole bodies and cuts them itself, so a value the cut would split is hidden whole
    const cutHere = rules !== undefined && opts.truncate !== undefined;
    const got = await this.http.request<GotMessage[]>(this.creds(who), 'POST', `${p('queues', vhost, queue)}/get`, {
      count: opts.count,
      ackmode: opts.ackMode,
      encoding: opts.encoding,
      ...(opts.truncate !== undefined && !cutHere ? { truncate: opts.truncate } : {}),
    });
    if (!Array.isArray(got) || rules === undefined) return got;
    const slices = new LoopSlices();
    const out: GotMessage[] = [];
    for (const m of got) {
      const encoding = m.payload_encoding === 'string' ? 'utf8' : 'base64';
      const whole = Buffer.from(m.payload, encoding);
      const cut = cutHere && whole.length > (opts.truncate as number) ? { ...m, payload: whole.subarray(0, opts.truncate).toString(encoding) } : m;
      out.push(await maskGot(rules, cut, whole, slices));
    }
    return out;
  }

  /**
   * RabbitMQ reads a queue only by taking messages: its get with requeue puts them back marked
   * redelivered (and, for quorum queues, counts a delivery), which is the change browsing must not make.
   */
  browseQueue(_who: Actor, _vhost: string, _queue: string, _opts: BrowseOptions): Promise<BrowsePage> {
    return Promise.reject(new BrokerError('not_supported', BROWSE_REFUSAL));
  }

  filterQueue(_who: Actor, _vhost: string, _queue: string, _opts: FilterOptions): Promise<FilterPage> {
    return Promise.reject(new BrokerError('not_supported', BROWSE_REFUSAL));
  }

  browseMessage(_who: Actor, _vhost: string, _queue: string, _id: number, _position: number): Promise<BrowsedMessage> {
    return Promise.reject(new BrokerError('not_supported', BROWSE_REFUSAL));
  }

  startTransfer(_who: Actor, _vhost: string, _queue: string, _spec: TransferSpec): Promise<TransferJob> {
    return Promise.reject(new BrokerError('not_supported', TRANSFER_REFUSAL));
  }

  // imports are the jobs a cluster runs from here (transfers cannot start on one)
  async getTransfer(who: Actor, vhost: string, id: string): Promise<TransferJob> {
    return this.jobs.get(who, vhost, id);
  }

  async cancelTransfer(who: Actor, vhost: string, id: string): Promise<TransferJob> {
    return this.jobs.cancel(who, vhost, id);
  }

  /**
   * Publishes through the cluster's API, one message a request, as the job's rate allows; the
   * exchange is looked up first (as the user), so a missing one or a refused user is an answer
   * at once. RabbitMQ takes properties as JSON, so header types are its reading of them.
   */
  async startImport(who: Actor, vhost: string, spec: ImportSpec): Promise<TransferJob> {
    if (!Number.isFinite(spec.rate) || spec.rate < 0 || spec.rate > IMPORT_MAX_RATE) throw BrokerError.badRequest(`rate must be from 0 to ${IMPORT_MAX_RATE} messages a second`);
    if (spec.messages.length > IMPORT_MAX_MESSAGES) throw BrokerError.badRequest(`at most ${IMPORT_MAX_MESSAGES} messages in one import`);
    this.jobs.checkRoom(vhost);
    await this.http.request<Row>(this.creds(who), 'GET', p('exchanges', vhost, spec.exchange === '' ? 'amq.default' : spec.exchange));
    const init = { mode: 'import' as const, queue: null, target: { exchange: spec.exchange, routing_key: null }, remaining: spec.messages.length, total: spec.messages.length, rate_limit: spec.rate };
    const reason = (err: unknown) => (err instanceof BrokerError ? err.detail : err instanceof Error ? err.message : String(err));
    return this.jobs.start(who, vhost, init, (job) => runImport(job, spec, async (m) => (await this.publish(who, vhost, spec.exchange, m)).routed, reason));
  }

  previewReturn(_who: Actor, _vhost: string, _queue: string, _opts: { selection: MessageSelection; cursor: number; limit: number }): Promise<ReturnPreview> {
    return Promise.reject(new BrokerError('not_supported', BROWSE_REFUSAL));
  }

  async consume(who: Actor, vhost: string, queue: string, opts: ConsumeOptions, sink: DeliverySink): Promise<ConsumerHandle> {
    if (this.config.amqpUrl === undefined) {
      return Promise.reject(new BrokerError('unavailable', `broker '${this.name}' has no AMQP URL configured: consuming needs one (--rabbitmq ${this.name}=<http url>,<amqp url>)`));
    }
    let handle: ConsumerHandle | undefined;
    let resumeLater = false;
    const shown = maskingSink(this.maskRules, sink, () => (handle === undefined ? (resumeLater = true) : handle.resume()));
    handle = await consumeRemote({ url: this.config.amqpUrl, caFile: this.config.caFile, credentials: this.creds(who), vhost, queue, opts, sink: shown });
    if (resumeLater) handle.resume();
    return handle;
  }

  // --- connections, channels, consumers ----------------------------------------------------------

  async listConnections(who: Actor, vhost?: string): Promise<Row[]> {
    return this.http.all<Row>(this.creds(who), vhost === undefined ? '/api/connections' : p('vhosts', vhost, 'connections'));
  }

  async getConnection(who: Actor, name: string): Promise<Row> {
    return this.http.request<Row>(this.creds(who), 'GET', p('connections', name));
  }

  async closeConnection(who: Actor, name: string, reason: string): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', p('connections', name), undefined, { 'x-reason': reason });
  }

  async getChannel(who: Actor, name: string): Promise<Row> {
    return this.http.request<Row>(this.creds(who), 'GET', p('channels', name));
  }

  async listChannels(who: Actor, filter: { vhost?: string; connection?: string } = {}): Promise<Row[]> {
    if (filter.connection !== undefined) return this.http.request<Row[]>(this.creds(who), 'GET', `${p('connections', filter.connection)}/channels`);
    return this.http.all<Row>(this.creds(who), filter.vhost === undefined ? '/api/channels' : p('vhosts', filter.vhost, 'channels'));
  }

  async listConsumers(who: Actor, vhost?: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', vhost === undefined ? '/api/consumers' : p('consumers', vhost));
  }

  // --- users, permissions, policies --------------------------------------------------------------

  async listUsers(who: Actor, opts: { withoutPermissions?: boolean } = {}): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', opts.withoutPermissions ? '/api/users/without-permissions' : '/api/users');
  }

  async getUser(who: Actor, name: string): Promise<Row | undefined> {
    return this.http.getOptional<Row>(this.creds(who), p('users', name));
  }

  async putUser(who: Actor, name: string, spec: UserSpec): Promise<boolean> {
    const body: Row = { tags: spec.tags.join(',') };
    if (spec.password !== undefined) body.password = spec.password;
    if (spec.passwordHash !== undefined) body.password_hash = spec.passwordHash;
    if (spec.hashingAlgorithm !== undefined) body.hashing_algorithm = spec.hashingAlgorithm;
    const created = (await this.http.exchange(this.creds(who), 'PUT', p('users', name), body)).status === 201;
    this.stamps.delete(name);
    return created;
  }

  async deleteUsers(who: Actor, names: readonly string[]): Promise<void> {
    await this.http.request(this.creds(who), 'POST', '/api/users/bulk-delete', { users: names });
    for (const n of names) this.stamps.delete(n);
  }

  async listPermissions(who: Actor, filter: { vhost?: string; user?: string } = {}): Promise<Row[]> {
    const path = filter.vhost !== undefined ? `${p('vhosts', filter.vhost)}/permissions` : filter.user !== undefined ? `${p('users', filter.user)}/permissions` : '/api/permissions';
    return this.http.request<Row[]>(this.creds(who), 'GET', path).then((rows) => (filter.vhost !== undefined && filter.user !== undefined ? rows.filter((r) => r.user === filter.user) : rows));
  }

  async setPermission(who: Actor, vhost: string, user: string, spec: PermissionSpec): Promise<boolean> {
    return (await this.http.exchange(this.creds(who), 'PUT', p('permissions', vhost, user), spec)).status === 201;
  }

  async clearPermission(who: Actor, vhost: string, user: string): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', p('permissions', vhost, user));
  }

  async listTopicPermissions(who: Actor, filter: { vhost?: string; user?: string } = {}): Promise<Row[]> {
    const { vhost, user } = filter;
    // RabbitMQ 3.10 answers GET /api/topic-permissions/<vhost> with an empty 400: the vhost's list is under /api/vhosts
    const path = vhost !== undefined && user !== undefined ? p('topic-permissions', vhost, user)
      : vhost !== undefined ? `${p('vhosts', vhost)}/topic-permissions`
      : user !== undefined ? `${p('users', user)}/topic-permissions`
      : '/api/topic-permissions';
    if (vhost !== undefined && user !== undefined) return (await this.http.getOptional<Row[]>(this.creds(who), path)) ?? [];
    return this.http.request<Row[]>(this.creds(who), 'GET', path);
  }

  async setTopicPermission(who: Actor, vhost: string, user: string, spec: TopicPermissionSpec): Promise<boolean> {
    return (await this.http.exchange(this.creds(who), 'PUT', p('topic-permissions', vhost, user), spec)).status === 201;
  }

  async clearTopicPermissions(who: Actor, vhost: string, user: string, exchange?: string): Promise<void> {
    if (exchange !== undefined) {
      // deleting all and putting the others back would leave the user unrestricted in between
      throw BrokerError.badRequest("RabbitMQ's management API clears a user's topic permissions in a vhost all at once, not one exchange's");
    }
    await this.http.request(this.creds(who), 'DELETE', p('topic-permissions', vhost, user));
  }

  async listPolicies(who: Actor, vhost?: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', vhost === undefined ? '/api/policies' : p('policies', vhost));
  }

  async putPolicy(who: Actor, vhost: string, name: string, spec: PolicySpec): Promise<boolean> {
    const body: Row = { pattern: spec.pattern, definition: spec.definition };
    if (spec.priority !== undefined) body.priority = spec.priority;
    if (spec.applyTo !== undefined) body['apply-to'] = spec.applyTo;
    return (await this.http.exchange(this.creds(who), 'PUT', p('policies', vhost, name), body)).status === 201;
  }

  async deletePolicy(who: Actor, vhost: string, name: string): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', p('policies', vhost, name));
  }

  async listOperatorPolicies(who: Actor, vhost?: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.creds(who), 'GET', vhost === undefined ? '/api/operator-policies' : p('operator-policies', vhost));
  }

  async putOperatorPolicy(who: Actor, vhost: string, name: string, spec: PolicySpec): Promise<boolean> {
    const body: Row = { pattern: spec.pattern, definition: spec.definition };
    if (spec.priority !== undefined) body.priority = spec.priority;
    if (spec.applyTo !== undefined) body['apply-to'] = spec.applyTo;
    return (await this.http.exchange(this.creds(who), 'PUT', p('operator-policies', vhost, name), body)).status === 201;
  }

  async deleteOperatorPolicy(who: Actor, vhost: string, name: string): Promise<void> {
    await this.http.request(this.creds(who), 'DELETE', p('operator-policies', vhost, name));
  }

  // --- definitions -------------------------------------------------------------------------------

  async exportDefinitions(who: Actor, vhost?: string): Promise<Row> {
    return this.http.request<Row>(this.creds(who), 'GET', vhost === undefined ? '/api/definitions' : p('definitions', vhost));
  }

  async importDefinitions(who: Actor, definitions: Row, vhost?: string): Promise<{ skipped: string[] }> {
    await this.http.request(this.creds(who), 'POST', vhost === undefined ? '/api/definitions' : p('definitions', vhost), definitions);
    return { skipped: [] };
  }

  // --- restart -----------------------------------------------------------------------------------

  async restartBroker(_who: Actor): Promise<RestartReport> {
    // the management API has no restart: a node restarts through rabbitmqctl or its service manager, on its host
    throw new BrokerError('not_supported', 'RabbitMQ cannot be restarted through its management API; restart a node with rabbitmqctl stop_app / start_app on its host');
  }

  // --- live --------------------------------------------------------------------------------------

  async watchVhost(who: Actor, vhost: string, listener: VhostListener): Promise<VhostWatch> {
    return this.watches.watch(who, vhost, listener);
  }

  /** Told each vhost a console opens (the directory keeps the recent ones for the next start). */
  noteWatched: (vhost: string) => void = () => {};

  /**
   * Reads these vhosts' topology ahead, one after the other, and keeps it current for the first
   * browser to open them; a vhost that is gone or refused is skipped.
   */
  async warm(vhosts: readonly string[]): Promise<void> {
    for (const vhost of vhosts) await this.watches.warm(vhost).catch(() => undefined);
  }

  /** The vhosts whose topology this server holds, and how many watch each (0: kept for the next look). */
  cachedVhosts(): { vhost: string; watchers: number }[] {
    return this.watches.cached();
  }

  /** How watches learn of changes now: events from amq.rabbitmq.event, or polling. */
  get liveMode(): 'events' | 'polling' | 'idle' {
    return this.watches.mode;
  }
}
