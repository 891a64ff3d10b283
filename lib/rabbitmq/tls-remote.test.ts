// The remote broker API over TLS only: a RabbitMQ node of its own (tls-test-node.ts: AMQPS 5791,
// management https 15791, no plain listener) with a certificate of a throw-away CA
// (scripts/test-pki.ts). With that CA, as `--rabbitmq NAME=https://...,amqps://... --rabbitmq-ca`
// configures it, reads, changes, consuming and live events all work; with another CA every call
// fails saying the certificate is not trusted, and nothing is sent unencrypted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBrokerError, type Delivery } from '../../broker/index';
import { connectAmqp } from './amqp-connect';
import { parseBrokerSpec } from './broker-spec';
import { RemoteBrokerApi } from './remote-broker';
import { rabbitmqServer, startTlsNode, type TlsNode } from './tls-test-node';
import { makePki, type Pki } from '../../scripts/test-pki';

const installed = rabbitmqServer() !== undefined;
if (!installed) console.warn('rabbitmq-server is not installed (apt-get install rabbitmq-server): the TLS tests of the remote broker API are skipped');

async function failure(op: Promise<unknown>): Promise<{ kind: string; detail: string }> {
  try {
    await op;
  } catch (err) {
    if (isBrokerError(err)) return { kind: err.kind, detail: err.detail };
    throw err;
  }
  throw new Error('expected a failure');
}

describe.skipIf(!installed)('remote RabbitMQ over https and amqps', () => {
  let pki: Pki;
  let node: TlsNode | undefined;

  beforeAll(async () => {
    pki = makePki();
    node = await startTlsNode({ caFile: pki.caFile, certFile: pki.serverCert, keyFile: pki.serverKey });
  }, 180_000);

  afterAll(() => {
    node?.stop();
    pki?.remove();
  }, 120_000);

  it('works with the CA that signed the node\'s certificate: reads, changes, publish, consume with ack, events over amqps', async () => {
    const config = parseBrokerSpec(`tls=${node!.managementUrl.replace('://', '://guest:guest@')},${node!.amqpUrl}`, pki.caFile);
    expect(config).toMatchObject({ managementUrl: 'https://localhost:15791', amqpUrl: 'amqps://localhost:5791', caFile: pki.caFile });
    const api = new RemoteBrokerApi(config);
    try {
      const admin = await api.authenticate('guest', 'guest', '127.0.0.1');
      expect((await api.nodes(admin)).map((n) => n.name)).toEqual(['warren-tls@localhost']);
      // the node listens for TLS only: whatever worked here went encrypted
      const listeners = (await api.overview(admin)).listeners as { protocol: string; port: number }[];
      expect(listeners.map((l) => `${l.protocol}:${l.port}`).sort()).toEqual(['amqp/ssl:5791', 'clustering:25791', 'https:15791']);
      expect(await api.declareQueue(admin, '/', 'over-tls', { durable: false, autoDelete: false, arguments: {} })).toBe(true);
      const q = await api.getQueue(admin, '/', 'over-tls');
      expect(q).toMatchObject({ name: 'over-tls', node: 'warren-tls@localhost' });

      // live events come over an amqps connection to amq.rabbitmq.event
      const watch = await api.watchVhost(admin, '/', { topology: () => {}, stats: () => {}, gone: () => {} });
      expect(api.liveMode).toBe('events');
      watch.close();

      expect(await api.publish(admin, '/', '', { routingKey: 'over-tls', body: Buffer.from('sealed'), properties: {} })).toEqual({ routed: true });
      const got: Delivery[] = [];
      const sink = { canTake: () => true, deliver: (d: Delivery) => void got.push(d), cancelled: () => {} };
      const consumer = await api.consume(admin, '/', 'over-tls', { ack: 'manual', prefetch: 10, connectionName: 'tls test' }, sink);
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(got.map((d) => d.payload)).toEqual(['sealed']);
      await consumer.ack(got[0].deliveryTag, false);
      await consumer.cancel();
      await api.deleteQueue(admin, '/', 'over-tls', { ifUnused: false, ifEmpty: false });
    } finally {
      await api.close();
    }
  }, 120_000);

  it('fails clearly with a CA that did not sign it, over https and over amqps', async () => {
    const other = `${pki.dir}/other-ca.pem`;
    const api = new RemoteBrokerApi(parseBrokerSpec(`tls=${node!.managementUrl.replace('://', '://guest:guest@')},${node!.amqpUrl}`, other));
    try {
      const https = await failure(api.authenticate('guest', 'guest', '127.0.0.1'));
      expect(https.kind).toBe('unavailable');
      expect(https.detail).toMatch(/certificate/i);
      // amqps checks the certificate as well: the AMQP connection a consumer opens is refused
      const amqps = await failure(connectAmqp(node!.amqpUrl, { username: 'guest', password: 'guest' }, '/', 'tls test', other));
      expect(amqps.kind).toBe('unavailable');
      expect(amqps.detail).toMatch(/certificate/i);
    } finally {
      await api.close();
    }
  }, 60_000);
});
