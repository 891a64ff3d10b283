// Measured message flow on a remote cluster: the vhost's firehose (amq.rabbitmq.trace), turned on
// only while a console watcher asks for it. Tracing makes the cluster publish a copy of every
// message published and delivered in the vhost, so what reaches the console is bounded on the
// cluster's side: an exclusive, auto-delete queue holding at most TRACE_QUEUE_MAX copies for at most
// TRACE_TTL_MS, dropping the oldest. Tracing is turned off again when the last watcher lets go,
// unless it was on before Warren asked (someone else's trace must keep running).
import crypto from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { BrokerError, type FlowEvent, type Row } from '../../broker/index';
import { connectAmqp } from './amqp-connect';
import { p, type Credentials } from './management-client';
import type { RemoteBrokerApi } from './remote-broker';

export const TRACE_QUEUE_MAX = 1_000;
export const TRACE_TTL_MS = 5_000;
export const TRACE_EXCHANGE = 'amq.rabbitmq.trace';
/** The trace queue shows on every console's graph of the vhost: its name says whose it is. */
export const TRACE_QUEUE_PREFIX = 'warren-console-firehose-';

/** The queue's bounds as RabbitMQ takes them: a busy cluster cannot flood the console. */
export const TRACE_QUEUE_ARGS = { 'x-max-length': TRACE_QUEUE_MAX, 'x-overflow': 'drop-head', 'x-message-ttl': TRACE_TTL_MS };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (Buffer.isBuffer(x) ? x.toString() : String(x))) : [];
}

function text(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString() : v === undefined || v === null ? '' : String(v);
}

/** A trace message as the flow event it reports; undefined for what is neither a publish nor a delivery. */
export function flowEventOf(msg: ConsumeMessage, id: number): FlowEvent | undefined {
  const key = msg.fields.routingKey;
  const h = (msg.properties.headers ?? {}) as Record<string, unknown>;
  const ts = Date.now();
  const routingKey = strings(h.routing_keys)[0] ?? '';
  // the channel that published, or that the message was delivered on
  const origin = { connection: text(h.connection), channel: typeof h.channel === 'number' ? h.channel : 0, user: text(h.user) };
  if (key.startsWith('publish.')) {
    return { kind: 'published', id, origin, exchange: key.slice('publish.'.length), routingKey, queues: strings(h.routed_queues), ts };
  }
  if (key.startsWith('deliver.')) {
    return { kind: 'delivered', id, origin, exchange: text(h.exchange_name), routingKey, queue: key.slice('deliver.'.length), redelivered: h.redelivered === 1 || h.redelivered === true, ts };
  }
  return undefined;
}

export class RemoteFirehose {
  private conn: ChannelModel | undefined;
  /** tracing was off and Warren turned it on: Warren turns it off again */
  private ownTracing = false;
  /** the login that turned it on, to turn it off with */
  private creds: Credentials | undefined;
  private nextId = 1;
  /** start and stop run one after the other */
  private chain: Promise<void> = Promise.resolve();
  running = false;

  constructor(
    private readonly api: RemoteBrokerApi,
    readonly vhost: string,
    private readonly sink: (e: FlowEvent) => void,
    /** the connection was lost (not closed by stop) */
    private readonly lost: () => void,
  ) {}

  start(creds: Credentials): Promise<void> {
    return this.serial(async () => {
      if (this.running) return;
      const url = this.api.config.amqpUrl;
      if (url === undefined) {
        throw new BrokerError('unavailable', `broker '${this.api.name}' has no AMQP URL configured: the firehose is read over AMQP`);
      }
      await this.setTracing(creds, true);
      let conn: ChannelModel | undefined;
      try {
        conn = await connectAmqp(url, creds, this.vhost, `warren console firehose (${this.api.name})`, this.api.config.caFile);
        const ch: Channel = await conn.createChannel();
        const q = await ch.assertQueue(`${TRACE_QUEUE_PREFIX}${crypto.randomBytes(6).toString('hex')}`, { exclusive: true, autoDelete: true, durable: false, arguments: TRACE_QUEUE_ARGS });
        await ch.bindQueue(q.queue, TRACE_EXCHANGE, 'publish.#');
        await ch.bindQueue(q.queue, TRACE_EXCHANGE, 'deliver.#');
        await ch.consume(q.queue, (msg) => {
          if (msg === null) return;
          const e = flowEventOf(msg, this.nextId++);
          if (e !== undefined) this.sink(e);
        }, { noAck: true });
        const c = conn;
        const gone = () => {
          if (this.conn !== c) return;
          this.conn = undefined;
          this.running = false;
          this.lost();
        };
        conn.on('close', gone);
        conn.on('error', () => {});
        this.conn = conn;
        this.running = true;
      } catch (err) {
        await conn?.close().catch(() => {});
        await this.restoreTracing(creds);
        throw err;
      }
      this.creds = creds;
    });
  }

  /** Stops reading; tracing goes off if Warren turned it on. */
  stop(): Promise<void> {
    return this.serial(async () => {
      const conn = this.conn;
      this.conn = undefined;
      this.running = false;
      // the exclusive queue goes with its connection
      await conn?.close().catch(() => {});
      if (this.creds !== undefined) await this.restoreTracing(this.creds);
    });
  }

  private async restoreTracing(creds: Credentials): Promise<void> {
    if (!this.ownTracing) return;
    // tried with the enabler's login, then the configured account's, so a lost session still cleans up
    for (const who of [creds, this.api.service]) {
      try {
        await this.setTracing(who, false);
        return;
      } catch {
        // the next account tries
      }
    }
  }

  private async setTracing(creds: Credentials, on: boolean): Promise<void> {
    const path = p('vhosts', this.vhost);
    const v = await this.api.http.request<Row>(creds, 'GET', path);
    if (on && v.tracing === true) return;
    // a PUT carries the description and tags along, so that turning tracing on changes nothing else
    const body: Row = { tracing: on };
    if (typeof v.description === 'string') body.description = v.description;
    if (Array.isArray(v.tags)) body.tags = v.tags.join(',');
    await this.api.http.request(creds, 'PUT', path, body);
    this.ownTracing = on;
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => {});
    return run;
  }
}
