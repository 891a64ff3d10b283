// `npm run broker`: the AMQP broker alone, no console. Configuration as in the README.
import { createBroker } from './index';
import { parseLogLevel } from './logger';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(flag('amqp-port') ?? process.env.AMQP_PORT ?? 5672);
const host = flag('host') ?? process.env.HOST;
const broker = await createBroker({
  port,
  host: host === '' ? undefined : host,
  dataDir: flag('data-dir') ?? process.env.DATA_DIR ?? './data',
  logLevel: parseLogLevel(flag('log-level') ?? process.env.LOG_LEVEL),
});
console.log(`Warren broker listening on amqp://${broker.host}:${broker.port}`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void broker.close('shutdown').then(() => process.exit(0));
  });
}
