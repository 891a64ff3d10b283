// A vhost's topology read from the management API as cheaply as RabbitMQ allows, for the watches'
// snapshot. What costs the most on a vhost of 10,000 queues (RabbitMQ 3.10, measured with
// bench/cluster-scale.ts): queue rows with stats (every queue process is asked), and the vhost's
// binding list, a third of which are the default exchange's implicit bindings.
// - queues: only the columns the console reads, `disable_stats` (no queue process is asked for
//   counters: the stats tick reads those; a small vhost's come with a second listing). One request: 3.10 builds the whole list for every page it
//   is asked for, so pages in parallel cost the cluster the whole list each time.
// - bindings: each exchange's own bindings (`/exchanges/v/x/bindings/source`, an index lookup in
//   RabbitMQ) in parallel, and the default exchange's implicit binding per queue made here exactly as
//   RabbitMQ shows it; a vhost with very many exchanges is listed whole instead.
// - fields: RabbitMQ encodes every field of every row, and a field costs it time whether or not it
//   was worth asking for (one exchange's 1,000 bindings: 51 ms with all seven fields, 28 ms without
//   source and vhost, 22 ms without properties_key too; 10,000 queues: 0.64 s with vhost, 0.42 s
//   without; medians on the loaded local cluster). What the request names already (the vhost, the
//   source exchange) and what follows from the rest (the properties_key of a binding without
//   arguments: its routing key, quoted) is filled in here instead.
import { quotePlus, type Row, type TopologyKind } from '../../broker/index';
import { p, type Credentials, type ManagementClient } from './management-client';
import type { NodeReaders } from './node-readers';
import { queueRows } from './rows';

/** What the console reads of a queue (and the watch compares); everything else is left to the stats tick and the queue page. */
const QUEUE_RECORD = 'name,vhost,type,durable,auto_delete,exclusive,arguments,policy,effective_policy_definition,node,leader,members,online,state';
/** The same for a vhost's listing, less the vhost (filled in). */
const VHOST_QUEUE_RECORD = QUEUE_RECORD.replace(',vhost', '');
const QUEUE_COUNTS = 'consumers,messages,messages_ready,messages_unacknowledged';
export const QUEUE_COLUMNS = `${QUEUE_RECORD},${QUEUE_COUNTS}`;
/**
 * Up to this many queues, their counts come with the listing (a second request); above, from the
 * stats tick only: `enable_queue_totals` asks every queue process, which made one listing of 10,000
 * queues take 38 s instead of 13 s on the loaded cluster.
 */
export const QUEUE_COUNTS_MAX = 1000;
const EXCHANGE_COLUMNS = 'name,vhost,type,durable,auto_delete,internal,arguments,policy';
const BINDING_COLUMNS = 'source,vhost,destination,destination_type,routing_key,arguments,properties_key';
/** An exchange's bindings: the source and vhost are known, the properties_key of one without arguments follows from its key. */
const SOURCE_BINDING_FIELDS = 'destination,destination_type,routing_key,arguments';
/** ... and with arguments, it holds RabbitMQ's hash of them: only RabbitMQ can say. */
const SOURCE_BINDING_KEYED = `${SOURCE_BINDING_FIELDS},properties_key`;
/** Above this many exchanges, one listing of the vhost's bindings costs less than a request each. */
export const PER_EXCHANGE_BINDINGS_MAX = 64;

/** A binding's properties_key when it has no arguments: its routing key as RabbitMQ quotes it (`~` too; `~` alone for none). */
function quotedKey(routingKey: string): string {
  if (routingKey === '') return '~';
  return /^[A-Za-z0-9._-]+$/.test(routingKey) ? routingKey : quotePlus(routingKey).replace(/~/g, '%7E');
}

function hasArguments(b: Row): boolean {
  const args = b.arguments;
  return args !== null && typeof args === 'object' && Object.keys(args).length > 0;
}

/** The default exchange's implicit binding of a queue, as RabbitMQ lists it. */
export function defaultBinding(vhost: string, queue: string): Row {
  return { source: '', vhost, destination: queue, destination_type: 'queue', routing_key: queue, arguments: {}, properties_key: quotedKey(queue) };
}

export class TopologyLists {
  constructor(
    private readonly http: ManagementClient,
    private readonly who: Credentials,
    /** the cluster's other nodes: what a first listing reads beside the queues goes to them (node-readers.ts) */
    private readonly readers?: Pick<NodeReaders, 'all' | 'bench'>,
  ) {}

  /** The nodes that read what goes beside the queue listing: the others when there are any, else the configured one. */
  private async helpers(): Promise<ManagementClient[]> {
    const all = (await this.readers?.all()) ?? [this.http];
    return all.length > 1 ? all.slice(1) : all;
  }

  /** A read on one of the helpers, or on the configured node when that one fails (and is left alone for a while). */
  private async on<T>(client: ManagementClient, read: (c: ManagementClient) => Promise<T>): Promise<T> {
    if (client === this.http) return read(client);
    try {
      return await read(client);
    } catch {
      // the configured node's answer is the one that counts, its refusals included
      this.readers?.bench(client);
      return read(this.http);
    }
  }

  async queues(vhost: string): Promise<Row[]> {
    const rows = await this.http.request<Row[]>(this.who, 'GET', `${p('queues', vhost)}?disable_stats=true&columns=${VHOST_QUEUE_RECORD}`);
    for (const r of rows) r.vhost = vhost;
    if (rows.length <= QUEUE_COUNTS_MAX) {
      const counts = await this.http.request<Row[]>(this.who, 'GET', `${p('queues', vhost)}?disable_stats=true&enable_queue_totals=true&columns=name,${QUEUE_COUNTS}`);
      const byName = new Map(counts.map((c) => [c.name, c]));
      for (const r of rows) Object.assign(r, byName.get(r.name));
    }
    return queueRows(rows);
  }

  /** Named queues only (an event named them); absent ones are left out. */
  async queuesNamed(vhost: string, names: string[]): Promise<Row[]> {
    const rows = await Promise.all(names.map((n) => this.http.getOptional<Row>(this.who, `${p('queues', vhost, n)}?disable_stats=true&enable_queue_totals=true&columns=${QUEUE_COLUMNS}`)));
    return queueRows(rows.filter((r): r is Row => r !== undefined));
  }

  exchanges(vhost: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.who, 'GET', `${p('exchanges', vhost)}?disable_stats=true&columns=${EXCHANGE_COLUMNS}`);
  }

  async exchangesNamed(vhost: string, names: string[]): Promise<Row[]> {
    const rows = await Promise.all(names.map((n) => this.http.getOptional<Row>(this.who, `${p('exchanges', vhost, n)}?disable_stats=true&columns=${EXCHANGE_COLUMNS}`)));
    return rows.filter((r): r is Row => r !== undefined);
  }

  /**
   * Every binding of the vhost but the default exchange's implicit ones (see withDefaults), given the
   * vhost's exchanges; bindings made meanwhile are caught by the events.
   */
  async explicitBindings(vhost: string, exchanges: Row[]): Promise<Row[]> {
    const named = exchanges.map((e) => String(e.name)).filter((n) => n !== '');
    if (named.length > PER_EXCHANGE_BINDINGS_MAX) {
      const all = await this.http.request<Row[]>(this.who, 'GET', `${p('bindings', vhost)}?columns=${BINDING_COLUMNS}`);
      return all.filter((b) => b.source !== '');
    }
    const nodes = await this.helpers();
    return (await Promise.all(named.map((x, i) => this.on(nodes[i % nodes.length], (c) => this.bindingsFrom(vhost, x, c))))).flat();
  }

  /** The explicit bindings and the default exchange's binding of each queue. */
  withDefaults(vhost: string, explicit: Row[], queues: Row[]): Row[] {
    const out = explicit.slice();
    for (const q of queues) out.push(defaultBinding(vhost, String(q.name)));
    return out;
  }

  /** An exchange's bindings as source, as RabbitMQ lists them; none when it is gone. */
  async bindingsFrom(vhost: string, exchange: string, http = this.http): Promise<Row[]> {
    const path = p('exchanges', vhost, exchange, 'bindings', 'source');
    let rows = (await http.getOptional<Row[]>(this.who, `${path}?columns=${SOURCE_BINDING_FIELDS}`)) ?? [];
    if (rows.some(hasArguments)) rows = (await http.getOptional<Row[]>(this.who, `${path}?columns=${SOURCE_BINDING_KEYED}`)) ?? [];
    return rows.map((b) => ({
      source: exchange, vhost, destination: b.destination, destination_type: b.destination_type, routing_key: b.routing_key, arguments: b.arguments,
      properties_key: b.properties_key ?? quotedKey(String(b.routing_key ?? '')),
    }));
  }

  /** The bindings from one exchange to one destination (what a binding event names). */
  async bindingsBetween(vhost: string, source: string, destinationType: 'queue' | 'exchange', destination: string): Promise<Row[]> {
    const d = destinationType === 'queue' ? 'q' : 'e';
    return (await this.http.getOptional<Row[]>(this.who, p('bindings', vhost, 'e', source, d, destination))) ?? [];
  }

  async consumers(vhost: string): Promise<Row[]> {
    const [node] = await this.helpers();
    return this.on(node, (c) => c.request<Row[]>(this.who, 'GET', p('consumers', vhost)));
  }

  async connections(vhost: string): Promise<Row[]> {
    const nodes = await this.helpers();
    return this.on(nodes[nodes.length - 1], (c) => c.request<Row[]>(this.who, 'GET', p('vhosts', vhost, 'connections')));
  }

  /** Every kind, as few requests and as little of the cluster's work as it takes. */
  async all(vhost: string): Promise<Record<TopologyKind, Row[]>> {
    // the queue listing is the longest single request: asked first, not after the exchanges
    const queues = this.queues(vhost);
    const exchanges = this.exchanges(vhost);
    const [queueRows, exchangeRows, explicit, consumers, connections] = await Promise.all([
      queues, exchanges, exchanges.then((xs) => this.explicitBindings(vhost, xs)), this.consumers(vhost), this.connections(vhost),
    ]);
    return { exchange: exchangeRows, queue: queueRows, binding: this.withDefaults(vhost, explicit, queueRows), consumer: consumers, connection: connections };
  }

  /** One kind whole. */
  async list(vhost: string, kind: TopologyKind): Promise<Row[]> {
    switch (kind) {
      case 'exchange':
        return this.exchanges(vhost);
      case 'queue':
        return this.queues(vhost);
      case 'binding': {
        const [exchanges, queues] = await Promise.all([this.exchanges(vhost), this.queueNames(vhost)]);
        return this.withDefaults(vhost, await this.explicitBindings(vhost, exchanges), queues);
      }
      case 'consumer':
        return this.consumers(vhost);
      case 'connection':
        return this.connections(vhost);
    }
  }

  private queueNames(vhost: string): Promise<Row[]> {
    return this.http.request<Row[]>(this.who, 'GET', `${p('queues', vhost)}?disable_stats=true&columns=name`);
  }
}
