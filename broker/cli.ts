// `npm run broker`: the AMQP broker alone, no console. Configuration as in the README.
import {
  AMQPS_OPTIONS, AMQPS_USAGE, EXIT_USAGE, amqpsSettings, byteSize, parseCommandLine, parseOrExit, directory, oneOf, port, positiveInt,
} from '../cli-args';
import { createBroker, TlsConfigError } from './index';
import { LOG_LEVELS } from './logger';

const USAGE = `Usage: npm run broker -- [options]

The AMQP broker alone, without the console. Options (each also readable from the environment
variable in brackets):
  --amqp-port <n>   AMQP port                        [AMQP_PORT, default 5672]
  --host <addr>     interface to listen on           [HOST, default all interfaces]
  --data-dir <dir>  where durable state is kept      [DATA_DIR, default ./data]
  --log-level <l>   ${LOG_LEVELS.join(' | ')}  [LOG_LEVEL, default info]
  --max-connections <n>  AMQP connections at once    [AMQP_MAX_CONNECTIONS, default from the
                    descriptor limit, leaving room for files]
  --disk-free-limit <size>  block publishers below this free space in the data dir,
                    in bytes or e.g. 50MB, 1GB            [DISK_FREE_LIMIT, default 50MB]
  --transient-memory-budget <size>  bodies of queued transient messages kept in memory;
                    beyond it they go to page files     [TRANSIENT_MEMORY_BUDGET, default 256MiB]
${AMQPS_USAGE}  -h, --help        show this help
`;

const { values, amqps } = parseOrExit('warren', USAGE, () => {
  const { values } = parseCommandLine(
    {
      'amqp-port': { type: 'string', env: 'AMQP_PORT', parse: port },
      host: { type: 'string', env: 'HOST', parse: (raw: string) => raw.trim() },
      'data-dir': { type: 'string', env: 'DATA_DIR', parse: directory },
      'log-level': { type: 'string', env: 'LOG_LEVEL', parse: oneOf(LOG_LEVELS) },
      'max-connections': { type: 'string', env: 'AMQP_MAX_CONNECTIONS', parse: positiveInt },
      'disk-free-limit': { type: 'string', env: 'DISK_FREE_LIMIT', parse: byteSize },
      'transient-memory-budget': { type: 'string', env: 'TRANSIENT_MEMORY_BUDGET', parse: byteSize },
      ...AMQPS_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    process.argv.slice(2),
    process.env,
  );
  // --help prints the usage whatever else is set
  return { values, amqps: values.help ? undefined : amqpsSettings(values) };
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const broker = await createBroker({
  port: values['amqp-port'] ?? 5672,
  host: values.host === '' ? undefined : values.host,
  dataDir: values['data-dir'] ?? './data',
  logLevel: values['log-level'] ?? 'info',
  maxConnections: values['max-connections'],
  diskFreeLimit: values['disk-free-limit'],
  transientMemoryBudget: values['transient-memory-budget'],
  amqps,
}).catch((err: unknown) => {
  // a certificate and key that are no pair: the files were readable, so the flags were not wrong
  if (!(err instanceof TlsConfigError)) throw err;
  process.stderr.write(`warren: ${err.message}\n`);
  process.exit(EXIT_USAGE);
});

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void broker.close('shutdown').then(() => process.exit(0));
  });
}
// Announced only now: whoever waits for this line may signal at once and must get a clean shutdown.
const tls = broker.amqpsPort === undefined ? '' : ` and amqps://${broker.host}:${broker.amqpsPort}`;
console.log(`Warren broker listening on amqp://${broker.host}:${broker.port}${tls}`);
