// Process configuration: environment variables and command-line flags with the same names
// (`AMQP_PORT` / `--amqp-port`). Flags win over the environment; defaults need no configuration.
import path from 'node:path';
import fs from 'node:fs';
import {
  AMQPS_OPTIONS, AMQPS_USAGE, ArgError, amqpsSettings, byteSize, directory, oneOf, parseCommandLine, port, positiveInt, readableFile,
  type AmqpsSettings, type Env,
} from '../cli-args';
import { BrokerSpecError, parseBrokerSpec, type RemoteBrokerConfig } from './rabbitmq/broker-spec';
import { MaskRulesError, parseMaskRules, type MaskRules } from '../broker/index';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  /** AMQP listener port (`AMQP_PORT`, `--amqp-port`); 0 picks a free port. */
  amqpPort: number;
  /** HTTP port for the console and the REST API (`PORT`, `--port`); 0 picks a free port. */
  port: number;
  /** Interface to listen on (`HOST`, `--host`); undefined means all interfaces, as RabbitMQ. */
  host: string | undefined;
  /** Where durable state lives (`DATA_DIR`, `--data-dir`), resolved to an absolute path. */
  dataDir: string;
  logLevel: LogLevel;
  /** Next.js dev mode with hot reload (`--dev`, or `npm run dev`). */
  dev: boolean;
  /** /metrics needs a monitoring user (`METRICS_AUTH`, `--metrics-auth true`); open by default, as RabbitMQ's. */
  metricsAuth: boolean;
  /** Publishers are blocked below this many bytes free in DATA_DIR (`DISK_FREE_LIMIT`, `--disk-free-limit`); undefined: the broker's 50 MB. */
  diskFreeLimit?: number;
  /** Remote RabbitMQ clusters the console can switch to (`--rabbitmq NAME=url[,amqp-url]`, repeatable; `RABBITMQ_BROKERS`). */
  rabbitmq: RemoteBrokerConfig[];
  /** false with `--no-embedded`: no broker of Warren's own, the console shows the remote clusters only. */
  embedded: boolean;
  /** the AMQPS listener (`AMQPS_PORT`, `TLS_CERT`, `TLS_KEY`, `TLS_CA`, ...); undefined: none */
  amqps: AmqpsSettings | undefined;
  /** HTTPS instead of HTTP on the web port (`WEB_TLS_CERT`, `WEB_TLS_KEY`); undefined: plain HTTP */
  webTls: { certFile: string; keyFile: string } | undefined;
  /** Minutes a console login may go unused (`LOGIN_SESSION_TIMEOUT`); RabbitMQ's default, 8 hours. */
  loginSessionTimeout: number;
  /** Minutes a console login lasts at most, used or not (`LOGIN_SESSION_LIFETIME`, 24 hours). */
  loginSessionLifetime: number;
  /** values masked in every message the console and API show (`MASK_RULES`, `--mask-rules <file.json>`) */
  maskRules?: MaskRules;
}

/** The embedded broker's name in the console's broker switcher and under /brokers/<name>/. */
export const EMBEDDED_BROKER_NAME = 'warren';

export const DEFAULTS = {
  amqpPort: 5672,
  port: 15672,
  dataDir: './data',
  logLevel: 'info',
  loginSessionTimeout: 480,
  loginSessionLifetime: 1440,
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export const USAGE = `Usage: warren [options]

Options (each also readable from the environment variable in brackets):
  --amqp-port <n>   AMQP port                        [AMQP_PORT, default ${DEFAULTS.amqpPort}]
  --port <n>        console and HTTP API port        [PORT, default ${DEFAULTS.port}]
  --host <addr>     interface to listen on           [HOST, default all interfaces]
  --data-dir <dir>  where durable state is kept      [DATA_DIR, default ${DEFAULTS.dataDir}]
  --log-level <l>   ${LOG_LEVELS.join(' | ')}  [LOG_LEVEL, default ${DEFAULTS.logLevel}]
  --metrics-auth <b> true: /metrics needs a monitoring user [METRICS_AUTH, default false]
  --disk-free-limit <size>  block publishers below this free space in the data dir,
                    in bytes or e.g. 50MB, 1GB            [DISK_FREE_LIMIT, default 50MB]
  --rabbitmq NAME=http(s)://user:pass@host:15672[,amqp(s)://host:5672]
                    also show a RabbitMQ cluster; repeatable [RABBITMQ_BROKERS, blank-separated]
  --rabbitmq-ca <f> PEM CA file for the clusters' https/amqps URLs [RABBITMQ_CA_FILE]
  --brokers <file>  clusters from a JSON file: [{"name", "management", "amqp"?, "ca"?}] [BROKERS_FILE]
  --no-embedded     run the console without a broker of its own (needs --rabbitmq)
${AMQPS_USAGE}  --web-tls-cert <file>  serve the console and API over HTTPS with this
                    certificate, PEM                 [WEB_TLS_CERT]
  --web-tls-key <file>   and its private key, PEM    [WEB_TLS_KEY]
  --login-session-timeout <min>   idle console login ends [LOGIN_SESSION_TIMEOUT, default ${DEFAULTS.loginSessionTimeout}]
  --login-session-lifetime <min>  any console login ends  [LOGIN_SESSION_LIFETIME, default ${DEFAULTS.loginSessionLifetime}]
  --mask-rules <file>  mask header values, JSON paths and body patterns in every message
                    shown: {"headers", "jsonPaths", "bodyPatterns"} [MASK_RULES]
  --dev             Next.js dev mode (hot reload)
  -h, --help        show this help
`;

/** The shared parser's error, under the name server.ts and scripts/start.ts know it by. */
export { ArgError as ConfigError };

const OPTIONS = {
  'amqp-port': { type: 'string', env: 'AMQP_PORT', parse: port },
  port: { type: 'string', env: 'PORT', parse: port },
  host: { type: 'string', env: 'HOST', parse: (raw: string) => raw.trim() },
  'data-dir': { type: 'string', env: 'DATA_DIR', parse: directory },
  'log-level': { type: 'string', env: 'LOG_LEVEL', parse: oneOf(LOG_LEVELS) },
  'metrics-auth': { type: 'string', env: 'METRICS_AUTH', parse: oneOf(['true', 'false'] as const) },
  'disk-free-limit': { type: 'string', env: 'DISK_FREE_LIMIT', parse: byteSize },
  rabbitmq: { type: 'string', env: 'RABBITMQ_BROKERS', multiple: true },
  'rabbitmq-ca': { type: 'string', env: 'RABBITMQ_CA_FILE' },
  brokers: { type: 'string', env: 'BROKERS_FILE' },
  'no-embedded': { type: 'boolean' },
  ...AMQPS_OPTIONS,
  'web-tls-cert': { type: 'string', env: 'WEB_TLS_CERT', parse: readableFile },
  'web-tls-key': { type: 'string', env: 'WEB_TLS_KEY', parse: readableFile },
  'login-session-timeout': { type: 'string', env: 'LOGIN_SESSION_TIMEOUT', parse: positiveInt },
  'login-session-lifetime': { type: 'string', env: 'LOGIN_SESSION_LIFETIME', parse: positiveInt },
  'mask-rules': { type: 'string', env: 'MASK_RULES' },
  dev: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Hosts that mean "every interface"; listening without a host does that on IPv4 and IPv6. */
export function isWildcardHost(host: string | undefined): boolean {
  return host === undefined || host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

export interface LoadedConfig {
  config: Config;
  /** true when `--help` was given: print USAGE and exit */
  help: boolean;
}

/**
 * Reads the configuration from flags (`argv` without node and the script) and the environment.
 * Throws ConfigError with a sentence fit for the terminal when a value is wrong.
 */
export function loadConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Env = process.env,
): LoadedConfig {
  const { values } = parseCommandLine(OPTIONS, argv, env);
  const config: Config = {
    amqpPort: values['amqp-port'] ?? DEFAULTS.amqpPort,
    port: values.port ?? DEFAULTS.port,
    host: isWildcardHost(values.host) ? undefined : values.host,
    dataDir: values['data-dir'] ?? path.resolve(DEFAULTS.dataDir),
    logLevel: values['log-level'] ?? DEFAULTS.logLevel,
    dev: values.dev,
    metricsAuth: values['metrics-auth'] === 'true',
    diskFreeLimit: values['disk-free-limit'],
    rabbitmq: remoteBrokers([...values.rabbitmq.map((spec) => ({ spec, ca: values['rabbitmq-ca'] })), ...brokersFile(values.brokers)], !values['no-embedded']),
    embedded: !values['no-embedded'],
    // --help prints the usage whatever else is set
    amqps: values.help ? undefined : amqpsSettings(values),
    webTls: values.help ? undefined : webTls(values['web-tls-cert'], values['web-tls-key']),
    loginSessionTimeout: values['login-session-timeout'] ?? DEFAULTS.loginSessionTimeout,
    loginSessionLifetime: values['login-session-lifetime'] ?? DEFAULTS.loginSessionLifetime,
    maskRules: values.help ? undefined : maskRulesFile(values['mask-rules']),
  };
  return { config, help: values.help };
}

/** `brokers.json`: the same as --rabbitmq flags, kept out of the command line (which `ps` shows). */
function brokersFile(file: string | undefined): { spec: string; ca?: string }[] {
  if (file === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ArgError(`--brokers ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a JSON file'}`);
  }
  if (!Array.isArray(parsed)) throw new ArgError(`--brokers ${JSON.stringify(file)}: wants a list of {"name", "management", "amqp"?, "ca"?}`);
  return parsed.map((b: unknown, i) => {
    const o = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    const name = str('name');
    const management = str('management');
    if (name === undefined || management === undefined) throw new ArgError(`--brokers ${JSON.stringify(file)}: entry ${i} needs "name" and "management"`);
    const amqp = str('amqp');
    return { spec: `${name}=${management}${amqp !== undefined ? `,${amqp}` : ''}`, ca: str('ca') };
  });
}

/** The masking rules file, checked whole: a wrong one stops start-up rather than show data unmasked. */
function maskRulesFile(file: string | undefined): MaskRules | undefined {
  if (file === undefined || file === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ArgError(`--mask-rules ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a JSON file'}`);
  }
  try {
    return parseMaskRules(parsed);
  } catch (err) {
    if (err instanceof MaskRulesError) throw new ArgError(`--mask-rules ${JSON.stringify(file)}: ${err.message}`);
    throw err;
  }
}

function remoteBrokers(specs: { spec: string; ca?: string }[], embedded: boolean): RemoteBrokerConfig[] {
  const out: RemoteBrokerConfig[] = [];
  const names = new Set(embedded ? [EMBEDDED_BROKER_NAME] : []);
  for (const { spec: raw, ca: caFile } of specs) {
    if (caFile !== undefined && !fs.existsSync(caFile)) throw new ArgError(`no CA file ${JSON.stringify(caFile)} (--rabbitmq-ca, or "ca" in --brokers)`);
    let c: RemoteBrokerConfig;
    try {
      c = parseBrokerSpec(raw, caFile);
    } catch (err) {
      if (err instanceof BrokerSpecError) throw new ArgError(err.message);
      throw err;
    }
    if (names.has(c.name)) throw new ArgError(`--rabbitmq: the name '${c.name}' is taken${c.name === EMBEDDED_BROKER_NAME ? ' by the embedded broker' : ''}`);
    names.add(c.name);
    out.push(c);
  }
  if (!embedded && out.length === 0) throw new ArgError('--no-embedded needs at least one --rabbitmq NAME=url (or --brokers): there would be no broker to show');
  return out;
}

function webTls(certFile: string | undefined, keyFile: string | undefined): Config['webTls'] {
  if (certFile !== undefined && keyFile !== undefined) return { certFile, keyFile };
  if (certFile !== undefined) throw new ArgError('--web-tls-cert (WEB_TLS_CERT) needs --web-tls-key (WEB_TLS_KEY) too');
  if (keyFile !== undefined) throw new ArgError('--web-tls-key (WEB_TLS_KEY) needs --web-tls-cert (WEB_TLS_CERT) too');
  return undefined;
}

/** The host to put into URLs shown to people: the listen address, or localhost for "all". */
export function displayHost(host: string | undefined): string {
  if (host === undefined || isWildcardHost(host)) return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
