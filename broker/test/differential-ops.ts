// Differential testing of well-formed operations: one seeded sequence of declares, bindings
// (exchange to exchange too), publishes (confirmed, some mandatory, some with CC and BCC headers),
// gets, acks, nacks, rejects, purges, deletes and recovers, run through amqplib against Warren and
// against RabbitMQ, each answer written down as a line. The two logs must be the same, line for
// line: routing (headers x-match modes and alternate exchanges included), requeue order, redelivered
// flags, message counts, dead-lettering with x-death, length limits and overflow, priorities, and
// the errors, their order and texts.
//
// Only what is deterministic on both is done: publishes are confirmed before the next operation, and
// after a settle the queues its messages came from are declared passively, which RabbitMQ's queue
// processes answer only after they took the settle (and dead-lettered what it dropped). No TTLs and
// no consumers: their timing differs between any two brokers.
import amqp, { type ConfirmChannel, type ChannelModel, type GetMessage, type Message } from 'amqplib';

type Exchange = { name: string; type: 'direct' | 'topic' | 'fanout' | 'headers'; alternate?: string };

export type Op =
  | { kind: 'declareExchange'; exchange: Exchange }
  | { kind: 'declareQueue'; queue: string; args: Record<string, unknown>; durable: boolean; autoDelete: boolean }
  | { kind: 'bind'; queue: string; exchange: string; key: string; args: Record<string, unknown> }
  | { kind: 'unbind'; queue: string; exchange: string; key: string }
  | { kind: 'bindExchange'; destination: string; source: string; key: string }
  | { kind: 'unbindExchange'; destination: string; source: string; key: string }
  | { kind: 'deleteExchange'; exchange: Exchange; ifUnused: boolean }
  | { kind: 'publish'; exchange: string; key: string; body: string; priority?: number; headers?: Record<string, unknown>; cc?: string[]; bcc?: string[]; expiration?: string; persistent: boolean; mandatory: boolean }
  | { kind: 'get'; queue: string; noAck: boolean }
  | { kind: 'settle'; how: 'ack' | 'nack' | 'nackRequeue' | 'reject' | 'rejectRequeue' | 'ackAll' | 'nackAll' | 'nackAllRequeue'; oldest: boolean }
  | { kind: 'purge'; queue: string }
  | { kind: 'check'; queue: string }
  | { kind: 'deleteQueue'; queue: string; ifEmpty: boolean; ifUnused: boolean }
  | { kind: 'recover' };

/** mulberry32: a small seeded generator, so a seed names one sequence on every machine */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` operations on four queues and four exchanges (one of each type), from `seed`; the names carry the seed. */
export function generateOps(seed: number, count: number): Op[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const chance = (p: number): boolean => rnd() < p;
  const queues = [0, 1, 2, 3].map((i) => `s${seed}.q${i}`);
  const exchanges: Exchange[] = (['direct', 'topic', 'fanout', 'headers'] as const).map((type) => ({ name: `s${seed}.${type}`, type }));
  // unroutable messages of the topic exchange go to the fanout one, and those of the headers exchange to amq.direct
  exchanges[1].alternate = exchanges[2].name;
  exchanges[3].alternate = 'amq.direct';
  const keys = ['a', 'b.c', 'a.b', '#', '*.c', '', ...queues.slice(0, 2)];
  const queueArgs = (): Record<string, unknown> => {
    const a: Record<string, unknown> = {};
    if (chance(0.3)) a['x-max-length'] = Math.floor(rnd() * 4);
    if (chance(0.1)) a['x-max-length-bytes'] = Math.floor(rnd() * 20);
    if (chance(0.2)) a['x-overflow'] = pick(['drop-head', 'reject-publish', 'reject-publish-dlx']);
    if (chance(0.4)) {
      a['x-dead-letter-exchange'] = pick([exchanges[0].name, exchanges[2].name, '']);
      if (chance(0.5)) a['x-dead-letter-routing-key'] = pick(['a', 'b.c', queues[0]]);
    } else if (chance(0.05)) a['x-dead-letter-routing-key'] = 'a'; // without an exchange: 406
    if (chance(0.3)) a['x-max-priority'] = Math.floor(rnd() * 5);
    if (chance(0.1)) a['x-message-ttl'] = 600_000;
    return a;
  };
  // each queue is declared the same way throughout (now and then otherwise: 406 inequivalent arguments)
  const declares = queues.map((queue): Op => ({ kind: 'declareQueue', queue, args: queueArgs(), durable: chance(0.2), autoDelete: chance(0.1) }));
  const ops: Op[] = [...exchanges.map((exchange): Op => ({ kind: 'declareExchange', exchange })), ...declares];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    const q = Math.floor(rnd() * queues.length);
    const queue = queues[q];
    const x = pick(exchanges);
    if (r < 0.08) ops.push(declares[q]);
    else if (r < 0.09) ops.push({ kind: 'declareQueue', queue, args: queueArgs(), durable: chance(0.2), autoDelete: false });
    else if (r < 0.17) {
      const args = x.type === 'headers' ? { 'x-match': pick(['all', 'any', 'all-with-x', 'any-with-x']), h: pick(['1', '2']), ...(chance(0.3) ? { k: 'v' } : {}) } : {};
      ops.push({ kind: 'bind', queue, exchange: x.name, key: pick(keys), args });
    } else if (r < 0.19) ops.push({ kind: 'unbind', queue, exchange: x.name, key: pick(keys) });
    else if (r < 0.21) ops.push({ kind: 'bindExchange', destination: pick(exchanges).name, source: pick([x.name, 'amq.direct']), key: pick(keys) });
    else if (r < 0.215) ops.push({ kind: 'unbindExchange', destination: pick(exchanges).name, source: x.name, key: pick(keys) });
    else if (r < 0.22) ops.push({ kind: 'deleteExchange', exchange: x, ifUnused: chance(0.5) });
    else if (r < 0.23) ops.push({ kind: 'declareExchange', exchange: x });
    else if (r < 0.42) {
      const exchange = pick([...exchanges.map((e) => e.name), '', 'amq.direct', 'amq.fanout']);
      ops.push({
        kind: 'publish', exchange, key: chance(0.5) ? queue : pick(keys), body: `m${i}`,
        ...(chance(0.5) ? { priority: Math.floor(rnd() * 8) } : {}),
        ...(chance(0.5) ? { headers: { h: pick(['1', '2', 3]), ...(chance(0.3) ? { k: 'v', 'x-k': 'v' } : {}) } } : {}),
        ...(chance(0.1) ? { cc: [pick(keys)] } : {}),
        ...(chance(0.05) ? { bcc: [pick(queues)] } : {}),
        // never reached while the run lasts: what a dead letter makes of it is what is compared
        ...(chance(0.1) ? { expiration: pick(['600000', '3600000']) } : {}),
        persistent: chance(0.3), mandatory: chance(0.3),
      });
    } else if (r < 0.50) ops.push({ kind: 'publish', exchange: '', key: queue, body: `p${i}`, priority: Math.floor(rnd() * 8), persistent: false, mandatory: false });
    else if (r < 0.70) ops.push({ kind: 'get', queue, noAck: chance(0.2) });
    else if (r < 0.86) {
      const how = pick(['ack', 'nack', 'nackRequeue', 'reject', 'rejectRequeue', 'ackAll', 'nackAll', 'nackAllRequeue'] as const);
      ops.push({ kind: 'settle', how, oldest: chance(0.5) });
    } else if (r < 0.89) ops.push({ kind: 'purge', queue });
    else if (r < 0.93) ops.push({ kind: 'check', queue });
    else if (r < 0.96) ops.push({ kind: 'deleteQueue', queue, ifEmpty: chance(0.3), ifUnused: chance(0.3) });
    else ops.push({ kind: 'recover' });
  }
  return ops;
}

/** An operation's failure as its line says it: the error's text on one line. */
export function errorAnswer(err: unknown): string {
  return `error ${(err as Error).message.replace(/\s+/g, ' ')}`;
}

interface Held {
  tag: number;
  queue: string;
  body: string;
}

function describeGot(m: GetMessage): string {
  const death = (m.properties.headers?.['x-death'] ?? []).map((d) => [d.queue, d.reason, d.count, d.exchange, d['routing-keys'], d['original-expiration']]);
  const headers = Object.keys(m.properties.headers ?? {}).filter((k) => k !== 'x-death').sort().join(',');
  return `${m.content.toString()} redelivered=${m.fields.redelivered} exchange=${m.fields.exchange} key=${m.fields.routingKey} left=${m.fields.messageCount} priority=${m.properties.priority ?? '-'} expiration=${m.properties.expiration ?? '-'} headers=${headers} x-death=${JSON.stringify(death)}`;
}

/** Runs `ops` on one connection to `url` (vhost included) and returns what each answered, a line each. */
export async function runOps(url: string, ops: Op[]): Promise<string[]> {
  const conn: ChannelModel = await amqp.connect(url);
  const log: string[] = [];
  const returned: string[] = [];
  let held: Held[] = [];
  let ch: ConfirmChannel;
  const open = async (): Promise<void> => {
    ch = await conn.createConfirmChannel();
    ch.on('error', () => {}); // the operation that closed it reports the error
    ch.on('return', (m: Message) => {
      const f = m.fields as unknown as { replyCode: number; replyText: string };
      returned.push(`${f.replyCode} ${f.replyText} ${m.content.toString()}`);
    });
    held = [];
  };
  await open();
  try {
    for (const [i, op] of ops.entries()) {
      let answer: string;
      try {
        answer = await apply(op);
      } catch (err) {
        answer = errorAnswer(err);
        await open();
      }
      log.push(`${i} ${JSON.stringify(op)} => ${answer}`);
    }
  } finally {
    await conn.close().catch(() => {});
  }
  return log;

  async function apply(op: Op): Promise<string> {
    switch (op.kind) {
      case 'declareExchange':
        await ch.assertExchange(op.exchange.name, op.exchange.type, { durable: false, autoDelete: false, ...(op.exchange.alternate === undefined ? {} : { alternateExchange: op.exchange.alternate }) });
        return 'ok';
      case 'deleteExchange':
        await ch.deleteExchange(op.exchange.name, { ifUnused: op.ifUnused });
        return 'ok';
      case 'bindExchange':
        await ch.bindExchange(op.destination, op.source, op.key);
        return 'ok';
      case 'unbindExchange':
        await ch.unbindExchange(op.destination, op.source, op.key);
        return 'ok';
      case 'declareQueue': {
        const r = await ch.assertQueue(op.queue, { arguments: op.args, durable: op.durable, autoDelete: op.autoDelete });
        return `ok ${r.messageCount} ${r.consumerCount}`;
      }
      case 'bind':
        await ch.bindQueue(op.queue, op.exchange, op.key, op.args);
        return 'ok';
      case 'unbind':
        await ch.unbindQueue(op.queue, op.exchange, op.key);
        return 'ok';
      case 'publish': {
        ch.publish(op.exchange, op.key, Buffer.from(op.body), { priority: op.priority, headers: op.headers, CC: op.cc, BCC: op.bcc, expiration: op.expiration, persistent: op.persistent, mandatory: op.mandatory });
        const confirmed = await ch.waitForConfirms().then(() => 'confirmed', () => 'nacked');
        const answer = returned.length === 0 ? confirmed : `${confirmed}, returned ${returned.join('; ')}`;
        returned.length = 0;
        return answer;
      }
      case 'get': {
        const m = await ch.get(op.queue, { noAck: op.noAck });
        if (m === false) return 'empty';
        if (!op.noAck) held.push({ tag: m.fields.deliveryTag, queue: op.queue, body: m.content.toString() });
        return describeGot(m);
      }
      case 'settle':
        return settle(op.how, op.oldest);
      case 'purge':
        return `purged ${(await ch.purgeQueue(op.queue)).messageCount}`;
      case 'check': {
        const r = await ch.checkQueue(op.queue);
        return `ok ${r.messageCount} ${r.consumerCount}`;
      }
      case 'deleteQueue':
        return `deleted ${(await ch.deleteQueue(op.queue, { ifEmpty: op.ifEmpty, ifUnused: op.ifUnused })).messageCount}`;
      case 'recover':
        await ch.recover();
        held = [];
        return 'ok';
    }
  }

  async function settle(how: Extract<Op, { kind: 'settle' }>['how'], oldest: boolean): Promise<string> {
    if (held.length === 0) return 'nothing held';
    const one = oldest ? held[0] : held[held.length - 1];
    const message = { fields: { deliveryTag: one.tag } } as Message;
    let settled: Held[] = [one];
    switch (how) {
      case 'ack': ch.ack(message); break;
      case 'nack': ch.nack(message, false, false); break;
      case 'nackRequeue': ch.nack(message, false, true); break;
      case 'reject': ch.reject(message, false); break;
      case 'rejectRequeue': ch.reject(message, true); break;
      case 'ackAll': ch.ackAll(); settled = held; break;
      case 'nackAll': ch.nackAll(false); settled = held; break;
      case 'nackAllRequeue': ch.nackAll(true); settled = held; break;
    }
    held = held.filter((h) => !settled.includes(h));
    // their queues answer after they took the settle, and dead-lettered what it dropped
    const counts: string[] = [];
    for (const queue of new Set(settled.map((h) => h.queue))) counts.push(`${queue} ${(await ch.checkQueue(queue)).messageCount}`);
    return `${how} ${settled.map((h) => h.body).join(',')}; ${counts.join(', ')}`;
  }
}
