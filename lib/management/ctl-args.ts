// warrenctl's command line: global options (anywhere on the line, as rabbitmqctl takes them),
// then the command and its arguments. Defaults come from the environment.
import { CtlError, EXIT } from './ctl-client';
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

/** Splits options from the command and its arguments; options may come anywhere. */
export function parseArgs(argv: string[], env: Record<string, string | undefined>): { opts: Options; command: string | undefined; args: string[] } {
  const opts: Options = {
    url: env.WARREN_URL ?? `http://127.0.0.1:${env.PORT ?? '15672'}`,
    user: env.WARREN_USER ?? 'guest',
    password: env.WARREN_PASSWORD ?? 'guest',
    vhost: '/',
    formatter: 'table',
    quiet: false,
    headers: true,
    ifEmpty: false,
    ifUnused: false,
    priority: undefined,
    applyTo: undefined,
  };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CtlError(`option ${a} needs a value`, EXIT.usage);
      return v;
    };
    switch (a) {
      case '--url':
        opts.url = value();
        break;
      case '-u':
      case '--username':
        opts.user = value();
        break;
      case '--password':
        opts.password = value();
        break;
      case '-p':
      case '--vhost':
        opts.vhost = value();
        break;
      case '--formatter': {
        const f = value();
        if (f !== 'json' && f !== 'table') throw new CtlError(`unknown formatter '${f}' (json or table)`, EXIT.usage);
        opts.formatter = f;
        break;
      }
      case '-q':
      case '--quiet':
        opts.quiet = true;
        break;
      case '-s':
      case '--silent':
        opts.quiet = true;
        opts.headers = false;
        break;
      case '--no-table-headers':
        opts.headers = false;
        break;
      case '--if-empty':
        opts.ifEmpty = true;
        break;
      case '--if-unused':
        opts.ifUnused = true;
        break;
      case '--priority': {
        const v = value();
        if (!/^[+-]?\d+$/.test(v)) throw new CtlError(`Invalid options for this command:\n--priority : ${v}`, EXIT.usage);
        opts.priority = Number(v);
        break;
      }
      case '--apply-to':
        opts.applyTo = value();
        break;
      default:
        if (a.startsWith('--') && a !== '--') throw new CtlError(`unknown option ${a}`, EXIT.usage);
        rest.push(a);
    }
  }
  return { opts, command: rest[0], args: rest.slice(1) };
}
