// Browsing a queue without consuming: a page of its ready messages (or of those delivered and not
// yet acked, with who holds them), read where they lie. Nothing the queue or its consumers see
// changes — no delivery, no `redelivered`, no counter, no order — which is what RabbitMQ cannot do
// (its get with requeue marks each message redelivered). A page costs its own length: ready
// entries are read by position (Queue.readyAt), and a paged-out body is read from the store only
// for the messages of the page, and only up to the body limit's worth of the answer.
import type { BrokerCore } from '../core/broker-core';
import type { Queue, QueueEntry } from '../core/queue';
import type { VirtualHost } from '../core/vhost';
import {
  BROWSE_MAX_BODY_BYTES,
  BROWSE_MAX_LIMIT,
  BROWSE_MAX_PAGE_BYTES,
  BROWSE_MAX_WHOLE_BYTES,
  type Actor,
  type BrowsedMessage,
  type BrowseOptions,
  type BrowsePage,
  type Row,
} from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { channelName, channelsOf } from './amqp-view';
import { ApiConsumer } from './api-consumer';
import { checkPermission, vhostFor } from './access';
import { propertiesToJson } from './message-properties';

/** Looking for a message by id goes back at most this far from where it was last seen... */
const FIND_WINDOW = 100_000;
/** ...starting this far behind it, for messages requeued in front of it since. */
const REQUEUED_SLACK = 10_000;

interface Holder {
  consumerTag: string;
  channel: string;
  deliveryTag: number;
}

/** The queue, with read permission on it as basic.get needs (browsing reads what a get would). */
export function browsedQueue(core: BrokerCore, who: Actor, vhost: string, queue: string): { vh: VirtualHost; q: Queue } {
  const vh = vhostFor(core, who, vhost);
  const q = vh.queues.get(queue);
  if (q === undefined) throw new BrokerError('not_found', `no queue '${queue}' in vhost '${vhost}'`, { code: 404 });
  checkPermission(core, who, vhost, 'read', q.name);
  return { vh, q };
}

function clampOptions(o: BrowseOptions): BrowseOptions {
  const int = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(v) ? Math.floor(v) : lo));
  return { state: o.state, raw: o.raw === true, offset: int(o.offset, 0, Number.MAX_SAFE_INTEGER), limit: int(o.limit, 0, BROWSE_MAX_LIMIT), bodyLimit: int(o.bodyLimit, 0, BROWSE_MAX_BODY_BYTES) };
}

export function shown(vh: VirtualHost, q: Queue, entry: QueueEntry, position: number, bodyLimit: number, holder?: Holder, raw = false): BrowsedMessage {
  const msg = entry.msg;
  const size = msg.bodySize;
  const take = Math.min(size, bodyLimit);
  // a paged-out body is read from the log only when some of it is shown
  const body = take === 0 ? '' : msg.body.subarray(0, take).toString('base64');
  const properties: Row = propertiesToJson(vh.propertiesCodec.decode(q.deliveryProperties(entry, false)));
  const out: BrowsedMessage = {
    position,
    id: entry.seq,
    redelivered: entry.redelivered,
    exchange: msg.exchange,
    routing_key: msg.routingKey,
    properties,
    payload: body,
    payload_bytes: size,
    truncated: take < size,
    expires_at: entry.expiresAt === 0 ? null : entry.expiresAt,
  };
  if (raw) out.properties_raw = q.deliveryProperties(entry, false).toString('base64');
  if (holder !== undefined) {
    out.consumer_tag = holder.consumerTag;
    out.channel = holder.channel;
    out.delivery_tag = holder.deliveryTag;
  }
  return out;
}

/**
 * The queue's unacked deliveries with their holders, up to `until` of them: AMQP channels (basic.get
 * deliveries have no consumer tag) and the broker API's consumers.
 */
function heldDeliveries(core: BrokerCore, q: Queue, until: number): { entry: QueueEntry; holder: Holder }[] {
  const out: { entry: QueueEntry; holder: Holder }[] = [];
  if (q.unacked === 0) return out;
  for (const conn of core.connections) {
    if (conn.vhostName !== q.vhost) continue;
    for (const ch of channelsOf(conn)) {
      for (const [tag, d] of ch.unacked) {
        if (d.queue !== q) continue;
        out.push({ entry: d.entry, holder: { consumerTag: d.consumer?.tag ?? '', channel: channelName(conn.name, ch.id), deliveryTag: tag } });
        if (out.length >= until) return out;
      }
    }
  }
  for (const c of q.consumers) {
    if (!(c instanceof ApiConsumer)) continue;
    const info = c.describe();
    for (const [tag, entry] of c.heldDeliveries()) {
      out.push({ entry, holder: { consumerTag: c.tag, channel: channelName(info.connection, info.channel), deliveryTag: tag } });
      if (out.length >= until) return out;
    }
  }
  return out;
}

/** A page of the queue; `bodies` receives a reader of each message's whole body, for masking. */
export function browseQueue(core: BrokerCore, who: Actor, vhost: string, queue: string, options: BrowseOptions, bodies?: (() => Buffer)[]): BrowsePage {
  const { vh, q } = browsedQueue(core, who, vhost, queue);
  const o = clampOptions(options);
  const messages: BrowsedMessage[] = [];
  // bodies share one budget, so a page of big messages stays a bounded answer
  let budget = BROWSE_MAX_PAGE_BYTES;
  const add = (entry: QueueEntry, position: number, holder?: Holder) => {
    const m = shown(vh, q, entry, position, Math.min(o.bodyLimit, budget), holder, o.raw);
    budget -= Math.min(m.payload_bytes, o.bodyLimit, budget);
    messages.push(m);
    const msg = entry.msg;
    bodies?.push(() => msg.body);
  };
  if (o.state === 'ready') {
    const total = q.messagesReady;
    const end = Math.min(total, o.offset + o.limit);
    for (let i = o.offset; i < end; i++) {
      const entry = q.readyAt(i);
      if (entry !== undefined) add(entry, i);
    }
    return { state: 'ready', offset: o.offset, total, messages };
  }
  const held = heldDeliveries(core, q, o.offset + o.limit);
  for (let i = o.offset; i < held.length; i++) add(held[i].entry, i, held[i].holder);
  return { state: 'unacked', offset: o.offset, total: q.unacked, messages };
}

/**
 * One ready message whole, found by id: where it was last seen or nearer the head (messages ahead
 * of it leave; requeued ones come back in front), else gone.
 */
export function browseMessage(core: BrokerCore, who: Actor, vhost: string, queue: string, id: number, position: number, raw = false): BrowsedMessage {
  const { vh, q } = browsedQueue(core, who, vhost, queue);
  const gone = () => new BrokerError('not_found', `message ${id} is no longer ready in queue '${queue}' in vhost '${vhost}'`, { code: 404 });
  const total = q.messagesReady;
  const seen = Number.isFinite(position) ? Math.max(0, Math.floor(position)) : 0;
  const from = Math.min(seen + REQUEUED_SLACK, total - 1);
  for (let i = from, n = 0; i >= 0 && n < FIND_WINDOW + REQUEUED_SLACK; i--, n++) {
    const entry = q.readyAt(i);
    if (entry?.seq !== id) continue;
    if (entry.msg.bodySize > BROWSE_MAX_WHOLE_BYTES) {
      throw new BrokerError('precondition_failed', `message ${id} has ${entry.msg.bodySize} bytes, more than the ${BROWSE_MAX_WHOLE_BYTES} one answer carries`, { code: 406 });
    }
    return shown(vh, q, entry, i, entry.msg.bodySize, undefined, raw);
  }
  throw gone();
}
