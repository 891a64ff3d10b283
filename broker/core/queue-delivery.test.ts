// A queue hands a message straight to a consumer with credit when nothing waits, and keeps its own
// count of what waits: whatever mix of publishes, credit, requeues, purges and removals, the count
// and bytes it reports are those of its ready list, every message goes out exactly once per time it
// was queued, in arrival order with requeued ones back in their place, and the round robin over
// several consumers is unchanged by the one-consumer shortcut.
import { describe, expect, it } from 'vitest';
import type { Consumer, ConsumerInfo } from './consumer';
import { newConsumerStats } from './consumer';
import { Message } from './message';
import { PropertiesCodec, type BasicProperties } from './properties';
import { Queue, type QueueEntry, type QueueHost } from './queue';

class NoCodec extends PropertiesCodec {
  encode(): Buffer {
    return Buffer.alloc(0);
  }

  decode(): BasicProperties {
    return {};
  }

  has(): boolean {
    return false;
  }
}

const host: QueueHost = {
  propertiesCodec: new NoCodec(),
  deadLetter: () => {},
  autoDeleteQueue: () => {},
  traced: () => {},
};

/** Takes deliveries while it has credit and keeps them, unacked, in the order they came. */
class TakingConsumer implements Consumer {
  readonly noAck = false;
  readonly exclusive = false;
  readonly priority = 0;
  readonly stats = newConsumerStats();
  blocked = false;
  credit = 0;
  readonly held: QueueEntry[] = [];

  constructor(readonly tag: string) {}

  hasCredit(): boolean {
    return this.credit > 0;
  }

  hasOwnCredit(): boolean {
    return this.credit > 0;
  }

  deliver(_queue: Queue, entry: QueueEntry): void {
    this.credit--;
    this.held.push(entry);
  }

  cancelledByQueue(): void {}

  describe(): ConsumerInfo {
    return { connection: 'test', channel: 1, prefetchCount: 0, ackRequired: true, exclusive: false, arguments: {} };
  }

  unackedCount(): number {
    return this.held.length;
  }
}

function newQueue(): Queue {
  return new Queue(host, '/', 'q', { durable: false, exclusiveOwner: null, autoDelete: false, arguments: {} });
}

const message = (n: number) => new Message('', 'q', Buffer.alloc(0), Buffer.alloc(n % 7), {});

function expectConsistent(q: Queue): void {
  const ready = [...q.readyEntries()];
  expect(q.messagesReady).toBe(ready.length);
  expect(q.messageBytesReady).toBe(ready.reduce((n, e) => n + e.msg.bodySize, 0));
}

describe('Queue delivery', () => {
  it('reports what its ready list holds, and delivers each queued message once, in order, through any mix of operations', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 100; round++) {
      const q = newQueue();
      const c = new TakingConsumer('c');
      let consuming = false;
      let published = 0;
      const settled: QueueEntry[] = [];
      let dropped = 0;
      for (let step = 0; step < 200; step++) {
        const r = rnd();
        if (r < 0.4) {
          q.enqueue(message(published++));
        } else if (r < 0.55) {
          c.credit += Math.floor(rnd() * 4);
          if (!consuming) {
            q.addConsumer(c);
            consuming = true;
          } else q.dispatch();
        } else if (r < 0.65 && consuming) {
          q.removeConsumer(c);
          consuming = false;
        } else if (r < 0.8 && c.held.length > 0) {
          const e = c.held.splice(Math.floor(rnd() * c.held.length), 1)[0];
          if (rnd() < 0.5) {
            q.settle(e);
            settled.push(e);
          } else {
            q.requeue(e);
            if (consuming) q.dispatch();
          }
        } else if (r < 0.83) {
          dropped += q.purge();
        } else if (r < 0.86) {
          const within = Math.floor(rnd() * 5);
          const chosen = new Set([...q.readyEntries()].slice(0, within).filter(() => rnd() < 0.5));
          dropped += q.removeReady(chosen, within);
        }
        expectConsistent(q);
        expect(q.unacked).toBe(c.held.length);
        // a message waits only while the consumer cannot take it
        if (consuming && c.credit > 0) expect(q.messagesReady).toBe(0);
      }
      expect(settled.length + c.held.length + q.messagesReady + dropped).toBe(published);
      expect(new Set([...settled, ...c.held]).size).toBe(settled.length + c.held.length);
      // what waits is in arrival order: requeued messages went back to their place
      const seqs = [...q.readyEntries()].map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('puts a new consumer at the back of the turns, as RabbitMQ does: one that had the queue to itself goes first', () => {
    const q = newQueue();
    const a = new TakingConsumer('a');
    const b = new TakingConsumer('b');
    a.credit = b.credit = 100;
    q.addConsumer(a);
    q.enqueue(message(1));
    q.enqueue(message(2));
    q.addConsumer(b);
    for (let i = 0; i < 4; i++) q.enqueue(message(i));
    // a had two alone; b joined behind it
    expect(a.held.map((e) => e.seq)).toEqual([0, 1, 2, 4]);
    expect(b.held.map((e) => e.seq)).toEqual([3, 5]);
    q.removeConsumer(a);
    q.enqueue(message(9));
    expect(b.held.map((e) => e.seq)).toEqual([3, 5, 6]);
    expectConsistent(q);
  });
});
