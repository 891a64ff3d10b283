// The scenario file format (lib/scenarios/README.md): a vhost's topology, the actors that play on
// it as real AMQP clients, and the steps a presenter walks through, each with checkpoints that are
// read back from the broker. Plain JSON, so a scenario can be exported, edited and loaded again.

export const SCENARIO_FORMAT = 'warren-scenario/1';

export interface ScenarioFile {
  format: typeof SCENARIO_FORMAT;
  /** lower-case words and dashes; the scenario runs in vhost `scenario-<id>` */
  id: string;
  title: string;
  summary: string;
  /** the RabbitMQ tutorial it follows, when it follows one */
  tutorial?: number;
  topology: Topology;
  actors: ActorSpec[];
  /** what a presenter can make happen at any time (buttons), or a step makes happen on entering it */
  faults?: FaultSpec[];
  steps: StepSpec[];
}

export type ArgTable = Record<string, string | number | boolean>;

export interface Topology {
  exchanges: { name: string; type: 'direct' | 'fanout' | 'topic' | 'headers'; durable: boolean }[];
  queues: { name: string; durable: boolean; arguments?: ArgTable }[];
  bindings: { source: string; destination: string; routingKey: string; arguments?: ArgTable }[];
  /**
   * Users the scenario makes, with permissions on its vhost only; the broker knows each as
   * `<scenario id>-<name>` (users are broker-wide) and reset deletes them.
   */
  users?: ScenarioUser[];
}

export interface ScenarioUser {
  name: string;
  password: string;
  /** regular expressions, as RabbitMQ's configure/write/read */
  configure: string;
  write: string;
  read: string;
}

/** Who an actor logs in as and where: by default the player's own user on the scenario vhost. */
export interface ActorLogin {
  /** a user of `topology.users` */
  user?: string;
  /** another vhost than the scenario's (to show a refusal); '/' is the default vhost */
  vhost?: string;
}

/** The equivalent standalone programs; `{{AMQP_URL}}` stands for the scenario vhost's URL. */
export interface ActorCode {
  pika: string;
  amqplib: string;
}

/** One kind of message a producer sends; a producer with several sends them in turn. */
export interface MessageVariant {
  routingKey: string;
  /** replaces the producer's `message` for this variant */
  message?: string;
  headers?: ArgTable;
}

export interface ProducerSpec extends ActorLogin {
  kind: 'producer';
  /** also the AMQP connection_name, so the console draws the actor under this name */
  name: string;
  exchange: string;
  routingKey: string;
  /** `{n}` is the message's number (1, 2, ...), `{actor}` the actor's name */
  message: string;
  /** messages per second at speed 1× */
  rate: number;
  /** stops after this many messages; absent: until paused or reset */
  count?: number;
  persistent?: boolean;
  /** messages sent in turn (routing key, headers, text); absent: every message uses `routingKey` */
  variants?: MessageVariant[];
  headers?: ArgTable;
  /** basic.publish mandatory: an unroutable message comes back as basic.return, which the producer counts */
  mandatory?: boolean;
  /** per-message TTL, ms (the `expiration` property) */
  expiration?: number;
  /** absent: generated from the spec (actor-code.ts) */
  code?: ActorCode;
}

export type AckBehaviour = 'auto' | 'ack' | 'nack-requeue' | 'nack-drop' | 'reject-requeue' | 'reject-drop';

export interface ConsumerSpec extends ActorLogin {
  kind: 'consumer';
  name: string;
  /** a queue of the topology, or '' for a server-named exclusive queue the consumer declares itself */
  queue: string;
  /** bindings of the consumer's own queue (queue ''), as `queue_bind` in the tutorials */
  bind?: { exchange: string; routingKey: string; arguments?: ArgTable }[];
  /** basic.qos prefetch_count; 0: no basic.qos, no window (as the tutorials before fair dispatch) */
  prefetch: number;
  /** how long each message takes at speed 1×, ms */
  processingMs: number;
  ack: AckBehaviour;
  /** drops its TCP connection (no close handshake) after receiving this many messages */
  crashAfter?: number;
  /** a message whose body contains this text is rejected without requeue (dead-lettered, if the queue has a DLX) */
  poison?: string;
  code?: ActorCode;
}

/** The RPC tutorial's server: consumes requests, answers fib(n) to reply_to with the request's correlation_id. */
export interface RpcServerSpec extends ActorLogin {
  kind: 'rpc-server';
  name: string;
  queue: string;
  prefetch: number;
  processingMs: number;
  code?: ActorCode;
}

/** The RPC tutorial's client: requests with reply_to and a fresh correlation_id, counts the replies that match. */
export interface RpcClientSpec extends ActorLogin {
  kind: 'rpc-client';
  name: string;
  /** where requests go: the default exchange and the server's queue, as in the tutorial */
  routingKey: string;
  /** request body; `{n}` is the request's number */
  message: string;
  rate: number;
  count?: number;
  /** its own exclusive callback queue, or RabbitMQ's direct reply-to pseudo-queue amq.rabbitmq.reply-to */
  replyTo: 'callback-queue' | 'direct';
  code?: ActorCode;
}

export type ActorSpec = ProducerSpec | ConsumerSpec | RpcServerSpec | RpcClientSpec;
export type ActorKind = ActorSpec['kind'];

export type FaultSpec = {
  /** what steps name in `faults` */
  name: string;
  /** the button's text */
  label: string;
} & (
  /** drops an actor's TCP connection without a close handshake, as a killed process */
  | { kind: 'kill'; actor: string }
  /** messages published through the broker API (the console's publish), e.g. a poison message or a flood */
  | { kind: 'publish'; exchange: string; routingKey: string; message: string; count: number; persistent?: boolean; headers?: ArgTable }
  /** restarts the broker (BrokerApi.restartBroker): only durable things survive */
  | { kind: 'restart-broker' }
);

export interface Bounds {
  atLeast?: number;
  atMost?: number;
  equals?: number;
}

/**
 * Counters (delivered, redelivered, ratio, received, returned) count from the moment the step began,
 * so a step cannot pass on an earlier step's traffic; queue fields and bindings are the state now.
 */
export type CheckpointSpec = { label: string } & (
  | ({ type: 'queue'; queue: string; field: 'messages' | 'messages_ready' | 'messages_unacknowledged' | 'consumers' } & Bounds)
  /** bindings from an exchange to queues */
  | ({ type: 'bindings'; exchange: string } & Bounds)
  /** messages the broker delivered to an actor's consumers, from its per-consumer counters */
  | ({ type: 'delivered'; actor: string } & Bounds)
  /** of those, deliveries flagged redelivered (requeued by a nack, a reject or a lost connection) */
  | ({ type: 'redelivered'; actor: string } & Bounds)
  /** delivered(actor) / delivered(over), once delivered(over) is at least `minOver` */
  | ({ type: 'ratio'; actor: string; over: string; minOver: number } & Bounds)
  /** whether a queue exists (1) or not (0) */
  | ({ type: 'queue-exists'; queue: string } & Bounds)
  /** messages the actor's client received (with this routing key, if given): what its terminal would print */
  | ({ type: 'received'; actor: string; routingKey?: string } & Bounds)
  /** unroutable mandatory messages the broker returned to a producer (basic.return) */
  | ({ type: 'returned'; actor: string } & Bounds)
  /** the broker refused the actor with this AMQP reply code (403 ACCESS_REFUSED, 530 NOT_ALLOWED): actual is the code */
  | ({ type: 'refused'; actor: string } & Bounds)
  /** messages in a queue whose first x-death entry has this reason (rejected, expired, maxlen), peeked and requeued */
  | ({ type: 'dead-lettered'; queue: string; reason: 'rejected' | 'expired' | 'maxlen' } & Bounds)
);

export interface StepSpec {
  title: string;
  /** the narrative shown for the step */
  text: string;
  /** actors started when the step begins */
  start?: string[];
  /** actors stopped (connection closed) when the step begins */
  stop?: string[];
  /** faults that happen once the step's actors have started */
  faults?: string[];
  checkpoints: CheckpointSpec[];
  /** how long the checkpoints may take at speed 1× before the step fails; default 30000 */
  timeoutMs?: number;
  /**
   * How long the step stays on at speed 1× even when its checkpoints pass sooner, so a room can
   * read its text and watch it happen (10× shows it a tenth as long); default 8000
   */
  holdMs?: number;
}
