// What a connected console costs AMQP throughput: `npx tsx lib/live/bench-console.ts [seconds per round, 2] [rounds, 5]`.
//
// Starts a broker in this process with the live endpoint on an http server, then runs amqplib
// publish+consume rounds (one publisher, one consumer with prefetch 200 and multiple acks, 64-byte
// bodies, at most 10k in flight — bench/flows.ts's PublisherConsumerPair) alternately without a
// browser and with one WebSocket client that watches the vhost with the default flow budget (50
// events/s), so it gets diffs, stats ticks and sampled flow events. Prints the consume rate of
// each round and the medians. Clients and broker share one thread here, so the figures are for
// comparing the two cases, not absolute throughput (see `npm run bench` for that).
import http from 'node:http';
import amqp from 'amqplib';
import WebSocket from 'ws';
import { PublisherConsumerPair } from '../../bench/flows';
import { createBroker } from '../../broker/index';
import { createLiveEndpoint } from './index';
import type { ServerMessage } from './protocol';

const seconds = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 5);
const BODY = Buffer.alloc(64, 0x61);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  const live = createLiveEndpoint(broker);
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => live.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const wsUrl = `ws://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/api/ws`;
  const url = `amqp://guest:guest@127.0.0.1:${broker.port}`;

  const pubConn = await amqp.connect(url);
  const conConn = await amqp.connect(url);
  const pub = await pubConn.createChannel();
  const con = await conConn.createChannel();
  await pub.assertQueue('bench-console', { durable: false });
  let failure: Error | undefined;
  const pair = new PublisherConsumerPair(pub, con, 'bench-console', BODY, 10_000, 50, (err) => (failure = err));
  await pair.startConsumer(200);
  pair.start();

  const rate = async (ms: number) => {
    const c0 = pair.consumed;
    const t0 = performance.now();
    await sleep(ms);
    return ((pair.consumed - c0) * 1000) / (performance.now() - t0);
  };

  const console_ = { flowEvents: 0, dropped: 0, stats: 0, bytes: 0 };
  const connectConsole = async (): Promise<WebSocket> => {
    const ws = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.on('message', (data) => {
      const text = String(data);
      console_.bytes += text.length;
      const m = JSON.parse(text) as ServerMessage;
      if (m.type === 'flow') {
        console_.flowEvents += m.events.length;
        console_.dropped += m.dropped;
      } else if (m.type === 'stats') console_.stats++;
    });
    ws.send(JSON.stringify({ type: 'auth', username: 'guest', password: 'guest' }));
    ws.send(JSON.stringify({ type: 'vhost', vhost: '/' }));
    return ws;
  };

  await rate(1000); // warm-up
  const without: number[] = [];
  const withConsole: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    without.push(await rate(seconds * 1000));
    console.log(`round ${round + 1}: no console       ${fmt(without[round])} msgs/s`);
    const ws = await connectConsole();
    await sleep(200);
    withConsole.push(await rate(seconds * 1000));
    console.log(`round ${round + 1}: console, flow 50 ${fmt(withConsole[round])} msgs/s`);
    ws.close();
    await sleep(200);
  }
  pair.stop();
  // medians: a shared machine makes single rounds noisy; each pair ran back to back
  const a = median(without);
  const b = median(withConsole);
  const pairs = median(without.map((x, i) => withConsole[i] / x));
  console.log(`\nmedian of ${ROUNDS} rounds of ${seconds} s each (64-byte messages, publish+consume, one process):`);
  console.log(`  without console:          ${fmt(a)} msgs/s`);
  console.log(`  one console (flow 50/s):  ${fmt(b)} msgs/s`);
  console.log(`  with/without, median of the pairs: ${((pairs - 1) * 100).toFixed(1)}%`);
  console.log(
    `  the console received ${console_.flowEvents} flow events (${console_.dropped} dropped), ${console_.stats} stats ticks, ${Math.round(console_.bytes / 1024)} KiB`,
  );
  if (failure) console.log(`  failure: ${failure.message}`);

  await pubConn.close().catch(() => {});
  await conConn.close().catch(() => {});
  live.close();
  server.close();
  await broker.close();
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(9);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
