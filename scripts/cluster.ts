// `npm run cluster:up` / `cluster:down`: a local three-node RabbitMQ cluster from the distribution's
// rabbitmq-server, for developing and testing the remote broker API (lib/rabbitmq) against a real
// cluster. Nodes warren-c1..3@localhost listen on 127.0.0.1 only: AMQP 5701-5703, management
// 15701-15703, Erlang distribution 25701-25703 (CLI tools 35701-35730). Each node has its own
// RABBITMQ_MNESIA_BASE, logs and config under one base directory (WARREN_CLUSTER_DIR, default
// <tmp>/warren-cluster) and an Erlang cookie of its own, so the machine's single node (rabbit@<host>
// on 5672/15672) is neither touched nor reachable from these nodes.
//
//   npm run cluster:up               start what is not running, join what is not joined, wait for 3 running
//   npm run cluster:down             stop every node and remove the base directory
//   npm run cluster -- stop-node 2   stop one node (its data kept): a node going down
//   npm run cluster -- start-node 2  start it again and wait until the cluster has 3 running nodes
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLUSTER_NODES = [1, 2, 3].map((i) => ({
  index: i,
  name: `warren-c${i}@localhost`,
  amqpPort: 5700 + i,
  managementPort: 15700 + i,
  distPort: 25700 + i,
}));
export const CLUSTER_NAME = 'warren-cluster';
/** The cluster's admin account (guest works from loopback too, as on any RabbitMQ). */
export const CLUSTER_USER = { name: 'guest', password: 'guest' };

// the scripts themselves: /usr/sbin's wrappers cd to /var/lib/rabbitmq and reset HOME to its cookie
const SBIN = ['/usr/lib/rabbitmq/bin', '/usr/sbin'];
const PLUGINS = '[rabbitmq_management,rabbitmq_event_exchange].\n';
const START_LIMIT_MS = 90_000;
const CTL_TIMEOUT_S = 60;

type Node = (typeof CLUSTER_NODES)[number];

class ClusterError extends Error {}

function baseDir(): string {
  return path.resolve(process.env.WARREN_CLUSTER_DIR ?? path.join(os.tmpdir(), 'warren-cluster'));
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function tool(name: string): string {
  for (const dir of SBIN) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new ClusterError(`${name} not found in ${SBIN.join(' or ')}: install the rabbitmq-server package (apt-get install rabbitmq-server)`);
}

/** What every rabbitmq-server / rabbitmqctl of one node needs to find its own files and cookie. */
function nodeEnv(node: Node): Record<string, string> {
  const base = baseDir();
  const dir = path.join(base, `c${node.index}`);
  return {
    HOME: path.join(base, 'home'),
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    RABBITMQ_NODENAME: node.name,
    RABBITMQ_USE_LONGNAME: 'false',
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(node.amqpPort),
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_CTL_DIST_PORT_MIN: String(35700 + node.index * 10),
    RABBITMQ_CTL_DIST_PORT_MAX: String(35709 + node.index * 10),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbitmq.pid'),
    // distribution on loopback only; one scheduler per node: three nodes share a small machine
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1} +S 1:1',
  };
}

/** Runs a RabbitMQ tool as the rabbitmq user when we are root (its files must belong to it). */
function command(node: Node, bin: string, args: string[]): { file: string; args: string[] } {
  const env = Object.entries(nodeEnv(node)).map(([k, v]) => `${k}=${v}`);
  const file = tool(bin);
  if (isRoot()) return { file: 'runuser', args: ['-u', 'rabbitmq', '--', 'env', '-i', ...env, file, ...args] };
  return { file: 'env', args: ['-i', ...env, file, ...args] };
}

function ctl(node: Node, args: string[], target: Node = node): SpawnSyncReturns<string> {
  const c = command(node, 'rabbitmqctl', ['-n', target.name, '--timeout', String(CTL_TIMEOUT_S), ...args]);
  return spawnSync(c.file, c.args, { encoding: 'utf8', timeout: (CTL_TIMEOUT_S + 15) * 1000 });
}

function ctlOrThrow(node: Node, args: string[], target: Node = node): string {
  const r = ctl(node, args, target);
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? `exit ${r.status}`);
    throw new ClusterError(`rabbitmqctl -n ${target.name} ${args.join(' ')} failed:\n${out}`);
  }
  return r.stdout;
}

function pings(node: Node): boolean {
  const c = command(node, 'rabbitmqctl', ['-n', node.name, '--timeout', '5', 'ping']);
  return spawnSync(c.file, c.args, { encoding: 'utf8', timeout: 20_000 }).status === 0;
}

function writeFiles(): void {
  const base = baseDir();
  const home = path.join(base, 'home');
  fs.mkdirSync(home, { recursive: true });
  const cookie = path.join(home, '.erlang.cookie');
  if (!fs.existsSync(cookie)) {
    fs.writeFileSync(cookie, crypto.randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
  }
  for (const node of CLUSTER_NODES) {
    const dir = path.join(base, `c${node.index}`);
    fs.mkdirSync(path.join(dir, 'mnesia'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'log'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.1 = 127.0.0.1:${node.amqpPort}`,
        `management.tcp.ip = 127.0.0.1`,
        `management.tcp.port = ${node.managementPort}`,
        `cluster_name = ${CLUSTER_NAME}`,
        // the three nodes share one disk; the default 50 MB free-disk limit is what a test would trip
        `disk_free_limit.absolute = 10MB`,
        `loopback_users.guest = true`,
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'advanced.config'), '[].\n');
    fs.writeFileSync(path.join(dir, 'rabbitmq-env.conf'), '');
    fs.writeFileSync(path.join(dir, 'enabled_plugins'), PLUGINS);
  }
  if (isRoot()) {
    const r = spawnSync('chown', ['-R', 'rabbitmq:rabbitmq', base], { encoding: 'utf8' });
    if (r.status !== 0) throw new ClusterError(`chown rabbitmq ${base} failed (is there a rabbitmq user?): ${r.stderr}`);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function startNode(node: Node): void {
  const dir = path.join(baseDir(), `c${node.index}`);
  const out = fs.openSync(path.join(dir, 'log', 'server.out'), 'a');
  const c = command(node, 'rabbitmq-server', []);
  // the node outlives this script: its own process group, output to a file
  const child = spawn(c.file, c.args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.closeSync(out);
  // await_startup gives up at once while the node is not yet registered with epmd
  const deadline = Date.now() + START_LIMIT_MS;
  while (!pings(node)) {
    if (Date.now() > deadline) {
      throw new ClusterError(`${node.name} did not answer within ${START_LIMIT_MS / 1000} s; see ${path.join(dir, 'log')}`);
    }
    sleepSync(1_000);
  }
  const waited = ctl(node, ['await_startup']);
  if (waited.status !== 0) {
    throw new ClusterError(
      `${node.name} did not start: ${(waited.stderr || waited.stdout).trim()}\nsee ${path.join(dir, 'log')}`,
    );
  }
}

interface ClusterStatus {
  disk_nodes?: string[];
  ram_nodes?: string[];
  running_nodes?: string[];
}

function clusterStatus(via: Node): ClusterStatus {
  return JSON.parse(ctlOrThrow(via, ['cluster_status', '--formatter', 'json'])) as ClusterStatus;
}

function members(s: ClusterStatus): string[] {
  return [...(s.disk_nodes ?? []), ...(s.ram_nodes ?? [])];
}

async function waitForRunning(count: number): Promise<void> {
  const [first] = CLUSTER_NODES;
  const deadline = Date.now() + START_LIMIT_MS;
  const auth = `Basic ${Buffer.from(`${CLUSTER_USER.name}:${CLUSTER_USER.password}`).toString('base64')}`;
  let last = '';
  while (Date.now() < deadline) {
    for (const node of CLUSTER_NODES) {
      try {
        const res = await fetch(`http://127.0.0.1:${node.managementPort}/api/nodes?columns=name,running`, {
          headers: { authorization: auth },
          signal: AbortSignal.timeout(5_000),
        });
        if (res.ok) {
          const nodes = (await res.json()) as { name: string; running: boolean }[];
          const running = nodes.filter((n) => n.running).length;
          last = `${running} of ${nodes.length} nodes running`;
          if (running === count) return;
          break;
        }
        last = `HTTP ${res.status} from ${node.name}`;
      } catch (err) {
        last = `${node.name}: ${(err as Error).message}`;
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new ClusterError(`the cluster did not report ${count} running nodes within ${START_LIMIT_MS / 1000} s (${last}); via ${first.name}`);
}

async function up(): Promise<void> {
  writeFiles();
  const [first, ...others] = CLUSTER_NODES;
  for (const node of CLUSTER_NODES) {
    if (pings(node)) continue;
    console.log(`starting ${node.name} (AMQP ${node.amqpPort}, management ${node.managementPort})`);
    startNode(node);
  }
  for (const node of others) {
    if (members(clusterStatus(first)).includes(node.name)) continue;
    console.log(`joining ${node.name} to ${first.name}`);
    ctlOrThrow(node, ['stop_app']);
    ctlOrThrow(node, ['reset']);
    ctlOrThrow(node, ['join_cluster', first.name]);
    ctlOrThrow(node, ['start_app']);
  }
  await waitForRunning(CLUSTER_NODES.length);
  console.log(
    `cluster ${CLUSTER_NAME} is up: ${CLUSTER_NODES.map((n) => n.name).join(', ')}\n` +
      `  management http://guest:guest@127.0.0.1:${first.managementPort}  AMQP amqp://127.0.0.1:${first.amqpPort}\n` +
      `  npm start -- --rabbitmq cluster=http://guest:guest@127.0.0.1:${first.managementPort},amqp://guest:guest@127.0.0.1:${first.amqpPort}`,
  );
}

function stopNode(node: Node): void {
  if (!pings(node)) return;
  console.log(`stopping ${node.name}`);
  ctlOrThrow(node, ['stop']);
}

function down(): void {
  // the last node to stop is the one that remembers the others as stopped: stop in reverse
  for (const node of [...CLUSTER_NODES].reverse()) stopNode(node);
  fs.rmSync(baseDir(), { recursive: true, force: true });
  console.log(`cluster ${CLUSTER_NAME} is down; ${baseDir()} removed`);
}

function nodeArg(raw: string | undefined): Node {
  const node = CLUSTER_NODES.find((n) => String(n.index) === raw || n.name === raw);
  if (!node) throw new ClusterError(`which node? give 1, 2 or 3 (got ${raw ?? 'nothing'})`);
  return node;
}

export async function cluster(argv: readonly string[]): Promise<void> {
  const [cmd, arg] = argv;
  switch (cmd) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'stop-node':
      return stopNode(nodeArg(arg));
    case 'start-node': {
      const node = nodeArg(arg);
      if (!pings(node)) startNode(node);
      return waitForRunning(CLUSTER_NODES.length);
    }
    default:
      throw new ClusterError('usage: tsx scripts/cluster.ts up | down | stop-node <1-3> | start-node <1-3>');
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cluster(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`cluster: ${err instanceof ClusterError ? err.message : (err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
