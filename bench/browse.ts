// `npx tsx bench/browse.ts [--messages N] [--size B]`: how long browsing a long queue takes. Fills a
// queue with N messages (default 1,000,000) through AMQP, then times the first page, a page at the
// end and one whole message — through the broker API and through the management API's HTTP port,
// as the console asks for them. Prints medians and maxima of repeated runs.
import http from 'node:http';
import amqp from 'amqplib';
import { createBroker } from '../broker/index';
import { serveManagement } from '../lib/management/node-http';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg('messages', 1_000_000);
const SIZE = arg('size', 100);
const RUNS = arg('runs', 20);
const QUEUE = 'browse-bench';

async function timed(runs: number, op: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await op();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] };
}

function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

async function main() {
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  const server = await serveManagement(broker, 0, '127.0.0.1');
  const httpPort = (server.address() as { port: number }).port;
  const admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  const ch = await conn.createChannel();
  await ch.assertQueue(QUEUE, { durable: false });
  const body = Buffer.alloc(SIZE, 'x');
  const fillStart = performance.now();
  for (let i = 0; i < N; i++) {
    if (!ch.sendToQueue(QUEUE, body, { headers: { i } })) await new Promise((r) => ch.once('drain', r));
  }
  for (;;) {
    const q = await broker.getQueue(admin, '/', QUEUE);
    if (q?.messages_ready === N) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`filled ${N.toLocaleString('en-US')} messages of ${SIZE} B in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
  const page = { state: 'ready' as const, limit: 50, bodyLimit: 4096 };
  const rows: [string, { median: number; max: number }][] = [
    ['broker API: first page (50)', await timed(RUNS, () => broker.browseQueue(admin, '/', QUEUE, { ...page, offset: 0 }))],
    ['broker API: last page (50)', await timed(RUNS, () => broker.browseQueue(admin, '/', QUEUE, { ...page, offset: N - 50 }))],
    ['HTTP: first page (50)', await timed(RUNS, () => httpGet(httpPort, `/api/queues/%2F/${QUEUE}/messages?offset=0&limit=50`))],
    ['HTTP: middle page (50)', await timed(RUNS, () => httpGet(httpPort, `/api/queues/%2F/${QUEUE}/messages?offset=${N >> 1}&limit=50`))],
    ['HTTP: one message whole', await timed(RUNS, () => httpGet(httpPort, `/api/queues/%2F/${QUEUE}/messages/${N - 1}?position=${N - 1}`))],
  ];
  for (const [what, t] of rows) console.log(`${what.padEnd(30)} median ${t.median.toFixed(2)} ms   max ${t.max.toFixed(2)} ms`);
  await conn.close();
  server.close();
  await broker.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
