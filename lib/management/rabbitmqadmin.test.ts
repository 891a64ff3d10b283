// RabbitMQ's own CLI, rabbitmqadmin (Python, from the rabbitmq-server package), run as a child
// process against Warren's management API. Every expected output below is what rabbitmqadmin
// prints against a real RabbitMQ 3.10.8 for the same commands, with Warren's names (node, ports,
// cluster name) in place of RabbitMQ's. Where RabbitMQ prints something Warren cannot, the test
// says so in a comment.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type Obj, type TestApi } from './testing';

const RABBITMQADMIN = process.env.RABBITMQADMIN ?? '/usr/bin/rabbitmqadmin';
const REFERENCE = fileURLToPath(new URL('./fixtures/rabbitmq-3.10', import.meta.url));
/** One call takes 0.1–0.5 s (Python's start); a hung one is killed well before vitest's timeout. */
const CALL_TIMEOUT_MS = 8_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  vhost?: string;
  user?: string;
  password?: string;
  /** fed to rabbitmqadmin's standard input (publish reads the payload from it) */
  stdin?: string;
}

let api: TestApi;
let dir: string;
let port: string;
let node: string;

beforeAll(async () => {
  api = await startApi();
  port = new URL(api.baseUrl).port;
  dir = await mkdtemp(path.join(tmpdir(), 'rabbitmqadmin-'));
  node = obj(await api.get('/api/overview')).node as string;
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** rabbitmqadmin with `args`, asynchronously: the broker under test runs in this process. */
function admin(args: string[], opts: RunOptions = {}): Promise<Run> {
  const argv = [RABBITMQADMIN, '-H', '127.0.0.1', '-P', port, '-u', opts.user ?? 'guest', '-p', opts.password ?? 'guest'];
  if (opts.vhost !== undefined) argv.push('-V', opts.vhost);
  return new Promise((resolve, reject) => {
    // HOME: a ~/.rabbitmqadmin.conf of the machine must not change what it does
    const child = spawn('python3', [...argv, ...args], { timeout: CALL_TIMEOUT_MS, env: { ...process.env, HOME: dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

/** In vhost `adm`, where the topology of these tests lives. */
const adm = (args: string[], opts: RunOptions = {}) => admin(args, { vhost: 'adm', ...opts });

/** What rabbitmqadmin prints on success: `stdout`, nothing on stderr, exit 0. */
const success = (stdout: string): Run => ({ code: 0, stdout, stderr: '' });
/** How rabbitmqadmin reports an HTTP error: `*** <reason>` and a blank line on stderr, exit 1. */
const failure = (message: string): Run => ({ code: 1, stdout: '', stderr: `*** ${message}\n\n` });

const lines = (...l: string[]) => l.map((s) => `${s}\n`).join('');

describe('rabbitmqadmin declare', () => {
  it('declares a vhost, and a permission in it', async () => {
    expect(await admin(['declare', 'vhost', 'name=adm'])).toEqual(success('vhost declared\n'));
    const perm = await admin(['declare', 'permission', 'vhost=adm', 'user=guest', 'configure=.*', 'write=.*', 'read=.*']);
    expect(perm).toEqual(success('permission declared\n'));
    expect(obj(await api.get('/api/permissions/adm/guest'))).toEqual({ user: 'guest', vhost: 'adm', configure: '.*', write: '.*', read: '.*' });
  });

  it('declares exchanges of each type, durable or not, auto-deleting, internal, with arguments', async () => {
    const runs = await Promise.all([
      adm(['declare', 'exchange', 'name=adm.direct', 'type=direct']),
      adm(['declare', 'exchange', 'name=adm.fanout', 'type=fanout', 'durable=false']),
      adm(['declare', 'exchange', 'name=adm.topic', 'type=topic', 'auto_delete=true']),
      adm(['declare', 'exchange', 'name=adm.headers', 'type=headers', 'internal=true', 'arguments={"alternate-exchange":"adm.fanout"}']),
    ]);
    for (const r of runs) expect(r).toEqual(success('exchange declared\n'));
    const listed = await adm(['-f', 'tsv', 'list', 'exchanges', 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments.alternate-exchange']);
    expect(listed).toEqual(
      success(
        lines(
          'name\ttype\tdurable\tauto_delete\tinternal\targuments.alternate-exchange',
          '\tdirect\tTrue\tFalse\tFalse\t',
          'adm.direct\tdirect\tTrue\tFalse\tFalse\t',
          'adm.fanout\tfanout\tFalse\tFalse\tFalse\t',
          'adm.headers\theaders\tTrue\tFalse\tTrue\tadm.fanout',
          'adm.topic\ttopic\tTrue\tTrue\tFalse\t',
          'amq.direct\tdirect\tTrue\tFalse\tFalse\t',
          'amq.fanout\tfanout\tTrue\tFalse\tFalse\t',
          'amq.headers\theaders\tTrue\tFalse\tFalse\t',
          'amq.match\theaders\tTrue\tFalse\tFalse\t',
          'amq.rabbitmq.trace\ttopic\tTrue\tFalse\tTrue\t',
          'amq.topic\ttopic\tTrue\tFalse\tFalse\t',
        ),
      ),
    );
  });

  it('declares queues: durable by default, auto-deleting, with x-arguments as JSON', async () => {
    const runs = await Promise.all([
      adm(['declare', 'queue', 'name=adm.q1', 'arguments={"x-message-ttl":60000,"x-max-length":10,"x-dead-letter-exchange":"adm.fanout"}']),
      adm(['declare', 'queue', 'name=adm.q2', 'durable=false', 'auto_delete=true']),
      adm(['declare', 'queue', 'name=adm.dead']),
    ]);
    for (const r of runs) expect(r).toEqual(success('queue declared\n'));
    expect(await adm(['list', 'queues', 'name', 'durable', 'auto_delete', 'arguments.x-message-ttl'])).toEqual(
      success(
        lines(
          '+----------+---------+-------------+-------------------------+',
          '|   name   | durable | auto_delete | arguments.x-message-ttl |',
          '+----------+---------+-------------+-------------------------+',
          '| adm.dead | True    | False       |                         |',
          '| adm.q1   | True    | False       | 60000                   |',
          '| adm.q2   | False   | True        |                         |',
          '+----------+---------+-------------+-------------------------+',
        ),
      ),
    );
  });

  it('declares bindings to queues and exchanges, with routing keys and arguments', async () => {
    const runs = await Promise.all([
      adm(['declare', 'binding', 'source=adm.direct', 'destination=adm.q1', 'routing_key=k1']),
      adm(['declare', 'binding', 'source=adm.headers', 'destination=adm.q2', 'arguments={"x-match":"any","a":1}']),
      adm(['declare', 'binding', 'source=adm.topic', 'destination_type=exchange', 'destination=adm.fanout', 'routing_key=a.#']),
      adm(['declare', 'binding', 'source=adm.fanout', 'destination=adm.dead']),
    ]);
    for (const r of runs) expect(r).toEqual(success('binding declared\n'));
    expect(await adm(['list', 'bindings'])).toEqual(
      success(
        lines(
          '+-------------+-------------+-------------+',
          '|   source    | destination | routing_key |',
          '+-------------+-------------+-------------+',
          '|             | adm.dead    | adm.dead    |',
          '|             | adm.q1      | adm.q1      |',
          '|             | adm.q2      | adm.q2      |',
          '| adm.direct  | adm.q1      | k1          |',
          '| adm.fanout  | adm.dead    |             |',
          '| adm.headers | adm.q2      |             |',
          '| adm.topic   | adm.fanout  | a.#         |',
          '+-------------+-------------+-------------+',
        ),
      ),
    );
    expect(await adm(['-f', 'kvp', 'list', 'bindings', 'source', 'destination_type', 'destination', 'routing_key', 'arguments.x-match'])).toEqual(
      success(
        lines(
          'source="" destination_type="queue" destination="adm.dead" routing_key="adm.dead" arguments.x-match=""',
          'source="" destination_type="queue" destination="adm.q1" routing_key="adm.q1" arguments.x-match=""',
          'source="" destination_type="queue" destination="adm.q2" routing_key="adm.q2" arguments.x-match=""',
          'source="adm.direct" destination_type="queue" destination="adm.q1" routing_key="k1" arguments.x-match=""',
          'source="adm.fanout" destination_type="queue" destination="adm.dead" routing_key="" arguments.x-match=""',
          'source="adm.headers" destination_type="queue" destination="adm.q2" routing_key="" arguments.x-match="any"',
          'source="adm.topic" destination_type="exchange" destination="adm.fanout" routing_key="a.#" arguments.x-match=""',
        ),
      ),
    );
  });

  it('declares a user with a password and tags, who can then log in', async () => {
    expect(await admin(['declare', 'user', 'name=adm-user', 'password=s3cret', 'tags=management,monitoring'])).toEqual(success('user declared\n'));
    expect(await admin(['declare', 'permission', 'vhost=adm', 'user=adm-user', 'configure=^adm-user\\.', 'write=.*', 'read='])).toEqual(
      success('permission declared\n'),
    );
    const [users, perms, asUser] = await Promise.all([
      admin(['list', 'users', 'name', 'tags']),
      admin(['list', 'permissions']),
      admin(['-f', 'bash', 'list', 'vhosts'], { user: 'adm-user', password: 's3cret' }),
    ]);
    expect(users).toEqual(
      success(
        lines(
          '+----------+-----------------------+',
          '|   name   |         tags          |',
          '+----------+-----------------------+',
          '| adm-user | management monitoring |',
          '| guest    | administrator         |',
          '+----------+-----------------------+',
        ),
      ),
    );
    expect(perms).toEqual(
      success(
        lines(
          '+-------+-------------+------+----------+-------+',
          '| vhost |  configure  | read |   user   | write |',
          '+-------+-------------+------+----------+-------+',
          '| /     | .*          | .*   | guest    | .*    |',
          '| adm   | ^adm-user\\. |      | adm-user | .*    |',
          '| adm   | .*          | .*   | guest    | .*    |',
          '+-------+-------------+------+----------+-------+',
        ),
      ),
    );
    // a monitoring user sees every vhost
    expect(asUser).toEqual(success('/ adm\n'));
  });
});

describe('rabbitmqadmin list and show', () => {
  it('shows the overview in a table, and as the JSON the server sent for its columns', async () => {
    expect(await admin(['show', 'overview'])).toEqual(
      success(
        lines(
          '+------------------+--------------+-----------------------+----------------------+',
          '| rabbitmq_version | cluster_name | queue_totals.messages | object_totals.queues |',
          '+------------------+--------------+-----------------------+----------------------+',
          '| 3.10.8           | warren       | 0                     | 3                    |',
          '+------------------+--------------+-----------------------+----------------------+',
        ),
      ),
    );
    // `columns=queue_totals.messages` brings all of queue_totals: RabbitMQ keeps the totals as maps
    // the JSON formats take no default columns, so name them
    const raw = await admin(['-f', 'raw_json', 'show', 'overview', 'rabbitmq_version', 'cluster_name', 'queue_totals.messages', 'object_totals.queues']);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toContain('"messages_details":{"rate":0.0}');
    const [shown] = JSON.parse(raw.stdout) as Obj[];
    expect(Object.keys(shown)).toEqual(['rabbitmq_version', 'cluster_name', 'queue_totals', 'object_totals']);
    expect(Object.keys(shown.queue_totals as Obj)).toContain('messages_unacknowledged_details');
    expect(shown.object_totals).toEqual({ channels: 0, connections: 0, consumers: 0, exchanges: 18, queues: 3 });
  });

  it('lists vhosts in every format rabbitmqadmin has', async () => {
    const [table, tsv, long, kvp, bash, raw, pretty] = await Promise.all(
      ['table', 'tsv', 'long', 'kvp', 'bash', 'raw_json', 'pretty_json'].map((f) => admin(['-f', f, 'list', 'vhosts'])),
    );
    expect(table).toEqual(success(lines('+------+----------+', '| name | messages |', '+------+----------+', '| /    | 0        |', '| adm  | 0        |', '+------+----------+')));
    expect(tsv).toEqual(success(lines('name\tmessages', '/\t0', 'adm\t0')));
    const sep = '-'.repeat(80);
    expect(long).toEqual(success(lines('', sep, '', '    name: /', 'messages: 0', '', sep, '', '    name: adm', 'messages: 0', '', sep, '')));
    expect(kvp).toEqual(success(lines('name="/" messages="0"', 'name="adm" messages="0"')));
    expect(bash).toEqual(success('/ adm\n'));
    // the JSON formats take no default columns: whole vhosts, as the server wrote them
    expect(raw.code).toBe(0);
    expect(JSON.parse(raw.stdout)).toEqual(list(await api.get('/api/vhosts')));
    // Python's json.dumps(indent=2, sort_keys=True) of the same; a zero rate stays 0.0
    expect(JSON.parse(pretty.stdout)).toEqual(JSON.parse(raw.stdout));
    expect(pretty.stdout).toMatch(/^\[\n {2}\{\n {4}"cluster_state": \{\n/);
    expect(pretty.stdout).toContain('\n      "rate": 0.0\n');
  });

  it('lists with explicit columns, sorted (-S) and reversed (-R)', async () => {
    const [durable, reversed, raw, pretty] = await Promise.all([
      adm(['-S', 'durable', 'list', 'queues', 'name', 'durable']),
      adm(['-S', 'name', '-R', '-f', 'bash', 'list', 'queues']),
      adm(['-f', 'raw_json', 'list', 'queues', 'name', 'durable', 'arguments.x-max-length']),
      adm(['-f', 'pretty_json', 'list', 'queues', 'name', 'arguments']),
    ]);
    // false sorts before true (Erlang atoms), ties by name
    expect(durable).toEqual(
      success(lines('+----------+---------+', '|   name   | durable |', '+----------+---------+', '| adm.q2   | False   |', '| adm.dead | True    |', '| adm.q1   | True    |', '+----------+---------+')),
    );
    expect(reversed).toEqual(success('adm.q2 adm.q1 adm.dead\n'));
    // in the row's own key order, and a dotted column into `arguments` returns all of it, keys sorted
    expect(raw).toEqual(
      success(
        '[{"arguments":{},"durable":true,"name":"adm.dead"},' +
          '{"arguments":{"x-dead-letter-exchange":"adm.fanout","x-max-length":10,"x-message-ttl":60000},"durable":true,"name":"adm.q1"},' +
          '{"arguments":{},"durable":false,"name":"adm.q2"}]\n',
      ),
    );
    expect(pretty).toEqual(
      success(
        lines(
          '[',
          '  {',
          '    "arguments": {},',
          '    "name": "adm.dead"',
          '  },',
          '  {',
          '    "arguments": {',
          '      "x-dead-letter-exchange": "adm.fanout",',
          '      "x-max-length": 10,',
          '      "x-message-ttl": 60000',
          '    },',
          '    "name": "adm.q1"',
          '  },',
          '  {',
          '    "arguments": {},',
          '    "name": "adm.q2"',
          '  }',
          ']',
        ),
      ),
    );
  });

  it('lists exchanges in the long format', async () => {
    const r = await adm(['-f', 'long', 'list', 'exchanges', 'name', 'type', 'durable', 'auto_delete', 'internal']);
    const sep = '-'.repeat(80);
    const entry = (name: string, type: string, durable: string, autoDelete: string, internal: string) =>
      lines(`       name: ${name}`, `       type: ${type}`, `    durable: ${durable}`, `auto_delete: ${autoDelete}`, `   internal: ${internal}`, '', sep, '');
    expect(r.stdout.startsWith(lines('', sep, '') + entry('', 'direct', 'True', 'False', 'False') + entry('adm.direct', 'direct', 'True', 'False', 'False'))).toBe(true);
    expect(r.stdout).toContain(entry('adm.headers', 'headers', 'True', 'False', 'True') + entry('adm.topic', 'topic', 'True', 'True', 'False'));
  });

  it('lists nodes, and nested columns of their lists item by item', async () => {
    const [tsv, raw] = await Promise.all([
      admin(['-f', 'tsv', 'list', 'nodes']),
      admin(['-f', 'raw_json', 'list', 'nodes', 'name', 'exchange_types.name', 'mem_used_details.rate']),
    ]);
    expect(tsv.stdout).toMatch(new RegExp(`^name\ttype\tmem_used\n${node}\tdisc\t\\d+\n$`));
    expect(raw).toEqual(
      success(`[{"exchange_types":[{"name":"direct"},{"name":"fanout"},{"name":"headers"},{"name":"topic"}],"mem_used_details":{"rate":0.0},"name":"${node}"}]\n`),
    );
  });

  it('lists policies, parameters, operator policies and vhost limits: none yet', async () => {
    const runs = await Promise.all(['policies', 'parameters', 'operator_policies', 'vhost_limits'].map((what) => admin(['list', what])));
    for (const r of runs) expect(r).toEqual(success('No items\n'));
  });
});

describe('rabbitmqadmin policies', () => {
  it('declares policies, lists them, shows the queue they apply to, and deletes them', async () => {
    expect(await adm(['declare', 'queue', 'name=adm.pol'])).toEqual(success('queue declared\n'));
    const [cap, all] = await Promise.all([
      adm(['declare', 'policy', 'name=adm.cap', 'pattern=^adm\\.pol$', 'definition={"max-length":1}', 'priority=5', 'apply-to=queues']),
      adm(['declare', 'policy', 'name=adm.all', 'pattern=^adm\\.pol', 'definition={"message-ttl":60000,"dead-letter-exchange":"adm.fanout"}']),
    ]);
    expect([cap, all]).toEqual([success('policy declared\n'), success('policy declared\n')]);
    const [tsv, table, queues] = await Promise.all([adm(['-f', 'tsv', 'list', 'policies']), adm(['list', 'policies']), adm(['-f', 'raw_json', 'list', 'queues', 'name', 'policy'])]);
    expect(tsv).toEqual(
      success(
        lines(
          'vhost\tname\tapply-to\tdefinition\tpattern\tpriority',
          'adm\tadm.all\tall\t{"dead-letter-exchange": "adm.fanout", "message-ttl": 60000}\t^adm\\.pol\t0',
          'adm\tadm.cap\tqueues\t{"max-length": 1}\t^adm\\.pol$\t5',
        ),
      ),
    );
    expect(table).toEqual(
      success(
        lines(
          '+-------+---------+----------+--------------------------------------------------------------+------------+----------+',
          '| vhost |  name   | apply-to |                          definition                          |  pattern   | priority |',
          '+-------+---------+----------+--------------------------------------------------------------+------------+----------+',
          '| adm   | adm.all | all      | {"dead-letter-exchange": "adm.fanout", "message-ttl": 60000} | ^adm\\.pol  | 0        |',
          '| adm   | adm.cap | queues   | {"max-length": 1}                                            | ^adm\\.pol$ | 5        |',
          '+-------+---------+----------+--------------------------------------------------------------+------------+----------+',
        ),
      ),
    );
    // raw JSON: rabbitmqadmin's tsv output fails on a queue with no policy (null), RabbitMQ's too
    expect(JSON.parse(queues.stdout)).toContainEqual({ name: 'adm.pol', policy: 'adm.cap' });
    expect(obj(await api.get('/api/queues/adm/adm.pol')).effective_policy_definition).toMatchObject({ 'max-length': 1 });
    // RabbitMQ's reasons, HTML-escaped as its API sends them and rabbitmqadmin prints them
    const [badPattern, badKey] = await Promise.all([
      adm(['declare', 'policy', 'name=bad', 'pattern=(', 'definition={"max-length":1}']),
      adm(['declare', 'policy', 'name=bad', 'pattern=a', 'definition={"foo":1}']),
    ]);
    expect(badPattern).toEqual(failure('Validation failed\n\npattern should be regular expression but is invalid: {"missing )",1}\n'));
    expect(badKey).toEqual(failure('Validation failed\n\n[{&lt;&lt;"foo"&gt;&gt;,1}] are not recognised policy settings\n'));
    expect(await adm(['delete', 'policy', 'name=adm.cap'])).toEqual(success('policy deleted\n'));
    expect(await adm(['delete', 'policy', 'name=adm.cap'])).toEqual(failure('Not found: /api/policies/adm/adm.cap'));
    expect(await adm(['delete', 'policy', 'name=adm.all'])).toEqual(success('policy deleted\n'));
    expect(await admin(['-f', 'tsv', 'list', 'policies'])).toEqual(success('No items\n'));
    expect(obj(await api.get('/api/queues/adm/adm.pol')).effective_policy_definition).not.toHaveProperty('max-length');
    expect(await adm(['delete', 'queue', 'name=adm.pol'])).toEqual(success('queue deleted\n'));
  });
});

describe('rabbitmqadmin publish, get and purge', () => {
  it('publishes with a routing key, properties and headers; says when nothing routed', async () => {
    const properties = {
      content_type: 'text/plain', delivery_mode: 2, priority: 3, correlation_id: 'c1', message_id: 'm1', timestamp: 1700000000,
      type: 't', app_id: 'a', reply_to: 'r', expiration: '60000', user_id: 'guest', headers: { h2: 'v', h1: { n: [1, 's', true] } },
    };
    expect(await adm(['publish', 'routing_key=adm.q1', 'payload=first'])).toEqual(success('Message published\n'));
    expect(await adm(['publish', 'exchange=adm.direct', 'routing_key=k1', 'payload=second', `properties=${JSON.stringify(properties)}`])).toEqual(
      success('Message published\n'),
    );
    const [unrouted, missing, internal, badMode, badExpiry] = await Promise.all([
      adm(['publish', 'exchange=adm.direct', 'routing_key=nowhere', 'payload=x']),
      adm(['publish', 'exchange=nosuch', 'routing_key=k', 'payload=x']),
      adm(['publish', 'exchange=adm.headers', 'routing_key=k', 'payload=x']),
      adm(['publish', 'routing_key=adm.q2', 'payload=x', 'properties={"delivery_mode":3}']),
      adm(['publish', 'routing_key=adm.q2', 'payload=x', 'properties={"expiration":"-1"}']),
    ]);
    expect(unrouted).toEqual(success('Message published but NOT routed\n'));
    expect(missing).toEqual(failure("404 NOT_FOUND - no exchange 'nosuch' in vhost 'adm'"));
    expect(internal).toEqual(failure("403 ACCESS_REFUSED - cannot publish to internal exchange 'adm.headers' in vhost 'adm'"));
    expect(badMode).toEqual(failure('406 PRECONDITION_FAILED - invalid message: {delivery_mode_unknown,3}'));
    expect(badExpiry).toEqual(failure("406 PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}"));
    expect(list(await api.get('/api/queues/adm?columns=name,messages'))).toEqual([
      { name: 'adm.dead', messages: 0 },
      { name: 'adm.q1', messages: 2 },
      { name: 'adm.q2', messages: 0 },
    ]);
  });

  it('gets messages: a table, and the JSON with RabbitMQ’s property order', async () => {
    expect(await adm(['get', 'queue=adm.q1', 'count=5'])).toEqual(
      success(
        lines(
          '+-------------+------------+---------------+---------+---------------+------------------+------------+-------------+',
          '| routing_key |  exchange  | message_count | payload | payload_bytes | payload_encoding | properties | redelivered |',
          '+-------------+------------+---------------+---------+---------------+------------------+------------+-------------+',
          '| adm.q1      |            | 1             | first   | 5             | string           |            | False       |',
          '| k1          | adm.direct | 0             | second  | 6             | string           |            | False       |',
          '+-------------+------------+---------------+---------+---------------+------------------+------------+-------------+',
        ),
      ),
    );
    // requeued by the default ackmode (ack_requeue_true), so now redelivered
    expect(await adm(['-f', 'raw_json', 'get', 'queue=adm.q1', 'count=2', 'ackmode=ack_requeue_true'])).toEqual(
      success(
        '[{"payload_bytes":5,"redelivered":true,"exchange":"","routing_key":"adm.q1","message_count":1,"properties":[],"payload":"first","payload_encoding":"string"},' +
          '{"payload_bytes":6,"redelivered":true,"exchange":"adm.direct","routing_key":"k1","message_count":0,"properties":' +
          '{"app_id":"a","user_id":"guest","type":"t","timestamp":1700000000,"message_id":"m1","expiration":"60000","reply_to":"r",' +
          '"correlation_id":"c1","priority":3,"delivery_mode":2,"headers":{"h1":{"n":[1,"s",true]},"h2":"v"},"content_type":"text/plain"},' +
          '"payload":"second","payload_encoding":"string"}]\n',
      ),
    );
  });

  it('gets with ack_requeue_false, base64 encoding and reject_requeue_false (dead-lettering)', async () => {
    expect(await adm(['-f', 'kvp', 'get', 'queue=adm.q1', 'count=1', 'encoding=base64', 'ackmode=ack_requeue_false'])).toEqual(
      success(
        'routing_key="adm.q1" exchange="" message_count="1" payload="Zmlyc3Q=" payload_bytes="5" payload_encoding="base64" properties="" redelivered="True"\n',
      ),
    );
    const sep = '-'.repeat(80);
    expect(await adm(['-f', 'long', 'get', 'queue=adm.q1', 'ackmode=reject_requeue_false'])).toEqual(
      success(
        lines('', sep, '', '     routing_key: k1', '        exchange: adm.direct', '   message_count: 0', '         payload: second', '   payload_bytes: 6',
          'payload_encoding: string', '     redelivered: True', '', sep, ''),
      ),
    );
    expect(await adm(['get', 'queue=adm.q1'])).toEqual(success('No items\n'));
    // rejected without requeue: dead-lettered through adm.fanout into adm.dead
    await eventually(async () => obj(await api.get('/api/queues/adm/adm.dead')).messages === 1);
    expect(await adm(['-f', 'tsv', 'get', 'queue=adm.dead', 'count=2', 'ackmode=ack_requeue_true'])).toEqual(
      success(lines('routing_key\texchange\tmessage_count\tpayload\tpayload_bytes\tpayload_encoding\tredelivered', 'k1\tadm.fanout\t0\tsecond\t6\tstring\tFalse')),
    );
  });

  it('publishes the payload from standard input, then purges the queue', async () => {
    expect(await adm(['publish', 'routing_key=adm.q2'], { stdin: 'from stdin é\n' })).toEqual(success('Message published\n'));
    const got = await adm(['-f', 'raw_json', 'get', 'queue=adm.q2']);
    expect((JSON.parse(got.stdout) as Obj[])[0]).toMatchObject({ payload: 'from stdin é\n', payload_bytes: 14, payload_encoding: 'string' });
    const [purged, purgedDead, missing] = await Promise.all([
      adm(['purge', 'queue', 'name=adm.q2']),
      adm(['purge', 'queue', 'name=adm.dead']),
      adm(['purge', 'queue', 'name=nosuch']),
    ]);
    expect(purged).toEqual(success('queue purged\n'));
    expect(purgedDead).toEqual(success('queue purged\n'));
    expect(missing).toEqual(failure('Not found: /api/queues/adm/nosuch/contents'));
    expect(await adm(['-f', 'tsv', 'list', 'queues', 'name', 'messages'])).toEqual(success(lines('name\tmessages', 'adm.dead\t0', 'adm.q1\t0', 'adm.q2\t0')));
  });

  it('refuses get options and vhosts as RabbitMQ does', async () => {
    const [encoding, count, noQueue, noVhost] = await Promise.all([
      adm(['get', 'queue=adm.q1', 'encoding=hex']),
      adm(['get', 'queue=adm.q1', 'count=x']),
      adm(['get', 'queue=nosuch']),
      admin(['-V', 'nosuch', 'get', 'queue=q']),
    ]);
    expect(encoding).toEqual(failure('Unsupported encoding. Please use auto or base64.'));
    expect(count).toEqual(failure("['not_integer', 'x']"));
    expect(noQueue).toEqual(failure('Not found: /api/queues/adm/nosuch/get'));
    // a vhost that does not exist is refused, not "not found"
    expect(noVhost).toEqual(failure('Access refused: /api/queues/nosuch/q/get'));
  });
});

describe('rabbitmqadmin with clients connected', () => {
  it('lists connections, channels and consumers, and closes a connection', async () => {
    const conn = await api.connect({ vhost: 'adm', name: 'adm-conn' });
    const closed = new Promise<Error>((resolve) => conn.on('close', resolve));
    const ch = await conn.createChannel();
    await ch.prefetch(5);
    await ch.consume('adm.q1', () => {}, { consumerTag: 'adm-tag' });
    const [c] = list(await api.get('/api/connections'));
    const name = c.name as string;
    expect(name).toMatch(/^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/);

    const [connections, channels, consumers, kvp] = await Promise.all([
      admin(['-f', 'tsv', 'list', 'connections']),
      admin(['-f', 'tsv', 'list', 'channels']),
      adm(['list', 'consumers']),
      admin(['-f', 'kvp', 'list', 'connections', 'user', 'vhost', 'protocol', 'state', 'client_properties.connection_name', 'ssl']),
    ]);
    expect(connections).toEqual(success(lines('name\tuser\tchannels', `${name}\tguest\t1`)));
    expect(channels).toEqual(success(lines('name\tuser', `${name} (1)\tguest`)));
    expect(consumers).toEqual(
      success(
        lines(
          '+--------------+--------+-----------------+--------------+-----------+----------------+',
          '| ack_required | active | activity_status | consumer_tag | exclusive | prefetch_count |',
          '+--------------+--------+-----------------+--------------+-----------+----------------+',
          '| True         | True   | up              | adm-tag      | False     | 5              |',
          '+--------------+--------+-----------------+--------------+-----------+----------------+',
        ),
      ),
    );
    expect(kvp).toEqual(
      success('user="guest" vhost="adm" protocol="AMQP 0-9-1" state="running" client_properties.connection_name="adm-conn" ssl="False"\n'),
    );

    expect(await admin(['close', 'connection', `name=${name}`])).toEqual(success('connection closed\n'));
    expect(String(await closed)).toContain('CONNECTION_FORCED - Closed via management plugin');
    await eventually(async () => list(await api.get('/api/connections')).length === 0);
    const [none, missing] = await Promise.all([admin(['list', 'connections']), admin(['close', 'connection', `name=${name}`])]);
    expect(none).toEqual(success('No items\n'));
    expect(missing).toEqual(failure(`Not found: /api/connections/${encodeURIComponent(name)}`));
  });
});

describe('rabbitmqadmin export and import', () => {
  it('exports a vhost’s definitions in RabbitMQ’s format', async () => {
    const file = path.join(dir, 'adm.json');
    expect(await adm(['export', file])).toEqual(success(`Exported definitions for 127.0.0.1 to "${file}"\n`));
    const defs = JSON.parse(await readFile(file, 'utf8')) as Obj;
    expect(Object.keys(defs)).toEqual(['rabbit_version', 'parameters', 'policies', 'queues', 'exchanges', 'bindings']);
    expect(defs.queues).toContainEqual({
      name: 'adm.q1', durable: true, auto_delete: false, arguments: { 'x-dead-letter-exchange': 'adm.fanout', 'x-max-length': 10, 'x-message-ttl': 60000 },
    });
    expect(defs.bindings).toContainEqual({
      source: 'adm.headers', destination: 'adm.q2', destination_type: 'queue', routing_key: '', arguments: { a: 1, 'x-match': 'any' },
    });
  });

  it('imports it into another vhost, and imports a file RabbitMQ 3.10 exported', async () => {
    expect(await admin(['declare', 'vhost', 'name=adm2'])).toEqual(success('vhost declared\n'));
    const file = path.join(dir, 'adm.json');
    // (sic: rabbitmqadmin names the host where it means the file, and the file where the host)
    const uploaded = (f: string) =>
      success(`Uploaded definitions from "127.0.0.1" to ${f}. The import process may take some time. Consult server logs to track progress.\n`);
    expect(await admin(['-V', 'adm2', 'import', file])).toEqual(uploaded(file));
    expect(await admin(['-V', 'adm2', '-f', 'bash', 'list', 'queues'])).toEqual(success('adm.dead adm.q1 adm.q2\n'));

    const demo = path.join(REFERENCE, 'definitions-vhost-demo.json');
    expect(await admin(['-V', 'adm2', 'import', demo])).toEqual(uploaded(demo));
    const bindings = await admin(['-V', 'adm2', '-f', 'tsv', 'list', 'bindings', 'source', 'destination', 'routing_key']);
    expect(bindings.stdout).toContain('orders\ttopic_logs\torder.#\n');
  });

  it('refuses bad files and missing vhosts with RabbitMQ’s messages', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{not json');
    const [parse, exportMissing, importMissing] = await Promise.all([
      admin(['import', bad]),
      admin(['-V', 'nosuch', 'export', path.join(dir, 'x.json')]),
      admin(['-V', 'nosuch', 'import', path.join(dir, 'adm.json')]),
    ]);
    expect(parse).toEqual(failure('failed_to_parse_json'));
    expect(exportMissing).toEqual(failure('vhost_not_found'));
    expect(importMissing).toEqual(failure('Not found: /api/definitions/nosuch'));
  });
});

describe('rabbitmqadmin errors', () => {
  it('reports what the server refuses, with its reasons', async () => {
    const [badType, inequivalent, badArg, badBool, noPermVhost, deleteMissing, wrongPassword, notAdmin, noVhost] = await Promise.all([
      adm(['declare', 'exchange', 'name=adm.bad', 'type=nosuch']),
      adm(['declare', 'queue', 'name=adm.q1', 'durable=false']),
      adm(['declare', 'queue', 'name=adm.bad', 'arguments={"x-max-length":"ten"}']),
      adm(['declare', 'exchange', 'name=adm.bad', 'type=direct', 'durable=maybe']),
      admin(['declare', 'permission', 'vhost=nosuch', 'user=guest', 'configure=.', 'write=.', 'read=.']),
      adm(['delete', 'queue', 'name=nosuch']),
      admin(['list', 'queues'], { password: 'wrong' }),
      admin(['list', 'users'], { user: 'adm-user', password: 's3cret' }),
      admin(['-V', 'nosuch', 'list', 'queues']),
    ]);
    expect(badType).toEqual(failure("unknown exchange type 'nosuch'"));
    expect(inequivalent).toEqual(failure("inequivalent arg 'durable' for queue 'adm.q1' in vhost 'adm': received 'false' but current is 'true'"));
    expect(badArg).toEqual(failure(`invalid arg 'x-max-length' for queue 'adm.bad' in vhost 'adm': "expected integer, got longstr"`));
    expect(badBool).toEqual(failure("['not_boolean', 'maybe']"));
    expect(noPermVhost).toEqual(failure('vhost_or_user_not_found'));
    expect(deleteMissing).toEqual(failure('Not found: /api/queues/adm/nosuch'));
    expect(wrongPassword).toEqual(failure('Access refused: /api/queues?columns=name,messages'));
    expect(notAdmin).toEqual(failure('Access refused: /api/users'));
    expect(noVhost).toEqual(failure('Not found: /api/queues/nosuch?columns=name,messages'));
  });
});

describe('rabbitmqadmin delete', () => {
  it('deletes bindings by properties key, exchanges, queues, permissions, users and vhosts', async () => {
    const keys = await adm(['-f', 'tsv', 'list', 'bindings', 'source', 'destination', 'properties_key']);
    // RabbitMQ's key for a binding with arguments ends in a hash of them (erlang:phash2); Warren's hash differs
    const headersKey = /^adm\.headers\tadm\.q2\t(~\S+)$/m.exec(keys.stdout)?.[1];
    expect(headersKey).toBeDefined();
    const deleted = await Promise.all([
      adm(['delete', 'binding', 'source=adm.direct', 'destination_type=queue', 'destination=adm.q1', 'properties_key=k1']),
      adm(['delete', 'binding', 'source=adm.headers', 'destination_type=queue', 'destination=adm.q2', `properties_key=${headersKey}`]),
      // the key as listed is already quoted: `a.%23`
      adm(['delete', 'binding', 'source=adm.topic', 'destination_type=exchange', 'destination=adm.fanout', 'properties_key=a.%23']),
    ]);
    for (const r of deleted) expect(r).toEqual(success('binding deleted\n'));
    // adm.topic was auto-delete: its last binding took it away
    expect(await adm(['-f', 'bash', 'list', 'exchanges'])).toEqual(success(' adm.direct adm.fanout adm.headers amq.direct amq.fanout amq.headers amq.match amq.rabbitmq.trace amq.topic\n'));
    const again = await adm(['delete', 'binding', 'source=adm.direct', 'destination_type=queue', 'destination=adm.q1', 'properties_key=k1']);
    expect(again).toEqual(failure('Not found: /api/bindings/adm/e/adm.direct/q/adm.q1/k1'));

    const gone = await Promise.all([
      adm(['delete', 'exchange', 'name=adm.direct']),
      adm(['delete', 'queue', 'name=adm.q1']),
      admin(['delete', 'permission', 'vhost=adm', 'user=adm-user']),
    ]);
    expect(gone).toEqual([success('exchange deleted\n'), success('queue deleted\n'), success('permission deleted\n')]);
    const [user, builtIn, missingExchange] = await Promise.all([
      admin(['delete', 'user', 'name=adm-user']),
      adm(['delete', 'exchange', 'name=amq.direct']),
      adm(['delete', 'exchange', 'name=adm.direct']),
    ]);
    expect(user).toEqual(success('user deleted\n'));
    expect(builtIn).toEqual(failure('Access refused: /api/exchanges/adm/amq.direct'));
    expect(missingExchange).toEqual(failure('Not found: /api/exchanges/adm/adm.direct'));
    const vhosts = await Promise.all([admin(['delete', 'vhost', 'name=adm']), admin(['delete', 'vhost', 'name=adm2'])]);
    expect(vhosts).toEqual([success('vhost deleted\n'), success('vhost deleted\n')]);
    expect(await admin(['delete', 'vhost', 'name=adm'])).toEqual(failure('Not found: /api/vhosts/adm'));
    expect(await admin(['-f', 'bash', 'list', 'users'])).toEqual(success('guest\n'));
  });
});
