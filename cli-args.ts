// Command lines of every entry point (`npm start`/`npm run dev` through lib/config.ts, `npm run broker`,
// warrenctl, `npm run bench`): node:util parseArgs, the environment variable of the same name as
// fallback, value checks, and one way of saying what is wrong.
//
// It sits at the top level, beside server.ts, and imports nothing but node: both sides of the
// broker/web boundary need it, and neither may own it — a module under broker/ other than index.ts
// is out of reach of lib/ and bin/, and broker/cli.ts importing from lib/ would make the broker
// depend on the web side.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** Exit status for a command line that cannot be used, as getopt-style tools have it. */
export const EXIT_USAGE = 2;

/** A command line or environment that cannot be used; the message is one line for the terminal. */
export class ArgError extends Error {
  override name = 'ArgError';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Turns a raw value into a setting, or throws ArgError naming `source` (the flag or variable) and the value. */
export type Parser<T> = (raw: string, source: string) => T;

export interface OptionSpec {
  /** `string` takes a value; `boolean` is a switch */
  type: 'string' | 'boolean';
  short?: string;
  /** environment variable read when the flag is not given */
  env?: string;
  /** check and convert the value (flag or variable); without it the value is kept as given */
  parse?: Parser<unknown>;
  /** the flag may be repeated: every value is kept, in order (the variable's are separated by blanks) */
  multiple?: boolean;
}

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { multiple: true }
    ? S extends { parse: Parser<infer T> }
      ? T[]
      : string[]
    : S extends { parse: Parser<infer T> }
    ? T | undefined
    : string | undefined;

/** Parsed settings: switches are false when absent, other settings undefined when neither flag nor variable is set. */
export type Values<O> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface CommandLine<O> {
  values: Values<O>;
  positionals: string[];
}

const quote = (s: string) => JSON.stringify(s);

/**
 * Reads `argv` (without node and the script) against `options`, then fills each setting whose flag
 * is absent from its environment variable; flags win. An empty variable counts as unset, so
 * `PORT= npm start` keeps the default. Throws ArgError on an unknown flag, a missing or unwanted
 * value, a stray positional (unless `allowPositionals`) or a value its parser refuses.
 */
export function parseCommandLine<const O extends Record<string, OptionSpec>>(
  options: O,
  argv: readonly string[],
  env: Env = {},
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): CommandLine<O> {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(options)) {
    config[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  // strict: false because strict mode refuses a separate value that starts with a dash
  // (`--priority -3`, `--password -x`); the checks below give the other strict errors clearer words.
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });

  const given = new Map<string, { value: string | boolean; flag: string }>();
  const repeated = new Map<string, { value: string; flag: string }[]>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!allowPositionals) throw new ArgError(`unexpected argument ${quote(token.value)}`);
      positionals.push(token.value);
      continue;
    }
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    const arg = argv[token.index]!;
    if (spec === undefined) {
      const within = arg.startsWith('--') || arg === token.rawName ? '' : ` in ${quote(arg)}`;
      throw new ArgError(`unknown option ${token.rawName}${within}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new ArgError(`${token.rawName} takes no value, got ${quote(token.value)}`);
      given.set(token.name, { value: true, flag: token.rawName });
      continue;
    }
    // A following flag is not taken as the value: `--amqp-port --port 1` is a missing value, not a port.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new ArgError(`${token.rawName} needs a value`);
    }
    given.set(token.name, { value: token.value, flag: token.rawName });
    if (spec.multiple === true) repeated.set(token.name, [...(repeated.get(token.name) ?? []), { value: token.value, flag: token.rawName }]);
  }

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(options)) {
    const flag = given.get(name);
    if (spec.type === 'boolean') {
      values[name] = flag !== undefined;
      continue;
    }
    if (spec.multiple === true) {
      let all = repeated.get(name);
      if (all === undefined && spec.env !== undefined && env[spec.env] !== undefined) {
        all = env[spec.env]!.split(/\s+/).filter((s) => s !== '').map((value) => ({ value, flag: spec.env! }));
      }
      values[name] = (all ?? []).map((v) => (spec.parse ? spec.parse(v.value, v.flag) : v.value));
      continue;
    }
    let raw: string | undefined;
    let source = `--${name}`;
    if (flag !== undefined) {
      raw = flag.value as string;
      source = flag.flag;
    } else if (spec.env !== undefined && env[spec.env] !== undefined && env[spec.env]!.trim() !== '') {
      raw = env[spec.env]!;
      source = spec.env;
    }
    values[name] = raw === undefined ? undefined : spec.parse ? spec.parse(raw, source) : raw;
  }
  return { values: values as Values<O>, positionals };
}

/** What an entry point prints for an ArgError: the one-line reason, a blank line, the usage. */
export function usageError(program: string, message: string, usage: string): string {
  return `${program}: ${message}\n\n${usage}${usage.endsWith('\n') ? '' : '\n'}`;
}

/** Runs `parse`; an ArgError from it goes to stderr with the usage, and the process exits 2. */
export function parseOrExit<T>(program: string, usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ArgError)) throw err;
    process.stderr.write(usageError(program, err.message, usage));
    process.exit(EXIT_USAGE);
  }
}

// Value parsers. Surrounding blanks are forgiven (`AMQP_PORT=" 5673"`), anything else is refused.

export const port: Parser<number> = (raw, source) => {
  const s = raw.trim();
  if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) {
    throw new ArgError(`${source} must be a port number from 0 to 65535, got ${quote(raw)}`);
  }
  return Number(s);
};

export const positiveInt: Parser<number> = (raw, source) => {
  const s = raw.trim();
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n === 0) {
    throw new ArgError(`${source} must be a positive integer, got ${quote(raw)}`);
  }
  return n;
};

export const integer: Parser<number> = (raw, source) => {
  const s = raw.trim();
  const n = Number(s);
  if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(n)) {
    throw new ArgError(`${source} must be an integer, got ${quote(raw)}`);
  }
  return n;
};

/** One of `choices`, in any letter case (`LOG_LEVEL=DEBUG`); returns the choice as written in the list. */
export function oneOf<const T extends string>(choices: readonly T[]): Parser<T> {
  return (raw, source) => {
    const s = raw.trim().toLowerCase();
    const found = choices.find((c) => c.toLowerCase() === s);
    if (found === undefined) throw new ArgError(`${source} must be one of ${choices.join(', ')}; got ${quote(raw)}`);
    return found;
  };
}

/**
 * A directory, resolved against the working directory. It need not exist yet (the broker creates
 * it), but something else by that name would only fail later with a less clear error.
 */
export const directory: Parser<string> = (raw, source) => {
  if (raw.trim() === '' || raw.includes('\0')) throw new ArgError(`${source} must be a directory path, got ${quote(raw)}`);
  const resolved = path.resolve(raw);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(resolved);
  } catch {
    stat = undefined;
  }
  if (stat !== undefined && !stat.isDirectory()) throw new ArgError(`${source} must be a directory, got ${quote(raw)}, which is not one`);
  return resolved;
};

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * A size as RabbitMQ's disk_free_limit.absolute takes it: bytes, or a number with a unit — kB, MB,
 * GB, TB in powers of 1000; k/KiB, M/MiB, G/GiB, T/TiB in powers of 1024 (letter case is forgiven).
 */
export const byteSize: Parser<number> = (raw, source) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m === null ? undefined : BYTE_UNITS[m[2].toLowerCase()];
  const n = m === null || unit === undefined ? NaN : Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n)) throw new ArgError(`${source} must be a size in bytes, or with a unit (50MB, 1GB, 512MiB), got ${quote(raw)}`);
  return n;
};
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * A file that can be read now (a certificate or a key), resolved against the working directory:
 * checked here so that a wrong path stops the program at once, naming the flag and the file.
 */
export const readableFile: Parser<string> = (raw, source) => {
  if (raw.trim() === '' || raw.includes('\0')) throw new ArgError(`${source} must be a file path, got ${quote(raw)}`);
  const resolved = path.resolve(raw);
  try {
    if (!fs.statSync(resolved).isFile()) throw new ArgError(`${source}: cannot read ${quote(raw)}: not a regular file`);
    fs.accessSync(resolved, fs.constants.R_OK);
  } catch (err) {
    if (err instanceof ArgError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new ArgError(`${source}: cannot read ${quote(raw)}: ${FILE_PROBLEMS[code] ?? code}`);
  }
  return resolved;
};

const trueOrFalse = oneOf(['true', 'false'] as const);
const flag: Parser<boolean> = (raw, source) => trueOrFalse(raw, source) === 'true';

/**
 * The AMQPS listener's settings, the same for `npm start` and `npm run broker`: RabbitMQ's
 * `listeners.ssl.default` and `ssl_options` (certfile, keyfile, cacertfile, verify,
 * fail_if_no_peer_cert).
 */
export const AMQPS_OPTIONS = {
  'amqps-port': { type: 'string', env: 'AMQPS_PORT', parse: port },
  'tls-cert': { type: 'string', env: 'TLS_CERT', parse: readableFile },
  'tls-key': { type: 'string', env: 'TLS_KEY', parse: readableFile },
  'tls-ca': { type: 'string', env: 'TLS_CA', parse: readableFile },
  'tls-verify-peer': { type: 'string', env: 'TLS_VERIFY_PEER', parse: flag },
  'tls-fail-if-no-peer-cert': { type: 'string', env: 'TLS_FAIL_IF_NO_PEER_CERT', parse: flag },
} as const;

/** RabbitMQ's usual AMQPS port, used when a certificate and key are given without a port. */
export const DEFAULT_AMQPS_PORT = 5671;

export const AMQPS_USAGE = `  --amqps-port <n>  AMQPS (TLS) port; on when --tls-cert and --tls-key are given
                                                     [AMQPS_PORT, default ${DEFAULT_AMQPS_PORT}]
  --tls-cert <file> server certificate, PEM          [TLS_CERT]
  --tls-key <file>  its private key, PEM             [TLS_KEY]
  --tls-ca <file>   CA certificates for client certificates, PEM [TLS_CA]
  --tls-verify-peer <b>  true: ask clients for a certificate signed by the CA;
                    its CN may log in with EXTERNAL  [TLS_VERIFY_PEER, default false]
  --tls-fail-if-no-peer-cert <b>  true: refuse clients without one
                                                     [TLS_FAIL_IF_NO_PEER_CERT, default false]
`;

/** What createBroker's `amqps` option takes (broker/amqp/tls-listener.ts AmqpsOptions). */
export interface AmqpsSettings {
  port: number;
  certFile: string;
  keyFile: string;
  caFile?: string;
  verifyPeer: boolean;
  failIfNoPeerCert: boolean;
}

type AmqpsValues = Values<typeof AMQPS_OPTIONS>;

/**
 * The AMQPS listener the settings ask for, undefined when none: it is on when a certificate and a key
 * are given. Throws ArgError for settings that do nothing alone (a port or CA without certificate)
 * or that would not do what they say (verify_peer without a CA to verify against).
 */
export function amqpsSettings(values: AmqpsValues): AmqpsSettings | undefined {
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  const caFile = values['tls-ca'];
  const verifyPeer = values['tls-verify-peer'] ?? false;
  const failIfNoPeerCert = values['tls-fail-if-no-peer-cert'] ?? false;
  if (certFile === undefined || keyFile === undefined) {
    if (certFile !== undefined) throw new ArgError('--tls-cert (TLS_CERT) needs --tls-key (TLS_KEY) too');
    if (keyFile !== undefined) throw new ArgError('--tls-key (TLS_KEY) needs --tls-cert (TLS_CERT) too');
    const lone = values['amqps-port'] !== undefined ? '--amqps-port (AMQPS_PORT)'
      : caFile !== undefined ? '--tls-ca (TLS_CA)'
        : values['tls-verify-peer'] !== undefined ? '--tls-verify-peer (TLS_VERIFY_PEER)'
          : values['tls-fail-if-no-peer-cert'] !== undefined ? '--tls-fail-if-no-peer-cert (TLS_FAIL_IF_NO_PEER_CERT)' : undefined;
    if (lone !== undefined) throw new ArgError(`${lone} needs --tls-cert and --tls-key (TLS_CERT, TLS_KEY)`);
    return undefined;
  }
  if (verifyPeer && caFile === undefined) {
    throw new ArgError('--tls-verify-peer true (TLS_VERIFY_PEER) needs --tls-ca (TLS_CA): client certificates are verified against it');
  }
  if (failIfNoPeerCert && !verifyPeer) {
    throw new ArgError('--tls-fail-if-no-peer-cert true (TLS_FAIL_IF_NO_PEER_CERT) needs --tls-verify-peer true: without it no certificate is asked for');
  }
  return {
    port: values['amqps-port'] ?? DEFAULT_AMQPS_PORT,
    certFile,
    keyFile,
    ...(caFile === undefined ? {} : { caFile }),
    verifyPeer,
    failIfNoPeerCert,
  };
}
