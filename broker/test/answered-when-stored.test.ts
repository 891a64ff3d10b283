// A deletion, a purge, or a change to users, vhosts, permissions, policies or imported definitions
// is answered only once it is on disk. On a full disk the AMQP client gets 541 and the HTTP API 503:
// a client told "deleted" or "purged" must not see the queue or its messages again after a crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, describe, expect, test } from 'vitest';
import { seg, startApi, type TestApi } from '../../lib/management/testing';
import { canMountSmallDisk, fillDisk, mountSmallDisk, unmountSmallDisk } from './small-disk';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-answered-'));
const mountable = canMountSmallDisk(scratch);
let mounted = false;
afterAll(() => {
  if (mounted) unmountSmallDisk(scratch);
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** An AMQP operation on a connection of its own: how it ended, answer or connection error. */
async function onItsOwn(api: TestApi, op: (ch: amqp.Channel) => Promise<unknown>): Promise<string> {
  const conn = await amqp.connect(api.amqpUrl());
  const closed = new Promise<string>((resolve) => conn.on('error', (err: Error) => resolve(err.message)));
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  const answered = await op(ch).then(() => 'answered', () => 'refused');
  if (answered === 'answered') {
    await conn.close();
    return 'answered';
  }
  return closed;
}

describe('answers wait for the disk (a full tmpfs)', () => {
  test.skipIf(!mountable)('queue.delete / queue.purge get 541 and the API 503, never an answer that says done', async () => {
    mounted = mountSmallDisk(scratch, '2m');
    // no disk alarm: this is about the writes a full disk refuses, not the block that comes before
    const api = await startApi({ dataDir: scratch, diskFreeLimit: 0 });
    try {
      const conn = await api.connect();
      const ch = await conn.createConfirmChannel();
      for (const q of ['doomed', 'emptied', 'api-doomed', 'api-emptied']) {
        await ch.assertQueue(q, { durable: true });
        for (let i = 0; i < 5; i++) ch.sendToQueue(q, Buffer.from(`${q} ${i}`), { persistent: true });
      }
      await ch.waitForConfirms();
      fillDisk(scratch);

      // the journal's last page still takes small appends: declare until the disk refuses one
      let refused = false;
      for (let i = 0; i < 500 && !refused; i++) refused = (await onItsOwn(api, (c) => c.assertQueue(`d${i}`, { durable: true }))) !== 'answered';
      expect(refused).toBe(true);

      expect(await onItsOwn(api, (c) => c.purgeQueue('emptied')))
        .toMatch(/541.*INTERNAL_ERROR.*purge of queue 'emptied' in vhost '\/' could not be written to disk/);
      expect(await onItsOwn(api, (c) => c.deleteQueue('doomed')))
        .toMatch(/541.*INTERNAL_ERROR.*deletion of queue 'doomed' in vhost '\/' could not be written to disk/);

      const V = seg('/');
      const refusedByApi = [
        await api.del(`/api/queues/${V}/api-doomed`),
        await api.del(`/api/queues/${V}/api-emptied/contents`),
        await api.put('/api/users/bob', { password: 'secret', tags: '' }),
        await api.put('/api/vhosts/elsewhere', {}),
        await api.put(`/api/permissions/${V}/guest`, { configure: '', write: '.*', read: '.*' }),
        await api.put(`/api/policies/${V}/cap`, { pattern: '^api-', definition: { 'max-length': 3 }, 'apply-to': 'queues' }),
        await api.post('/api/definitions', { users: [{ name: 'carol', password_hash: '', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' }] }),
      ];
      for (const r of refusedByApi) {
        expect({ status: r.status, body: r.body }).toMatchObject({ status: 503, body: { error: 'service_unavailable', reason: expect.stringMatching(/could not be written to disk; it is not stored/) } });
      }
    } finally {
      await api.close();
    }
  });
});
