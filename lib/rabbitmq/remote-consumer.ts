// A browser's consumer on a remote cluster: one AMQP connection (as the console user) with one
// channel consuming the queue. The wire always uses manual acks with a bounded prefetch, so a
// slow browser holds at most that many messages here; in 'auto' mode each message is acked as it
// is handed to the sink. Tags are checked here first: RabbitMQ would close the whole channel for an
// unknown one, the broker API answers precondition_failed and keeps consuming.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { BrokerError, type ConsumeOptions, type ConsumerHandle, type Delivery, type DeliverySink, type Row } from '../../broker/index';
import { connectAmqp } from './amqp-connect';
import type { Credentials } from './management-client';

/** The window when the caller asked for no limit (0): the sink's back-pressure alone would let the queue fill memory. */
export const DEFAULT_WINDOW = 200;

const PROPS: [string, keyof ConsumeMessage['properties']][] = [
  ['content_type', 'contentType'], ['content_encoding', 'contentEncoding'], ['headers', 'headers'], ['delivery_mode', 'deliveryMode'],
  ['priority', 'priority'], ['correlation_id', 'correlationId'], ['reply_to', 'replyTo'], ['expiration', 'expiration'],
  ['message_id', 'messageId'], ['timestamp', 'timestamp'], ['type', 'type'], ['user_id', 'userId'], ['app_id', 'appId'], ['cluster_id', 'clusterId'],
];

function jsonSafe(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}

/** amqplib's properties in the management API's JSON shape (as RabbitMQ's get returns them). */
export function propertiesJson(props: ConsumeMessage['properties']): Row {
  const out: Row = {};
  for (const [json, key] of PROPS) {
    const v = props[key];
    if (v !== undefined && v !== null && !(key === 'headers' && Object.keys(v as object).length === 0)) out[json] = jsonSafe(v);
  }
  return out;
}

function toDelivery(msg: ConsumeMessage, max: number | undefined): Delivery {
  const body = max !== undefined && max >= 0 && msg.content.length > max ? msg.content.subarray(0, max) : msg.content;
  const utf8 = body.toString('utf8');
  const text = Buffer.from(utf8, 'utf8').equals(body);
  return {
    deliveryTag: msg.fields.deliveryTag,
    redelivered: msg.fields.redelivered,
    exchange: msg.fields.exchange,
    routingKey: msg.fields.routingKey,
    properties: propertiesJson(msg.properties),
    payload: text ? utf8 : body.toString('base64'),
    payloadEncoding: text ? 'string' : 'base64',
    payloadBytes: msg.content.length,
  };
}

export interface RemoteConsume {
  url: string;
  caFile?: string;
  credentials: Credentials;
  vhost: string;
  queue: string;
  opts: ConsumeOptions;
  sink: DeliverySink;
}

export async function consumeRemote(c: RemoteConsume): Promise<ConsumerHandle> {
  const conn = await connectAmqp(c.url, c.credentials, c.vhost, c.opts.connectionName, c.caFile);
  let ch: Channel;
  try {
    ch = await conn.createChannel();
    await ch.prefetch(c.opts.prefetch > 0 ? c.opts.prefetch : DEFAULT_WINDOW);
  } catch (err) {
    await conn.close().catch(() => {});
    throw err;
  }
  const consumer = new RemoteConsumer(conn, ch, c);
  await consumer.start();
  return consumer;
}

class RemoteConsumer implements ConsumerHandle {
  tag = '';
  /** delivery tags handed to the sink and not settled, ascending (AMQP tags grow per channel) */
  private readonly unacked = new Set<number>();
  /** what arrived while the sink could not take it */
  private readonly waiting: ConsumeMessage[] = [];
  private ended = false;

  constructor(
    private readonly conn: ChannelModel,
    private readonly ch: Channel,
    private readonly c: RemoteConsume,
  ) {
    const end = (reason: string) => {
      if (this.ended) return;
      this.ended = true;
      this.c.sink.cancelled(reason);
      void this.conn.close().catch(() => {});
    };
    ch.on('error', (err: Error) => end(err.message));
    ch.on('close', () => end('channel closed'));
    conn.on('error', (err: Error) => end(err.message));
    conn.on('close', () => end('connection closed'));
  }

  async start(): Promise<void> {
    try {
      const ok = await this.ch.consume(this.c.queue, (msg) => this.onMessage(msg), { noAck: false });
      this.tag = ok.consumerTag;
    } catch (err) {
      this.ended = true;
      await this.conn.close().catch(() => {});
      const text = err instanceof Error ? err.message : String(err);
      const m = /(\d{3}) \(([A-Z-]+)\) with message "([\s\S]*)"/.exec(text);
      // the detail without its `NOT_FOUND - ` prefix, so the reply text reads as RabbitMQ's
      if (m !== null) throw BrokerError.amqp(Number(m[1]), m[3].replace(/^[A-Z_]+ - /, ''));
      throw new BrokerError('unavailable', text);
    }
  }

  private onMessage(msg: ConsumeMessage | null): void {
    if (msg === null) {
      // basic.cancel from the server: the queue was deleted or its leader went away
      if (!this.ended) {
        this.ended = true;
        this.c.sink.cancelled(`queue '${this.c.queue}' was deleted or is unavailable`);
        void this.conn.close().catch(() => {});
      }
      return;
    }
    if (this.waiting.length > 0 || !this.c.sink.canTake()) {
      this.waiting.push(msg);
      return;
    }
    this.hand(msg);
  }

  private hand(msg: ConsumeMessage): void {
    const d = toDelivery(msg, this.c.opts.maxPayloadBytes);
    if (this.c.opts.ack === 'auto') this.ch.ack(msg);
    else this.unacked.add(d.deliveryTag);
    // masking reads a body whole that the delivery shows cut
    this.c.sink.deliver(d, msg.content.length > (this.c.opts.maxPayloadBytes ?? Infinity) ? msg.content : undefined);
  }

  resume(): void {
    while (this.waiting.length > 0 && !this.ended && this.c.sink.canTake()) this.hand(this.waiting.shift()!);
  }

  /** The tags a settle covers, or a 406 as the broker would give for an unknown one. */
  private settle(tag: number, multiple: boolean): number[] {
    if (this.ended) throw new BrokerError('not_found', `consumer '${this.tag}' has ended`);
    if (multiple) {
      const covered = [...this.unacked].filter((t) => tag === 0 || t <= tag);
      if (tag !== 0 && !this.unacked.has(tag)) throw BrokerError.amqp(406, `unknown delivery tag ${tag}`);
      for (const t of covered) this.unacked.delete(t);
      return covered;
    }
    if (!this.unacked.delete(tag)) throw BrokerError.amqp(406, `unknown delivery tag ${tag}`);
    return [tag];
  }

  private fields(tag: number): ConsumeMessage {
    // amqplib's ack/nack read only fields.deliveryTag
    return { fields: { deliveryTag: tag } } as ConsumeMessage;
  }

  async ack(deliveryTag: number, multiple: boolean): Promise<void> {
    const tags = this.settle(deliveryTag, multiple);
    if (tags.length === 0) return;
    this.ch.ack(this.fields(tags[tags.length - 1]), multiple);
  }

  async nack(deliveryTag: number, multiple: boolean, requeue: boolean): Promise<void> {
    const tags = this.settle(deliveryTag, multiple);
    if (tags.length === 0) return;
    this.ch.nack(this.fields(tags[tags.length - 1]), multiple, requeue);
  }

  async reject(deliveryTag: number, requeue: boolean): Promise<void> {
    const [tag] = this.settle(deliveryTag, false);
    this.ch.reject(this.fields(tag), requeue);
  }

  async cancel(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    // the channel first: its close is ordered after the acks written on it (a connection close is
    // not, amqplib would drop them), and it requeues what was held, as closing an AMQP channel does
    await this.ch.close().catch(() => {});
    await this.conn.close().catch(() => {});
  }
}
