// A restarted console reads ahead the vhosts last opened on a cluster: the first browser to open one
// gets the topology held in memory (kept current by the events meanwhile), not a listing of
// thousands of queues it waits seconds for. Against a real cluster, through the broker directory
// server.ts builds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Logger, Row, VhostListener } from '../../broker/index';
import { createBrokerDirectory } from '../broker-directory';
import { RecentVhosts } from './recent-vhosts';
import { RemoteBrokerApi } from './remote-broker';
import { findRabbitMq, NO_RABBITMQ } from './testing';

const target = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);
// reading ahead keeps a topology current by the events only: a node without the plugin polls instead
const events = target !== undefined && (await fetch(`${target.config.managementUrl}/api/exchanges/%2F/amq.rabbitmq.event`, {
  headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
}).then((r) => r.ok, () => false));
if (target !== undefined && !events) console.warn(`${target.label} has no rabbitmq_event_exchange: the read-ahead test is skipped`);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-recent-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const put = (m: string) => lines.push(m);
  return { log: { debug: () => {}, info: () => {}, warn: put, error: put }, lines };
}

async function until<T>(what: string, ms: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('RecentVhosts', () => {
  it('keeps the last three opened, most recent first, across a restart; a file it cannot read is replaced', async () => {
    const file = path.join(dataDir, 'unit', 'recent.json');
    const a = new RecentVhosts(file);
    for (const v of ['/', 'a', 'b', 'a', 'c']) a.note(v);
    await a.settled();
    expect(new RecentVhosts(file).vhosts).toEqual(['c', 'a', 'b']);
    fs.writeFileSync(file, '{"not": "a list"');
    const { log, lines } = recorder();
    const b = new RecentVhosts(file, log);
    expect(b.vhosts).toEqual([]);
    expect(lines.join('\n')).toContain(file);
    b.note('d');
    await b.settled();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(['d']);
  });
});

describe.skipIf(!events)('a console restarted beside a cluster', () => {
  const vhost = `e-recent-${process.pid}`;
  const quiet: VhostListener = { topology: () => {}, stats: () => {}, gone: () => {} };
  const open = () => createBrokerDirectory({ remotes: [target!.config], dataDir, log: recorder().log, metricsAuth: false });

  it('reads the vhost last opened while it starts, and the first watch asks the cluster for no listing', async () => {
    const first = open();
    const api1 = first.entries[0].api as RemoteBrokerApi;
    const admin = await api1.authenticate('guest', 'guest', '127.0.0.1');
    await api1.putVhost(admin, vhost, {});
    await api1.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
    try {
      await api1.declareQueue(admin, vhost, 'before', { durable: false, autoDelete: false, arguments: {} });
      (await api1.watchVhost(admin, vhost, quiet)).close();
      await first.close();
      const file = path.join(dataDir, 'console', `rabbitmq-${target!.config.name}-vhosts.json`);
      await until('the vhost noted in DATA_DIR', 5000, () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as string[])[0] === vhost);

      // the console down, the cluster goes on: a queue is declared meanwhile
      const conn = await amqp.connect(`${target!.config.amqpUrl!.replace('://', '://guest:guest@')}/${encodeURIComponent(vhost)}`);
      await (await conn.createChannel()).assertQueue('meanwhile', { durable: false });

      const second = open();
      const api2 = second.entries[0].api as RemoteBrokerApi;
      try {
        await until('the vhost read ahead', 30_000, () => api2.cachedVhosts().find((c) => c.vhost === vhost && c.watchers === 0));
        // the events keep it current until someone looks
        await (await conn.createChannel()).assertQueue('after-start', { durable: false });
        const listings = vi.spyOn(api2.http, 'request');
        await new Promise((r) => setTimeout(r, 1500));
        const admin2 = await api2.authenticate('guest', 'guest', '127.0.0.1');
        const watch = await api2.watchVhost(admin2, vhost, quiet);
        watch.close();
        expect(watch.snapshot.queues.map((q: Row) => q.name).sort()).toEqual(['after-start', 'before', 'meanwhile']);
        const whole = listings.mock.calls.filter(([, method, url]) => method === 'GET' && String(url).startsWith(`/api/queues/${encodeURIComponent(vhost)}?`));
        expect(whole.map(([, , url]) => url)).toEqual([]);
      } finally {
        await conn.close();
        await second.close();
      }
    } finally {
      const cleanup = new RemoteBrokerApi(target!.config);
      await cleanup.deleteVhost(await cleanup.authenticate('guest', 'guest', '127.0.0.1'), vhost).catch(() => {});
      await cleanup.close();
    }
  }, 90_000);
});
