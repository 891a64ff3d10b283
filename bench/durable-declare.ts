// `npx tsx bench/durable-declare.ts [--queues N] [--channels C] [--url amqp://...]`: how fast one
// client declares N durable queues while another client publishes persistent messages with
// confirms, and what the declares do to that publisher. Without --url it starts Warren
// (broker/cli.ts, throw-away DATA_DIR); with --url it runs against that broker (e.g. RabbitMQ) and
// deletes the queues it made afterwards.
//
// Reports: declares/s (N over the time from the first declare to the last declare-ok), the
// publisher's confirmed messages/s for 3 s before the declares start, and during them.
import amqp from 'amqplib';
import { startWarren } from './start-warren';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const N = Number(arg('queues', '10000'));
const CHANNELS = Number(arg('channels', '1'));
const WINDOW = 500;
/** --publisher off: declares alone, to tell the broker's declare latency from the shared client process's */
const PUBLISHER = arg('publisher', 'on') !== 'off';

async function main(): Promise<void> {
  const given = arg('url', '');
  const warren = given === '' ? await startWarren((l) => process.stderr.write(`${l}\n`)) : undefined;
  const url = given || (warren?.url as string);
  const tag = `bench.declare.${process.pid}`;
  const pubConn = await amqp.connect(url);
  const pub = await pubConn.createConfirmChannel();
  const target = `${tag}.target`;
  await pub.assertQueue(target, { durable: true });
  let confirmed = 0;
  let publishing = true;
  const body = Buffer.alloc(256, 1);
  // keeps WINDOW messages unconfirmed at any time
  const publisher = (async () => {
    let inFlight = 0;
    let wake: (() => void) | undefined;
    while (publishing && PUBLISHER) {
      if (inFlight >= WINDOW) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      inFlight++;
      pub.sendToQueue(target, body, { persistent: true }, (err) => {
        inFlight--;
        if (!err) confirmed++;
        wake?.();
        wake = undefined;
      });
      if (inFlight % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  // a purge now and then keeps the target queue from growing without bound
  const purger = setInterval(() => void pub.purgeQueue(target).catch(() => {}), 2000);

  if (PUBLISHER) await new Promise((r) => setTimeout(r, 1000));
  let c0 = confirmed;
  let t0 = Date.now();
  if (PUBLISHER) await new Promise((r) => setTimeout(r, 3000));
  const baseline = ((confirmed - c0) * 1000) / Math.max(1, Date.now() - t0);

  const declConn = await amqp.connect(url);
  const chans = await Promise.all(Array.from({ length: CHANNELS }, () => declConn.createChannel()));
  c0 = confirmed;
  t0 = Date.now();
  let next = 0;
  let lastReport = t0;
  await Promise.all(chans.map(async (ch) => {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      await ch.assertQueue(`${tag}.q${i}`, { durable: true });
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        process.stderr.write(`${i} queues, ${Math.round((i * 1000) / (lastReport - t0))}/s\n`);
      }
    }
  }));
  const ms = Date.now() - t0;
  const during = ((confirmed - c0) * 1000) / ms;
  publishing = false;
  clearInterval(purger);
  await publisher;
  const result = { broker: given === '' ? 'warren' : url.replace(/\/\/[^@]*@/, '//'), queues: N, channels: CHANNELS, declaresPerSec: Math.round((N * 1000) / ms), publishConfirmsPerSecBefore: Math.round(baseline), publishConfirmsPerSecDuring: Math.round(during) };
  console.log(JSON.stringify(result));
  if (given !== '') {
    const ch = chans[0];
    for (let i = 0; i < N; i++) await ch.deleteQueue(`${tag}.q${i}`);
    await ch.deleteQueue(target);
  }
  await declConn.close().catch(() => {});
  await pubConn.close().catch(() => {});
  await warren?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
