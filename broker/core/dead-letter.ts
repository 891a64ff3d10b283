import { copyTable, setFieldType, type FieldTable, type FieldValue } from './field-values';
import { Message } from './message';
import type { PropertiesCodec } from './properties';
import { routingKeys } from './publishing';
import type { DeadLetterReason, Queue } from './queue';

/**
 * The copy of a message that goes to a queue's dead-letter exchange, as RabbitMQ makes it: an
 * x-death entry per (queue, reason) with a count, the x-first-death-* headers, and no per-message
 * TTL. It is routed by all the keys the message was published with (its routing key, then those of
 * its CC and BCC headers: its `extraKeys`, which it keeps for a death after this one), or by the
 * queue's dead-letter routing key alone, and then without its CC header. x-death names the routing
 * key and the CC keys, not the BCC ones.
 */
export function deadLetterMessage(queue: Queue, msg: Message, reason: DeadLetterReason, dlx: string, codec: PropertiesCodec): Message {
  const props = { ...msg.properties };
  const headers = copyTable(props.headers ?? {});
  const ownKey = queue.deadLetterRoutingKey;
  const published = [msg.routingKey, ...routingKeys(headers.CC)];
  headers['x-death'] = addDeath(headers['x-death'], queue.name, reason, msg, props.expiration, published);
  if (ownKey !== undefined) delete headers.CC;
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queue.name;
    headers['x-first-death-exchange'] = msg.exchange;
  }
  // RabbitMQ writes a dead-lettered message's headers back sorted by key
  props.headers = keysSorted(headers);
  // The per-message TTL is spent; RabbitMQ drops it so the message does not expire again at once.
  delete props.expiration;
  const dead = new Message(dlx, ownKey ?? msg.routingKey, codec.encode(props), msg.body, props);
  dead.traceId = msg.traceId;
  if (ownKey === undefined) dead.extraKeys = msg.extraKeys;
  return dead;
}

/**
 * Whether a dead letter whose x-death is `deaths` (newest first, this death included) would close
 * a cycle by reaching `queue`: it died there before, and no death since (that one included) was a
 * rejection. RabbitMQ (rabbit_dead_letter:is_cycle) drops such a message for that queue; an entry
 * that is not a table was put there by a client, and makes the cycle not fully automatic.
 */
export function diedThereAutomatically(queue: string, deaths: unknown): boolean {
  if (!Array.isArray(deaths)) return false;
  for (const d of deaths) {
    if (!isTable(d) || d.reason === 'rejected') return false;
    if (d.queue === queue) return true;
  }
  return false;
}

function addDeath(existing: unknown, queue: string, reason: DeadLetterReason, msg: Message, expiration: string | undefined, routingKeys: string[]) {
  const given: FieldValue[] = Array.isArray(existing) ? existing : [];
  const deaths = given.length >= 2 ? regrouped(given) : [...given];
  const i = deaths.findIndex((d) => isTable(d) && d.queue === queue && d.reason === reason);
  if (i >= 0) {
    const d = deaths[i] as FieldTable;
    const updated = keysSorted(d);
    updated.count = typeof d.count === 'number' ? d.count + 1 : typeof d.count === 'bigint' ? d.count + 1n : 1;
    setFieldType(updated, 'count', 'int64');
    deaths.splice(i, 1);
    deaths.unshift(updated);
    return deaths;
  }
  const death: FieldTable = {
    count: 1,
    reason,
    queue,
    time: new Date(Math.floor(Date.now() / 1000) * 1000),
    exchange: msg.exchange,
    'routing-keys': routingKeys,
  };
  // RabbitMQ's count is a long; `time` (a Date) goes out as a timestamp by itself
  setFieldType(death, 'count', 'int64');
  if (expiration !== undefined) death['original-expiration'] = expiration;
  // RabbitMQ keeps the first entry in the order above, but writes one it adds to an existing
  // x-death (or updates) with its keys sorted
  deaths.unshift(deaths.length > 0 ? keysSorted(death) : death);
  return deaths;
}

/**
 * What RabbitMQ 3.10 makes of an x-death of two entries or more before it adds a death to it
 * (rabbit_dead_letter's group_by_queue_and_reason): the first entry of each (queue, reason), with a
 * count of how many there were if it had none, in reverse order. The reversal is RabbitMQ's (it
 * folds them onto a list), and the cycle check reads the order, so it is kept.
 */
function regrouped(deaths: FieldValue[]): FieldValue[] {
  const out: FieldValue[] = [];
  const seen = new Set<string>();
  for (const d of deaths) {
    if (!isTable(d)) {
      out.unshift(d);
      continue;
    }
    const key = JSON.stringify([d.queue, d.reason]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (d.count !== undefined) {
      out.unshift(d);
      continue;
    }
    const counted = copyTable(d);
    counted.count = deaths.filter((e) => isTable(e) && e.queue === d.queue && e.reason === d.reason).length;
    setFieldType(counted, 'count', 'int64');
    out.unshift(counted);
  }
  return out;
}

/** A copy with the keys in byte order, values keeping their wire types. */
function keysSorted(t: FieldTable): FieldTable {
  return copyTable(t, Object.keys(t).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

function isTable(v: unknown): v is FieldTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

