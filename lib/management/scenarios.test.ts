// /api/scenarios over real HTTP (the router behind node:http, as server.ts serves it): a built-in
// scenario played to its end through the API, its actors logged in as the scenario user, the code
// beside them filled in with a URL that works, loading a file, and who may do what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_USER } from '../scenarios/scenario-registry';
import { eventually, list, obj, seg, startApi, type Obj, type TestApi } from './testing';
import helloWorld from '../scenarios/builtin/01-hello-world.json';
import amqp from 'amqplib';

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
  expect((await api.put('/api/users/watcher', { password: 'watcher', tags: 'management' })).status).toBe(201);
});

afterAll(async () => {
  await api.post('/api/scenarios/hello-world/actions', { action: 'reset' });
  await api.close();
});

describe('/api/scenarios', () => {
  it('lists the built-in scenarios to a management user', async () => {
    const r = await api.get('/api/scenarios', { user: 'watcher' });
    expect(r.status).toBe(200);
    expect(list(r).map((s) => [s.id, s.tutorial, s.builtin, s.status])).toEqual([
      ['hello-world', 1, true, 'idle'], ['work-queues', 2, true, 'idle'], ['publish-subscribe', 3, true, 'idle'],
      ['routing', 4, true, 'idle'], ['topics', 5, true, 'idle'], ['rpc', 6, true, 'idle'], ['headers', undefined, true, 'idle'],
      ['durability', undefined, true, 'idle'], ['permissions', undefined, true, 'idle'], ['dead-letters', undefined, true, 'idle'],
    ]);
  });

  it('plays Hello World to its end through the API, actors named and logged in as the scenario user; reset deletes the vhost', async () => {
    // at 10× each step stays on a tenth of its 8 s hold
    expect((await api.post('/api/scenarios/hello-world/actions', { action: 'speed', speed: 10 })).status).toBe(200);
    const play = await api.post('/api/scenarios/hello-world/actions', { action: 'play' });
    expect(play.status).toBe(200);
    expect(obj(play).vhost).toBe('scenario-hello-world');
    let state: Obj = {};
    await eventually(async () => {
      state = obj(await api.get('/api/scenarios/hello-world')).state as Obj;
      return state.status === 'finished' || state.status === 'failed';
    }, 30_000);
    expect(state.errors).toEqual([]);
    expect(state.status).toBe('finished');
    const conns = list(await api.get(`/api/vhosts/${seg('scenario-hello-world')}/connections`));
    expect(conns.map((c) => [(c.client_properties as Obj).connection_name, c.user]).sort()).toEqual([
      ['receive', SCENARIO_USER], ['send', SCENARIO_USER], ['send-more', SCENARIO_USER],
    ]);

    const reset = await api.post('/api/scenarios/hello-world/actions', { action: 'reset' });
    expect(obj(reset).status).toBe('idle');
    expect((await api.get(`/api/vhosts/${seg('scenario-hello-world')}`)).status).toBe(404);
  }, 40_000);

  it("gives each actor's pika and amqplib code with a URL that logs in to the scenario's vhost", async () => {
    const r = await api.get('/api/scenarios/hello-world/code');
    expect(r.status).toBe(200);
    const { url, actors } = obj(r) as { url: string; actors: Obj[] };
    expect(url).toMatch(new RegExp(`^amqp://${SCENARIO_USER}:[^@]+@127\\.0\\.0\\.1:${api.broker.port}/scenario-hello-world$`));
    expect(actors.map((a) => a.actor)).toEqual(['send', 'receive', 'send-more']);
    expect(actors[0].pika).toContain(`pika.URLParameters('${url}')`);
    expect(actors[0].amqplib).toContain(`amqp.connect('${url}'`);
    expect(String(actors[0].pika)).not.toContain('{{AMQP_URL}}');
    // the URL works once the scenario made its vhost
    await api.post('/api/scenarios/hello-world/actions', { action: 'play' });
    const conn = await amqp.connect(url);
    await conn.close();
    await api.post('/api/scenarios/hello-world/actions', { action: 'reset' });
  }, 30_000);

  it('refuses controls and code to a user who is not an administrator, and bad actions', async () => {
    const r = await api.post('/api/scenarios/hello-world/actions', { action: 'play' }, { user: 'watcher' });
    expect(r.status).toBe(401);
    expect(obj(r)).toEqual({ error: 'not_authorised', reason: 'Not administrator user' });
    expect((await api.get('/api/scenarios/hello-world/code', { user: 'watcher' })).status).toBe(401);
    expect((await api.post('/api/scenarios/hello-world/actions', { action: 'explode' })).status).toBe(400);
    expect((await api.post('/api/scenarios/hello-world/actions', { action: 'speed', speed: 50 })).status).toBe(400);
    expect((await api.post('/api/scenarios/nope/actions', { action: 'play' })).status).toBe(404);
    expect((await api.get('/api/scenarios/nope')).status).toBe(404);
  });

  it('loads a scenario file, names the bad fields of an invalid one, and removes it', async () => {
    const mine = { ...helloWorld, id: 'my-hello', title: 'My hello' };
    expect((await api.put('/api/scenarios/my-hello', mine)).status).toBe(204);
    expect(list(await api.get('/api/scenarios')).find((s) => s.id === 'my-hello')).toMatchObject({ title: 'My hello', builtin: false });
    expect(obj(await api.get('/api/scenarios/my-hello')).scenario).toEqual(mine);

    const bad = await api.put('/api/scenarios/my-hello', { ...mine, steps: [{ title: 'x', text: 'y', checkpoints: [{ label: 'z', type: 'queue' }] }] });
    expect(bad.status).toBe(400);
    expect(obj(bad).errors).toEqual([
      '$.steps[0].checkpoints[0].queue: must be a string',
      '$.steps[0].checkpoints[0].field: must be one of messages, messages_ready, messages_unacknowledged, consumers',
      '$.steps[0].checkpoints[0]: needs atLeast, atMost or equals',
    ]);
    expect((await api.put('/api/scenarios/hello-world', helloWorld)).status).toBe(400);
    expect((await api.del('/api/scenarios/my-hello')).status).toBe(204);
    expect((await api.get('/api/scenarios/my-hello')).status).toBe(404);
  });

  it('plays from a step, sets off a named fault, and refuses a bad step or an unknown fault', async () => {
    const path = '/api/scenarios/dead-letters/actions';
    expect((await api.post(path, { action: 'play', fromStep: 9 })).status).toBe(400);
    const play = await api.post(path, { action: 'play', fromStep: 2 });
    expect(play.status).toBe(200);
    expect((obj(play).steps as Obj[]).map((st) => st.state)).toEqual(['skipped', 'skipped', 'current']);
    let state: Obj = {};
    await eventually(async () => {
      state = obj(await api.get('/api/scenarios/dead-letters')).state as Obj;
      return state.status === 'finished' || state.status === 'failed';
    }, 30_000);
    expect(state.status).toBe('finished');
    // the actors of the skipped steps were started (the worker among them); their faults were not set off
    expect((await api.post(path, { action: 'fault', fault: 'nothing-like-it' })).status).toBe(400);
    const kill = await api.post(path, { action: 'fault', fault: 'kill-worker' });
    expect(kill.status).toBe(200);
    expect(obj(kill).notes).toContain("Kill the worker: worker's TCP connection dropped");
    expect((obj(kill).actors as Obj[]).find((a) => a.name === 'worker')).toMatchObject({ phase: 'crashed', note: 'killed by "Kill the worker"' });
    expect((obj(kill).faults as Obj[]).map((f) => [f.name, f.fired])).toEqual([['poison', 0], ['flood', 1], ['kill-worker', 1]]);
    await api.post(path, { action: 'reset' });
  }, 40_000);

  it('writes a vhost with its clients as a scenario that loads again', async () => {
    const url = `amqp://guest:guest@127.0.0.1:${api.broker.port}/%2F`;
    const conn = await amqp.connect(url, { clientProperties: { connection_name: 'billing' } });
    try {
      const ch = await conn.createChannel();
      await ch.assertExchange('invoices', 'topic', { durable: false });
      await ch.assertQueue('invoice_q', { durable: true });
      await ch.bindQueue('invoice_q', 'invoices', 'invoice.*');
      await ch.prefetch(3);
      await ch.consume('invoice_q', () => {}, { noAck: false });
      const r = await api.get(`/api/scenario-export/${seg('/')}`);
      expect(r.status).toBe(200);
      const file = obj(r);
      expect(file.id).toBe('export-default');
      expect((file.topology as Obj).exchanges).toEqual([{ name: 'invoices', type: 'topic', durable: false }]);
      expect((file.topology as Obj).bindings).toEqual([{ source: 'invoices', destination: 'invoice_q', routingKey: 'invoice.*', arguments: {} }]);
      expect(file.actors).toEqual([{ kind: 'consumer', name: 'billing', queue: 'invoice_q', prefetch: 3, processingMs: 0, ack: 'ack' }]);
      expect((await api.put('/api/scenarios/export-default', file)).status).toBe(204);
      expect((await api.del('/api/scenarios/export-default')).status).toBe(204);
    } finally {
      await conn.close();
    }
  }, 20_000);

  it('refuses a scenario file over 1 MiB with 413', async () => {
    const big = { ...helloWorld, id: 'big', summary: 'x'.repeat(1024 * 1024) };
    const r = await api.put('/api/scenarios/big', big);
    expect(r.status).toBe(413);
    expect(String(obj(r).reason)).toContain('at most 1048576 bytes');
  });
});
