// One watched vhost's topology as its watchers last saw it, and the diffs that bring them up to
// date. Broker events only mark what changed (by name); a flush rebuilds those items with the
// management rows (queueRow, exchangeRow, ...) and compares them with what was sent. Working from
// state rather than from the events alone keeps removes exact (a binding's arguments are gone by
// the time its deletion is reported) and makes a burst of create/delete in one window cost one
// change or none.
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import type { BrokerEvent } from '../core/events';
import type { VirtualHost } from '../core/vhost';
import type { Row, TopologyChange, TopologyKind, TopologySnapshot } from '../api/broker-api';
import { connectionIndex } from './amqp-view';
import type { Binding } from '../core/binding';
import type { Queue } from '../core/queue';
import { bindingRow, propertiesKey } from './bindings';
import { connectionRow, consumerRow } from './connections';
import { exchangeRow } from './exchanges';
import type { ManagementContext } from './management-context';
import { queueRow } from './queues';

const SEP = '\u0000';

export function bindingKey(b: Row): string {
  return [b.source, b.destination, b.destination_type, b.properties_key].join(SEP);
}

export function consumerKey(c: Row): string {
  const ch = c.channel_details as { name?: unknown } | undefined;
  return `${String(c.consumer_tag)}${SEP}${String(ch?.name)}`;
}

/**
 * A binding's row and key, made once per binding (a binding never changes; a new one is a new
 * object): a flush walks every binding of the vhost, but a burst of a thousand binds then costs a
 * map lookup per binding, not quoting, argument tables and key strings for all of them each time.
 */
const rowCache = new WeakMap<Binding | Queue, [string, Row]>();

function keyedRow(source: Binding | Queue, make: () => Row): [string, Row] {
  let hit = rowCache.get(source);
  if (hit === undefined) {
    const row = make();
    rowCache.set(source, (hit = [bindingKey(row), row]));
  }
  return hit;
}

/** Every binding of the vhost by key, the default exchange's implicit one per queue included. */
function bindingsByKey(vh: VirtualHost): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const q of vh.queues.values()) {
    const [key, row] = keyedRow(q, () => ({
      source: '',
      vhost: vh.name,
      destination: q.name,
      destination_type: 'queue',
      routing_key: q.name,
      arguments: {},
      properties_key: propertiesKey(q.name, {}),
    }));
    out.set(key, row);
  }
  for (const e of vh.exchanges.values()) {
    for (const b of e.bindings.values()) {
      const [key, row] = keyedRow(b, () => bindingRow(b));
      out.set(key, row);
    }
  }
  return out;
}

export class VhostTopology {
  readonly vhost: string;
  private readonly core: BrokerCore;
  private readonly mgmt: ManagementContext;
  private exchanges = new Map<string, Row>();
  private queues = new Map<string, Row>();
  private bindings = new Map<string, Row>();
  /** queue name → consumer key → item */
  private consumers = new Map<string, Map<string, Row>>();
  private connections = new Map<string, Row>();
  private readonly dirtyExchanges = new Set<string>();
  private readonly dirtyQueues = new Set<string>();
  private readonly dirtyConsumers = new Set<string>();
  private readonly dirtyConnections = new Set<string>();
  private bindingsDirty = false;

  constructor(core: BrokerCore, mgmt: ManagementContext, vhost: string) {
    this.core = core;
    this.mgmt = mgmt;
    this.vhost = vhost;
  }

  get dirty(): boolean {
    return (
      this.bindingsDirty || this.dirtyExchanges.size > 0 || this.dirtyQueues.size > 0 || this.dirtyConsumers.size > 0 || this.dirtyConnections.size > 0
    );
  }

  /** Marks what an event touched; true when it concerns this vhost. */
  note(e: BrokerEvent): boolean {
    switch (e.type) {
      case 'exchange.created':
      case 'exchange.deleted':
        if (e.vhost !== this.vhost) return false;
        this.dirtyExchanges.add(e.name);
        return true;
      case 'queue.created':
      case 'queue.deleted':
        if (e.vhost !== this.vhost) return false;
        this.dirtyQueues.add(e.name);
        this.dirtyConsumers.add(e.name);
        // the default exchange's implicit binding comes and goes with the queue
        this.bindingsDirty = true;
        return true;
      case 'queue.purged':
        if (e.vhost !== this.vhost) return false;
        this.dirtyQueues.add(e.name);
        return true;
      case 'binding.created':
      case 'binding.deleted':
        if (e.vhost !== this.vhost) return false;
        this.bindingsDirty = true;
        return true;
      case 'consumer.created':
      case 'consumer.deleted':
        if (e.vhost !== this.vhost) return false;
        this.dirtyConsumers.add(e.queue);
        // consumer counts and exclusive/single-active tags live on the queue
        this.dirtyQueues.add(e.queue);
        return true;
      case 'policy.changed':
        // the rows show each one's policy; a trimmed queue's counts come with the stats ticks
        if (e.vhost !== this.vhost || (e.queues.length === 0 && e.exchanges.length === 0)) return false;
        for (const name of e.exchanges) this.dirtyExchanges.add(name);
        for (const name of e.queues) this.dirtyQueues.add(name);
        return true;
      case 'connection.opened':
      case 'connection.closed':
        return this.noteConnection(e.name);
      case 'channel.opened':
      case 'channel.closed':
        return this.noteConnection(e.connection);
      default:
        return false;
    }
  }

  /** Connection events carry no vhost: the flush looks the name up (once per flush, not per event). */
  private noteConnection(name: string): boolean {
    this.dirtyConnections.add(name);
    return true;
  }

  /** Everything as it is now; also what later diffs are taken against. */
  snapshot(vh: VirtualHost): TopologySnapshot {
    this.clearDirty();
    const index = connectionIndex(this.core.connections);
    this.exchanges = new Map([...vh.exchanges.values()].map((e) => [e.name, exchangeRow(this.mgmt, e)]));
    this.queues = new Map([...vh.queues.values()].map((q) => [q.name, queueRow(this.mgmt, q)]));
    this.bindings = bindingsByKey(vh);
    this.consumers = new Map();
    for (const q of vh.queues.values()) {
      if (q.consumers.length === 0) continue;
      const items: Row[] = q.consumers.map((c) => consumerRow(this.mgmt, q, c, index));
      this.consumers.set(q.name, new Map(items.map((c) => [consumerKey(c), c])));
    }
    this.connections = new Map();
    for (const c of this.core.connections) if (c.vhostName === this.vhost) this.connections.set(c.name, connectionRow(this.mgmt, c));
    return {
      exchanges: [...this.exchanges.values()],
      queues: [...this.queues.values()],
      bindings: [...this.bindings.values()],
      consumers: [...this.consumers.values()].flatMap((m) => [...m.values()]),
      connections: [...this.connections.values()],
    };
  }

  /**
   * The changes since the last flush or snapshot, in an order a client can apply one by one: new
   * nodes before the edges that need them, removed edges before their nodes. `vh` undefined: the
   * vhost is gone, and so is everything in it.
   */
  flush(vh: VirtualHost | undefined): TopologyChange[] {
    const adds: TopologyChange[] = [];
    const edges: TopologyChange[] = [];
    const removes: TopologyChange[] = [];
    const put = (kind: TopologyKind, map: Map<string, Row>, key: string, now: Row | undefined) => {
      const before = map.get(key);
      if (now === undefined) {
        if (before === undefined) return;
        map.delete(key);
        removes.push({ op: 'remove', kind, item: before });
      } else {
        map.set(key, now);
        adds.push({ op: before === undefined ? 'add' : 'update', kind, item: now });
      }
    };

    if (this.dirtyConnections.size > 0) {
      const index = connectionIndex(this.core.connections);
      for (const name of this.dirtyConnections) {
        const c: ConnectionHandle | undefined = index.get(name);
        put('connection', this.connections, name, c !== undefined && c.vhostName === this.vhost ? connectionRow(this.mgmt, c) : undefined);
      }
    }
    for (const name of this.dirtyExchanges) {
      const e = vh?.exchanges.get(name);
      put('exchange', this.exchanges, name, e === undefined ? undefined : exchangeRow(this.mgmt, e));
    }
    for (const name of this.dirtyQueues) {
      const q = vh?.queues.get(name);
      put('queue', this.queues, name, q === undefined ? undefined : queueRow(this.mgmt, q));
    }
    if (this.bindingsDirty) {
      const now = vh === undefined ? new Map<string, Row>() : bindingsByKey(vh);
      for (const [key, b] of this.bindings) if (!now.has(key)) edges.push({ op: 'remove', kind: 'binding', item: b });
      for (const [key, b] of now) if (!this.bindings.has(key)) edges.push({ op: 'add', kind: 'binding', item: b });
      this.bindings = now;
    }
    if (this.dirtyConsumers.size > 0) {
      const index = connectionIndex(this.core.connections);
      for (const queue of this.dirtyConsumers) {
        const q = vh?.queues.get(queue);
        const before = this.consumers.get(queue) ?? new Map<string, Row>();
        const now = new Map<string, Row>();
        if (q !== undefined) {
          for (const c of q.consumers) {
            const item: Row = consumerRow(this.mgmt, q, c, index);
            now.set(consumerKey(item), item);
          }
        }
        for (const [key, c] of before) if (!now.has(key)) edges.push({ op: 'remove', kind: 'consumer', item: c });
        for (const [key, c] of now) if (!before.has(key)) edges.push({ op: 'add', kind: 'consumer', item: c });
        if (now.size > 0) this.consumers.set(queue, now);
        else this.consumers.delete(queue);
      }
    }
    this.clearDirty();
    // edges: removes first, then adds
    edges.sort((a, b) => (a.op === b.op ? 0 : a.op === 'remove' ? -1 : 1));
    return [...adds, ...edges, ...removes.reverse()];
  }

  private clearDirty(): void {
    this.dirtyExchanges.clear();
    this.dirtyQueues.clear();
    this.dirtyConsumers.clear();
    this.dirtyConnections.clear();
    this.bindingsDirty = false;
  }
}
