// The broker's process is found by the port it listens on, and its CPU is read from /proc.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brokerCpuMeter, findBrokerProcess } from './broker-process';

let server: net.Server;
let port: number;
beforeAll(async () => {
  server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('finds the process listening on the URL\'s port and meters its CPU per message', () => {
  const found = findBrokerProcess(`amqp://guest:guest@127.0.0.1:${port}`);
  expect(found?.pid).toBe(process.pid);
  expect(found?.rssBytes()).toBeGreaterThan(10 * 1024 * 1024);
  const meter = brokerCpuMeter(found);
  // spin until this process has used 300 ms of CPU (a busy machine stretches the wall time, not this)
  const cpu0 = process.cpuUsage();
  let spin = 0;
  for (;;) {
    const d = process.cpuUsage(cpu0);
    if (d.user + d.system >= 300_000) break;
    spin++;
  }
  // 1,000 "messages": 300 µs each, within /proc's 10 ms ticks and the test runner's own threads
  expect(meter(1000)).toBeGreaterThan(270);
  expect(meter(1000)).toBeLessThan(500);
  expect(spin).toBeGreaterThan(0);
});

it('gives no figure for a broker on another host or a port nobody listens on', async () => {
  expect(findBrokerProcess(`amqp://guest:guest@example.invalid:${port}`)).toBeUndefined();
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const free = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  expect(findBrokerProcess(`amqp://127.0.0.1:${free}`)).toBeUndefined();
  expect(brokerCpuMeter(undefined)(1000)).toBeUndefined();
});
