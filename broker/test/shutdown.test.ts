// Warren only: a clean shutdown tells every client why, with connection.close 320, as RabbitMQ does.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { expect, test } from 'vitest';
import { createBroker } from '../index';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function closeCode(conn: amqp.ChannelModel): Promise<string> {
  return new Promise((resolve) => conn.on('close', (err?: Error) => resolve(err?.message ?? 'clean')));
}

test('broker.close() sends 320 CONNECTION_FORCED to connected clients', async () => {
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  conn.on('error', () => {});
  const closed = closeCode(conn);
  await broker.close();
  expect(await closed).toMatch(/320.*CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'/);
});

test('npm run broker exits 0 on SIGTERM after closing clients with 320', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'broker/cli.ts'], {
    cwd: ROOT,
    env: { ...process.env, AMQP_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: path.join(ROOT, 'node_modules', '.warren-shutdown-test') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  conn.on('error', () => {});
  const closed = closeCode(conn);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await closed).toMatch(/320/);
  expect(await exited).toBe(0);
}, 20_000);
