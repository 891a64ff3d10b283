import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleManagement } from './router';
import { list, obj, seg, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  // users with each tag, all with access to '/'
  for (const [name, tags] of [['mgmt', 'management'], ['mon', 'monitoring'], ['pol', 'policymaker'], ['none', '']] as const) {
    expect((await api.put(`/api/users/${name}`, { password: name, tags })).status).toBe(201);
    expect((await api.put(`/api/permissions/%2F/${name}`, { configure: '.*', write: '.*', read: '.*' })).status).toBe(201);
  }
  expect((await api.put('/api/vhosts/private')).status).toBe(201);
});
afterAll(() => api.close());

describe('routing', () => {
  it('answers 404 with RabbitMQ’s body for unknown paths', async () => {
    for (const path of ['/api/nosuch', '/api/queues/%2F/q/nosuch', '/nothing', '/api/queues/%E0%A4%A']) {
      const r = await api.get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).toEqual({ error: 'Object Not Found', reason: 'Not Found' });
    }
  });

  it('answers 405 with an Allow header for a known path and another method', async () => {
    const r = await api.request('PATCH', '/api/queues/%2F/q1');
    expect(r.status).toBe(405);
    expect(r.text).toBe('');
    expect(r.headers.get('allow')).toContain('PUT');
    expect((await api.post('/api/overview', {})).status).toBe(405);
  });

  it('takes a trailing slash', async () => {
    expect((await api.get('/api/vhosts/')).status).toBe(200);
  });

  it('answers 404 for a vhost that does not exist before anything else', async () => {
    const r = await api.get('/api/queues/nosuch');
    expect(r.status).toBe(404);
    expect((await api.put('/api/queues/nosuch/q', {})).status).toBe(404);
  });
});

describe('authentication', () => {
  it('asks for credentials with an empty 401 and WWW-Authenticate', async () => {
    const r = await api.get('/api/overview', { auth: false });
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="RabbitMQ Management"');
  });

  it('refuses wrong passwords and unknown users alike', async () => {
    for (const [user, password] of [['guest', 'nope'], ['nobody', 'x']]) {
      const r = await api.get('/api/overview', { user, password });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 'not_authorized', reason: 'Login failed' });
      expect(r.headers.get('www-authenticate')).toContain('Basic');
    }
  });

  it('refuses a malformed Authorization header like no credentials', async () => {
    const r = await api.get('/api/overview', { auth: false, headers: { authorization: 'Bearer abc' } });
    expect(r.status).toBe(401);
  });

  it('lets guest in only from loopback', async () => {
    const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
    const req = (remoteAddress: string | undefined) => ({
      method: 'GET', path: '/api/whoami', query: new URLSearchParams(), headers: { authorization: auth }, body: undefined, remoteAddress,
    });
    expect((await handleManagement(api.broker, req('127.0.0.1'))).status).toBe(200);
    expect((await handleManagement(api.broker, req('::ffff:127.0.0.1'))).status).toBe(200);
    expect((await handleManagement(api.broker, req('::1'))).status).toBe(200);
    for (const remote of ['10.1.2.3', undefined]) {
      const r = await handleManagement(api.broker, req(remote));
      expect(r.status).toBe(401);
      expect(JSON.parse(String(r.body))).toEqual({ error: 'not_authorized', reason: 'User can only log in via localhost' });
    }
  });

  it('refuses users without a management tag on every endpoint', async () => {
    for (const path of ['/api/overview', '/api/whoami', '/api/queues', '/api/queues/%2F']) {
      const r = await api.get(path, { user: 'none' });
      expect(r.status, path).toBe(401);
      expect(r.body).toEqual({ error: 'not_authorised', reason: 'Not management user' });
    }
  });
});

describe('rights by tag', () => {
  it('gives administrator-only endpoints to administrators', async () => {
    for (const user of ['mgmt', 'mon', 'pol']) {
      for (const path of ['/api/users', '/api/users/guest', '/api/permissions', '/api/definitions', '/api/vhosts/%2F']) {
        const r = await api.get(path, { user });
        expect(r.status, `${user} ${path}`).toBe(401);
        expect(r.body).toEqual({ error: 'not_authorised', reason: 'Not administrator user' });
      }
    }
  });

  it('gives nodes to monitoring users', async () => {
    const nodes = await api.get('/api/nodes', { user: 'mon' });
    expect(nodes.status).toBe(200);
    // tools read the version from the node's `rabbit` application, as on RabbitMQ
    expect(list(nodes)[0].applications).toEqual([
      { name: 'warren', description: 'Warren', version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      { name: 'rabbit', description: 'RabbitMQ (the version Warren answers as)', version: '3.10.8' },
    ]);
    for (const user of ['mgmt', 'pol']) {
      const r = await api.get('/api/nodes', { user });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 'not_authorised', reason: 'Not monitor user' });
    }
  });

  it('keeps non-administrators to their vhosts', async () => {
    const r = await api.get('/api/queues/private', { user: 'mgmt' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'not_authorised', reason: 'User not authorised to access virtual host' });
    expect((await api.get('/api/queues/private', { user: 'mon' })).status).toBe(401);
    // guest made the vhost, so it has permissions there; administrators see vhosts without any too
    expect((await api.get('/api/queues/private')).status).toBe(200);
    const names = list(await api.get('/api/vhosts', { user: 'mgmt' })).map((v) => v.name);
    expect(names).toEqual(['/']);
    const all = list(await api.get('/api/vhosts', { user: 'mon' })).map((v) => v.name);
    expect(all).toEqual(['/', 'private']);
  });

  it('refuses operations the user has no permission for with "Access refused."', async () => {
    await api.put('/api/users/narrow', { password: 'narrow', tags: 'management' });
    await api.put('/api/permissions/%2F/narrow', { configure: '^narrow\\.', write: '^$', read: '^$' });
    expect((await api.put('/api/queues/%2F/narrow.q', {}, { user: 'narrow' })).status).toBe(201);
    const r = await api.put('/api/queues/%2F/other', {}, { user: 'narrow' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'not_authorised', reason: 'Access refused.' });
    expect((await api.get(`/api/queues/${seg('/')}/other`)).status).toBe(404);
    expect(obj(await api.get('/api/whoami', { user: 'narrow' }))).toEqual({ name: 'narrow', tags: ['management'] });
  });
});

describe('bad requests', () => {
  it('answers 400 not_json for a body that is not a JSON object', async () => {
    for (const raw of ['notjson', '[1]', '"x"']) {
      const r = await api.request('PUT', '/api/queues/%2F/badjson', undefined, { raw });
      expect(r.status, raw).toBe(400);
      expect(r.body).toEqual({ error: 'bad_request', reason: 'not_json' });
    }
    expect((await api.get('/api/queues/%2F/badjson')).status).toBe(404);
  });

  it('takes an empty body as {}', async () => {
    const r = await api.request('PUT', '/api/queues/%2F/emptybody', undefined, { raw: '' });
    expect(r.status).toBe(201);
  });
});
