// Vhost watches on a remote cluster, producing what the embedded watchVhost produces: a snapshot,
// then topology diffs, stats ticks and `gone`. How changes are learnt (`mode`):
// - 'events': the cluster has the rabbitmq_event_exchange plugin (amq.rabbitmq.event exists in
//   '/') and an AMQP URL is configured. One AMQP connection (the configured account) binds a
//   bounded, exclusive queue to it; an event marks what changed, and EVENT_DELAY_MS later only that
//   is fetched: queues and exchanges by name, bindings by their source and destination, so a vhost
//   of 10,000 queues is never listed whole again while events flow.
// - 'polling': otherwise every kind is refetched every POLL_MS and diffed.
// One topology per vhost per server, shared by every console watching it (topology-lists.ts reads
// it as cheaply as RabbitMQ allows). With events it outlives its last watcher by CACHE_LINGER_MS,
// kept current by the events, so a reload or a second browser opens it without asking the cluster.
// The stats tick reads the exchanges and the vhost's totals every POLL_MS (RabbitMQ samples every
// 5 s); the queues' stats cost the cluster a call to every queue, so a big vhost's are read less
// often (QUEUE_STATS_PACE times as long as the last reading took) and the last ones resent between.
// Rates are RabbitMQ's own (`*_details.rate`); it counts nothing per binding, consumer or producer,
// so those maps of the tick stay empty rather than holding shares computed from other rates.
// Where queues live (leader, quorum members online, a classic queue's node down) changes when a
// node stops or starts, and no event says so: the running nodes are read every NODES_MS on a timer
// of their own, and when they change the queue lists (without stats) are read again for the next
// PLACEMENT_ROUNDS reads. Not from the stats read: its `online` lags the node by a sample, and while
// a node is going down a read with stats can hang for tens of seconds.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  BrokerError, isMonitor, type AccessEvent, type Actor, type FlowEvent, type RatePoint, type Row, type StatsTick, type TopologyChange,
  type TopologyKind, type TopologySnapshot, type VhostListener, type VhostWatch,
} from '../../broker/index';
import { connectAmqp } from './amqp-connect';
import { p } from './management-client';
import type { RemoteBrokerApi } from './remote-broker';
import { RemoteFirehose } from './remote-firehose';
import { defaultBinding, TopologyLists } from './topology-lists';

export const POLL_MS = 5_000;
/** Events within this window after the first are applied as one diff. */
export const EVENT_DELAY_MS = 100;
/** The event queue holds at most this many; older events are dropped (the next poll repairs). */
const EVENT_QUEUE_MAX = 10_000;
/** Node reads after a change of the running nodes during which queue placement is read again. */
const PLACEMENT_ROUNDS = 3;
/** How often the running nodes are read: small, and what makes a node going down show in seconds. */
const NODES_MS = 2_000;
/** RabbitMQ's stats learn of a consumer or connection within a sample of this (and a margin). */
const STATS_LAG_MS = 5_500;
/** A vhost nobody watches stays cached (with events) this long. */
export const CACHE_LINGER_MS = 10 * 60_000;
/** The queues' stats are read again after this many times as long as their last reading took. */
const QUEUE_STATS_PACE = 4;
/** More names than this in one flush: the kind is listed whole (one request, not hundreds). */
const NAMED_FETCH_MAX = 200;
const KINDS: TopologyKind[] = ['exchange', 'queue', 'binding', 'consumer', 'connection'];
const SEP = '\u0000';
/** Flow events reach a watcher in batches this often (as the embedded broker's do). */
const FLOW_BATCH_MS = 200;

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function keyOf(kind: TopologyKind, item: Row): string {
  switch (kind) {
    case 'binding':
      return `${str(item.source)}${SEP}${str(item.destination_type)}${SEP}${str(item.destination)}${SEP}${str(item.properties_key)}`;
    case 'consumer':
      return `${str((item.queue as Row | undefined)?.name)}${SEP}${str((item.channel_details as Row | undefined)?.name)}${SEP}${str(item.consumer_tag)}`;
    default:
      return str(item.name);
  }
}

/** What makes a row different for the graph; counters and rates move every sample and are not topology. */
const IDENTITY: Record<TopologyKind, string[]> = {
  exchange: ['name', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy'],
  queue: ['name', 'type', 'durable', 'auto_delete', 'exclusive', 'arguments', 'policy', 'node', 'leader', 'members', 'online', 'state', 'consumers'],
  binding: ['source', 'destination', 'destination_type', 'properties_key'],
  consumer: ['consumer_tag', 'ack_required', 'prefetch_count', 'active'],
  connection: ['name', 'user', 'state', 'client_properties'],
};

/** The identity fields as one string: scalars as they are, objects (arguments, members) as JSON. */
function fingerprint(kind: TopologyKind, row: Row): string {
  let out = '';
  for (const k of IDENTITY[kind]) {
    const v = row[k];
    out += v !== null && typeof v === 'object' ? JSON.stringify(v) : `${typeof v}:${String(v)}`;
    out += SEP;
  }
  return out;
}

/** A row and its fingerprint, taken when a later listing first compares against it. */
interface Known {
  row: Row;
  print: string | undefined;
}

type KindState = Map<string, Known>;

function printOf(kind: TopologyKind, known: Known): string {
  return (known.print ??= fingerprint(kind, known.row));
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function rate(row: Row, key: string): number {
  const d = (row.message_stats as Row | undefined)?.[`${key}_details`] as Row | undefined;
  return Math.round(num(d?.rate) * 10) / 10;
}

class WatchedVhost {
  readonly state = new Map<TopologyKind, KindState>(KINDS.map((k) => [k, new Map()]));
  readonly watches = new Set<RemoteWatch>();
  /** queue and exchange names an event named, and kinds to refetch whole */
  readonly dirtyNames = { queue: new Set<string>(), exchange: new Set<string>() };
  readonly dirtyKinds = new Set<TopologyKind>();
  /** source, destination type and destination of bindings an event named */
  readonly dirtyPairs = new Set<string>();
  loaded: Promise<void> | undefined;
  /** a consumer or connection event's second look, once RabbitMQ's stats know of it */
  recheck: NodeJS.Timeout | undefined;
  /** set while nobody watches: when the cached topology is dropped */
  linger: NodeJS.Timeout | undefined;
  /** the queues' last stats and when to read them again */
  queueStats: StatsTick['queues'] = {};
  queueStatsAt = 0;
  /** the firehose, while a watcher wants measured flow */
  firehose: RemoteFirehose | undefined;
  readonly firehoseWatches = new Set<RemoteWatch>();
  constructor(readonly vhost: string) {}

  snapshot(): TopologySnapshot {
    const rows = (k: TopologyKind) => [...this.state.get(k)!.values()].map((v) => v.row);
    return { exchanges: rows('exchange'), queues: rows('queue'), bindings: rows('binding'), consumers: rows('consumer'), connections: rows('connection') };
  }

  /** Replaces what is known of a kind (or of the given keys only) and returns the differences. */
  apply(kind: TopologyKind, rows: Row[], only?: Set<string>): TopologyChange[] {
    const known = this.state.get(kind)!;
    const changes: TopologyChange[] = [];
    if (known.size === 0) {
      // the first listing (10,000 queues and 30,000 bindings on a big vhost): nothing to compare with
      for (const row of rows) {
        const key = keyOf(kind, row);
        const fresh = !known.has(key);
        known.set(key, { row, print: undefined });
        if (fresh) changes.push({ op: 'add', kind, item: row });
      }
      return changes;
    }
    const seen = new Set<string>();
    for (const row of rows) {
      const key = keyOf(kind, row);
      seen.add(key);
      const now: Known = { row, print: undefined };
      const was = known.get(key);
      known.set(key, now);
      if (was === undefined) changes.push({ op: 'add', kind, item: row });
      else if (printOf(kind, was) !== printOf(kind, now)) changes.push({ op: 'update', kind, item: row });
    }
    for (const [key, was] of known) {
      if (seen.has(key) || (only !== undefined && !only.has(key))) continue;
      known.delete(key);
      changes.push({ op: 'remove', kind, item: was.row });
    }
    return changes;
  }

  /** Removes the rows of a kind that `drop` picks. */
  removeWhere(kind: TopologyKind, drop: (row: Row) => boolean): TopologyChange[] {
    const known = this.state.get(kind)!;
    const changes: TopologyChange[] = [];
    for (const [key, was] of known) {
      if (!drop(was.row)) continue;
      known.delete(key);
      changes.push({ op: 'remove', kind, item: was.row });
    }
    return changes;
  }

  /** Replaces the rows of a kind that `mine` picks with `rows`. */
  replaceWhere(kind: TopologyKind, rows: Row[], mine: (row: Row) => boolean): TopologyChange[] {
    const only = new Set(rows.map((r) => keyOf(kind, r)));
    for (const [key, was] of this.state.get(kind)!) if (mine(was.row)) only.add(key);
    return this.apply(kind, rows, only);
  }
}

/** The tag of the consumer on a queue a delivery went to: the trace names its connection and channel, not the tag. */
function consumerOn(w: WatchedVhost, queue: string, on: { connection: string; channel: number }): string | undefined {
  for (const { row } of w.state.get('consumer')!.values()) {
    const ch = row.channel_details as Row | undefined;
    if ((row.queue as Row | undefined)?.name === queue && ch?.connection_name === on.connection && ch?.number === on.channel) return str(row.consumer_tag);
  }
  return undefined;
}

function pairKey(source: string, destinationType: string, destination: string): string {
  return [source, destinationType, destination].join(SEP);
}

export class RemoteWatches {
  mode: 'events' | 'polling' | 'idle' = 'idle';
  private readonly watched = new Map<string, WatchedVhost>();
  private pollTimer: NodeJS.Timeout | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private events: { conn: ChannelModel; ch: Channel } | undefined;
  private starting: Promise<void> | undefined;
  private polling = false;
  private nodesTimer: NodeJS.Timeout | undefined;
  private runningNodes: string | undefined;
  private placementRounds = 0;
  private checkingNodes = false;
  /** closed with its broker: nothing is read ahead any more */
  private closed = false;

  constructor(
    private readonly api: RemoteBrokerApi,
    private readonly access: (e: AccessEvent) => void,
  ) {}

  async watch(who: Actor, vhost: string, listener: VhostListener): Promise<VhostWatch> {
    const access = await this.api.vhostAccess(who, vhost);
    if (access === 'missing') throw new BrokerError('not_found', `no vhost '${vhost}'`, { code: 404 });
    if (access === 'refused') throw new BrokerError('not_authorised', `access to vhost '${vhost}' refused for user '${who.name}'`);
    this.api.noteWatched(vhost);
    await (this.starting ??= this.start());
    let w = this.watched.get(vhost);
    if (w === undefined) {
      w = new WatchedVhost(vhost);
      this.watched.set(vhost, w);
    }
    clearTimeout(w.linger);
    w.linger = undefined;
    const vh = w;
    // asked alongside the topology, not after it
    const history = this.history(vhost).catch(() => []);
    vh.loaded ??= this.refreshAll(vh).catch((err: unknown) => {
      vh.loaded = undefined;
      throw err;
    });
    try {
      await vh.loaded;
    } catch (err) {
      await history;
      throw err;
    }
    const watch = new RemoteWatch(this, who, vhost, listener, vh.snapshot(), await history);
    vh.watches.add(watch);
    return watch;
  }

  /**
   * Reads a vhost's topology before anyone asks and keeps it as one nobody watches is: current by
   * the events for CACHE_LINGER_MS. Without events there is nothing to keep it current: skipped.
   */
  async warm(vhost: string): Promise<void> {
    if (this.closed) return;
    await (this.starting ??= this.start());
    if (this.closed || this.mode !== 'events' || this.watched.has(vhost)) return;
    const w = new WatchedVhost(vhost);
    this.watched.set(vhost, w);
    w.loaded = this.refreshAll(w);
    try {
      await w.loaded;
    } catch (err) {
      w.loaded = undefined;
      this.drop(w);
      throw err;
    }
    if (w.watches.size === 0 && w.linger === undefined) {
      w.linger = setTimeout(() => this.drop(w), CACHE_LINGER_MS);
      w.linger.unref();
    }
  }

  unwatch(watch: RemoteWatch): void {
    const w = this.watched.get(watch.vhost);
    if (w === undefined || !w.watches.delete(watch)) return;
    void this.releaseFirehose(w, watch);
    if (w.watches.size > 0) return;
    if (this.mode === 'events') {
      // the events keep it current for the next look
      w.linger = setTimeout(() => this.drop(w), CACHE_LINGER_MS);
      w.linger.unref();
      return;
    }
    this.drop(w);
  }

  /** Forgets a cached vhost nobody watches. */
  private drop(w: WatchedVhost): void {
    clearTimeout(w.linger);
    clearTimeout(w.recheck);
    w.linger = undefined;
    if (w.watches.size > 0 || this.watched.get(w.vhost) !== w) return;
    this.watched.delete(w.vhost);
    if (this.watched.size === 0) void this.stop();
  }

  /** Cached vhosts (watched or lingering) and whether their topology is loaded: for tests and the bench. */
  cached(): { vhost: string; watchers: number }[] {
    return [...this.watched.values()].map((w) => ({ vhost: w.vhost, watchers: w.watches.size }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const firehoses: Promise<void>[] = [];
    for (const w of this.watched.values()) {
      clearTimeout(w.linger);
      clearTimeout(w.recheck);
      for (const watch of w.watches) watch.closed = true;
      w.firehoseWatches.clear();
      if (w.firehose !== undefined) firehoses.push(w.firehose.stop());
    }
    this.watched.clear();
    await Promise.all(firehoses);
    await this.stop();
  }

  // --- starting and stopping ---------------------------------------------------------------------

  private async start(): Promise<void> {
    // the other nodes are found while the events are subscribed to, ready for the first listing
    void this.api.readers.all();
    this.mode = (await this.subscribeEvents()) ? 'events' : 'polling';
    this.pollTimer = setInterval(() => void this.poll(), POLL_MS);
    this.pollTimer.unref();
    this.nodesTimer = setInterval(() => void this.checkNodes(), NODES_MS);
    this.nodesTimer.unref();
  }

  private async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    clearInterval(this.nodesTimer);
    this.nodesTimer = undefined;
    this.runningNodes = undefined;
    this.placementRounds = 0;
    clearTimeout(this.eventTimer);
    this.pollTimer = this.eventTimer = undefined;
    const events = this.events;
    this.events = undefined;
    this.starting = undefined;
    this.mode = 'idle';
    await events?.conn.close().catch(() => {});
  }

  /** true when events flow: the plugin's exchange exists and an AMQP connection could bind to it. */
  private async subscribeEvents(): Promise<boolean> {
    const url = this.api.config.amqpUrl;
    if (url === undefined) return false;
    const exchange = await this.api.http.getOptional<Row>(this.api.service, p('exchanges', '/', 'amq.rabbitmq.event')).catch(() => undefined);
    if (exchange === undefined) return false;
    let conn: ChannelModel | undefined;
    try {
      conn = await connectAmqp(url, this.api.service, '/', `warren console events (${this.api.name})`, this.api.config.caFile);
      const ch = await conn.createChannel();
      const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, arguments: { 'x-max-length': EVENT_QUEUE_MAX } });
      // not user.#: user.authentication.success comes with every AMQP login anywhere in the cluster
      // (the console's own consumers included), and each would make every session check its user again
      const keys = ['queue.*', 'exchange.*', 'binding.*', 'consumer.*', 'connection.*', 'vhost.deleted', 'permission.*',
        'user.created', 'user.deleted', 'user.password.changed', 'user.password.cleared', 'user.tags.set'];
      for (const key of keys) {
        await ch.bindQueue(q.queue, 'amq.rabbitmq.event', key);
      }
      await ch.consume(q.queue, (msg) => msg && this.onEvent(msg), { noAck: true });
      const lost = () => {
        if (this.events?.conn !== conn) return;
        // the next poll refetches everything; events come back when watching starts again
        this.events = undefined;
        this.mode = 'polling';
        // what nobody watches would go stale without events
        for (const w of [...this.watched.values()]) if (w.watches.size === 0) this.drop(w);
      };
      conn.on('close', lost);
      conn.on('error', lost);
      this.events = { conn, ch };
      return true;
    } catch {
      await conn?.close().catch(() => {});
      return false;
    }
  }

  // --- events ------------------------------------------------------------------------------------

  private onEvent(msg: ConsumeMessage): void {
    const key = msg.fields.routingKey;
    const h = (msg.properties.headers ?? {}) as Record<string, unknown>;
    const vhost = str(h.vhost);
    const [kind] = key.split('.');
    if (kind === 'user' || kind === 'permission') {
      this.access({ type: 'users.changed' });
      return;
    }
    if (key === 'vhost.deleted') {
      const name = str(h.name);
      this.access({ type: 'vhost.deleted', name });
      this.gone(name, `vhost '${name}' was deleted`);
      return;
    }
    const w = this.watched.get(vhost);
    if (w === undefined) return;
    if (kind === 'queue' || kind === 'exchange') {
      // a deleted one takes its bindings (and a queue its consumers) with it: flushEvents sees it gone
      w.dirtyNames[kind].add(str(h.name));
    } else if (kind === 'binding') {
      const source = h.source_name;
      const dtype = h.destination_kind;
      const dest = h.destination_name;
      if (typeof source === 'string' && (dtype === 'queue' || dtype === 'exchange') && typeof dest === 'string') w.dirtyPairs.add(pairKey(source, dtype, dest));
      else w.dirtyKinds.add('binding');
    } else if (kind === 'consumer') {
      w.dirtyKinds.add('consumer');
      this.recheckConsumers(w);
      // the queue's consumer count changes with it
      if (typeof h.queue === 'string') w.dirtyNames.queue.add(h.queue);
      else w.dirtyKinds.add('queue');
    } else if (kind === 'connection') {
      w.dirtyKinds.add('connection').add('consumer');
      this.recheckConsumers(w);
    } else return;
    this.eventTimer ??= setTimeout(() => void this.flushEvents(), EVENT_DELAY_MS);
  }

  /**
   * RabbitMQ lists consumers and connections from its stats, which learn of a new one up to a
   * sample (5 s) after the event: they are listed again once that has passed, and a sample later.
   */
  private recheckConsumers(w: WatchedVhost, rounds = 2): void {
    if (w.recheck !== undefined) return;
    w.recheck = setTimeout(() => {
      w.recheck = undefined;
      if (this.watched.get(w.vhost) !== w) return;
      w.dirtyKinds.add('consumer').add('connection');
      this.eventTimer ??= setTimeout(() => void this.flushEvents(), EVENT_DELAY_MS);
      // a loaded cluster's stats can miss a sample: once more, a sample later
      if (rounds > 1) this.recheckConsumers(w, rounds - 1);
    }, STATS_LAG_MS);
    w.recheck.unref();
  }

  private async flushEvents(): Promise<void> {
    this.eventTimer = undefined;
    for (const w of [...this.watched.values()]) {
      const names = { queue: [...w.dirtyNames.queue], exchange: [...w.dirtyNames.exchange] };
      const pairs = [...w.dirtyPairs];
      const kinds = new Set(w.dirtyKinds);
      w.dirtyNames.queue.clear();
      w.dirtyNames.exchange.clear();
      w.dirtyPairs.clear();
      w.dirtyKinds.clear();
      if (names.queue.length > NAMED_FETCH_MAX) kinds.add('queue').add('binding').add('consumer');
      if (names.exchange.length > NAMED_FETCH_MAX) kinds.add('exchange').add('binding');
      if (pairs.length > NAMED_FETCH_MAX) kinds.add('binding');
      try {
        this.tell(w, await this.catchUp(w, names, pairs, kinds));
      } catch {
        // the cluster did not answer: mark it all for the next poll to catch up
        if (this.mode === 'polling') continue;
        for (const k of KINDS) w.dirtyKinds.add(k);
        this.eventTimer ??= setTimeout(() => void this.flushEvents(), POLL_MS);
      }
    }
  }

  /** Fetches what the events named and returns the differences. */
  private async catchUp(w: WatchedVhost, names: { queue: string[]; exchange: string[] }, pairs: string[], kinds: Set<TopologyKind>): Promise<TopologyChange[]> {
    const lists = this.lists();
    const changes: TopologyChange[] = [];
    if (!kinds.has('queue') && names.queue.length > 0) {
      const rows = await lists.queuesNamed(w.vhost, names.queue);
      changes.push(...w.apply('queue', rows, new Set(names.queue)));
      const found = new Set(rows.map((r) => str(r.name)));
      const gone = new Set(names.queue.filter((n) => !found.has(n)));
      if (!kinds.has('binding')) {
        changes.push(...w.apply('binding', rows.map((r) => defaultBinding(w.vhost, str(r.name))), new Set(rows.map((r) => keyOf('binding', defaultBinding(w.vhost, str(r.name)))))));
        changes.push(...w.removeWhere('binding', (b) => b.destination_type === 'queue' && gone.has(str(b.destination))));
      }
      if (!kinds.has('consumer')) changes.push(...w.removeWhere('consumer', (c) => gone.has(str((c.queue as Row | undefined)?.name))));
    }
    if (!kinds.has('exchange') && names.exchange.length > 0) {
      const rows = await lists.exchangesNamed(w.vhost, names.exchange);
      changes.push(...w.apply('exchange', rows, new Set(names.exchange)));
      const found = new Set(rows.map((r) => str(r.name)));
      const gone = new Set(names.exchange.filter((n) => !found.has(n)));
      if (!kinds.has('binding')) {
        changes.push(...w.removeWhere('binding', (b) => gone.has(str(b.source)) || (b.destination_type === 'exchange' && gone.has(str(b.destination)))));
      }
    }
    if (!kinds.has('binding') && pairs.length > 0) {
      const got = await Promise.all(
        pairs.map(async (pair) => {
          const [source, dtype, dest] = pair.split(SEP);
          return { pair, rows: await lists.bindingsBetween(w.vhost, source, dtype as 'queue' | 'exchange', dest) };
        }),
      );
      for (const { pair, rows } of got) {
        changes.push(...w.replaceWhere('binding', rows, (b) => pairKey(str(b.source), str(b.destination_type), str(b.destination)) === pair));
      }
    }
    for (const kind of KINDS) if (kinds.has(kind)) changes.push(...w.apply(kind, await lists.list(w.vhost, kind)));
    return changes;
  }

  private lists(): TopologyLists {
    return new TopologyLists(this.api.http, this.api.service, this.api.readers);
  }

  // --- polling and stats -------------------------------------------------------------------------

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const w of [...this.watched.values()]) {
        if (w.watches.size === 0) continue;
        try {
          if (this.mode === 'polling') await this.refreshAll(w);
          await this.tickStats(w);
        } catch (err) {
          if ((err as BrokerError).kind === 'not_found') this.gone(w.vhost, `vhost '${w.vhost}' was deleted`);
        }
      }
      // events lost (the connection dropped): try again each poll
      if (this.mode === 'polling' && this.watched.size > 0 && this.api.config.amqpUrl !== undefined && (await this.subscribeEvents())) this.mode = 'events';
    } finally {
      this.polling = false;
    }
  }

  private async checkNodes(): Promise<void> {
    if (this.checkingNodes) return;
    this.checkingNodes = true;
    try {
      const nodes = await this.api.http.request<Row[]>(this.api.service, 'GET', '/api/nodes?columns=name,running');
      const running = nodes.filter((n) => n.running === true).map((n) => str(n.name)).sort().join(' ');
      if (this.runningNodes !== undefined && running !== this.runningNodes) this.placementRounds = PLACEMENT_ROUNDS;
      this.runningNodes = running;
      if (this.placementRounds === 0) return;
      this.placementRounds--;
      for (const w of [...this.watched.values()]) this.tell(w, w.apply('queue', await this.lists().list(w.vhost, 'queue')));
    } catch {
      // the cluster did not answer: the next read tries again
    } finally {
      this.checkingNodes = false;
    }
  }

  private async refreshAll(w: WatchedVhost): Promise<void> {
    const [exists, lists] = await Promise.all([
      this.api.http.getOptional<Row>(this.api.service, `${p('vhosts', w.vhost)}?columns=name`),
      // a vhost deleted meanwhile answers its lists with 404 (or empty): the existence check decides
      this.lists().all(w.vhost).catch((err: unknown) => err as Error),
    ]);
    if (exists === undefined) throw new BrokerError('not_found', `no vhost '${w.vhost}'`, { code: 404 });
    if (lists instanceof Error) throw lists;
    const changes = KINDS.flatMap((k) => w.apply(k, lists[k]));
    if (w.watches.size > 0) this.tell(w, changes);
  }

  private async tickStats(w: WatchedVhost): Promise<void> {
    const qcols = 'name,messages_ready,messages_unacknowledged,consumers,message_stats.publish_details,message_stats.deliver_get_details,message_stats.ack_details';
    const now = Date.now();
    const readQueues = now >= w.queueStatsAt;
    const [queues, exchanges, vhost] = await Promise.all([
      readQueues ? this.api.http.request<Row[]>(this.api.service, 'GET', `${p('queues', w.vhost)}?columns=${qcols}`) : undefined,
      this.api.http.request<Row[]>(this.api.service, 'GET', `${p('exchanges', w.vhost)}?columns=name,message_stats.publish_in_details,message_stats.publish_out_details`),
      this.api.http.request<Row>(this.api.service, 'GET', p('vhosts', w.vhost)),
    ]);
    const tick: StatsTick = { ts: Date.now(), queues: {}, exchanges: {}, bindings: {}, consumers: {}, producers: {}, totals: {
      publish_rate: rate(vhost, 'publish'), deliver_rate: rate(vhost, 'deliver_get'), ack_rate: rate(vhost, 'ack'), messages: num(vhost.messages),
    } };
    if (queues !== undefined) {
      const took = Date.now() - now;
      w.queueStatsAt = now + Math.max(0, QUEUE_STATS_PACE * took - POLL_MS / 2);
      w.queueStats = {};
      for (const q of queues) {
        w.queueStats[str(q.name)] = {
          messages_ready: num(q.messages_ready), messages_unacknowledged: num(q.messages_unacknowledged), consumers: num(q.consumers),
          publish_rate: rate(q, 'publish'), deliver_rate: rate(q, 'deliver_get'), ack_rate: rate(q, 'ack'),
        };
      }
    }
    tick.queues = w.queueStats;
    for (const e of exchanges) tick.exchanges[str(e.name)] = { publish_in_rate: rate(e, 'publish_in'), publish_out_rate: rate(e, 'publish_out') };
    for (const watch of [...w.watches]) this.guard(watch, (l) => l.stats(tick));
  }

  /** The vhost's last ten minutes at 5 s steps, from the cluster's own samples. */
  private async history(vhost: string): Promise<RatePoint[]> {
    const v = await this.api.http.request<Row>(this.api.service, 'GET', `${p('vhosts', vhost)}?msg_rates_age=600&msg_rates_incr=5&lengths_age=600&lengths_incr=5`);
    type Sample = { sample: number; timestamp: number };
    const samples = (details: unknown): Sample[] => ((details as Row | undefined)?.samples as Sample[] | undefined)?.slice().reverse() ?? [];
    const ms = (v.message_stats as Row | undefined) ?? {};
    const publish = samples(ms.publish_details);
    const deliver = samples(ms.deliver_get_details);
    const ack = samples(ms.ack_details);
    const messages = samples(v.messages_details);
    const at = (s: Sample[], ts: number) => s.find((x) => x.timestamp === ts)?.sample;
    const points: RatePoint[] = [];
    for (let i = 1; i < publish.length; i++) {
      const ts = publish[i].timestamp;
      const dt = (ts - publish[i - 1].timestamp) / 1000;
      if (dt <= 0) continue;
      const r = (s: Sample[]) => {
        const a = at(s, publish[i - 1].timestamp);
        const b = at(s, ts);
        return a === undefined || b === undefined ? 0 : Math.round((Math.max(0, b - a) / dt) * 10) / 10;
      };
      points.push({ ts, publish_rate: r(publish), deliver_rate: r(deliver), ack_rate: r(ack), messages: at(messages, ts) ?? 0 });
    }
    return points;
  }

  // --- the firehose ------------------------------------------------------------------------------

  /** Turns measured flow on or off for one watch; the vhost's firehose runs while any watch wants it. */
  async setFirehose(watch: RemoteWatch, on: boolean): Promise<void> {
    const w = this.watched.get(watch.vhost);
    if (w === undefined || watch.closed || !w.watches.has(watch)) throw new BrokerError('not_found', `no watch of vhost '${watch.vhost}'`, { code: 404 });
    if (!on) return this.releaseFirehose(w, watch);
    w.firehose ??= new RemoteFirehose(this.api, w.vhost, (e) => {
      // which consumer got it costs a look through the consumers: only for an event some watcher takes
      let looked = e.kind !== 'delivered' || e.origin === undefined;
      const complete = () => {
        if (looked) return;
        looked = true;
        e.consumerTag = consumerOn(w, str(e.queue), e.origin!);
      };
      for (const fw of w.firehoseWatches) fw.offer(e, complete);
    }, () => {
      // the cluster closed it (the vhost deleted, a node down): its watchers fall back to estimates
      for (const fw of [...w.firehoseWatches]) fw.firehoseLost();
      w.firehoseWatches.clear();
    });
    w.firehoseWatches.add(watch);
    try {
      await w.firehose.start(this.api.creds(watch.who));
    } catch (err) {
      w.firehoseWatches.delete(watch);
      throw err;
    }
    // let go meanwhile (closed while tracing was being turned on)
    if (!w.firehoseWatches.has(watch) || watch.closed) await this.releaseFirehose(w, watch);
  }

  private async releaseFirehose(w: WatchedVhost, watch: RemoteWatch): Promise<void> {
    w.firehoseWatches.delete(watch);
    if (w.firehoseWatches.size > 0 || w.firehose === undefined) return;
    await w.firehose.stop();
  }

  // --- telling watchers --------------------------------------------------------------------------

  private tell(w: WatchedVhost, changes: TopologyChange[]): void {
    if (changes.length === 0) return;
    for (const watch of [...w.watches]) {
      const mine = isMonitor(watch.who) ? changes : changes.filter((c) => c.kind !== 'connection' || watch.canSee(c.item));
      if (mine.length > 0) this.guard(watch, (l) => l.topology(mine));
    }
  }

  private gone(vhost: string, reason: string): void {
    const w = this.watched.get(vhost);
    if (w === undefined) return;
    clearTimeout(w.linger);
    clearTimeout(w.recheck);
    this.watched.delete(vhost);
    w.firehoseWatches.clear();
    void w.firehose?.stop();
    for (const watch of w.watches) watch.closed = true;
    for (const watch of w.watches) this.guard(watch, (l) => l.gone(reason), true);
    if (this.watched.size === 0) void this.stop();
  }

  private guard(watch: RemoteWatch, fn: (l: VhostListener) => void, evenClosed = false): void {
    if (watch.closed && !evenClosed) return;
    try {
      fn(watch.listener);
    } catch {
      // one listener's failure keeps the others from missing out
    }
  }
}

class RemoteWatch implements VhostWatch {
  readonly snapshot: TopologySnapshot;
  closed = false;

  constructor(
    private readonly owner: RemoteWatches,
    readonly who: Actor,
    readonly vhost: string,
    readonly listener: VhostListener,
    all: TopologySnapshot,
    readonly history: RatePoint[],
  ) {
    this.snapshot = { ...all, connections: all.connections.filter((c) => this.canSee(c)) };
  }

  canSee(connection: Row): boolean {
    return isMonitor(this.who) || connection.user === this.who.name;
  }

  /** Flow events come only from the firehose (setFirehose): RabbitMQ counts nothing per message otherwise. */
  setFlowBudget(eventsPerSecond: number): void {
    this.budget = Math.max(0, Math.floor(eventsPerSecond));
  }

  setFirehose(on: boolean): Promise<void> {
    return this.owner.setFirehose(this, on);
  }

  private budget = 0;
  private windowStart = 0;
  private sentInWindow = 0;
  private pending: FlowEvent[] = [];
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  /** A firehose event: kept within the budget, sent with the next batch. */
  offer(e: FlowEvent, complete: () => void): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow < this.budget) {
      this.sentInWindow++;
      complete();
      this.pending.push(e);
    } else this.dropped++;
    this.flushTimer ??= setTimeout(() => this.flush(), FLOW_BATCH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const events = this.pending;
    const dropped = this.dropped;
    this.pending = [];
    this.dropped = 0;
    if (this.closed || (events.length === 0 && dropped === 0)) return;
    try {
      this.listener.flow?.(events, dropped);
    } catch {
      // the listener's failure is its own
    }
  }

  /** The firehose's connection went: nothing more comes until it is turned on again. */
  firehoseLost(): void {
    this.pending = [];
    this.dropped = 0;
    if (this.closed) return;
    try {
      this.listener.firehoseLost?.('the connection reading the firehose was lost: flow is estimated again');
    } catch {
      // the listener's failure is its own
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.owner.unwatch(this);
  }
}
