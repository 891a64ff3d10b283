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
  steps: StepSpec[];
}

export interface Topology {
  exchanges: { name: string; type: 'direct' | 'fanout' | 'topic' | 'headers'; durable: boolean }[];
  queues: { name: string; durable: boolean; arguments?: Record<string, string | number | boolean> }[];
  bindings: { source: string; destination: string; routingKey: string; arguments?: Record<string, string | number | boolean> }[];
}

/** The equivalent standalone programs; `{{AMQP_URL}}` stands for the scenario vhost's URL. */
export interface ActorCode {
  pika: string;
  amqplib: string;
}

export interface ProducerSpec {
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
  code: ActorCode;
}

export type AckBehaviour = 'auto' | 'ack' | 'nack-requeue' | 'nack-drop' | 'reject-requeue' | 'reject-drop';

export interface ConsumerSpec {
  kind: 'consumer';
  name: string;
  /** a queue of the topology, or '' for a server-named exclusive queue the consumer declares itself */
  queue: string;
  /** bindings of the consumer's own queue (queue ''), as `queue_bind` in the tutorials */
  bind?: { exchange: string; routingKey: string }[];
  /** basic.qos prefetch_count; 0: no basic.qos, no window (as the tutorials before fair dispatch) */
  prefetch: number;
  /** how long each message takes at speed 1×, ms */
  processingMs: number;
  ack: AckBehaviour;
  /** drops its TCP connection (no close handshake) after receiving this many messages */
  crashAfter?: number;
  code: ActorCode;
}

export type ActorSpec = ProducerSpec | ConsumerSpec;

export interface Bounds {
  atLeast?: number;
  atMost?: number;
  equals?: number;
}

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
);

export interface StepSpec {
  title: string;
  /** the narrative shown for the step */
  text: string;
  /** actors started when the step begins */
  start?: string[];
  /** actors stopped (connection closed) when the step begins */
  stop?: string[];
  checkpoints: CheckpointSpec[];
  /** how long the checkpoints may take at speed 1× before the step fails; default 30000 */
  timeoutMs?: number;
}
