import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../cli-args';
import { EXIT } from './ctl-client';
import { formatRows } from './ctl-format';
import { runCtl } from './ctl';
import { eventually, list, obj, startApi, type TestApi } from './testing';

let api: TestApi;
let dir: string;
beforeAll(async () => {
  api = await startApi();
  dir = await mkdtemp(path.join(tmpdir(), 'warrenctl-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs warrenctl against the test broker; `stdin` feeds `import_definitions -`. */
async function ctl(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await runCtl(['--url', api.baseUrl, ...args], {
    env: {},
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    stdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

describe('warrenctl listings', () => {
  beforeAll(async () => {
    const conn = await api.connect({ name: 'ctl-conn' });
    const ch = await conn.createChannel();
    await ch.assertQueue('ctl-q', { durable: true });
    ch.sendToQueue('ctl-q', Buffer.from('x'));
    await ch.assertExchange('ctl-x', 'topic');
    await ch.bindQueue('ctl-q', 'ctl-x', 'a.#');
    await ch.consume('ctl-q', () => {}, { consumerTag: 'ctl-tag', noAck: false });
    await eventually(async () => obj(await api.get('/api/queues/%2F/ctl-q')).messages === 1);
  });

  it('list_queues prints rabbitmqctl’s table, default columns name and messages', async () => {
    const r = await ctl(['list_queues']);
    expect(r).toEqual({ code: 0, stdout: 'Listing queues for vhost / ...\nname\tmessages\nctl-q\t1\n', stderr: '' });
    expect((await ctl(['-q', 'list_queues', 'name', 'durable', 'consumers'])).stdout).toBe('name\tdurable\tconsumers\nctl-q\ttrue\t1\n');
    expect((await ctl(['-s', 'list_queues', 'name,messages_unacknowledged'])).stdout).toBe('ctl-q\t1\n');
  });

  it('--formatter json prints one object per line', async () => {
    expect((await ctl(['--formatter', 'json', 'list_queues', 'name', 'messages'])).stdout).toBe('[\n{"name":"ctl-q","messages":1}\n]\n');
    expect((await ctl(['--formatter', 'json', 'list_queues', '-p', 'nosuch'])).code).toBe(EXIT.dataErr);
  });

  it('list_exchanges, list_bindings, list_connections, list_consumers', async () => {
    expect((await ctl(['-q', 'list_exchanges'])).stdout).toContain('ctl-x\ttopic\n');
    const bindings = (await ctl(['-q', 'list_bindings'])).stdout.split('\n');
    expect(bindings[0]).toBe('source_name\tsource_kind\tdestination_name\tdestination_kind\trouting_key\targuments');
    expect(bindings).toContain('ctl-x\texchange\tctl-q\tqueue\ta.#\t{}');
    expect(bindings).toContain('\texchange\tctl-q\tqueue\tctl-q\t{}');
    expect((await ctl(['-q', 'list_connections'])).stdout).toMatch(/^user\tpeer_host\tpeer_port\tstate\nguest\t127\.0\.0\.1\t\d+\trunning\n$/);
    const consumers = (await ctl(['-q', 'list_consumers'])).stdout;
    expect(consumers).toMatch(/^queue_name\tchannel_pid\tconsumer_tag\tack_required\tprefetch_count\tactive\targuments\nctl-q\t.+ \(1\)\tctl-tag\ttrue\t0\ttrue\t\{\}\n$/);
  });

  it('refuses unknown columns, commands and options with usage errors', async () => {
    expect(await ctl(['list_queues', 'bogus'])).toMatchObject({ code: EXIT.usage, stderr: 'Error:\nInvalid info key(s): bogus\n' });
    expect((await ctl(['frobnicate'])).code).toBe(EXIT.usage);
    // option errors exit 2 as every Warren entry point does; command errors keep rabbitmqctl's 64
    expect((await ctl(['--bogus', 'list_queues'])).code).toBe(EXIT_USAGE);
    expect((await ctl(['add_user', 'only-name'])).code).toBe(EXIT.usage);
    expect((await ctl([])).code).toBe(EXIT.usage);
    expect((await ctl(['help'])).stdout).toContain('list_queues');
  });
});

describe('warrenctl changes', () => {
  it('add_user, set_user_tags (keeping the password), set_permissions, delete_user', async () => {
    const added = await ctl(['add_user', 'carol', 's3cret']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Adding user "carol" ...');
    expect((await ctl(['set_user_tags', 'carol', 'management', 'monitoring'])).code).toBe(0);
    expect(obj(await api.get('/api/whoami', { user: 'carol', password: 's3cret' }))).toEqual({ name: 'carol', tags: ['management', 'monitoring'] });
    expect((await ctl(['set_permissions', '-p', '/', 'carol', '^carol-.*', '.*', '.*'])).code).toBe(0);
    expect(obj(await api.get('/api/permissions/%2F/carol'))).toMatchObject({ configure: '^carol-.*', write: '.*', read: '.*' });
    expect((await ctl(['delete_user', 'carol'])).code).toBe(0);
    expect((await api.get('/api/users/carol')).status).toBe(404);
    expect(await ctl(['delete_user', 'carol'])).toMatchObject({ code: EXIT.dataErr, stderr: 'Error:\nnot found\n' });
  });

  it('set_topic_permissions, list_topic_permissions, clear_topic_permissions (one exchange, then all)', async () => {
    await api.put('/api/users/tina', { password: 'tina', tags: '' });
    const set = await ctl(['set_topic_permissions', '-p', '/', 'tina', 'amq.topic', '^tina\\.', '.*']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Setting topic permissions on "amq.topic" for user "tina" in vhost "/" ...');
    expect((await ctl(['set_topic_permissions', 'tina', 'other', '', '^$'])).code).toBe(0);
    const listed = await ctl(['list_topic_permissions', '-p', '/']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('Listing topic permissions for vhost "/" ...\nuser\texchange\twrite\tread\ntina\tamq.topic\t^tina\\.\t.*\ntina\tother\t\t^$\n');
    expect((await ctl(['clear_topic_permissions', 'tina', 'other'])).stdout).toContain('Clearing topic permissions on "other" for user "tina" in vhost "/" ...');
    expect((await api.get('/api/topic-permissions/%2F/tina')).body).toEqual([{ user: 'tina', vhost: '/', exchange: 'amq.topic', write: '^tina\\.', read: '.*' }]);
    expect((await ctl(['clear_topic_permissions', 'tina'])).code).toBe(0);
    expect((await api.get('/api/topic-permissions/%2F/tina')).status).toBe(404);
    expect((await ctl(['clear_topic_permissions', 'tina'])).code).toBe(0);
    await api.del('/api/users/tina');
  });

  it('add_vhost and delete_vhost', async () => {
    expect((await ctl(['add_vhost', 'ctl-vh'])).code).toBe(0);
    expect((await api.get('/api/vhosts/ctl-vh')).status).toBe(200);
    expect((await ctl(['delete_vhost', 'ctl-vh'])).code).toBe(0);
    expect((await api.get('/api/vhosts/ctl-vh')).status).toBe(404);
  });

  it('trace_on and trace_off', async () => {
    const on = await ctl(['trace_on', '-p', '/']);
    expect(on).toMatchObject({ code: 0, stdout: 'Starting tracing for vhost "/" ...\nTrace enabled for vhost /\n' });
    expect(obj(await api.get('/api/vhosts/%2F'))).toMatchObject({ tracing: true });
    expect(await ctl(['trace_off', '-q'])).toMatchObject({ code: 0, stdout: 'Trace disabled for vhost /\n' });
    expect(obj(await api.get('/api/vhosts/%2F'))).toMatchObject({ tracing: false });
    // as rabbitmqctl: no such vhost is not an error, and it is not created
    expect((await ctl(['trace_on', '-p', 'no-such-vh'])).code).toBe(0);
    expect((await api.get('/api/vhosts/no-such-vh')).status).toBe(404);
  });

  it('purge_queue and delete_queue (with --if-empty)', async () => {
    await api.put('/api/queues/%2F/ctl-del', {});
    await api.post('/api/exchanges/%2F/amq.default/publish', { properties: {}, routing_key: 'ctl-del', payload: 'x', payload_encoding: 'string' });
    const refused = await ctl(['delete_queue', 'ctl-del', '--if-empty']);
    expect(refused).toMatchObject({ code: EXIT.dataErr, stderr: "Error:\nqueue 'ctl-del' in vhost '/' not empty\n" });
    expect((await ctl(['purge_queue', 'ctl-del'])).code).toBe(0);
    const deleted = await ctl(['delete_queue', 'ctl-del', '--if-empty']);
    expect(deleted.stdout).toContain('Queue was successfully deleted with 0 messages');
    expect((await api.get('/api/queues/%2F/ctl-del')).status).toBe(404);
  });

  it('export_definitions and import_definitions, through files and stdio', async () => {
    const file = path.join(dir, 'defs.json');
    expect((await ctl(['export_definitions', file])).code).toBe(0);
    const defs = JSON.parse(await readFile(file, 'utf8')) as { queues: { name: string }[] };
    expect(defs.queues.map((q) => q.name)).toContain('ctl-q');
    const piped = await ctl(['export_definitions', '-']);
    expect(JSON.parse(piped.stdout)).toEqual(defs);

    const other = path.join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ vhosts: [{ name: 'imported' }], queues: [{ name: 'iq', vhost: 'imported', durable: true }] }));
    expect((await ctl(['import_definitions', other])).code).toBe(0);
    expect((await api.get('/api/queues/imported/iq')).status).toBe(200);
    expect((await ctl(['import_definitions', '-'], JSON.stringify({ queues: [{ name: 'iq2', vhost: 'imported' }] }))).code).toBe(0);
    expect(list(await api.get('/api/queues/imported?columns=name'))).toEqual([{ name: 'iq' }, { name: 'iq2' }]);
    const bad = await ctl(['import_definitions', '-'], JSON.stringify({ exchanges: [{ name: 'e', vhost: 'imported', type: 'bogus' }] }));
    expect(bad).toMatchObject({ code: EXIT.dataErr, stderr: "Error:\nunknown exchange type 'bogus'\n" });
    expect((await ctl(['import_definitions', path.join(dir, 'missing.json')])).code).toBe(EXIT.dataErr);
  });
});

describe('warrenctl messages', () => {
  it('export_messages (all, or a filter), import_messages with its progress, move_messages; through files and stdio', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    for (const q of ['ctl-m-src', 'ctl-m-dst', 'ctl-m-back']) await ch.assertQueue(q);
    await ch.bindQueue('ctl-m-back', 'amq.direct', 'ctl-m-src');
    for (let i = 0; i < 5; i++) ch.sendToQueue('ctl-m-src', Buffer.from(`m${i}`), { headers: { n: i }, messageId: `id${i}` });
    await eventually(async () => obj(await api.get('/api/queues/%2F/ctl-m-src')).messages === 5);

    const file = path.join(dir, 'messages.jsonl');
    const exported = await ctl(['export_messages', 'ctl-m-src', file]);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toContain('5 messages exported');
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines.map((l) => Buffer.from((JSON.parse(l) as { payload: string }).payload, 'base64').toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const some = await ctl(['export_messages', 'ctl-m-src', '-', 'headers.n >= 3']);
    expect(some.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { properties: { message_id: string } }).properties.message_id)).toEqual(['id3', 'id4']);

    // the exported lines published again through amq.direct, with the routing keys they were sent with
    const imported = await ctl(['import_messages', 'amq.direct', file, '500']);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout.trim().split('\n').at(-1)).toBe('5 of 5 published');
    expect((await ctl(['-q', 'import_messages', 'amq.direct', '-'], lines.slice(0, 2).join('\n'))).code).toBe(0);
    await eventually(async () => obj(await api.get('/api/queues/%2F/ctl-m-back')).messages === 7);

    const moved = await ctl(['move_messages', 'ctl-m-src', 'ctl-m-dst']);
    expect(moved).toMatchObject({ code: 0, stderr: '' });
    expect(moved.stdout.trim().split('\n').at(-1)).toBe('5 moved');
    expect(obj(await api.get('/api/queues/%2F/ctl-m-src')).messages).toBe(0);
    await eventually(async () => obj(await api.get('/api/queues/%2F/ctl-m-dst')).messages === 5);

    // what the server refuses comes back in its words; a bad rate is a usage error
    const nosuch = await ctl(['import_messages', 'nosuch', file]);
    expect(nosuch.code).toBe(EXIT.dataErr);
    expect(nosuch.stderr).toContain("no exchange 'nosuch'");
    const bad = await ctl(['import_messages', 'amq.direct', '-'], `${lines[0]}\nnot json\n`);
    expect(bad.code).toBe(EXIT.dataErr);
    expect(bad.stderr).toMatch(/line 2/);
    expect((await ctl(['move_messages', 'ctl-m-dst', 'ctl-m-src', 'fast'])).code).toBe(EXIT.usage);
    await conn.close();
  });
});

describe('warrenctl policies', () => {
  // outputs and exit codes as rabbitmqctl 3.10.8 prints them for the same commands
  it('set_policy, list_policies and clear_policy', async () => {
    await api.put('/api/vhosts/ctl-pol');
    const set = await ctl(['set_policy', '-p', 'ctl-pol', 'ctl1', '^c', '{"max-length":3}', '--priority', '7', '--apply-to', 'queues']);
    expect(set).toEqual({ code: 0, stdout: 'Setting policy "ctl1" for pattern "^c" to "{"max-length":3}" with priority "7" for vhost "ctl-pol" ...\n', stderr: '' });
    expect(obj(await api.get('/api/policies/ctl-pol/ctl1'))).toEqual({ vhost: 'ctl-pol', name: 'ctl1', pattern: '^c', 'apply-to': 'queues', definition: { 'max-length': 3 }, priority: 7 });
    expect((await ctl(['set_policy', '-p', 'ctl-pol', '--apply-to', 'exchanges', 'x', '^x', '{"alternate-exchange":"ae"}', '--priority', '-3'])).code).toBe(0);
    expect((await ctl(['-q', 'set_policy', '-p', 'ctl-pol', 'm', '^m', '{"message-ttl":5,"max-length":1}'])).stdout).toBe('');
    expect((await ctl(['list_policies', '-p', 'ctl-pol'])).stdout).toBe(
      'Listing policies for vhost "ctl-pol" ...\n' +
        'vhost\tname\tpattern\tapply-to\tdefinition\tpriority\n' +
        'ctl-pol\tx\t^x\texchanges\t{"alternate-exchange":"ae"}\t-3\n' +
        'ctl-pol\tm\t^m\tall\t{"max-length":1,"message-ttl":5}\t0\n' +
        'ctl-pol\tctl1\t^c\tqueues\t{"max-length":3}\t7\n',
    );
    const json = (await ctl(['--formatter', 'json', 'list_policies', '-p', 'ctl-pol'])).stdout.split('\n');
    expect(json.slice(0, 3)).toEqual([
      '[',
      '{"vhost":"ctl-pol","name":"x","pattern":"^x","apply-to":"exchanges","definition":"{\\"alternate-exchange\\":\\"ae\\"}","priority":-3}',
      ',{"vhost":"ctl-pol","name":"m","pattern":"^m","apply-to":"all","definition":"{\\"max-length\\":1,\\"message-ttl\\":5}","priority":0}',
    ]);
    expect(await ctl(['clear_policy', '-p', 'ctl-pol', 'ctl1'])).toEqual({ code: 0, stdout: 'Clearing policy "ctl1" on vhost "ctl-pol" ...\n', stderr: '' });
    expect(await ctl(['clear_policy', '-p', 'ctl-pol', 'ctl1'])).toEqual({ code: EXIT.unavailable, stdout: 'Clearing policy "ctl1" on vhost "ctl-pol" ...\n', stderr: 'Error:\nParameter does not exist\n' });
    expect((await ctl(['-q', 'list_policies', '-p', 'ctl-pol', '--no-table-headers'])).stdout).toBe('ctl-pol\tx\t^x\texchanges\t{"alternate-exchange":"ae"}\t-3\nctl-pol\tm\t^m\tall\t{"max-length":1,"message-ttl":5}\t0\n');
  });

  it('reports what RabbitMQ refuses, in rabbitmqctl’s words and exit codes', async () => {
    const refused = (line: string) => ({ code: EXIT.unavailable, stderr: `Error:\nValidation failed\n\n${line}\n\n` });
    expect(await ctl(['-q', 'set_policy', '-p', 'ctl-pol', 'bad', '(', '{"max-length":3}'])).toMatchObject(refused('pattern should be regular expression but is invalid: {"missing )",1}'));
    expect(await ctl(['-q', 'set_policy', '-p', 'ctl-pol', 'bad', 'c', '{"foo":3}'])).toMatchObject(refused('[{<<"foo">>,3}] are not recognised policy settings'));
    expect(await ctl(['-q', 'set_policy', '-p', 'ctl-pol', 'bad', 'c', '{"max-length":3}', '--apply-to', 'bogus'])).toMatchObject(
      refused("apply-to 'bogus' unrecognised; should be 'queues', 'exchanges' or 'all'"),
    );
    expect(await ctl(['-q', 'set_policy', '-p', 'ctl-pol', 'bad', 'c', '{"max-length":3'])).toMatchObject({ code: EXIT.unavailable, stderr: 'Error:\nJSON decoding error. Reason: badarg\n' });
    expect((await ctl(['set_policy', '-p', 'ctl-pol', 'bad', 'c', '{"max-length":3}', '--priority', 'x'])).code).toBe(EXIT_USAGE);
    expect((await ctl(['set_policy', '-p', 'ctl-pol', 'bad', 'c'])).code).toBe(EXIT.usage);
    expect(await ctl(['-q', 'set_policy', '-p', 'nosuch', 'bad', 'c', '{"max-length":3}'])).toMatchObject({ code: EXIT.dataErr, stderr: "Error:\nVirtual host 'nosuch' does not exist\n" });
    expect(await ctl(['-q', 'list_policies', '-p', 'nosuch'])).toMatchObject({ code: EXIT.dataErr, stderr: "Error:\nVirtual host 'nosuch' does not exist\n" });
    expect((await ctl(['list_policies', 'name'])).code).toBe(EXIT.usage);
    expect((await api.get('/api/policies/ctl-pol/bad')).status).toBe(404);
  });
});

describe('warrenctl errors', () => {
  it('reports wrong credentials and unreachable brokers', async () => {
    expect((await ctl(['--password', 'wrong', 'list_queues'])).code).toBe(EXIT.noUser);
    const r = await runCtl(['--url', 'http://127.0.0.1:9', 'list_queues'], { env: {}, stdout: () => {}, stderr: () => {}, stdin: async () => '' });
    expect(r).toBe(EXIT.unavailable);
  });
});

describe('formatRows', () => {
  it('writes cells as rabbitmqctl does', () => {
    const rows = [{ a: 'x', b: true, c: { k: 1 }, d: null }];
    expect(formatRows(rows, ['a', 'b', 'c', 'd'], (c) => (r) => r[c], 'table')).toBe('a\tb\tc\td\nx\ttrue\t{"k":1}\t\n');
    expect(formatRows([], ['a'], (c) => (r) => r[c], 'json')).toBe('[\n]\n');
  });
});
