// The broker API: the one door through which the console, the REST API, the live feed, scenarios
// and message tools reach a broker. Two implementations stand behind it — the embedded Warren
// broker (broker/embedded) and a remote RabbitMQ cluster (its management HTTP API plus AMQP) — so
// nothing here may assume the broker is in this process: every call is async, everything in and
// out is plain data, and errors are BrokerErrors told apart by `kind`.
//
// Records are shaped as RabbitMQ's management API shapes them (snake_case, `*_details.rate`,
// arguments as JSON): both implementations speak that model natively (RabbitMQ's API returns it;
// Warren's console and REST API show it), so neither side translates twice and no field is lost
// on the way. Every call is made as a user: the broker applies that user's tags, vhost access and
// configure/write/read permissions exactly as it would for an AMQP client or RabbitMQ's HTTP API.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonTable = { [key: string]: Json };
/** A record as RabbitMQ's management API writes it. */
export type Row = Record<string, unknown>;

export type UserTag = 'administrator' | 'monitoring' | 'policymaker' | 'management' | (string & {});

/** Who makes a call: a user the broker authenticated. */
export interface Actor {
  readonly name: string;
  readonly tags: readonly UserTag[];
}

/** `?msg_rates_age=&msg_rates_incr=` and `lengths_*` of RabbitMQ's API: sample history wanted, in seconds. */
export interface HistoryQuery {
  msgRates?: { age: number; incr: number };
  lengths?: { age: number; incr: number };
}

export interface BrokerInfo {
  /** 'warren' for the embedded broker, 'rabbitmq' for a remote cluster */
  kind: 'warren' | 'rabbitmq';
  product: string;
  productVersion: string;
  /** the RabbitMQ release whose API and definitions format this broker speaks */
  rabbitmqVersion: string;
  node: string;
  clusterName: string;
  /** where AMQP clients connect: host as listened on, port */
  amqp: { host: string; port: number };
  /** where AMQPS (TLS) clients connect, when the broker listens for them */
  amqps?: { host: string; port: number };
}

// --- declarations --------------------------------------------------------------------------------

export interface ExchangeSpec {
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: JsonTable;
}

export interface QueueSpec {
  durable: boolean;
  autoDelete: boolean;
  arguments: JsonTable;
}

export interface BindingSpec {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: JsonTable;
}

export interface PolicySpec {
  pattern: unknown;
  definition: unknown;
  priority?: unknown;
  applyTo?: unknown;
}

/** A user as PUT /api/users takes it: a password, a hash, or neither (cannot log in). */
export interface UserSpec {
  password?: string;
  passwordHash?: string;
  hashingAlgorithm?: string;
  tags: string[];
}

export interface PermissionSpec {
  configure: string;
  write: string;
  read: string;
}

/** RabbitMQ's topic permission of a user on one exchange of a vhost: routing-key regexes. */
export interface TopicPermissionSpec {
  exchange: string;
  write: string;
  read: string;
}

export interface VhostSpec {
  description?: string;
  tags?: string[];
  tracing?: boolean;
}

// --- messages ------------------------------------------------------------------------------------

/** A message to publish; properties as RabbitMQ's API writes them (`delivery_mode`, `headers`, ...). */
export interface OutgoingMessage {
  routingKey: string;
  properties: Row;
  body: Buffer;
}

export type AckMode = 'ack_requeue_true' | 'ack_requeue_false' | 'reject_requeue_true' | 'reject_requeue_false';

export interface GetOptions {
  count: number;
  ackMode: AckMode;
  encoding: 'auto' | 'base64';
  /** bytes of payload to return at most; payload_bytes still tells the full size */
  truncate?: number;
}

/** A message taken by `get`, as RabbitMQ's `POST .../get` returns it. */
export type GotMessage = Row & {
  payload_bytes: number;
  redelivered: boolean;
  exchange: string;
  routing_key: string;
  message_count: number;
  payload: string;
  payload_encoding: 'string' | 'base64';
};

/** A delivery to an API consumer; properties in the management API's JSON shape. */
export interface Delivery {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  properties: Row;
  /** at most `maxPayloadBytes` of the body; payloadBytes tells the full size */
  payload: string;
  payloadEncoding: 'string' | 'base64';
  payloadBytes: number;
}

export interface ConsumeOptions {
  /** 0: no limit but the sink's own back-pressure, as in AMQP */
  prefetch: number;
  ack: 'manual' | 'auto';
  /** who is consuming, shown as the consumer's connection (`websocket 10.0.0.5:51234`) */
  connectionName: string;
  /** bodies longer than this are cut short in deliveries */
  maxPayloadBytes?: number;
}

/** Where an API consumer's deliveries go. */
export interface DeliverySink {
  /** false while the sink cannot take more (e.g. a browser socket backed up); call resume() later */
  canTake(): boolean;
  deliver(delivery: Delivery): void;
  /** the broker ended the consumer: queue deleted, connection closed by an operator, vhost gone */
  cancelled(reason: string): void;
}

export interface ConsumerHandle {
  readonly tag: string;
  /** Unknown tags are a precondition_failed error, as AMQP's 406. Tag 0 with multiple: all. */
  ack(deliveryTag: number, multiple: boolean): Promise<void>;
  nack(deliveryTag: number, multiple: boolean, requeue: boolean): Promise<void>;
  reject(deliveryTag: number, requeue: boolean): Promise<void>;
  /** The sink can take deliveries again. */
  resume(): void;
  /** Ends the consumer; what it held unacked is requeued, as closing an AMQP channel does. */
  cancel(): Promise<void>;
}

// --- events --------------------------------------------------------------------------------------

export type TopologyKind = 'exchange' | 'queue' | 'binding' | 'consumer' | 'connection';

export interface TopologyChange {
  op: 'add' | 'remove' | 'update';
  kind: TopologyKind;
  item: Row;
}

export interface TopologySnapshot {
  exchanges: Row[];
  queues: Row[];
  bindings: Row[];
  consumers: Row[];
  connections: Row[];
}

/** A vhost's message rates (per second, measured) and depth at one moment. */
export interface RateTotals {
  publish_rate: number;
  deliver_rate: number;
  ack_rate: number;
  messages: number;
}

export interface RatePoint extends RateTotals {
  ts: number;
}

/** Rates measured over the last second (embedded) or the broker's last sample (remote). */
export interface StatsTick {
  ts: number;
  queues: Record<string, { messages_ready: number; messages_unacknowledged: number; consumers: number; publish_rate: number; deliver_rate: number; ack_rate: number }>;
  exchanges: Record<string, { publish_in_rate: number; publish_out_rate: number }>;
  /** by bindingStatsKey(): messages per second routed through each binding */
  bindings: Record<string, { publish_rate: number }>;
  /** by consumerStatsKey(): what each consumer was handed and settled, counted per consumer */
  consumers: Record<string, ConsumerStats>;
  /** by producerStatsKey(): channels that published in the last PRODUCER_WINDOW_MS, per exchange */
  producers: Record<string, ProducerStats>;
  totals: RateTotals;
}

/** One consumer's own counters (totals since it started) and rates; unacked/prefetch: its window. */
export interface ConsumerStats {
  queue: string;
  consumer_tag: string;
  /** the channel's name, as consumers' channel_details.name gives it */
  channel: string;
  delivered: number;
  redelivered: number;
  acked: number;
  /** nacks and rejects */
  rejected: number;
  deliver_rate: number;
  ack_rate: number;
  reject_rate: number;
  redeliver_rate: number;
  unacked: number;
  /** 0: no limit */
  prefetch: number;
}

/** A channel publishing to an exchange: a producer. */
export interface ProducerStats {
  /** the connection's name (`peer:port -> host:port`) */
  connection: string;
  /** the client's `connection_name` property, when it gave one */
  connection_name?: string;
  /** the channel's name (`<connection> (<number>)`) */
  channel: string;
  user: string;
  exchange: string;
  /** the default exchange routes by queue name: which queue the producer addressed */
  routing_key?: string;
  /** since the channel opened */
  published: number;
  publish_rate: number;
  /** its channel closed within the window (a one-shot sender): its last counts, drawn as gone */
  gone?: boolean;
  /** a direct reply-to reply: the requesting channel's reply consumer it is delivered to */
  reply_to?: { channel: string; consumer_tag: string };
}

/** Producers stay in stats ticks this long after their last publish. */
export const PRODUCER_WINDOW_MS = 5_000;

export function consumerStatsKey(c: { queue: string; channel: string; consumer_tag: string }): string {
  return `${c.queue}|${c.channel}|${c.consumer_tag}`;
}

export function producerStatsKey(p: { channel: string; exchange: string; routing_key?: string }): string {
  return `${p.channel}|${p.exchange}|${p.routing_key ?? ''}`;
}

export interface FlowEvent {
  kind: 'published' | 'returned' | 'delivered' | 'acked' | 'requeued' | 'rejected' | 'expired' | 'dropped' | 'dead-lettered';
  id: number;
  exchange?: string;
  routingKey?: string;
  /** published: where it went; empty = unroutable */
  queues?: string[];
  queue?: string;
  consumerTag?: string;
  redelivered?: boolean;
  reason?: string;
  /** ms since epoch */
  ts: number;
}

/** How a stats tick names a binding: the fields that identify it, as the REST API gives them. */
export function bindingStatsKey(b: { source: string; destination_type: string; destination: string; properties_key: string }): string {
  return `${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`;
}

/** What a vhost watcher hears. Topology arrives as diffs against the snapshot it started with. */
export interface VhostListener {
  topology(changes: TopologyChange[]): void;
  /** once a second while watched */
  stats(tick: StatsTick): void;
  /** sampled message flow, within the budget the watcher asked for; `dropped` counts what was left out */
  flow?(events: FlowEvent[], dropped: number): void;
  /** the vhost was deleted */
  gone(reason: string): void;
}

export interface VhostWatch {
  readonly snapshot: TopologySnapshot;
  /** the vhost's rates over the last ten minutes at five-second steps, oldest first */
  readonly history: RatePoint[];
  /** message-flow events per second wanted (0: none) */
  setFlowBudget(eventsPerSecond: number): void;
  close(): void;
}

/** Broker-wide changes that concern sessions: users, tags or permissions changed, a vhost went. */
export type AccessEvent = { type: 'users.changed' } | { type: 'vhost.deleted'; name: string };

// --- the API -------------------------------------------------------------------------------------

export interface QueueMetrics {
  vhost: string;
  name: string;
  ready: number;
  unacked: number;
  consumers: number;
  published: number;
  delivered: number;
  acked: number;
}

export interface ExchangeMetrics {
  vhost: string;
  name: string;
  publishIn: number;
  publishOut: number;
}

/** Broker-wide totals for /metrics, as RabbitMQ's Prometheus plugin aggregates them: no object names. */
export interface MetricsSample {
  /** sums over every queue (consumers: of queues), `count` the number of queues */
  queues: Omit<QueueMetrics, 'vhost' | 'name'> & { count: number };
  /** sums over every exchange */
  exchanges: Omit<ExchangeMetrics, 'vhost' | 'name'> & { count: number };
  connections: number;
  channels: number;
  consumers: number;
  memory: { rss: number; heapUsed: number; limit: number; alarm: boolean };
}

/** One piece of the per-object metrics: some queues or some exchanges. */
export interface MetricsChunk {
  queues: QueueMetrics[];
  exchanges: ExchangeMetrics[];
}

export interface BrokerApi {
  info(): Promise<BrokerInfo>;

  // identity
  /** Checks a login as the broker would for AMQP; peer is the client's address (guest: loopback only). */
  authenticate(username: string, password: string, peerAddress: string | undefined): Promise<Actor>;
  /** The user as it is now (tags may have changed), undefined once deleted. */
  actor(name: string): Promise<Actor | undefined>;
  /**
   * An opaque stamp of the user's current password, different after every password change;
   * undefined once the user is gone. Console login sessions keep it instead of the password and end
   * when it changes. A broker that cannot tell leaves this out: its sessions then end only when the
   * user is deleted, logs out or the session expires.
   */
  passwordStamp?(name: string): Promise<string | undefined>;
  /** Whether the vhost exists and the user may use it (has any permission there, or is an administrator). */
  vhostAccess(who: Actor, vhost: string): Promise<'allowed' | 'refused' | 'missing'>;
  /** Broker-wide changes that may end or narrow a session's access. */
  onAccessChange(listener: (e: AccessEvent) => void): () => void;

  // overview, nodes, health
  overview(who: Actor, history?: HistoryQuery): Promise<Row>;
  nodes(who: Actor): Promise<Row[]>;
  /** Declares aliveness-test, publishes to it and gets the message back. */
  aliveness(who: Actor, vhost: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  alarms(): Promise<{ node: string; resource: 'memory' | 'disk' }[]>;
  metrics(): Promise<MetricsSample>;
  /**
   * Every queue's and exchange's metrics (or only those of `kind`), `chunkSize` (1000) objects at a
   * time, the event loop running between chunks (AMQP is not held up by a scrape of many queues).
   */
  metricsPerObject(opts?: { chunkSize?: number; kind?: 'queues' | 'exchanges' }): AsyncIterable<MetricsChunk>;

  // vhosts
  listVhosts(who: Actor, history?: HistoryQuery): Promise<Row[]>;
  getVhost(who: Actor, name: string, history?: HistoryQuery): Promise<Row | undefined>;
  /** true when it was created (the creator then gets full permissions on it, as in RabbitMQ) */
  putVhost(who: Actor, name: string, spec: VhostSpec): Promise<boolean>;
  deleteVhost(who: Actor, name: string): Promise<void>;

  // exchanges, queues, bindings; `vhost` undefined: every vhost the user may see
  listExchanges(who: Actor, vhost?: string): Promise<Row[]>;
  getExchange(who: Actor, vhost: string, name: string): Promise<Row | undefined>;
  declareExchange(who: Actor, vhost: string, name: string, spec: ExchangeSpec): Promise<boolean>;
  deleteExchange(who: Actor, vhost: string, name: string, opts: { ifUnused: boolean }): Promise<void>;

  listQueues(who: Actor, vhost?: string): Promise<Row[]>;
  /** with `consumer_details` */
  /** `history`: the queue's own samples, as RabbitMQ gives them on its queue endpoint */
  getQueue(who: Actor, vhost: string, name: string, history?: HistoryQuery): Promise<Row | undefined>;
  declareQueue(who: Actor, vhost: string, name: string, spec: QueueSpec): Promise<boolean>;
  deleteQueue(who: Actor, vhost: string, name: string, opts: { ifUnused: boolean; ifEmpty: boolean }): Promise<void>;
  purgeQueue(who: Actor, vhost: string, name: string): Promise<void>;

  /** Every binding, the default exchange's implicit one per queue included. */
  listBindings(who: Actor, vhost?: string): Promise<Row[]>;
  /** Returns the new binding's properties_key. */
  bind(who: Actor, vhost: string, spec: BindingSpec): Promise<string>;
  unbind(who: Actor, vhost: string, binding: { source: string; destination: string; destinationType: 'queue' | 'exchange'; propertiesKey: string }): Promise<void>;

  // messages: the same semantics as basic.publish, basic.get and basic.consume
  publish(who: Actor, vhost: string, exchange: string, message: OutgoingMessage): Promise<{ routed: boolean }>;
  get(who: Actor, vhost: string, queue: string, opts: GetOptions): Promise<GotMessage[]>;
  consume(who: Actor, vhost: string, queue: string, opts: ConsumeOptions, sink: DeliverySink): Promise<ConsumerHandle>;

  // connections, channels, consumers; `vhost` undefined: all the user may see
  listConnections(who: Actor, vhost?: string): Promise<Row[]>;
  /** not_found, or not_authorised unless it is the user's or the user is a monitor */
  getConnection(who: Actor, name: string): Promise<Row>;
  /** not_authorised unless it is the user's own connection or the user is an administrator */
  closeConnection(who: Actor, name: string, reason: string): Promise<void>;
  /** not_found, or not_authorised as getConnection */
  getChannel(who: Actor, name: string): Promise<Row>;
  listChannels(who: Actor, filter?: { vhost?: string; connection?: string }): Promise<Row[]>;
  listConsumers(who: Actor, vhost?: string): Promise<Row[]>;

  // users, permissions, policies
  listUsers(who: Actor, opts?: { withoutPermissions?: boolean }): Promise<Row[]>;
  getUser(who: Actor, name: string): Promise<Row | undefined>;
  putUser(who: Actor, name: string, spec: UserSpec): Promise<boolean>;
  deleteUsers(who: Actor, names: readonly string[]): Promise<void>;
  listPermissions(who: Actor, filter?: { vhost?: string; user?: string }): Promise<Row[]>;
  setPermission(who: Actor, vhost: string, user: string, spec: PermissionSpec): Promise<boolean>;
  clearPermission(who: Actor, vhost: string, user: string): Promise<void>;
  /** Rows as RabbitMQ's `/api/topic-permissions` gives them; administrators only. */
  listTopicPermissions(who: Actor, filter?: { vhost?: string; user?: string }): Promise<Row[]>;
  /** true when the user had no topic permission in the vhost before (RabbitMQ's 201). */
  setTopicPermission(who: Actor, vhost: string, user: string, spec: TopicPermissionSpec): Promise<boolean>;
  /** Every topic permission of the user in the vhost, or the one of `exchange`; not_found when there is none. */
  clearTopicPermissions(who: Actor, vhost: string, user: string, exchange?: string): Promise<void>;
  listPolicies(who: Actor, vhost?: string): Promise<Row[]>;
  putPolicy(who: Actor, vhost: string, name: string, spec: PolicySpec): Promise<boolean>;
  deletePolicy(who: Actor, vhost: string, name: string): Promise<void>;
  /** Operator policies: an administrator's limits applied together with the user policies (stricter wins). */
  listOperatorPolicies(who: Actor, vhost?: string): Promise<Row[]>;
  putOperatorPolicy(who: Actor, vhost: string, name: string, spec: PolicySpec): Promise<boolean>;
  deleteOperatorPolicy(who: Actor, vhost: string, name: string): Promise<void>;

  // definitions, in RabbitMQ's format
  exportDefinitions(who: Actor, vhost?: string): Promise<Row>;
  /** Checks everything first; a bad file changes nothing. Returns the sections skipped as unsupported. */
  importDefinitions(who: Actor, definitions: Row, vhost?: string): Promise<{ skipped: string[] }>;

  // live
  /** Starts watching a vhost: a snapshot now, then diffs, stats and (with a budget) flow events. */
  watchVhost(who: Actor, vhost: string, listener: VhostListener): Promise<VhostWatch>;
}
