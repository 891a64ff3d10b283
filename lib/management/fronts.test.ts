// Publish, get and consume mean the same through every front: an AMQP client (amqplib), the REST
// API and a browser consumer on /api/ws. Each case does the same thing through each front and
// compares what comes out. (Browser consumers: lib/live/live-consumers.test.ts.)
import type { Channel, GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type Obj, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

async function channel(): Promise<Channel> {
  const conn = await api.connect();
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  return ch;
}

const restGet = (queue: string, ackmode = 'ack_requeue_true') => api.post(`/api/queues/%2F/${queue}/get`, { count: 1, ackmode, encoding: 'auto' });
const amqpHeaders = (m: GetMessage | false) => (m === false ? undefined : m.properties.headers);

describe('stream queues refuse basic.get', () => {
  it('over AMQP (540, connection closed) and over REST (400 with the same text)', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await ch.assertQueue('fr.stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    const closed = new Promise<Error>((resolve) => conn.once('error', resolve));
    await expect(ch.get('fr.stream')).rejects.toThrow();
    const err = await closed;
    expect(err.message).toContain("NOT_IMPLEMENTED - basic.get not supported by stream queues queue 'fr.stream' in vhost '/'");
    const r = await restGet('fr.stream');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'bad_request', reason: "basic.get not supported by stream queues queue 'fr.stream' in vhost '/'" });
  });
});

describe('quorum queues count deliveries', () => {
  it('x-delivery-count reads the same through AMQP basic.get and REST get, before and after a requeue', async () => {
    const ch = await channel();
    await ch.assertQueue('fr.quorum', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    ch.sendToQueue('fr.quorum', Buffer.from('q'), { headers: { a: 1 } });
    await eventually(async () => obj(await api.get('/api/queues/%2F/fr.quorum')).messages === 1);

    const viaRest = async () => {
      const r = await restGet('fr.quorum');
      expect(list(r)).toHaveLength(1);
      return (list(r)[0].properties as Obj).headers;
    };
    const viaAmqp = async () => {
      const m = await ch.get('fr.quorum');
      if (m !== false) ch.nack(m, false, true);
      await eventually(async () => obj(await api.get('/api/queues/%2F/fr.quorum')).messages_ready === 1);
      return amqpHeaders(m);
    };
    // each get hands the message back, so the count grows by one a time, whichever front took it
    const rest0 = await viaRest();
    const amqp1 = await viaAmqp();
    const rest2 = await viaRest();
    expect(rest0).toEqual({ a: 1, 'x-delivery-count': 0 });
    expect(amqp1).toEqual({ a: 1, 'x-delivery-count': 1 });
    expect(rest2).toEqual({ a: 1, 'x-delivery-count': 2 });
  });
});

describe('CC and BCC headers', () => {
  async function setUp(prefix: string) {
    const ch = await channel();
    for (const q of ['main', 'cc', 'bcc']) {
      await ch.assertQueue(`${prefix}.${q}`, { durable: false });
      await ch.purgeQueue(`${prefix}.${q}`);
    }
    return ch;
  }

  async function delivered(ch: Channel, prefix: string) {
    const out: Record<string, unknown> = {};
    for (const q of ['main', 'cc', 'bcc']) {
      const queue = `${prefix}.${q}`;
      await eventually(async () => obj(await api.get(`/api/queues/%2F/${encodeURIComponent(queue)}`)).messages === 1);
      const m = await ch.get(queue, { noAck: true });
      out[q] = amqpHeaders(m);
    }
    return out;
  }

  const headers = (prefix: string) => ({ CC: [`${prefix}.cc`], BCC: [`${prefix}.bcc`], keep: 'me' });

  it('route to the extra queues and BCC is stripped, published over AMQP or over REST alike', async () => {
    const ch = await setUp('fr.amqp');
    for (const q of ['main', 'cc', 'bcc']) await ch.bindQueue(`fr.amqp.${q}`, 'amq.direct', `fr.amqp.${q}`);
    ch.publish('amq.direct', 'fr.amqp.main', Buffer.from('x'), { headers: headers('fr.amqp') });
    const viaAmqp = await delivered(ch, 'fr.amqp');

    const ch2 = await setUp('fr.rest');
    for (const q of ['main', 'cc', 'bcc']) await ch2.bindQueue(`fr.rest.${q}`, 'amq.direct', `fr.rest.${q}`);
    const r = await api.post('/api/exchanges/%2F/amq.direct/publish', {
      routing_key: 'fr.rest.main', properties: { headers: headers('fr.rest') }, payload: 'x', payload_encoding: 'string',
    });
    expect(obj(r)).toEqual({ routed: true });
    const viaRest = await delivered(ch2, 'fr.rest');

    const expected = (prefix: string) => ({ CC: [`${prefix}.cc`], keep: 'me' });
    expect(viaAmqp).toEqual({ main: expected('fr.amqp'), cc: expected('fr.amqp'), bcc: expected('fr.amqp') });
    expect(viaRest).toEqual({ main: expected('fr.rest'), cc: expected('fr.rest'), bcc: expected('fr.rest') });
  });
});
