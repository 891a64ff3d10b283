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

import type { RouteExplanation } from '../core/route-explain';

export type {
  AlternateExchangeStep, BindingVerdict, ExchangeVisit, HeaderCheck, RouteExplanation, TopicWordMatch, VisitVia,
} from '../core/route-explain';

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

/**
 * Where a queue lives, in the fields of RabbitMQ's queue records (all optional in a queue Row):
 * `node` the node holding a classic queue (the embedded broker is one node: its own name), `leader`
 * the node leading a quorum queue or stream, `members` the nodes holding its replicas, `online` the
 * members running now. A member missing from `online` is a replica the cluster cannot reach.
 */
export interface QueuePlacement {
  node?: string;
  leader?: string;
  members?: string[];
  online?: string[];
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
  /**
   * The properties as AMQP encodes them (an export's `properties_raw`): header values keep their
   * AMQP types exactly. Used instead of `properties` by a broker that can; others use `properties`.
   */
  rawProperties?: Buffer;
}

/** A publish to explain: what routing reads of a message (its key and headers), and the mandatory flag. */
export interface ExplainRouteRequest {
  routingKey: string;
  /** as a publish's `properties.headers` in the management API (CC and BCC included) */
  headers?: JsonTable;
  mandatory: boolean;
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
  /** some header or body value is shown masked (MASK_RULES) */
  masked?: boolean;
};

/** A page of a queue's messages, read without consuming them (Warren's own; RabbitMQ cannot). */
export interface BrowseOptions {
  /** ready: the waiting messages in delivery order; unacked: those delivered and not yet settled */
  state: 'ready' | 'unacked';
  /** position of the first message of the page, 0 being the one delivered next */
  offset: number;
  /** messages in the page, at most BROWSE_MAX_LIMIT */
  limit: number;
  /** body bytes returned per message at most (BROWSE_MAX_BODY_BYTES); payload_bytes tells the whole size */
  bodyLimit: number;
  /** add each message's encoded properties (`properties_raw`), as an export keeps them */
  raw?: boolean;
}

export const BROWSE_MAX_LIMIT = 500;
export const BROWSE_MAX_BODY_BYTES = 1024 * 1024;
/** A page carries at most this many body bytes in all; later bodies in it come truncated to nothing. */
export const BROWSE_MAX_PAGE_BYTES = 8 * 1024 * 1024;
/** One message fetched whole ("load all") is at most this big in the answer. */
export const BROWSE_MAX_WHOLE_BYTES = 64 * 1024 * 1024;

/** One message as a browse shows it: nothing about it changed by being read. */
export interface BrowsedMessage {
  /** where it was in its list when read */
  position: number;
  /** the message's number in this queue (arrival order), stable while it stays there */
  id: number;
  redelivered: boolean;
  exchange: string;
  routing_key: string;
  /** as RabbitMQ's get writes them; headers as JSON */
  properties: Row;
  /** base64 of the first `payload_bytes` bytes, or fewer when truncated */
  payload: string;
  payload_bytes: number;
  truncated: boolean;
  /** ms since epoch when its TTL runs out, null without one */
  expires_at: number | null;
  /** base64 of the properties as AMQP encodes them (header types and all), when asked for */
  properties_raw?: string;
  /** unacked messages: who holds it */
  consumer_tag?: string;
  channel?: string;
  delivery_tag?: number;
  /** some header or body value is shown masked (MASK_RULES); properties_raw is then left out when a header was */
  masked?: boolean;
}

export interface BrowsePage {
  state: 'ready' | 'unacked';
  offset: number;
  /** messages in the list now (ready or unacked) */
  total: number;
  messages: BrowsedMessage[];
}

/**
 * A filter over a queue's ready messages: a CEL expression (see broker/embedded/message-filter.ts
 * for its variables) evaluated on the broker in slices, within a budget of messages and time per
 * request; the answer says how far it got and where to go on.
 */
export interface FilterOptions {
  expression: string;
  /** position to start scanning from (a previous answer's next_cursor) */
  cursor: number;
  /** matches wanted, at most BROWSE_MAX_LIMIT */
  limit: number;
  bodyLimit: number;
  /** messages to examine in this request at most (≤ FILTER_MAX_SCANNED) */
  maxScanned?: number;
  /** ms to spend in this request at most (≤ FILTER_MAX_MS) */
  maxMs?: number;
  /** add each match's encoded properties (`properties_raw`) */
  raw?: boolean;
}

export const FILTER_MAX_EXPRESSION = 2000;
export const FILTER_MAX_SCANNED = 200_000;
export const FILTER_MAX_MS = 2000;

export interface FilterPage {
  matches: BrowsedMessage[];
  /** messages examined by this request */
  scanned: number;
  /** ready messages in the queue when the request ended */
  total: number;
  /** where the next request goes on; null once the end was reached */
  next_cursor: number | null;
  /** why this request stopped */
  stopped: 'limit' | 'scan_budget' | 'time_budget' | 'end';
  /** messages the expression could not be evaluated on (a missing key, a wrong type): not matches */
  errors: number;
  first_error: string | null;
}

/** Which ready messages a transfer takes: all, some by id (with where each was seen), or a filter's matches. */
export type MessageSelection =
  | { kind: 'all' }
  | { kind: 'ids'; ids: { id: number; position: number }[] }
  | { kind: 'filter'; expression: string };

/**
 * Messages leaving a queue for another place, at least once: each copy is routed (and, when
 * persistent into a durable queue, on disk) before its source is removed. `move` and `copy` go to
 * `target` (an exchange with the message's own routing key or `routingKey`; a queue is the default
 * exchange with its name); `return` goes to the exchange and routing keys of each message's first
 * x-death entry, and a message whose exchange is gone stays and is counted as `no_origin`.
 */
export interface TransferSpec {
  mode: 'move' | 'copy' | 'return';
  selection: MessageSelection;
  target?: { exchange: string; routingKey?: string };
  /** messages a second at most; 0 for as fast as slices allow */
  rate: number;
}

export const TRANSFER_MAX_IDS = 10_000;
export const TRANSFER_MAX_RATE = 1_000_000;
/** running transfers a vhost holds at once */
export const TRANSFER_MAX_RUNNING = 4;

/** Messages (a JSON Lines export, each line read) to publish to an exchange as a job. */
export interface ImportSpec {
  exchange: string;
  messages: OutgoingMessage[];
  /** messages a second at most; 0 for as fast as slices allow */
  rate: number;
}

/** Lines one import takes at most; its rate a second at most. */
export const IMPORT_MAX_MESSAGES = 100_000;
export const IMPORT_MAX_RATE = 10_000;

/** A move, copy, return or import under way or done (the same job machinery runs them all). */
export interface TransferJob {
  id: string;
  vhost: string;
  /** the source queue; null for an import (its source is a file) */
  queue: string | null;
  mode: TransferSpec['mode'] | 'import';
  target: { exchange: string; routing_key: string | null } | null;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** copies stored at their destination (and, for a move or return, sources removed); an import's messages published */
  done: number;
  /** copies that could not be placed (unroutable, refused, no permission): their sources stay; an import's publishes refused */
  failed: number;
  /** an import's published messages that no queue took (counted in done, as a publish is) */
  unroutable: number;
  /** messages to handle in all when known from the start (an import's lines, a selection's ids); else null */
  total: number | null;
  /** messages done a second, measured since the job started (until it ended) */
  rate: number;
  /** the limit it was started with, messages a second; 0: none */
  rate_limit: number;
  /** return: messages without an x-death entry or whose exchange no longer exists; they stay */
  no_origin: number;
  /** moved copies whose source had been consumed meanwhile: delivered twice, as at-least-once allows */
  duplicates: number;
  /** messages examined so far, and (an estimate for all and filter) how many are left to examine */
  examined: number;
  remaining: number;
  first_error: string | null;
  started_at: number;
  finished_at: number | null;
}

/** Where "return to origin" would send a message. */
export interface ReturnDestination {
  id: number;
  position: number;
  exchange: string | null;
  routing_keys: string[];
  /** null when it would go; else why it stays */
  stays: string | null;
}

export interface ReturnPreview {
  destinations: ReturnDestination[];
  scanned: number;
  next_cursor: number | null;
}

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
  /** the message's id in flow events, to follow its journey (VhostWatch.follow); embedded broker only */
  flowId?: number;
  /** some header or body value is shown masked (MASK_RULES) */
  masked?: boolean;
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
  /**
   * `whole`: the whole body, given when the delivery's payload is cut from it, for what must read it
   * whole before it is shown (masking); never sent on.
   */
  deliver(delivery: Delivery, whole?: Buffer): void;
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
  /** a message the watcher follows (VhostWatch.follow): all its events come, outside the flow budget */
  followed?: boolean;
  /** published by an AMQP client: its connection's name, channel number and user */
  origin?: { connection: string; channel: number; user: string };
  /** delivered to a consumer: the delivery tag (0 for basic.get) */
  deliveryTag?: number;
  /** dead-lettered: the x-death entry this death wrote */
  death?: { count: number; reason: string; queue: string; exchange: string };
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
  /** the firehose (setFirehose) stopped without being asked to: its connection to the cluster was lost */
  firehoseLost?(reason: string): void;
  /** the vhost was deleted */
  gone(reason: string): void;
}

export interface VhostWatch {
  readonly snapshot: TopologySnapshot;
  /** the vhost's rates over the last ten minutes at five-second steps, oldest first */
  readonly history: RatePoint[];
  /** message-flow events per second wanted (0: none) */
  setFlowBudget(eventsPerSecond: number): void;
  /**
   * Follows messages completely, not sampled: the next one published to `exchange`, or the one with
   * flow id `id` (a Delivery's flowId, a flow event's id). Their events come with `followed: true`
   * whatever the budget. Bounded: a watcher follows a few messages for a few minutes at most.
   * Absent where the broker cannot (a remote RabbitMQ: not_supported).
   */
  follow?(target: FollowTarget): void;
  /**
   * Measured flow from a remote cluster's firehose (amq.rabbitmq.trace), read through a bounded
   * queue; costs the cluster work for every message while on. Resolves once the trace queue is
   * consumed; rejects with the cluster's refusal (tracing needs an administrator). Absent where
   * flow is always measured (the embedded broker).
   */
  setFirehose?(on: boolean): Promise<void>;
  close(): void;
}

export type FollowTarget = { exchange: string } | { id: number };

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

/** What a restart recovered from disk. */
export interface RestartReport {
  queues: number;
  messages: number;
  /** from the first connection closed to the store recovered */
  ms: number;
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
  /**
   * A page of the queue's messages, leaving them as they were: order, `redelivered`, counters and
   * deliveries unchanged. Needs read permission on the queue, as basic.get. A broker that can only
   * read by consuming answers not_supported.
   */
  browseQueue(who: Actor, vhost: string, queue: string, opts: BrowseOptions): Promise<BrowsePage>;
  /** Ready messages matching a filter expression, from a cursor, within a time and count budget; not_supported where the broker cannot browse. */
  filterQueue(who: Actor, vhost: string, queue: string, opts: FilterOptions): Promise<FilterPage>;
  /** One ready message whole, by id (`position` where it was last seen, to find it fast); not_found once gone. */
  browseMessage(who: Actor, vhost: string, queue: string, id: number, position: number, opts?: { raw?: boolean }): Promise<BrowsedMessage>;
  /**
   * What a publish to `exchange` would do, publishing nothing: every binding considered with why it
   * matched or not, exchange-to-exchange hops, the alternate exchange, CC/BCC, the queues reached
   * and what `mandatory` would do. Checked as a publish is (write permission on the exchange).
   */
  explainRoute(who: Actor, vhost: string, exchange: string, req: ExplainRouteRequest): Promise<RouteExplanation>;

  /**
   * Starts moving, copying or returning messages as a job on the broker (read permission on the
   * queue, write on each destination exchange); not_supported where the broker cannot remove a
   * chosen message without consuming.
   */
  startTransfer(who: Actor, vhost: string, queue: string, spec: TransferSpec): Promise<TransferJob>;
  /** A transfer's progress; not_found once forgotten (finished ones are kept a while). */
  getTransfer(who: Actor, vhost: string, id: string): Promise<TransferJob>;
  /** Stops a transfer after its current slice; what was done stays done. */
  cancelTransfer(who: Actor, vhost: string, id: string): Promise<TransferJob>;
  /**
   * Starts publishing the messages to `exchange` as a job (write permission on it, as a publish
   * needs), with progress and cancel through getTransfer and cancelTransfer.
   */
  startImport(who: Actor, vhost: string, spec: ImportSpec): Promise<TransferJob>;
  /** Where "return to origin" would send ready messages, from a cursor. */
  previewReturn(who: Actor, vhost: string, queue: string, opts: { selection: MessageSelection; cursor: number; limit: number }): Promise<ReturnPreview>;

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

  // restart
  /**
   * Stops the broker and starts it again as a process restart would: every client connection is
   * closed (320), the store is closed cleanly and recovered, so only durable definitions and
   * persistent messages of durable queues survive. Administrators only; a broker that cannot
   * (a remote cluster, an embedded broker without DATA_DIR) says not_supported.
   */
  restartBroker(who: Actor): Promise<RestartReport>;

  // live
  /** Starts watching a vhost: a snapshot now, then diffs, stats and (with a budget) flow events. */
  watchVhost(who: Actor, vhost: string, listener: VhostListener): Promise<VhostWatch>;
}
