// Process configuration: environment variables and command-line flags with the same names
// (`AMQP_PORT` / `--amqp-port`). Flags win over the environment; defaults need no configuration.
import path from 'node:path';
import { ArgError, directory, oneOf, parseCommandLine, port, positiveInt, type Env } from '../cli-args';

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
  /** Minutes a console login may go unused (`LOGIN_SESSION_TIMEOUT`); RabbitMQ's default, 8 hours. */
  loginSessionTimeout: number;
  /** Minutes a console login lasts at most, used or not (`LOGIN_SESSION_LIFETIME`, 24 hours). */
  loginSessionLifetime: number;
}

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
  --login-session-timeout <min>   idle console login ends [LOGIN_SESSION_TIMEOUT, default ${DEFAULTS.loginSessionTimeout}]
  --login-session-lifetime <min>  any console login ends  [LOGIN_SESSION_LIFETIME, default ${DEFAULTS.loginSessionLifetime}]
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
  'login-session-timeout': { type: 'string', env: 'LOGIN_SESSION_TIMEOUT', parse: positiveInt },
  'login-session-lifetime': { type: 'string', env: 'LOGIN_SESSION_LIFETIME', parse: positiveInt },
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
    loginSessionTimeout: values['login-session-timeout'] ?? DEFAULTS.loginSessionTimeout,
    loginSessionLifetime: values['login-session-lifetime'] ?? DEFAULTS.loginSessionLifetime,
  };
  return { config, help: values.help };
}

/** The host to put into URLs shown to people: the listen address, or localhost for "all". */
export function displayHost(host: string | undefined): string {
  if (host === undefined || isWildcardHost(host)) return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
