// Policies in the core, against a VirtualHost with no transport. What each case expects is what
// RabbitMQ 3.10.8 did for the same steps (checked with amqplib and its HTTP API).
import { describe, expect, it } from 'vitest';
import { AMQP_PROPERTIES } from '../amqp/properties-codec';
import type { BrokerEvent } from './events';
import type { FieldTable } from './field-values';
import { Message } from './message';
import { parsePolicy, type PolicyInput } from './policy-validation';
import { rankPolicies } from './policy';
import { VirtualHost } from './vhost';

function vhost(events: BrokerEvent[] = []) {
  return new VirtualHost('v', (e) => events.push(e), AMQP_PROPERTIES);
}

const policy = (name: string, input: Partial<PolicyInput> & { definition: unknown }) => parsePolicy('v', name, { pattern: '.*', ...input });

function queue(vh: VirtualHost, name: string, args: FieldTable = {}) {
  const durable = args['x-queue-type'] === 'quorum';
  return vh.declareQueue(name, { durable, autoDelete: false, exclusiveOwner: null, arguments: args }).queue;
}

function publish(vh: VirtualHost, exchange: string, key: string, body = 'x', props: Record<string, unknown> = {}) {
  return vh.publish(vh.getExchange(exchange), new Message(exchange, key, AMQP_PROPERTIES.encode(props), Buffer.from(body), props));
}

describe('effective policy', () => {
  it('is the highest priority match; among equals the first name (RabbitMQ leaves that undefined)', () => {
    const vh = vhost();
    const q = queue(vh, 'orders');
    vh.putPolicy(policy('low', { pattern: '^ord', definition: { 'max-length': 9 }, priority: 1 }));
    vh.putPolicy(policy('high', { pattern: '^ord', definition: { 'max-length': 5 }, priority: 2 }));
    expect(q.policy?.name).toBe('high');
    vh.putPolicy(policy('b', { pattern: 'ders$', definition: { 'max-length': 3 }, priority: 2 }));
    expect(q.policy?.name).toBe('b');
    vh.putPolicy(policy('a', { pattern: 'xyz', definition: { 'max-length': 3 }, priority: 7 }));
    expect(q.policy?.name).toBe('b');
    expect(rankPolicies(vh.policies.values()).map((p) => p.name)).toEqual(['a', 'b', 'high', 'low']);
  });

  it('applies to queues, exchanges or both, built-in exchanges included', () => {
    const vh = vhost();
    const q = queue(vh, 'thing');
    const { exchange } = vh.declareExchange('thing', 'fanout', { durable: false, autoDelete: false, internal: false, arguments: {} });
    vh.putPolicy(policy('q', { pattern: '^thing$', definition: { 'max-length': 1 }, applyTo: 'queues' }));
    vh.putPolicy(policy('x', { pattern: '^thing$', definition: { 'alternate-exchange': 'ae' }, applyTo: 'exchanges' }));
    expect([q.policy?.name, exchange.policy?.name]).toEqual(['q', 'x']);
    vh.putPolicy(policy('all', { pattern: '', definition: { 'max-length': 1 }, priority: 5 }));
    expect([q.policy?.name, exchange.policy?.name, vh.getExchange('amq.direct').policy?.name, vh.defaultExchange.policy?.name]).toEqual(['all', 'all', 'all', 'all']);
  });

  it('skips queues of a type the policy has a key for no use of', () => {
    const vh = vhost();
    const classic = queue(vh, 'c');
    const quorum = queue(vh, 'qq', { 'x-queue-type': 'quorum' });
    vh.putPolicy(policy('limit', { definition: { 'delivery-limit': 3 }, priority: 9 }));
    vh.putPolicy(policy('lazy', { definition: { 'queue-mode': 'lazy' }, priority: 8 }));
    vh.putPolicy(policy('len', { definition: { 'max-length': 7 }, priority: 1 }));
    expect([classic.policy?.name, quorum.policy?.name]).toEqual(['lazy', 'limit']);
    expect(quorum.deliveryLimit).toBe(3);
    expect(classic.deliveryLimit).toBeUndefined();
  });

  it('is set for queues and exchanges declared after the policy', () => {
    const vh = vhost();
    vh.putPolicy(policy('p', { pattern: '^late', definition: { 'max-length': 2, 'alternate-exchange': 'ae' } }));
    const q = queue(vh, 'late-q');
    const { exchange } = vh.declareExchange('late-x', 'direct', { durable: false, autoDelete: false, internal: false, arguments: {} });
    expect([q.policy?.name, q.maxLength, exchange.alternateExchange]).toEqual(['p', 2, 'ae']);
  });

  it('tells observers which queues and exchanges it changed, and setting the same policy again changes nothing', () => {
    const events: BrokerEvent[] = [];
    const vh = vhost(events);
    queue(vh, 'a1');
    queue(vh, 'b1');
    expect(vh.putPolicy(policy('p', { pattern: '^a', definition: { 'max-length': 2 }, applyTo: 'queues' }))).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'policy.changed', vhost: 'v', name: 'p', queues: ['a1'], exchanges: [] });
    const n = events.length;
    expect(vh.putPolicy(policy('p', { pattern: '^a', definition: { 'max-length': 2 }, applyTo: 'queues' }))).toBe(false);
    expect(events.length).toBe(n);
    expect(vh.deletePolicy('p')).toBe(true);
    expect(vh.deletePolicy('p')).toBe(false);
  });
});

describe('combined with queue arguments', () => {
  it('the smaller of argument and policy for max-length, max-length-bytes, message-ttl and expires', () => {
    const vh = vhost();
    const small = queue(vh, 'small', { 'x-max-length': 2, 'x-max-length-bytes': 10, 'x-message-ttl': 100, 'x-expires': 1000 });
    const big = queue(vh, 'big', { 'x-max-length': 20, 'x-max-length-bytes': 1000, 'x-message-ttl': 100_000, 'x-expires': 100_000 });
    vh.putPolicy(policy('p', { definition: { 'max-length': 5, 'max-length-bytes': 50, 'message-ttl': 500, expires: 5000 } }));
    expect([small.maxLength, small.maxLengthBytes, small.messageTtl, small.expires]).toEqual([2, 10, 100, 1000]);
    expect([big.maxLength, big.maxLengthBytes, big.messageTtl, big.expires]).toEqual([5, 50, 500, 5000]);
    vh.deletePolicy('p');
    expect([big.maxLength, big.maxLengthBytes, big.messageTtl, big.expires]).toEqual([20, 1000, 100_000, 100_000]);
  });

  it('the argument for dead-letter exchange and routing key, overflow, and the alternate exchange', () => {
    const vh = vhost();
    const q = queue(vh, 'q', { 'x-dead-letter-exchange': 'argdlx', 'x-overflow': 'reject-publish' });
    const { exchange } = vh.declareExchange('x', 'direct', { durable: false, autoDelete: false, internal: false, arguments: { 'alternate-exchange': 'argae' } });
    vh.putPolicy(policy('p', { definition: { 'dead-letter-exchange': 'poldlx', 'dead-letter-routing-key': 'rk', overflow: 'drop-head', 'alternate-exchange': 'polae' } }));
    expect([q.deadLetterExchange, q.deadLetterRoutingKey, q.overflow, exchange.alternateExchange]).toEqual(['argdlx', 'rk', 'reject-publish', 'argae']);
  });

  it('quorum queues: the policy wins for overflow and expires, the smaller for delivery-limit', () => {
    const vh = vhost();
    const q = queue(vh, 'qq', { 'x-queue-type': 'quorum', 'x-overflow': 'reject-publish', 'x-expires': 1000, 'x-delivery-limit': 2 });
    vh.putPolicy(policy('p', { definition: { overflow: 'drop-head', expires: 5000, 'delivery-limit': 10 } }));
    expect([q.overflow, q.expires, q.deliveryLimit]).toEqual(['drop-head', 5000, 2]);
  });
});

describe('applied at once to what is queued', () => {
  it('a new max-length drops the oldest messages to the policy’s dead-letter exchange; deleting the policy lifts the limit', () => {
    const vh = vhost();
    const q = queue(vh, 'work');
    const dead = queue(vh, 'dead');
    vh.declareExchange('dlx', 'fanout', { durable: false, autoDelete: false, internal: false, arguments: {} });
    vh.bind(vh.getExchange('dlx'), dead, '', {});
    for (let i = 0; i < 5; i++) publish(vh, '', 'work', `m${i}`);
    vh.putPolicy(policy('p', { pattern: '^work$', definition: { 'max-length': 3, 'dead-letter-exchange': 'dlx' } }));
    expect([q.messageCount, dead.messageCount]).toEqual([3, 2]);
    expect([...q.readyEntries()].map((e) => e.msg.body.toString())).toEqual(['m2', 'm3', 'm4']);
    const first = [...dead.readyEntries()][0].msg;
    expect((first.properties.headers?.['x-death'] as FieldTable[])[0]).toMatchObject({ reason: 'maxlen', queue: 'work' });
    vh.deletePolicy('p');
    for (let i = 0; i < 3; i++) publish(vh, '', 'work');
    expect(q.messageCount).toBe(6);
  });

  it('does not trim a reject-publish queue; a quorum queue’s policy overflow can switch it to drop-head', () => {
    const vh = vhost();
    const classic = queue(vh, 'c', { 'x-overflow': 'reject-publish' });
    const quorum = queue(vh, 'qq', { 'x-queue-type': 'quorum', 'x-overflow': 'reject-publish' });
    for (let i = 0; i < 5; i++) {
      publish(vh, '', 'c');
      publish(vh, '', 'qq');
    }
    vh.putPolicy(policy('p', { definition: { 'max-length': 3 } }));
    expect([classic.messageCount, quorum.messageCount]).toEqual([5, 5]);
    vh.putPolicy(policy('p', { definition: { 'max-length': 3, overflow: 'drop-head' } }));
    expect([classic.messageCount, quorum.messageCount]).toEqual([5, 3]);
  });

  it('max-length-bytes trims by body size', () => {
    const vh = vhost();
    const q = queue(vh, 'bytes');
    for (let i = 0; i < 4; i++) publish(vh, '', 'bytes', '12345');
    vh.putPolicy(policy('p', { definition: { 'max-length-bytes': 12 } }));
    expect([q.messageCount, q.messageBytesReady]).toEqual([2, 10]);
  });

  it('a message TTL applies to messages that arrive after it, not to those already queued', async () => {
    const vh = vhost();
    const q = queue(vh, 'ttl');
    publish(vh, '', 'ttl', 'before');
    vh.putPolicy(policy('p', { definition: { 'message-ttl': 20 } }));
    publish(vh, '', 'ttl', 'after');
    await new Promise((r) => setTimeout(r, 60));
    // RabbitMQ expires from the head: 'after' waits behind the message that has no TTL
    expect(q.messageCount).toBe(2);
    expect([...q.readyEntries()].map((e) => e.expiresAt === 0)).toEqual([true, false]);
    // ...and keeps its TTL when the policy goes
    vh.deletePolicy('p');
    q.fetch(false);
    expect(q.fetch(false)).toBeUndefined();
  });

  it('expires deletes an unused queue; one whose policy has none stays', async () => {
    const vh = vhost();
    queue(vh, 'gone');
    queue(vh, 'kept');
    vh.putPolicy(policy('e', { pattern: '^(gone|kept)$', definition: { expires: 30 } }));
    vh.putPolicy(policy('k', { pattern: '^kept$', definition: { 'max-length': 100 }, priority: 1 }));
    await new Promise((r) => setTimeout(r, 90));
    expect([vh.queues.has('gone'), vh.queues.has('kept')]).toEqual([false, true]);
  });

  it('the alternate exchange of a policy takes unroutable messages, and stops when the policy goes', () => {
    const vh = vhost();
    const caught = queue(vh, 'caught');
    vh.declareExchange('ae', 'fanout', { durable: false, autoDelete: false, internal: false, arguments: {} });
    vh.bind(vh.getExchange('ae'), caught, '', {});
    vh.declareExchange('px', 'direct', { durable: false, autoDelete: false, internal: false, arguments: {} });
    vh.putPolicy(policy('p', { pattern: '^px$', definition: { 'alternate-exchange': 'ae' }, applyTo: 'exchanges' }));
    publish(vh, 'px', 'nowhere');
    vh.deletePolicy('p');
    publish(vh, 'px', 'nowhere');
    expect(caught.messageCount).toBe(1);
  });
});
