// A restart in place is a process restart as clients and the store see it: every connection is
// closed with 320, durable queues come back with their persistent messages only, transient queues
// and transient messages are gone, and the broker takes new clients on the same port afterwards.
import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, isBrokerError, type Broker } from '../index';

const dirs: string[] = [];
const brokers: Broker[] = [];

afterAll(async () => {
  for (const b of brokers) await b.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function started(withDisk: boolean): Promise<Broker> {
  const dataDir = withDisk ? mkdtempSync(path.join(os.tmpdir(), 'warren-restart-')) : undefined;
  if (dataDir !== undefined) dirs.push(dataDir);
  const b = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', ...(dataDir === undefined ? {} : { dataDir }) });
  brokers.push(b);
  return b;
}

describe('restartBroker', () => {
  it('keeps durable queues with their persistent messages and drops everything transient', async () => {
    const broker = await started(true);
    const admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
    const url = `amqp://guest:guest@127.0.0.1:${broker.port}`;
    const conn = await amqp.connect(url);
    const closed = new Promise<string>((resolve) => conn.on('close', (err: unknown) => resolve(String(err))));
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('kept', { durable: true });
    await ch.assertQueue('lost', { durable: false });
    for (const [q, persistent] of [['kept', true], ['kept', false], ['lost', true]] as const) ch.sendToQueue(q, Buffer.from(`${q} ${persistent}`), { persistent });
    await ch.waitForConfirms();

    const report = await broker.restartBroker(admin);
    expect(await closed).toContain('320');
    expect(report.queues).toBe(1);
    expect(report.messages).toBe(1);
    const names = (await broker.listQueues(admin, '/')).map((q) => q.name);
    expect(names).toEqual(['kept']);
    const [msg] = await broker.get(admin, '/', 'kept', { count: 5, ackMode: 'ack_requeue_false', encoding: 'auto' });
    expect(msg.payload).toBe('kept true');
    // a client after the restart is served as before, and the guest user came back from disk
    const again = await amqp.connect(url);
    const ch2 = await again.createChannel();
    expect((await ch2.checkQueue('kept')).messageCount).toBe(0);
    await again.close();
  }, 30_000);

  it('is not offered without a DATA_DIR, and only to administrators', async () => {
    const broker = await started(false);
    const admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
    const err = await broker.restartBroker(admin).catch((e: unknown) => e);
    expect(isBrokerError(err) && err.kind).toBe('not_supported');
    const disk = await started(true);
    const adminDisk = await disk.authenticate('guest', 'guest', '127.0.0.1');
    await disk.putUser(adminDisk, 'plain', { password: 'p', tags: [] });
    const plain = await disk.authenticate('plain', 'p', '127.0.0.1');
    const refused = await disk.restartBroker(plain).catch((e: unknown) => e);
    expect(isBrokerError(refused) && refused.kind).toBe('not_authorised');
  }, 30_000);
});
