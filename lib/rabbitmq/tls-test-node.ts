// One standalone RabbitMQ node that speaks only TLS, for the tests of the remote broker API over
// https + amqps: node warren-tls@localhost, AMQPS 127.0.0.1:5791, management https 127.0.0.1:15791,
// no plain listener. Started as scripts/cluster.ts starts the cluster's nodes (the distribution's
// rabbitmq-server, as the rabbitmq user when root, its own RABBITMQ_MNESIA_BASE, config and Erlang
// cookie in a temp dir), but it is not the shared cluster and joins nothing. `stop()` stops it and
// removes its directory.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

export const TLS_NODE = { name: 'warren-tls@localhost', amqpsPort: 5791, httpsPort: 15791, distPort: 25791 };
const SBIN = ['/usr/lib/rabbitmq/bin', '/usr/sbin'];
const START_LIMIT_MS = 120_000;

export interface TlsNode {
  dir: string;
  managementUrl: string;
  amqpUrl: string;
  stop(): void;
}

/** The rabbitmq-server script, or undefined when the package is not installed. */
export function rabbitmqServer(): string | undefined {
  return SBIN.map((d) => path.join(d, 'rabbitmq-server')).find((f) => fs.existsSync(f));
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts the node with the given server certificate and key (PEM) and the CA that signed them. */
export async function startTlsNode(files: { caFile: string; certFile: string; keyFile: string }): Promise<TlsNode> {
  const server = rabbitmqServer();
  if (server === undefined) throw new Error('rabbitmq-server is not installed');
  const ctlBin = path.join(path.dirname(server), 'rabbitmqctl');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-tls-node-'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  fs.mkdirSync(path.join(dir, 'mnesia'));
  fs.mkdirSync(path.join(dir, 'log'));
  fs.writeFileSync(path.join(home, '.erlang.cookie'), crypto.randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
  // the node reads its own copies: the rabbitmq user may not read the test's temp files
  for (const [src, name] of [[files.caFile, 'ca.pem'], [files.certFile, 'server.pem'], [files.keyFile, 'server.key']] as const) {
    fs.copyFileSync(src, path.join(dir, name));
  }
  const f = (name: string) => path.join(dir, name);
  fs.writeFileSync(
    f('rabbitmq.conf'),
    [
      'listeners.tcp = none',
      `listeners.ssl.default = 127.0.0.1:${TLS_NODE.amqpsPort}`,
      `ssl_options.cacertfile = ${f('ca.pem')}`,
      `ssl_options.certfile = ${f('server.pem')}`,
      `ssl_options.keyfile = ${f('server.key')}`,
      'ssl_options.verify = verify_none',
      'ssl_options.fail_if_no_peer_cert = false',
      'management.ssl.ip = 127.0.0.1',
      `management.ssl.port = ${TLS_NODE.httpsPort}`,
      `management.ssl.cacertfile = ${f('ca.pem')}`,
      `management.ssl.certfile = ${f('server.pem')}`,
      `management.ssl.keyfile = ${f('server.key')}`,
      'disk_free_limit.absolute = 10MB',
      'loopback_users.guest = true',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(f('advanced.config'), '[].\n');
  fs.writeFileSync(f('rabbitmq-env.conf'), '');
  fs.writeFileSync(f('enabled_plugins'), '[rabbitmq_management,rabbitmq_event_exchange].\n');
  if (isRoot()) {
    const r = spawnSync('chown', ['-R', 'rabbitmq:rabbitmq', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chown rabbitmq ${dir} failed: ${r.stderr}`);
  }
  const env: Record<string, string> = {
    HOME: home,
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    RABBITMQ_NODENAME: TLS_NODE.name,
    RABBITMQ_USE_LONGNAME: 'false',
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_DIST_PORT: String(TLS_NODE.distPort),
    RABBITMQ_CTL_DIST_PORT_MIN: '35791',
    RABBITMQ_CTL_DIST_PORT_MAX: '35799',
    RABBITMQ_MNESIA_BASE: f('mnesia'),
    RABBITMQ_LOG_BASE: f('log'),
    RABBITMQ_CONFIG_FILE: f('rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: f('advanced.config'),
    RABBITMQ_CONF_ENV_FILE: f('rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: f('enabled_plugins'),
    RABBITMQ_PID_FILE: f('rabbitmq.pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1} +S 1:1',
  };
  const command = (bin: string, args: string[]) => {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    return isRoot() ? { file: 'runuser', args: ['-u', 'rabbitmq', '--', 'env', '-i', ...vars, bin, ...args] } : { file: 'env', args: ['-i', ...vars, bin, ...args] };
  };
  const ctl = (args: string[], timeoutS = 20) => {
    const c = command(ctlBin, ['-n', TLS_NODE.name, '--timeout', String(timeoutS), ...args]);
    return spawnSync(c.file, c.args, { encoding: 'utf8', timeout: (timeoutS + 15) * 1000 });
  };
  const stop = () => {
    ctl(['stop'], 60);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };

  const out = fs.openSync(f('log/server.out'), 'a');
  const c = command(server, []);
  const child = spawn(c.file, c.args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.closeSync(out);
  try {
    const deadline = Date.now() + START_LIMIT_MS;
    while (ctl(['ping'], 5).status !== 0) {
      if (child.exitCode !== null && child.exitCode !== 0) throw new Error(`rabbitmq-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`${TLS_NODE.name} did not answer within ${START_LIMIT_MS / 1000} s`);
      await sleep(1_000);
    }
    const waited = ctl(['await_startup'], 90);
    if (waited.status !== 0) throw new Error(`${TLS_NODE.name} did not start: ${(waited.stderr || waited.stdout).trim()}`);
  } catch (err) {
    const log = fs.existsSync(f('log/server.out')) ? fs.readFileSync(f('log/server.out'), 'utf8').slice(-2_000) : '';
    stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return { dir, managementUrl: `https://localhost:${TLS_NODE.httpsPort}`, amqpUrl: `amqps://localhost:${TLS_NODE.amqpsPort}`, stop };
}
