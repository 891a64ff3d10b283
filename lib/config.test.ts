import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, USAGE, loadConfig } from './config';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('loadConfig', () => {
  it('needs no configuration at all', () => {
    expect(loadConfig([], {})).toEqual({
      config: { amqpPort: 5672, port: 15672, host: undefined, dataDir: path.resolve(DEFAULTS.dataDir), logLevel: 'info', dev: false, metricsAuth: false, rabbitmq: [], embedded: true, loginSessionTimeout: 480, loginSessionLifetime: 1440 },
      help: false,
    });
  });

  it('reads every setting from the environment, and flags of the same names over it', () => {
    const env = { AMQP_PORT: '5673', PORT: '8080', HOST: '127.0.0.1', DATA_DIR: '/tmp/w', LOG_LEVEL: 'warn' };
    expect(loadConfig([], env).config).toEqual({ amqpPort: 5673, port: 8080, host: '127.0.0.1', dataDir: '/tmp/w', logLevel: 'warn', dev: false, metricsAuth: false, rabbitmq: [], embedded: true, loginSessionTimeout: 480, loginSessionLifetime: 1440 });
    const flags = ['--amqp-port', '0', '--port=0', '--host', '::1', '--data-dir', 'rel', '--log-level', 'DEBUG', '--dev'];
    expect(loadConfig(flags, env).config).toEqual({ amqpPort: 0, port: 0, host: '::1', dataDir: path.resolve('rel'), logLevel: 'debug', dev: true, metricsAuth: false, rabbitmq: [], embedded: true, loginSessionTimeout: 480, loginSessionLifetime: 1440 });
  });

  it('METRICS_AUTH / --metrics-auth: true makes /metrics need a monitoring user', () => {
    expect(loadConfig([], { METRICS_AUTH: 'true' }).config.metricsAuth).toBe(true);
    expect(loadConfig(['--metrics-auth', 'false'], { METRICS_AUTH: 'true' }).config.metricsAuth).toBe(false);
    expect(() => loadConfig([], { METRICS_AUTH: 'yes' })).toThrow(ConfigError);
    expect(USAGE).toContain('--metrics-auth');
  });

  it("DISK_FREE_LIMIT / --disk-free-limit: bytes or RabbitMQ's units", () => {
    expect(loadConfig([], {}).config.diskFreeLimit).toBeUndefined();
    expect(loadConfig([], { DISK_FREE_LIMIT: '50MB' }).config.diskFreeLimit).toBe(50_000_000);
    expect(loadConfig(['--disk-free-limit', '1GB'], { DISK_FREE_LIMIT: '50MB' }).config.diskFreeLimit).toBe(1_000_000_000);
    expect(loadConfig(['--disk-free-limit=512MiB'], {}).config.diskFreeLimit).toBe(512 * 1024 * 1024);
    expect(loadConfig(['--disk-free-limit', '2g'], {}).config.diskFreeLimit).toBe(2 * 1024 ** 3);
    expect(loadConfig([], { DISK_FREE_LIMIT: '1000000' }).config.diskFreeLimit).toBe(1_000_000);
    for (const bad of ['-1', '50 parsecs', 'MB', '1e9']) {
      expect(() => loadConfig([], { DISK_FREE_LIMIT: bad })).toThrow(new ConfigError(`DISK_FREE_LIMIT must be a size in bytes, or with a unit (50MB, 1GB, 512MiB), got ${JSON.stringify(bad)}`));
    }
    expect(USAGE).toContain('--disk-free-limit');
  });

  it('--rabbitmq NAME=url[,amqp-url] (repeatable) adds remote clusters; --no-embedded needs one', () => {
    const c = loadConfig(['--rabbitmq', 'prod=https://ops:s3cr%40t@rmq.example:15671,amqps://rmq.example:5671', '--rabbitmq=dev=http://guest:guest@127.0.0.1:15701'], {}).config;
    expect(c.rabbitmq).toEqual([
      { name: 'prod', managementUrl: 'https://rmq.example:15671', amqpUrl: 'amqps://rmq.example:5671', credentials: { username: 'ops', password: 's3cr@t' } },
      { name: 'dev', managementUrl: 'http://127.0.0.1:15701', credentials: { username: 'guest', password: 'guest' } },
    ]);
    expect(c.embedded).toBe(true);
    expect(loadConfig(['--no-embedded'], { RABBITMQ_BROKERS: 'a=http://u:p@h:1 b=http://u:p@h:2' }).config).toMatchObject({ embedded: false, rabbitmq: [{ name: 'a' }, { name: 'b' }] });
    expect(() => loadConfig(['--no-embedded'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--rabbitmq', 'warren=http://u:p@h:1'], {})).toThrow(/taken by the embedded broker/);
    expect(() => loadConfig(['--rabbitmq', 'a=http://u:p@h:1', '--rabbitmq', 'a=http://u:p@h:2'], {})).toThrow(/taken/);
    expect(() => loadConfig(['--rabbitmq', 'a=ftp://u:p@h:1'], {})).toThrow(/http/);
    expect(() => loadConfig(['--rabbitmq', 'a=http://h:1'], {})).toThrow(/needs a user/);
    // a wrong URL is reported without the password in it
    expect(() => loadConfig(['--rabbitmq', 'a=http://u:topsecret@h:1,ftp://x'], {})).toThrow(/^(?!.*topsecret)/);
    expect(() => loadConfig(['--rabbitmq-ca', '/no/such/ca.pem', '--rabbitmq', 'a=https://u:p@h:1'], {})).toThrow(/no CA file/);
  });

  it('--brokers FILE reads clusters from JSON, checked as the flags are', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-brokers-'));
    try {
      const file = path.join(dir, 'brokers.json');
      const ca = path.join(dir, 'ca.pem');
      fs.writeFileSync(ca, 'not checked here');
      fs.writeFileSync(file, JSON.stringify([{ name: 'prod', management: 'https://ops:pw@rmq:15671', amqp: 'amqps://rmq:5671', ca }, { name: 'dev', management: 'http://u:p@h:15672' }]));
      expect(loadConfig([], { BROKERS_FILE: file }).config.rabbitmq).toEqual([
        { name: 'prod', managementUrl: 'https://rmq:15671', amqpUrl: 'amqps://rmq:5671', credentials: { username: 'ops', password: 'pw' }, caFile: ca },
        { name: 'dev', managementUrl: 'http://h:15672', credentials: { username: 'u', password: 'p' } },
      ]);
      fs.writeFileSync(file, JSON.stringify([{ name: 'x' }]));
      expect(() => loadConfig(['--brokers', file], {})).toThrow(/needs "name" and "management"/);
      fs.writeFileSync(file, '{');
      expect(() => loadConfig(['--brokers', file], {})).toThrow(/not a JSON file/);
      expect(() => loadConfig(['--brokers', path.join(dir, 'none.json')], {})).toThrow(/no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('LOGIN_SESSION_TIMEOUT / LOGIN_SESSION_LIFETIME: console logins end after so many minutes', () => {
    expect(loadConfig([], { LOGIN_SESSION_TIMEOUT: '30', LOGIN_SESSION_LIFETIME: '120' }).config).toMatchObject({ loginSessionTimeout: 30, loginSessionLifetime: 120 });
    expect(loadConfig(['--login-session-timeout', '5'], { LOGIN_SESSION_TIMEOUT: '30' }).config.loginSessionTimeout).toBe(5);
    expect(() => loadConfig([], { LOGIN_SESSION_TIMEOUT: '0' })).toThrow(ConfigError);
    expect(USAGE).toContain('LOGIN_SESSION_LIFETIME');
  });

  it('takes wildcard hosts and empty variables as unset', () => {
    expect(loadConfig(['--host', '0.0.0.0'], {}).config.host).toBeUndefined();
    expect(loadConfig([], { HOST: '::' }).config.host).toBeUndefined();
    expect(loadConfig([], { PORT: '', LOG_LEVEL: ' ' }).config).toMatchObject({ port: 15672, logLevel: 'info' });
  });

  it('throws ConfigError naming the flag or variable and the value', () => {
    expect(() => loadConfig(['--port', '99999'], {})).toThrow(new ConfigError('--port must be a port number from 0 to 65535, got "99999"'));
    expect(() => loadConfig([], { AMQP_PORT: 'abc' })).toThrow(new ConfigError('AMQP_PORT must be a port number from 0 to 65535, got "abc"'));
    expect(() => loadConfig(['--verbose'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--port'], {})).toThrow('--port needs a value');
    expect(() => loadConfig(['serve'], {})).toThrow('unexpected argument "serve"');
  });

  it('--help and -h ask for the usage, which lists every flag', () => {
    expect(loadConfig(['--help'], {}).help).toBe(true);
    expect(loadConfig(['-h'], {}).help).toBe(true);
    for (const flag of ['--amqp-port', '--port', '--host', '--data-dir', '--log-level', '--dev', '--help']) expect(USAGE).toContain(flag);
  });
});

/** An entry point as `npm start` / `npm run dev` run it, without the caller's own settings. */
function run(entry: string, args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['AMQP_PORT', 'PORT', 'HOST', 'DATA_DIR', 'LOG_LEVEL']) delete env[name];
  return spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
}

describe('npm start (scripts/start.ts) checks its command line before building anything', () => {
  it('exits 2 on a bad flag, with the flag, the value and the usage', () => {
    const r = run('scripts/start.ts', ['--amqp-port', 'abc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`warren: --amqp-port must be a port number from 0 to 65535, got "abc"\n\n${USAGE}`);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on a bad variable and on an unknown flag; 0 with the usage on --help', () => {
    const env = run('scripts/start.ts', [], { PORT: 'http' });
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/^warren: PORT must be a port number from 0 to 65535, got "http"\n\nUsage: warren/);
    const unknown = run('scripts/start.ts', ['--amqp_port', '5673']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^warren: unknown option --amqp_port\n\nUsage: warren/);
    const help = run('scripts/start.ts', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(USAGE);
  }, 60_000);
});

it('npm run dev (server.ts) exits 2 on a bad flag', () => {
  const r = run('server.ts', ['--dev', '--log-level', 'chatty']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^warren: --log-level must be one of debug, info, warn, error, silent; got "chatty"\n\nUsage: warren/);
}, 60_000);
