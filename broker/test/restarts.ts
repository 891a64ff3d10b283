// Brokers started on a data directory of their own and restarted on it, with an amqplib connection
// each: whatever a test leaves open is closed, and its directories removed, after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { afterEach } from 'vitest';
import { createBroker, type Broker, type BrokerOptions } from '../index';

export interface Started {
  broker: Broker;
  conn: ChannelModel;
}

export function restartable(prefix: string) {
  const dirs: string[] = [];
  const open: Broker[] = [];
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    tempDir(): string {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    /** a broker the test started itself, closed after it like the others */
    track(broker: Broker): Broker {
      open.push(broker);
      return broker;
    },
    async start(dataDir: string, opts: Partial<BrokerOptions> = {}): Promise<Started> {
      const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir, ...opts });
      open.push(broker);
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
      conn.on('error', () => {});
      return { broker, conn };
    },
    async stop(b: Started): Promise<void> {
      await b.conn.close().catch(() => {});
      await b.broker.close();
      open.splice(open.indexOf(b.broker), 1);
    },
  };
}
