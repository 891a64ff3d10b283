// warrenctl's command line: global options (anywhere on the line, as rabbitmqctl takes them),
// then the command and its arguments. Defaults come from the environment.
import { ArgError, integer, oneOf, parseCommandLine, port, type Env } from '../../cli-args';
import type { Formatter } from './ctl-format';

export interface Options {
  url: string;
  user: string;
  password: string;
  vhost: string;
  formatter: Formatter;
  quiet: boolean;
  headers: boolean;
  ifEmpty: boolean;
  ifUnused: boolean;
  /** set_policy's --priority (an integer, as rabbitmqctl checks) and --apply-to */
  priority: number | undefined;
  applyTo: string | undefined;
}

const OPTIONS = {
  url: { type: 'string', env: 'WARREN_URL', parse: httpUrl },
  username: { type: 'string', short: 'u', env: 'WARREN_USER' },
  password: { type: 'string', env: 'WARREN_PASSWORD' },
  vhost: { type: 'string', short: 'p' },
  formatter: { type: 'string', parse: oneOf(['table', 'json']) },
  quiet: { type: 'boolean', short: 'q' },
  silent: { type: 'boolean', short: 's' },
  'no-table-headers': { type: 'boolean' },
  'if-empty': { type: 'boolean' },
  'if-unused': { type: 'boolean' },
  priority: { type: 'string', parse: integer },
  'apply-to': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The management API is HTTP; anything else would fail later as "unable to reach". */
function httpUrl(raw: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ArgError(`${source} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

export interface CtlCommandLine {
  opts: Options;
  command: string | undefined;
  args: string[];
  /** `--help` or `-h`: print the usage and succeed */
  help: boolean;
}

/**
 * Splits options from the command and its arguments; options may come anywhere, `--` ends them.
 * Throws ArgError for an unknown option, a missing or bad value, or a bad WARREN_URL or PORT.
 */
export function parseCtlArgs(argv: readonly string[], env: Env): CtlCommandLine {
  const { values: v, positionals } = parseCommandLine(OPTIONS, argv, env, { allowPositionals: true });
  // PORT is read only to build the default URL: a bad one matters only when that URL is used.
  const httpPort = v.url === undefined && env.PORT !== undefined && env.PORT.trim() !== '' ? port(env.PORT, 'PORT') : 15672;
  const opts: Options = {
    url: v.url ?? `http://127.0.0.1:${httpPort}`,
    user: v.username ?? 'guest',
    password: v.password ?? 'guest',
    vhost: v.vhost ?? '/',
    formatter: v.formatter ?? 'table',
    quiet: v.quiet || v.silent,
    headers: !(v.silent || v['no-table-headers']),
    ifEmpty: v['if-empty'],
    ifUnused: v['if-unused'],
    priority: v.priority,
    applyTo: v['apply-to'],
  };
  return { opts, command: positionals[0], args: positionals.slice(1), help: v.help };
}
