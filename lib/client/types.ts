// What the management API returns, as far as the console reads it (RabbitMQ's field names).
// Fields the console does not use are left out; every object may carry more.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RateDetails {
  rate: number;
}

export interface MessageStats {
  publish?: number;
  publish_details?: RateDetails;
  publish_in?: number;
  publish_in_details?: RateDetails;
  publish_out?: number;
  publish_out_details?: RateDetails;
  deliver_get?: number;
  deliver_get_details?: RateDetails;
  deliver?: number;
  deliver_details?: RateDetails;
  ack?: number;
  ack_details?: RateDetails;
  redeliver?: number;
  redeliver_details?: RateDetails;
  confirm?: number;
  confirm_details?: RateDetails;
  return_unroutable?: number;
  drop_unroutable?: number;
  get?: number;
}

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers' | (string & {});

export interface ExchangeDto {
  name: string;
  vhost: string;
  type: ExchangeType;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: JsonObject;
  message_stats?: MessageStats;
}

export interface QueueDto {
  name: string;
  vhost: string;
  durable: boolean;
  auto_delete: boolean;
  exclusive: boolean;
  arguments: JsonObject;
  consumers: number;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  message_bytes?: number;
  state?: string;
  type?: string;
  message_stats?: MessageStats;
  /** the policy in effect, and its definition (keys without the x- of arguments) */
  policy?: string | null;
  effective_policy_definition?: JsonObject;
  /** where it lives (see queue-placement.ts): a classic queue's node, a quorum queue's leader, replicas */
  node?: string;
  leader?: string;
  members?: string[];
  online?: string[];
}

export interface BindingDto {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: JsonObject;
  properties_key: string;
}

export interface ConsumerDto {
  consumer_tag: string;
  ack_required: boolean;
  prefetch_count: number;
  exclusive: boolean;
  active?: boolean;
  activity_status?: string;
  arguments: JsonObject;
  channel_details: {
    connection_name: string;
    name: string;
    number: number;
    peer_host?: string;
    peer_port?: number;
    user?: string;
    /** the client's connection_name property, when it gave one */
    user_provided_name?: string;
  };
  queue: { name: string; vhost: string };
}

export interface ConnectionDto {
  name: string;
  vhost: string;
  user: string;
  state?: string;
  channels?: number;
  peer_host?: string;
  peer_port?: number;
  protocol?: string;
  connected_at?: number;
  user_provided_name?: string;
  client_properties?: { product?: string; version?: string; platform?: string; connection_name?: string };
  recv_oct_details?: RateDetails;
  send_oct_details?: RateDetails;
}

export interface ChannelDto {
  name: string;
  vhost: string;
  user: string;
  number: number;
  state?: string;
  consumer_count: number;
  messages_unacknowledged: number;
  prefetch_count: number;
  global_prefetch_count?: number;
  confirm: boolean;
  transactional?: boolean;
  connection_details: { name: string; peer_host?: string; peer_port?: number };
  message_stats?: MessageStats;
}

export interface VhostDto {
  name: string;
  description?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
}

export interface OverviewDto {
  product_name?: string;
  product_version?: string;
  cluster_name?: string;
  node?: string;
  message_stats?: MessageStats;
  queue_totals?: { messages?: number; messages_ready?: number; messages_unacknowledged?: number };
  object_totals?: { connections?: number; channels?: number; exchanges?: number; queues?: number; consumers?: number };
  listeners?: { protocol: string; port: number; ip_address?: string }[];
  exchange_types?: { name: string; description?: string }[];
}

export interface WhoamiDto {
  name: string;
  tags: string[];
}

export interface UserDto {
  name: string;
  /** an array since RabbitMQ 3.9, a comma-separated string before */
  tags: string[] | string;
}

export interface PermissionDto {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

/** A user's routing-key patterns on one exchange of a vhost (RabbitMQ's topic authorisation). */
export interface TopicPermissionDto {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

export interface MessageProperties {
  content_type?: string;
  content_encoding?: string;
  headers?: JsonObject;
  delivery_mode?: number;
  priority?: number;
  correlation_id?: string;
  reply_to?: string;
  expiration?: string;
  message_id?: string;
  timestamp?: number;
  type?: string;
  user_id?: string;
  app_id?: string;
}

export interface GotMessageDto {
  payload_bytes: number;
  redelivered: boolean;
  exchange: string;
  routing_key: string;
  message_count: number;
  properties: MessageProperties;
  payload: string;
  payload_encoding: 'string' | 'base64';
  /** some header or body value is shown masked (MASK_RULES) */
  masked?: boolean;
}

/** One message of a browse page (GET /api/queues/{vhost}/{name}/messages): read, not consumed. */
export interface BrowsedMessageDto {
  position: number;
  id: number;
  redelivered: boolean;
  exchange: string;
  routing_key: string;
  properties: MessageProperties;
  /** base64 */
  payload: string;
  payload_bytes: number;
  truncated: boolean;
  expires_at: number | null;
  consumer_tag?: string;
  channel?: string;
  delivery_tag?: number;
  /** some header or body value is shown masked (MASK_RULES) */
  masked?: boolean;
}

export interface BrowsePageDto {
  state: 'ready' | 'unacked';
  offset: number;
  total: number;
  messages: BrowsedMessageDto[];
}

/** An answer of POST /api/queues/{vhost}/{name}/messages/filter: one budgeted stretch of a scan. */
export interface FilterPageDto {
  matches: BrowsedMessageDto[];
  scanned: number;
  total: number;
  next_cursor: number | null;
  stopped: 'limit' | 'scan_budget' | 'time_budget' | 'end';
  errors: number;
  first_error: string | null;
}

/** A move, copy, return-to-origin or import job (GET /api/message-transfers/{vhost}/{id}). */
export interface TransferJobDto {
  id: string;
  mode: 'move' | 'copy' | 'return' | 'import';
  state: 'running' | 'done' | 'cancelled' | 'failed';
  done: number;
  failed: number;
  /** an import's published messages no queue took */
  unroutable: number;
  /** messages in all, when known from the start (an import's lines) */
  total: number | null;
  /** messages done a second, measured over the job's life */
  rate: number;
  rate_limit: number;
  no_origin: number;
  duplicates: number;
  examined: number;
  remaining: number;
  first_error: string | null;
}

/** Which messages a transfer takes, as the API's body says it. */
export type TransferSelection = { all: true } | { ids: { id: number; position: number }[] } | { expression: string };

export interface ReturnPreviewDto {
  destinations: { id: number; position: number; exchange: string | null; routing_keys: string[]; stays: string | null }[];
  scanned: number;
  next_cursor: number | null;
}

export interface PublishRequest {
  routing_key: string;
  properties: MessageProperties;
  payload: string;
  payload_encoding: 'string' | 'base64';
  /** some header or body value is shown masked (MASK_RULES) */
  masked?: boolean;
}

/** The topology of one vhost: what the graph is drawn from. */
export interface Topology {
  vhost: string;
  exchanges: ExchangeDto[];
  queues: QueueDto[];
  bindings: BindingDto[];
  consumers: ConsumerDto[];
  /** channels that published lately (from stats ticks), per exchange */
  producers?: ProducerDto[];
}

/** A channel publishing to an exchange (to a queue by name, through the default exchange). */
export interface ProducerDto {
  connection: string;
  connection_name?: string;
  channel: string;
  user: string;
  exchange: string;
  routing_key?: string;
  /** its channel closed lately (a one-shot sender): drawn greyed for a few seconds */
  gone?: boolean;
  /** a direct reply-to reply: the reply consumer of the requesting channel */
  reply_to?: { channel: string; consumer_tag: string };
}

// ---- administration and the queue page ----------------------------------------------------------

/** One boundary of a `?lengths_age=`/`?msg_rates_age=` history, as RabbitMQ lists them (newest first). */
export interface SamplePoint {
  sample: number;
  timestamp: number;
}

export interface RateHistory extends RateDetails {
  samples?: SamplePoint[];
  avg_rate?: number;
  avg?: number;
}

export interface VhostDetailDto extends VhostDto {
  tags?: string[];
  tracing?: boolean;
  default_queue_type?: string;
  message_stats?: MessageStats;
  messages_details?: RateDetails;
}

export interface PolicyDto {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': 'queues' | 'exchanges' | 'all' | (string & {});
  priority: number;
  definition: JsonObject;
}

/** GET /api/queues/{vhost}/{name}: the row plus its consumers and, when asked, its sample history. */
export interface QueueDetailDto extends QueueDto {
  messages_details?: RateHistory;
  messages_ready_details?: RateHistory;
  messages_unacknowledged_details?: RateHistory;
  message_stats?: MessageStats & { publish_details?: RateHistory; deliver_get_details?: RateHistory; ack_details?: RateHistory };
  consumer_details?: ConsumerDto[];
  owner_pid_details?: { name: string; peer_host?: string; peer_port?: number };
  exclusive_consumer_tag?: string | null;
  single_active_consumer_tag?: string | null;
  head_message_timestamp?: number | null;
  operator_policy?: string | null;
}
