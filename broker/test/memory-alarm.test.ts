import amqp from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, type Broker } from '../index';
import { internals } from '../embedded/internals';

// Warren only: drives the memory alarm by hand instead of filling memory.
let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
});
afterAll(() => broker.close());

function once<T>(emitter: { once(ev: string, f: (v: T) => void): unknown }, ev: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${ev} within ${ms} ms`)), ms);
    emitter.once(ev, (v: T) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

test('above the memory high-water mark publishers get connection.blocked and are held, not dropped', async () => {
  const pubConn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  const subConn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  try {
    const pub = await pubConn.createChannel();
    const sub = await subConn.createChannel();
    const { queue } = await sub.assertQueue('', { exclusive: true });
    pub.sendToQueue(queue, Buffer.from('before'));
    expect(await sub.get(queue, { noAck: true }).then(waitForMessage(sub, queue))).toBe('before');

    const blocked = once<string>(pubConn, 'blocked');
    // the test drives the alarm: its own sampler would lower it again at its next look
    internals(broker).server.memoryAlarm.stop();
    internals(broker).server.memoryAlarm.check(Number.MAX_SAFE_INTEGER);
    pub.sendToQueue(queue, Buffer.from('during'));
    expect(await blocked).toBe('low on memory');
    await new Promise((r) => setTimeout(r, 200));
    // held in the publisher's socket, not routed and not lost
    expect((await sub.checkQueue(queue)).messageCount).toBe(0);

    const unblocked = once<void>(pubConn, 'unblocked');
    internals(broker).server.memoryAlarm.check(0);
    await unblocked;
    const m = await waitForMessage(sub, queue)(false);
    expect(m).toBe('during');
  } finally {
    await pubConn.close();
    await subConn.close();
  }
});

function waitForMessage(ch: amqp.Channel, queue: string) {
  return async (first: amqp.GetMessage | false): Promise<string> => {
    if (first) return first.content.toString();
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const m = await ch.get(queue, { noAck: true });
      if (m) return m.content.toString();
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no message');
  };
}
