// Who may do what in the management API, as a matrix: user tags × permissions on the vhost × every
// route, each cell one HTTP status. The same users, vhosts and objects are made on any broker that
// speaks RabbitMQ's management API and AMQP, so the matrix is recorded once from RabbitMQ 3.10
// (scripts/record-authz-matrix.ts → fixtures/rabbitmq-3.10/authz-matrix.json) and replayed against
// Warren (authz-matrix.test.ts). Cells are independent: a cell that deletes or changes something
// is followed by putting back what it touched, and objects that cells delete are their own.
import amqp, { type Channel, type ChannelModel } from 'amqplib';

export const TAGS = ['none', 'management', 'monitoring', 'policymaker', 'administrator'] as const;
export const PERMS = ['full', 'none'] as const;
export type Tag = (typeof TAGS)[number];
export type Perm = (typeof PERMS)[number];

export const VHOST = 'authz-vh';
/** a vhost that DELETE /api/vhosts/:name cells delete (and that is made again after each) */
export const VHOST_DEL = 'authz-vh-del';
const OWNER = 'authz-owner';
const TARGET = 'authz-target';
const DEL_USER = 'authz-del-user';
const PASSWORD = 'authz-pw';

export const matrixUser = (tag: Tag, perm: Perm): string => `authz-${tag}-${perm}`;
export const column = (tag: Tag, perm: Perm): string => `${tag}/${perm}`;

export interface Target {
  baseUrl: string;
  /** an administrator allowed to connect from here (guest on loopback) */
  admin: { user: string; password: string };
  amqpPort: number;
  amqpHost?: string;
}

/** Names that differ from broker to broker, found once the baseline exists. */
interface Found {
  conn: string;
  channel: string;
  node: string;
  amqpPort: number;
}

type Restore = 'vhost-del' | 'exchange-del' | 'queue-del' | 'bindings' | 'connection' | 'del-user' | 'target-perm' | 'target-topic' | 'policy-del' | 'op-policy-del' | 'unsupported';

export interface Cell {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** the route's path pattern in lib/management/router.ts ROUTES */
  route: string;
  /** the path asked, with {conn}, {channel}, {node}, {amqpPort} filled in per broker */
  path: string;
  body?: unknown;
  /** what to put back afterwards */
  restore?: Restore[];
  /**
   * Warren does not support the object (vhost limits, runtime parameters): only
   * "refused" (401) versus "not refused" is compared, not RabbitMQ's 2xx against Warren's 400.
   */
  unsupported?: boolean;
}

const V = encodeURIComponent(VHOST);
const VD = encodeURIComponent(VHOST_DEL);
const QUEUE_BODY = { durable: true, auto_delete: false, arguments: {} };
const POLICY_BODY = { pattern: '^authz-nothing$', definition: { 'max-length': 100 }, priority: 0, 'apply-to': 'queues' };
const PERM_BODY = { configure: '.*', write: '.*', read: '.*' };
const TOPIC_BODY = { exchange: 'amq.topic', write: '.*', read: '.*' };

const get = (route: string, path = route): Cell => ({ method: 'GET', route, path });

export const CELLS: readonly Cell[] = [
  get('/api/overview'),
  get('/api/cluster-name'),
  get('/api/aliveness-test/:vhost', `/api/aliveness-test/${V}`),
  get('/api/health/checks/alarms'),
  get('/api/health/checks/local-alarms'),
  get('/api/health/checks/virtual-hosts'),
  get('/api/health/checks/port-listener/:port', '/api/health/checks/port-listener/{amqpPort}'),
  get('/api/nodes'),
  get('/api/nodes/:node', '/api/nodes/{node}'),
  get('/api/vhosts'),
  get('/api/vhosts/:name', `/api/vhosts/${V}`),
  { method: 'PUT', route: '/api/vhosts/:name', path: `/api/vhosts/${V}`, body: {} },
  { method: 'DELETE', route: '/api/vhosts/:name', path: `/api/vhosts/${VD}`, restore: ['vhost-del'] },
  get('/api/vhosts/:name/permissions', `/api/vhosts/${V}/permissions`),

  get('/api/exchanges'),
  get('/api/exchanges/:vhost', `/api/exchanges/${V}`),
  get('/api/exchanges/:vhost/:name', `/api/exchanges/${V}/ax`),
  { method: 'PUT', route: '/api/exchanges/:vhost/:name', path: `/api/exchanges/${V}/ax`, body: { type: 'direct', durable: true } },
  { method: 'DELETE', route: '/api/exchanges/:vhost/:name', path: `/api/exchanges/${V}/ax-del`, restore: ['exchange-del'] },
  get('/api/exchanges/:vhost/:name/bindings/source', `/api/exchanges/${V}/ax/bindings/source`),
  get('/api/exchanges/:vhost/:name/bindings/destination', `/api/exchanges/${V}/ax2/bindings/destination`),
  {
    method: 'POST',
    route: '/api/exchanges/:vh/:name/publish',
    path: `/api/exchanges/${V}/ax/publish`,
    body: { routing_key: 'k', payload: 'x', payload_encoding: 'string', properties: {} },
  },
  { method: 'POST', route: '/api/queues/:vh/:name/get', path: `/api/queues/${V}/aq/get`, body: { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' } },

  get('/api/queues'),
  get('/api/queues/:vhost', `/api/queues/${V}`),
  get('/api/queues/:vhost/:name', `/api/queues/${V}/aq`),
  { method: 'PUT', route: '/api/queues/:vhost/:name', path: `/api/queues/${V}/aq`, body: QUEUE_BODY },
  { method: 'DELETE', route: '/api/queues/:vhost/:name', path: `/api/queues/${V}/aq-del`, restore: ['queue-del'] },
  { method: 'DELETE', route: '/api/queues/:vhost/:name/contents', path: `/api/queues/${V}/aq/contents` },
  get('/api/queues/:vhost/:name/bindings', `/api/queues/${V}/aq/bindings`),

  get('/api/bindings'),
  get('/api/bindings/:vhost', `/api/bindings/${V}`),
  get('/api/bindings/:vhost/e/:source/q/:dest', `/api/bindings/${V}/e/ax/q/aq`),
  { method: 'POST', route: '/api/bindings/:vhost/e/:source/q/:dest', path: `/api/bindings/${V}/e/ax/q/aq`, body: { routing_key: 'k', arguments: {} } },
  get('/api/bindings/:vhost/e/:source/q/:dest/:props', `/api/bindings/${V}/e/ax/q/aq/k`),
  { method: 'DELETE', route: '/api/bindings/:vhost/e/:source/q/:dest/:props', path: `/api/bindings/${V}/e/ax/q/aq/kdel`, restore: ['bindings'] },
  get('/api/bindings/:vhost/e/:source/e/:dest', `/api/bindings/${V}/e/ax/e/ax2`),
  { method: 'POST', route: '/api/bindings/:vhost/e/:source/e/:dest', path: `/api/bindings/${V}/e/ax/e/ax2`, body: { routing_key: 'k', arguments: {} } },
  get('/api/bindings/:vhost/e/:source/e/:dest/:props', `/api/bindings/${V}/e/ax/e/ax2/k`),
  { method: 'DELETE', route: '/api/bindings/:vhost/e/:source/e/:dest/:props', path: `/api/bindings/${V}/e/ax/e/ax2/kdel`, restore: ['bindings'] },

  get('/api/connections'),
  get('/api/vhosts/:vhost/connections', `/api/vhosts/${V}/connections`),
  get('/api/connections/:name', '/api/connections/{conn}'),
  { method: 'DELETE', route: '/api/connections/:name', path: '/api/connections/{conn}', restore: ['connection'] },
  get('/api/channels'),
  get('/api/vhosts/:vhost/channels', `/api/vhosts/${V}/channels`),
  get('/api/connections/:name/channels', '/api/connections/{conn}/channels'),
  get('/api/channels/:name', '/api/channels/{channel}'),
  get('/api/consumers'),
  get('/api/consumers/:vhost', `/api/consumers/${V}`),
  get('/api/whoami'),

  get('/api/users'),
  get('/api/users/without-permissions'),
  { method: 'POST', route: '/api/users/bulk-delete', path: '/api/users/bulk-delete', body: { users: [DEL_USER] }, restore: ['del-user'] },
  get('/api/users/:name', `/api/users/${TARGET}`),
  { method: 'PUT', route: '/api/users/:name', path: `/api/users/${TARGET}`, body: { password: PASSWORD, tags: '' } },
  { method: 'DELETE', route: '/api/users/:name', path: `/api/users/${DEL_USER}`, restore: ['del-user'] },
  get('/api/users/:name/permissions', `/api/users/${TARGET}/permissions`),
  get('/api/permissions'),
  get('/api/permissions/:vh/:user', `/api/permissions/${V}/${TARGET}`),
  { method: 'PUT', route: '/api/permissions/:vh/:user', path: `/api/permissions/${V}/${TARGET}`, body: PERM_BODY },
  { method: 'DELETE', route: '/api/permissions/:vh/:user', path: `/api/permissions/${V}/${TARGET}`, restore: ['target-perm'] },
  get('/api/topic-permissions'),
  get('/api/topic-permissions/:vh/:user', `/api/topic-permissions/${V}/${TARGET}`),
  { method: 'PUT', route: '/api/topic-permissions/:vh/:user', path: `/api/topic-permissions/${V}/${TARGET}`, body: TOPIC_BODY },
  { method: 'DELETE', route: '/api/topic-permissions/:vh/:user', path: `/api/topic-permissions/${V}/${TARGET}`, restore: ['target-topic'] },
  get('/api/users/:name/topic-permissions', `/api/users/${TARGET}/topic-permissions`),
  get('/api/vhosts/:name/topic-permissions', `/api/vhosts/${V}/topic-permissions`),

  get('/api/policies'),
  get('/api/policies/:vhost', `/api/policies/${V}`),
  get('/api/policies/:vh/:name', `/api/policies/${V}/ap`),
  { method: 'PUT', route: '/api/policies/:vh/:name', path: `/api/policies/${V}/ap`, body: POLICY_BODY },
  { method: 'DELETE', route: '/api/policies/:vh/:name', path: `/api/policies/${V}/ap-del`, restore: ['policy-del'] },
  get('/api/operator-policies'),
  get('/api/operator-policies/:vhost', `/api/operator-policies/${V}`),
  get('/api/operator-policies/:vhost/:name', `/api/operator-policies/${V}/aop`),
  { method: 'PUT', route: '/api/operator-policies/:vh/:name', path: `/api/operator-policies/${V}/aop`, body: POLICY_BODY },
  { method: 'DELETE', route: '/api/operator-policies/:vhost/:name', path: `/api/operator-policies/${V}/aop-del`, restore: ['op-policy-del'] },
  // Warren has no vhost limits or runtime parameters: the GETs and DELETEs ask for ones that exist
  // on neither broker, the PUTs compare only refusals.
  get('/api/vhost-limits'),
  get('/api/vhost-limits/:vhost', `/api/vhost-limits/${V}`),
  get('/api/vhost-limits/:vhost/:name', `/api/vhost-limits/${V}/max-connections`),
  { method: 'PUT', route: '/api/vhost-limits/:vhost/:name', path: `/api/vhost-limits/${V}/max-connections`, body: { value: 1000 }, unsupported: true, restore: ['unsupported'] },
  { method: 'DELETE', route: '/api/vhost-limits/:vhost/:name', path: `/api/vhost-limits/${V}/max-connections` },
  get('/api/parameters'),
  get('/api/parameters/:component', '/api/parameters/federation-upstream'),
  get('/api/parameters/:component/:vhost', `/api/parameters/federation-upstream/${V}`),
  get('/api/parameters/:component/:vhost/:name', `/api/parameters/federation-upstream/${V}/ap`),
  {
    method: 'PUT',
    route: '/api/parameters/:component/:vhost/:name',
    path: `/api/parameters/federation-upstream/${V}/ap`,
    body: { value: { uri: 'amqp://localhost' } },
    unsupported: true,
    restore: ['unsupported'],
  },
  { method: 'DELETE', route: '/api/parameters/:component/:vhost/:name', path: `/api/parameters/federation-upstream/${V}/ap` },

  get('/api/definitions'),
  { method: 'POST', route: '/api/definitions', path: '/api/definitions', body: { queues: [] } },
  get('/api/definitions/:vh', `/api/definitions/${V}`),
  { method: 'POST', route: '/api/definitions/:vh', path: `/api/definitions/${V}`, body: { queues: [] } },
];

const SCENARIOS_ONLY_IN_WARREN = "Warren's scenario player, which RabbitMQ lacks (scenarios.test.ts covers who may use it)";

/** Routes the matrix leaves out, and why. */
const BROWSE_ONLY_IN_WARREN = 'browsing without consuming, which RabbitMQ cannot do (message-browse.served.test.ts covers who may browse)';
const TRANSFER_ONLY_IN_WARREN = 'moving, copying and returning chosen messages, which RabbitMQ does only by a shovel (message-transfer.served.test.ts covers who may)';
export const NOT_IN_MATRIX: Record<string, string> = {
  'GET /metrics': "RabbitMQ serves Prometheus metrics on another port (15692), not its management API's",
  'GET /metrics/per-object': 'the same (metrics.test.ts covers who may read both)',
  'GET /api/topic-permissions/:vh': 'RabbitMQ 3.10.8 answers it with an empty 400 whoever asks; Warren lists the vhost\'s to administrators (topic-permissions.test.ts)',
  'POST /api/login': "Warren's console login, which RabbitMQ does not have (served.test.ts covers who may log in)",
  'POST /api/logout': "the same: it ends the session of the request's cookie, whoever's it is",
  'POST /api/exchanges/:vh/:name/explain': "Warren's routing dry run, which RabbitMQ does not have (explain-route.test.ts covers who may ask: write on the exchange, as a publish)",
  'GET /api/scenarios': SCENARIOS_ONLY_IN_WARREN,
  'GET /api/scenarios/:id': SCENARIOS_ONLY_IN_WARREN,
  'PUT /api/scenarios/:id': SCENARIOS_ONLY_IN_WARREN,
  'DELETE /api/scenarios/:id': SCENARIOS_ONLY_IN_WARREN,
  'GET /api/scenarios/:id/code': SCENARIOS_ONLY_IN_WARREN,
  'POST /api/scenarios/:id/actions': SCENARIOS_ONLY_IN_WARREN,
  'GET /api/scenario-export/:vhost': SCENARIOS_ONLY_IN_WARREN,
  'GET /api/queues/:vhost/:name/messages': BROWSE_ONLY_IN_WARREN,
  'GET /api/queues/:vhost/:name/messages/:id': BROWSE_ONLY_IN_WARREN,
  'POST /api/queues/:vhost/:name/messages/filter': BROWSE_ONLY_IN_WARREN,
  'GET /api/queues/:vhost/:name/messages/export': BROWSE_ONLY_IN_WARREN,
  'POST /api/exchanges/:vhost/:name/import': "Warren's JSON Lines import, which RabbitMQ lacks (message-browse.served.test.ts covers it)",
  'POST /api/queues/:vhost/:name/messages/move': TRANSFER_ONLY_IN_WARREN,
  'POST /api/queues/:vhost/:name/messages/copy': TRANSFER_ONLY_IN_WARREN,
  'POST /api/queues/:vhost/:name/messages/return': TRANSFER_ONLY_IN_WARREN,
  'POST /api/queues/:vhost/:name/messages/return/preview': TRANSFER_ONLY_IN_WARREN,
  'GET /api/message-transfers/:vhost/:id': `${TRANSFER_ONLY_IN_WARREN}; and the progress of imports`,
  'DELETE /api/message-transfers/:vhost/:id': `${TRANSFER_ONLY_IN_WARREN}; and the progress of imports`,
};

export const cellKey = (c: Pick<Cell, 'method' | 'route'>): string => `${c.method} ${c.route}`;

export type Matrix = Record<string, Record<string, number>>;

/** One broker's baseline: users, vhosts, objects, a connection with a channel and a consumer. */
class Bench {
  private found!: Found;
  private conn: ChannelModel | undefined;
  private connClosed: Promise<void> = Promise.resolve();
  private opened = 0;
  private consumerConn: ChannelModel | undefined;

  constructor(private readonly t: Target) {}

  private amqpUrl(user: string, vhost: string): string {
    return `amqp://${encodeURIComponent(user)}:${encodeURIComponent(PASSWORD)}@${this.t.amqpHost ?? '127.0.0.1'}:${this.t.amqpPort}/${encodeURIComponent(vhost)}`;
  }

  async http(method: string, path: string, body?: unknown, as?: { user: string; password: string }): Promise<{ status: number; body: unknown }> {
    const who = as ?? this.t.admin;
    const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.t.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  }

  private async ok(method: string, path: string, body?: unknown): Promise<void> {
    const r = await this.http(method, path, body);
    if (r.status >= 300 && !(method === 'DELETE' && r.status === 404)) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  private async vhostWithPerms(vhost: string): Promise<void> {
    await this.ok('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
    const v = encodeURIComponent(vhost);
    await this.ok('PUT', `/api/permissions/${v}/${OWNER}`, PERM_BODY);
    for (const tag of TAGS) await this.ok('PUT', `/api/permissions/${v}/${matrixUser(tag, 'full')}`, PERM_BODY);
  }

  async setUp(): Promise<void> {
    await this.tearDown();
    for (const tag of TAGS) {
      for (const perm of PERMS) await this.ok('PUT', `/api/users/${matrixUser(tag, perm)}`, { password: PASSWORD, tags: tag === 'none' ? '' : tag });
    }
    for (const u of [OWNER, TARGET]) await this.ok('PUT', `/api/users/${u}`, { password: PASSWORD, tags: '' });
    await this.vhostWithPerms(VHOST);
    await this.vhostWithPerms(VHOST_DEL);
    await this.restore('target-perm');
    await this.restore('del-user');
    await this.ok('PUT', `/api/exchanges/${V}/ax`, { type: 'direct', durable: true });
    await this.ok('PUT', `/api/exchanges/${V}/ax2`, { type: 'direct', durable: true });
    await this.ok('PUT', `/api/queues/${V}/aq`, QUEUE_BODY);
    await this.ok('PUT', `/api/queues/${V}/aq-consumed`, QUEUE_BODY);
    await this.ok('POST', `/api/bindings/${V}/e/ax/q/aq`, { routing_key: 'k', arguments: {} });
    await this.ok('POST', `/api/bindings/${V}/e/ax/e/ax2`, { routing_key: 'k', arguments: {} });
    await this.ok('PUT', `/api/policies/${V}/ap`, POLICY_BODY);
    await this.ok('PUT', `/api/operator-policies/${V}/aop`, POLICY_BODY);
    for (const r of ['exchange-del', 'queue-del', 'bindings', 'policy-del', 'op-policy-del', 'target-topic'] as const) await this.restore(r);
    // a consumer of the owner's, on its own connection, so that consumers lists are not empty
    this.consumerConn = await amqp.connect(this.amqpUrl(OWNER, VHOST));
    this.consumerConn.on('error', () => {});
    const ch = await this.consumerConn.createChannel();
    await ch.consume('aq-consumed', () => {});
    const node = (await this.http('GET', '/api/overview')).body as { node: string };
    this.found = { conn: '', channel: '', node: node.node, amqpPort: this.t.amqpPort };
    await this.restore('connection');
  }

  /** Puts back what a cell may have deleted or made (`status`: the cell's answer). Idempotent. */
  async restore(what: Restore, status = 0): Promise<void> {
    switch (what) {
      case 'vhost-del':
        return this.vhostWithPerms(VHOST_DEL);
      case 'exchange-del':
        return this.ok('PUT', `/api/exchanges/${V}/ax-del`, { type: 'fanout', durable: true });
      case 'queue-del':
        return this.ok('PUT', `/api/queues/${V}/aq-del`, QUEUE_BODY);
      case 'bindings':
        await this.ok('POST', `/api/bindings/${V}/e/ax/q/aq`, { routing_key: 'kdel', arguments: {} });
        return this.ok('POST', `/api/bindings/${V}/e/ax/e/ax2`, { routing_key: 'kdel', arguments: {} });
      case 'del-user':
        await this.ok('PUT', `/api/users/${DEL_USER}`, { password: PASSWORD, tags: '' });
        return this.ok('PUT', `/api/permissions/${V}/${DEL_USER}`, PERM_BODY);
      case 'target-perm':
        return this.ok('PUT', `/api/permissions/${V}/${TARGET}`, PERM_BODY);
      case 'policy-del':
        return this.ok('PUT', `/api/policies/${V}/ap-del`, POLICY_BODY);
      case 'op-policy-del':
        return this.ok('PUT', `/api/operator-policies/${V}/aop-del`, POLICY_BODY);
      case 'target-topic':
        return this.ok('PUT', `/api/topic-permissions/${V}/${TARGET}`, TOPIC_BODY);
      case 'unsupported':
        await this.http('DELETE', `/api/vhost-limits/${V}/max-connections`);
        await this.http('DELETE', `/api/parameters/federation-upstream/${V}/ap`);
        return;
      case 'connection':
        if (this.conn !== undefined && status >= 300) return;
        await this.connClosed;
        return this.openConnection();
    }
  }

  /** A connection of the owner's in VHOST with one channel, known by name to the management API. */
  private async openConnection(): Promise<void> {
    await this.conn?.close().catch(() => {});
    const label = `authz-conn-${++this.opened}`;
    const listed = async () =>
      ((await this.http('GET', '/api/connections')).body as { name: string; client_properties?: { connection_name?: string } }[]).filter(
        (c) => c.client_properties?.connection_name === label,
      );
    const conn = await amqp.connect(this.amqpUrl(OWNER, VHOST), { clientProperties: { connection_name: label } });
    conn.on('error', () => {});
    this.conn = conn;
    this.connClosed = new Promise((resolve) => conn.once('close', () => resolve()));
    const ch: Channel = await this.conn.createChannel();
    ch.on('error', () => {});
    const deadline = Date.now() + 15_000;
    for (;;) {
      const fresh = await listed();
      if (fresh.length === 1) {
        const name = fresh[0].name;
        const chans = (await this.http('GET', `/api/connections/${encodeURIComponent(name)}/channels`)).body as { name: string }[];
        const one = (await this.http('GET', `/api/connections/${encodeURIComponent(name)}`)).status;
        if (chans.length === 1 && one === 200) {
          this.found.conn = name;
          this.found.channel = chans[0].name;
          return;
        }
      }
      if (Date.now() > deadline) throw new Error('the baseline connection did not show in /api/connections');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  path(cell: Cell): string {
    return cell.path
      .replace('{conn}', encodeURIComponent(this.found.conn))
      .replace('{channel}', encodeURIComponent(this.found.channel))
      .replace('{node}', encodeURIComponent(this.found.node))
      .replace('{amqpPort}', String(this.found.amqpPort));
  }

  async tearDown(): Promise<void> {
    for (const c of [this.conn, this.consumerConn]) await c?.close().catch(() => {});
    this.conn = this.consumerConn = undefined;
    for (const v of [VHOST, VHOST_DEL]) await this.http('DELETE', `/api/vhosts/${encodeURIComponent(v)}`);
    for (const tag of TAGS) for (const perm of PERMS) await this.http('DELETE', `/api/users/${matrixUser(tag, perm)}`);
    for (const u of [OWNER, TARGET, DEL_USER]) await this.http('DELETE', `/api/users/${u}`);
  }
}

/** Every cell's status on the target, column by column: `{ "GET /api/overview": { "none/full": 401, ... } }`. */
export async function runMatrix(t: Target, cells: readonly Cell[] = CELLS): Promise<Matrix> {
  const bench = new Bench(t);
  await bench.setUp();
  const out: Matrix = {};
  try {
    for (const cell of cells) {
      const row: Record<string, number> = {};
      for (const tag of TAGS) {
        for (const perm of PERMS) {
          const r = await bench.http(cell.method, bench.path(cell), cell.body, { user: matrixUser(tag, perm), password: PASSWORD });
          row[column(tag, perm)] = r.status;
          for (const what of cell.restore ?? []) await bench.restore(what, r.status);
        }
      }
      out[cellKey(cell)] = row;
    }
  } finally {
    await bench.tearDown();
  }
  return out;
}

/** Cells where `got` differs from `expected`, as `"METHOD route [tag/perm]: expected → got"`. */
export function differences(expected: Matrix, got: Matrix, cells: readonly Cell[] = CELLS): string[] {
  const diffs: string[] = [];
  for (const cell of cells) {
    const key = cellKey(cell);
    for (const tag of TAGS) {
      for (const perm of PERMS) {
        const col = column(tag, perm);
        const want = expected[key]?.[col];
        const have = got[key]?.[col];
        const same = cell.unsupported ? (want === 401) === (have === 401) : want === have;
        if (!same) diffs.push(`${key} [${col}]: RabbitMQ ${want} → Warren ${have}`);
      }
    }
  }
  return diffs;
}
