// Process configuration: environment variables and command-line flags with the same names
// (`AMQP_PORT` / `--amqp-port`). Flags win over the environment; defaults need no configuration.
import path from 'node:path';

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
}

export const DEFAULTS = {
  amqpPort: 5672,
  port: 15672,
  dataDir: './data',
  logLevel: 'info',
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The settings that take a value, by environment-variable name. */
const VALUE_SETTINGS = ['AMQP_PORT', 'PORT', 'HOST', 'DATA_DIR', 'LOG_LEVEL'] as const;
type ValueSetting = (typeof VALUE_SETTINGS)[number];

export const USAGE = `Usage: warren [options]

Options (each also readable from the environment variable in brackets):
  --amqp-port <n>   AMQP port                        [AMQP_PORT, default ${DEFAULTS.amqpPort}]
  --port <n>        console and HTTP API port        [PORT, default ${DEFAULTS.port}]
  --host <addr>     interface to listen on           [HOST, default all interfaces]
  --data-dir <dir>  where durable state is kept      [DATA_DIR, default ${DEFAULTS.dataDir}]
  --log-level <l>   ${LOG_LEVELS.join(' | ')}  [LOG_LEVEL, default ${DEFAULTS.logLevel}]
  --dev             Next.js dev mode (hot reload)
  --help            show this help
`;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `--amqp-port` → `AMQP_PORT` */
function flagToSetting(flag: string): string {
  return flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase();
}

function isValueSetting(name: string): name is ValueSetting {
  return (VALUE_SETTINGS as readonly string[]).includes(name);
}

interface ParsedFlags {
  values: Partial<Record<ValueSetting, string>>;
  dev: boolean;
  help: boolean;
}

function parseFlags(argv: readonly string[]): ParsedFlags {
  const parsed: ParsedFlags = { values: {}, dev: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dev') {
      parsed.dev = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const name = flagToSetting(flag);
    if (!isValueSetting(name)) throw new ConfigError(`unknown option "${flag}"`);
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${flag} needs a value`);
      i++;
    }
    parsed.values[name] = value;
  }
  return parsed;
}

function parsePort(raw: string, name: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${name} must be a port number between 0 and 65535, got "${raw}"`);
  }
  return n;
}

function parseLogLevel(raw: string): LogLevel {
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level as LogLevel;
}

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
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const flags = parseFlags(argv);
  // An empty environment variable counts as unset, so `PORT= npm start` keeps the default.
  const get = (name: ValueSetting): string | undefined => {
    const v = flags.values[name] ?? env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const amqpPort = get('AMQP_PORT');
  const port = get('PORT');
  const host = get('HOST');
  const logLevel = get('LOG_LEVEL');
  const config: Config = {
    amqpPort: amqpPort === undefined ? DEFAULTS.amqpPort : parsePort(amqpPort, 'AMQP_PORT'),
    port: port === undefined ? DEFAULTS.port : parsePort(port, 'PORT'),
    host: isWildcardHost(host) ? undefined : host,
    dataDir: path.resolve(get('DATA_DIR') ?? DEFAULTS.dataDir),
    logLevel: logLevel === undefined ? DEFAULTS.logLevel : parseLogLevel(logLevel),
    dev: flags.dev,
  };
  return { config, help: flags.help };
}

/** The host to put into URLs shown to people: the listen address, or localhost for "all". */
export function displayHost(host: string | undefined): string {
  if (host === undefined || isWildcardHost(host)) return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
