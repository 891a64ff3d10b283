// What the store writes to DATA_DIR (users with password hashes, definitions, message bodies) is
// readable by the broker's own user only: every file it creates is mode 0600.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, expect, test } from 'vitest';
import { createBroker } from '../index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-modes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function files(d: string): string[] {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
}

test('definitions, their journal and the message log are created 0600, whatever the umask', async () => {
  const umask = process.umask(0o022);
  try {
    const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir });
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('modes', { durable: true });
    ch.sendToQueue('modes', Buffer.from('secret body'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await broker.close();
    // and again after a restart, which rewrites the definitions
    const again = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir });
    await again.close();
  } finally {
    process.umask(umask);
  }
  const all = files(dir);
  expect(all.some((f) => /definitions/.test(path.basename(f)))).toBe(true);
  expect(all.some((f) => f.endsWith('.seg'))).toBe(true);
  const modes = Object.fromEntries(all.map((f) => [path.relative(dir, f), (fs.statSync(f).mode & 0o777).toString(8)]));
  expect(Object.values(modes).every((m) => m === '600'), JSON.stringify(modes)).toBe(true);
});
