// A failure inside a timer of the core (TTL expiry, dead-lettering, x-expires) is reported and
// contained: it never reaches the process, and the queue goes on working.
import { describe, expect, it } from 'vitest';
import { AMQP_PROPERTIES } from '../amqp/properties-codec';
import { BrokerCore } from './broker-core';
import { Message } from './message';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('timers of the core', () => {
  it('report a message that cannot be dead-lettered on TTL, drop it, and keep expiring the rest', async () => {
    const core = new BrokerCore(AMQP_PROPERTIES);
    const failures: string[] = [];
    core.reportFailure = (what, err) => failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    const vh = core.addVhost('/');
    const declare = (name: string, args = {}) =>
      vh.declareQueue(name, { durable: false, autoDelete: false, exclusiveOwner: null, arguments: args }).queue;
    const src = declare('src', { 'x-message-ttl': 20, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dst' });
    const dst = declare('dst');
    const ex = vh.getExchange('');

    // content-type announced, its short string runs past the end: the lazy parse fails only when
    // dead-lettering asks for the headers, inside the expiry timer. (The AMQP channel refuses such
    // properties at publish; this reaches the core some other way, e.g. a bug or a damaged store.)
    const bad = Buffer.from([0x80, 0x00, 10, 65, 66]);
    vh.publish(ex, new Message('', 'src', bad, Buffer.from('bad'), AMQP_PROPERTIES));
    const good = AMQP_PROPERTIES.encode({ contentType: 'text/plain' });
    vh.publish(ex, new Message('', 'src', good, Buffer.from('good'), AMQP_PROPERTIES));
    expect(src.messagesReady).toBe(2);

    await sleep(150);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("queue 'src' in vhost '/': a message could not be dead-lettered (expired) and was dropped");
    expect(src.messagesReady).toBe(0);
    expect(dst.messagesReady).toBe(1); // the good one, dead-lettered after the bad one failed

    // and the queue still expires what comes next
    vh.publish(ex, new Message('', 'src', good, Buffer.from('later'), AMQP_PROPERTIES));
    await sleep(100);
    expect(src.messagesReady).toBe(0);
    expect(dst.messagesReady).toBe(2);
  });
});
