// Differential testing of consumers: one seeded sequence of consumes (prefetch, global prefetch,
// no-ack, exclusive, priorities, single active consumer), cancels, publishes, acks, nacks and
// rejects of what was delivered, recovers, channel closes, gets, purges and deletes, run through
// amqplib against Warren and against RabbitMQ, each answer and the deliveries it caused written down
// as a line. The two logs must be the same, line for line: which consumer gets which message, in
// what order, redelivered or not, and what each queue holds afterwards.
//
// Deliveries are asynchronous, so after each operation the run waits until everything it caused has
// arrived, by a chain of round trips that RabbitMQ can only answer after it: one on every consumer
// channel (the channel has passed its settles and recovers on to the queues), a passive declare of
// every queue, twice round (each queue has taken them, delivered what they freed and dead-lettered
// what they dropped), and one on every consumer channel again (the channel has written what the
// queues gave it). The deliveries of one operation are compared consumer by consumer: the order
// in which two queues deliver to one channel at the same moment is a race on RabbitMQ.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { errorAnswer, random } from './differential-ops';

/** How long a run with quorum queues waits after each operation besides its round trips (see settleDown). */
const QUORUM_SETTLE_MS = 25;

/** consumer channels: 0 to 2 */
type Ch = 0 | 1 | 2;

export type ConsumeOp =
  | { kind: 'declareQueue'; queue: string; args: Record<string, unknown>; durable?: boolean }
  | { kind: 'consume'; ch: Ch; queue: string; noAck: boolean; exclusive: boolean; priority?: number }
  | { kind: 'cancel'; ch: Ch; pick: number }
  | { kind: 'qos'; ch: Ch; count: number; global: boolean }
  | { kind: 'publish'; exchange: string; key: string; body: string; priority?: number; persistent: boolean }
  | { kind: 'settle'; ch: Ch; how: 'ack' | 'nack' | 'nackRequeue' | 'reject' | 'rejectRequeue' | 'ackAll' | 'nackAll' | 'nackAllRequeue'; pick: number }
  | { kind: 'get'; ch: Ch; queue: string; noAck: boolean }
  | { kind: 'recover'; ch: Ch }
  | { kind: 'closeChannel'; ch: Ch }
  | { kind: 'purge'; queue: string }
  | { kind: 'deleteQueue'; queue: string };

/**
 * Which queue types a run declares: classic queues only, or each queue classic or quorum (durable,
 * no priorities: rabbit_fifo gives consumers their turns, and requeues, its own way).
 */
export type QueueTypes = 'classic' | 'mixed';

/** Names used by a seed's run: four queues and a fanout exchange bound to the first three. */
export function consumeNames(seed: number, types: QueueTypes = 'classic'): { queues: string[]; fanout: string } {
  const prefix = types === 'classic' ? `c${seed}` : `cq${seed}`;
  return { queues: [0, 1, 2, 3].map((i) => `${prefix}.q${i}`), fanout: `${prefix}.fanout` };
}

/** `count` operations from `seed`, after the declares of the four queues. */
export function generateConsumeOps(seed: number, count: number, types: QueueTypes = 'classic'): ConsumeOp[] {
  const rnd = random(seed);
  // the types are drawn apart, so that a seed's operations are the same whichever types it runs with
  const typeRnd = random(seed + 7919);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const chance = (p: number): boolean => rnd() < p;
  const { queues, fanout } = consumeNames(seed, types);
  const queueArgs = (i: number): Record<string, unknown> => {
    const a: Record<string, unknown> = {};
    if (chance(0.25)) a['x-max-length'] = 1 + Math.floor(rnd() * 4);
    if (a['x-max-length'] !== undefined && chance(0.3)) a['x-overflow'] = 'reject-publish';
    // dead letters go on to a later queue, so that the waits after an operation see them arrive
    if (i < 3 && chance(0.4)) {
      a['x-dead-letter-exchange'] = '';
      a['x-dead-letter-routing-key'] = queues[i + 1 + Math.floor(rnd() * (3 - i))];
    }
    if (chance(0.25)) a['x-single-active-consumer'] = true;
    if (chance(0.2)) a['x-max-priority'] = 1 + Math.floor(rnd() * 4);
    return a;
  };
  const declares = queues.map((queue, i): ConsumeOp => {
    const args = queueArgs(i);
    if (types === 'classic' || typeRnd() < 0.5) return { kind: 'declareQueue', queue, args };
    delete args['x-max-priority'];
    return { kind: 'declareQueue', queue, args: { ...args, 'x-queue-type': 'quorum' }, durable: true };
  });
  const firstIsQuorum = declares[0].kind === 'declareQueue' && declares[0].args['x-queue-type'] === 'quorum';
  const ops: ConsumeOp[] = [...declares];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    const ch = pick([0, 1, 2] as const);
    const q = Math.floor(rnd() * queues.length);
    const queue = queues[q];
    if (r < 0.02) ops.push(declares[q]);
    else if (r < 0.14) {
      // channel 0 may have a global prefetch, and consumes from one queue only: when credit comes
      // back to a channel, which of several queues delivers to it first is a race on RabbitMQ
      const from = ch === 0 ? queues[0] : queue;
      ops.push({ kind: 'consume', ch, queue: from, noAck: chance(0.15), exclusive: chance(0.05), ...(chance(0.25) ? { priority: Math.floor(rnd() * 3) } : {}) });
    } else if (r < 0.19) ops.push({ kind: 'cancel', ch, pick: rnd() });
    // (no global prefetch where channel 0 consumes from a quorum queue: RabbitMQ closes the connection)
    else if (r < 0.24) ops.push({ kind: 'qos', ch, count: pick([0, 1, 1, 2, 3]), global: ch === 0 && chance(0.5) && !firstIsQuorum });
    else if (r < 0.52) {
      const toFanout = chance(0.15);
      ops.push({
        kind: 'publish', exchange: toFanout ? fanout : '', key: toFanout ? '' : queue, body: `m${i}`,
        ...(chance(0.3) ? { priority: Math.floor(rnd() * 6) } : {}),
        persistent: chance(0.2),
      });
    } else if (r < 0.78) {
      const how = pick(['ack', 'ack', 'ack', 'nack', 'nackRequeue', 'reject', 'rejectRequeue', 'ackAll', 'nackAll', 'nackAllRequeue'] as const);
      ops.push({ kind: 'settle', ch, how, pick: rnd() });
    } else if (r < 0.84) ops.push({ kind: 'get', ch, queue, noAck: chance(0.3) });
    else if (r < 0.87) ops.push({ kind: 'recover', ch });
    else if (r < 0.90) ops.push({ kind: 'closeChannel', ch });
    else if (r < 0.93) ops.push({ kind: 'purge', queue });
    else if (r < 0.95) ops.push({ kind: 'deleteQueue', queue });
    // the rest: nothing happens but the wait, which shows deliveries that come late
    else ops.push({ kind: 'qos', ch, count: pick([1, 2]), global: false });
  }
  return ops;
}

interface Held {
  tag: number;
  /** the consumer's tag, '' for basic.get */
  consumer: string;
  body: string;
}

interface ConsumerChannel {
  ch: Channel;
  /** consumer tags of the channel's live consumers, in the order they were made */
  consumers: string[];
  held: Held[];
  /** what arrived since the last operation's line: consumer tag → deliveries */
  arrived: Map<string, string[]>;
  cancelled: string[];
}

/** Runs `ops` on one connection to `url` (vhost included) and returns what each answered, a line each. */
export async function runConsumeOps(url: string, seed: number, ops: ConsumeOp[], types: QueueTypes = 'classic'): Promise<string[]> {
  const { queues, fanout } = consumeNames(seed, types);
  const conn: ChannelModel = await amqp.connect(url);
  const log: string[] = [];
  let consumed = 0;
  let control: ConfirmChannel = await conn.createConfirmChannel();
  let probe: Channel = await conn.createChannel();
  const channels: ConsumerChannel[] = [];
  const open = async (i: Ch): Promise<void> => {
    const ch = await conn.createChannel();
    ch.on('error', () => {}); // the operation that closed it reports the error
    channels[i] = { ch, consumers: [], held: [], arrived: new Map(), cancelled: [] };
  };
  for (const i of [0, 1, 2] as const) await open(i);
  control.on('error', () => {});
  probe.on('error', () => {});
  try {
    await control.assertExchange(fanout, 'fanout', { durable: false });
    for (const [i, op] of ops.entries()) {
      let answer: string;
      try {
        answer = await apply(op);
      } catch (err) {
        answer = errorAnswer(err);
        if (op.kind === 'publish' || op.kind === 'declareQueue' || op.kind === 'purge' || op.kind === 'deleteQueue') {
          control = await conn.createConfirmChannel();
          control.on('error', () => {});
        } else await open(op.ch);
      }
      const state = await settleDown();
      log.push(`${i} ${JSON.stringify(op)} => ${answer} | ${arrivals()} | ${state}`);
    }
  } finally {
    await conn.close().catch(() => {});
  }
  return log;

  async function apply(op: ConsumeOp): Promise<string> {
    switch (op.kind) {
      case 'declareQueue': {
        const r = await control.assertQueue(op.queue, { arguments: op.args, durable: op.durable ?? false });
        if (op.queue !== queues[3]) await control.bindQueue(op.queue, fanout, '');
        return `ok ${r.messageCount} ${r.consumerCount}`;
      }
      case 'consume': {
        const c = channels[op.ch];
        const tag = `t${++consumed}`;
        const options = { noAck: op.noAck, exclusive: op.exclusive, consumerTag: tag, ...(op.priority === undefined ? {} : { priority: op.priority }) };
        const r = await c.ch.consume(op.queue, (m) => received(c, tag, op.noAck, m), options);
        c.consumers.push(r.consumerTag);
        return `ok ${r.consumerTag}`;
      }
      case 'cancel': {
        const c = channels[op.ch];
        if (c.consumers.length === 0) return 'no consumer';
        const tag = c.consumers[Math.floor(op.pick * c.consumers.length)];
        await c.ch.cancel(tag);
        c.consumers = c.consumers.filter((t) => t !== tag);
        return `cancelled ${tag}`;
      }
      case 'qos':
        await channels[op.ch].ch.prefetch(op.count, op.global);
        return 'ok';
      case 'publish': {
        control.publish(op.exchange, op.key, Buffer.from(op.body), { priority: op.priority, persistent: op.persistent });
        return await control.waitForConfirms().then(() => 'confirmed', () => 'nacked');
      }
      case 'settle':
        return settle(channels[op.ch], op.how, op.pick);
      case 'get': {
        const c = channels[op.ch];
        const m = await c.ch.get(op.queue, { noAck: op.noAck });
        if (m === false) return 'empty';
        if (!op.noAck) c.held.push({ tag: m.fields.deliveryTag, consumer: '', body: m.content.toString() });
        return `${m.content.toString()} redelivered=${m.fields.redelivered} left=${m.fields.messageCount}`;
      }
      case 'recover': {
        const c = channels[op.ch];
        // before the recover-ok: RabbitMQ's queues may send the redeliveries first, or after
        c.held = [];
        await c.ch.recover();
        return 'ok';
      }
      case 'closeChannel': {
        await channels[op.ch].ch.close();
        await open(op.ch);
        return 'ok';
      }
      case 'purge':
        return `purged ${(await control.purgeQueue(op.queue)).messageCount}`;
      case 'deleteQueue':
        return `deleted ${(await control.deleteQueue(op.queue)).messageCount}`;
    }
  }

  function received(c: ConsumerChannel, consumer: string, noAck: boolean, m: ConsumeMessage | null): void {
    if (channels.indexOf(c) < 0) return; // a closed channel's
    if (m === null) {
      // the server cancelled it (its queue went)
      c.cancelled.push(consumer);
      c.consumers = c.consumers.filter((t) => t !== consumer);
      return;
    }
    const body = m.content.toString();
    if (!noAck) c.held.push({ tag: m.fields.deliveryTag, consumer, body });
    const list = c.arrived.get(consumer) ?? [];
    list.push(`${body}${m.fields.redelivered ? '*' : ''}`);
    c.arrived.set(consumer, list);
  }

  /** Unsettled deliveries in an order both brokers agree on: consumer by consumer, each in arrival order. */
  function inOrder(c: ConsumerChannel): Held[] {
    const rank = (h: Held) => (h.consumer === '' ? -1 : Number(h.consumer.slice(1)));
    return c.held.map((h, i) => ({ h, i })).sort((a, b) => rank(a.h) - rank(b.h) || a.i - b.i).map((x) => x.h);
  }

  async function settle(c: ConsumerChannel, how: Extract<ConsumeOp, { kind: 'settle' }>['how'], pick: number): Promise<string> {
    if (c.held.length === 0) return 'nothing held';
    const ordered = inOrder(c);
    const one = ordered[Math.floor(pick * ordered.length)];
    const message = { fields: { deliveryTag: one.tag } } as ConsumeMessage;
    let settled: Held[] = [one];
    switch (how) {
      case 'ack': c.ch.ack(message); break;
      case 'nack': c.ch.nack(message, false, false); break;
      case 'nackRequeue': c.ch.nack(message, false, true); break;
      case 'reject': c.ch.reject(message, false); break;
      case 'rejectRequeue': c.ch.reject(message, true); break;
      case 'ackAll': c.ch.ackAll(); settled = ordered; break;
      case 'nackAll': c.ch.nackAll(false); settled = ordered; break;
      case 'nackAllRequeue': c.ch.nackAll(true); settled = ordered; break;
    }
    c.held = c.held.filter((h) => !settled.includes(h));
    return `${how} ${settled.map((h) => `${h.consumer || 'get'}:${h.body}`).join(',')}`;
  }

  /** Waits until what the operation caused has arrived (see the top of the file); returns the queues' counts. */
  async function settleDown(): Promise<string> {
    await roundTrips();
    // A quorum queue (a Ra state machine) answers a passive declare without waiting for the
    // commands in flight to be applied and their deliveries sent: only time lets those arrive.
    if (types === 'mixed') await new Promise((resolve) => setTimeout(resolve, QUORUM_SETTLE_MS));
    let counts: string[] = [];
    for (let pass = 0; pass < 2; pass++) {
      counts = [];
      for (const queue of queues) {
        try {
          const r = await probe.checkQueue(queue);
          counts.push(`${r.messageCount}/${r.consumerCount}`);
        } catch {
          counts.push('-');
          probe = await conn.createChannel();
          probe.on('error', () => {});
        }
      }
    }
    await roundTrips();
    return counts.join(' ');
  }

  async function roundTrips(): Promise<void> {
    for (const c of channels) await c.ch.checkExchange('amq.direct');
  }

  /** The deliveries and cancellations since the last line, consumer by consumer, and forgets them. */
  function arrivals(): string {
    const parts: string[] = [];
    for (const [i, c] of channels.entries()) {
      const byConsumer = [...c.arrived].sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)));
      for (const [tag, bodies] of byConsumer) parts.push(`${i}/${tag}:${bodies.join(',')}`);
      for (const tag of c.cancelled) parts.push(`${i}/${tag} cancelled`);
      c.arrived.clear();
      c.cancelled = [];
    }
    return parts.join(' ');
  }
}
