import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('/api/users', () => {
  it('lists users as RabbitMQ does', async () => {
    expect(list(await api.get('/api/users'))).toEqual([
      { name: 'guest', password_hash: expect.any(String), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['administrator'], limits: {} },
    ]);
  });

  it('creates with a password (201), updates (204), and the user can log in over HTTP and AMQP', async () => {
    expect((await api.put('/api/users/u1', { password: 'pw1', tags: 'management, monitoring' })).status).toBe(201);
    expect(obj(await api.get('/api/users/u1')).tags).toEqual(['management', 'monitoring']);
    expect(obj(await api.get('/api/whoami', { user: 'u1', password: 'pw1' }))).toEqual({ name: 'u1', tags: ['management', 'monitoring'] });
    expect((await api.put('/api/users/u1', { password: 'pw2', tags: ['administrator'] })).status).toBe(204);
    expect((await api.get('/api/whoami', { user: 'u1', password: 'pw1' })).status).toBe(401);
    expect(obj(await api.get('/api/whoami', { user: 'u1', password: 'pw2' })).tags).toEqual(['administrator']);
    await api.put('/api/permissions/%2F/u1', { configure: '.*', write: '.*', read: '.*' });
    const conn = await api.connect({ user: 'u1', password: 'pw2' });
    await conn.close();
  });

  it('takes a password hash in RabbitMQ’s format (alice / alice-secret from the reference export)', async () => {
    const hash = 'r8icmW9pnpkGaVoE/SK/gmmxuXpsvcOkJkXAIhjYdis3X0YA';
    expect((await api.put('/api/users/alice', { password_hash: hash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: 'management' })).status).toBe(201);
    expect(obj(await api.get('/api/users/alice')).password_hash).toBe(hash);
    expect((await api.get('/api/whoami', { user: 'alice', password: 'alice-secret' })).status).toBe(200);
  });

  it('makes a user without a password who cannot log in', async () => {
    expect((await api.put('/api/users/nopw', { tags: '' })).status).toBe(201);
    expect(obj(await api.get('/api/users/nopw'))).toMatchObject({ password_hash: '', tags: [] });
    expect((await api.get('/api/whoami', { user: 'nopw', password: '' })).status).toBe(401);
  });

  it('refuses bad bodies as RabbitMQ does', async () => {
    expect((await api.put('/api/users/bad', { password: 'x' })).body).toEqual({ error: 'bad_request', reason: 'tags_not_present' });
    expect((await api.put('/api/users/bad', { password_hash: 'bad!', tags: '' })).body).toEqual({ error: 'bad_request', reason: ['not_base64', 'bad!'] });
    expect((await api.put('/api/users/bad', { password_hash: '', hashing_algorithm: 'rabbit_password_hashing_md5', tags: '' })).status).toBe(400);
    expect((await api.put('/api/users/bad', { password: 5, tags: '' })).status).toBe(400);
    expect((await api.put('/api/users/bad', { password: 'x', tags: 5 })).status).toBe(400);
    expect((await api.get('/api/users/bad')).status).toBe(404);
  });

  it('deletes (204, then 404), with the user’s permissions', async () => {
    await api.put('/api/users/gone', { password: 'x', tags: '' });
    await api.put('/api/permissions/%2F/gone', { configure: '.*', write: '.*', read: '.*' });
    expect((await api.del('/api/users/gone')).status).toBe(204);
    expect((await api.del('/api/users/gone')).status).toBe(404);
    expect((await api.get('/api/permissions/%2F/gone')).status).toBe(404);
  });

  it('lists users without permissions and deletes in bulk', async () => {
    await api.put('/api/users/b1', { password: 'x', tags: '' });
    await api.put('/api/users/b2', { password: 'x', tags: '' });
    const without = list(await api.get('/api/users/without-permissions')).map((u) => u.name);
    expect(without).toEqual(expect.arrayContaining(['b1', 'b2', 'alice']));
    expect(without).not.toContain('guest');
    expect((await api.post('/api/users/bulk-delete', { users: ['b1', 'b2'] })).status).toBe(204);
    expect((await api.get('/api/users/b1')).status).toBe(404);
    expect((await api.post('/api/users/bulk-delete', { users: 'b1' })).status).toBe(400);
  });
});

describe('/api/permissions', () => {
  it('sets (201/204), reads, lists and clears permissions', async () => {
    await api.put('/api/users/p1', { password: 'x', tags: 'management' });
    expect((await api.put('/api/permissions/%2F/p1', { configure: '^p1\\..*', write: '.*', read: '.*' })).status).toBe(201);
    expect((await api.put('/api/permissions/%2F/p1', { configure: '^p1\\..*', write: '.*', read: '.*' })).status).toBe(204);
    const p = { user: 'p1', vhost: '/', configure: '^p1\\..*', write: '.*', read: '.*' };
    expect(obj(await api.get('/api/permissions/%2F/p1'))).toEqual(p);
    expect(list(await api.get('/api/permissions'))).toContainEqual(p);
    expect(list(await api.get('/api/users/p1/permissions'))).toEqual([p]);
    expect(list(await api.get('/api/vhosts/%2F/permissions'))).toContainEqual(p);
    expect((await api.del('/api/permissions/%2F/p1')).status).toBe(204);
    expect((await api.del('/api/permissions/%2F/p1')).status).toBe(404);
    expect((await api.get('/api/users/nosuch/permissions')).status).toBe(404);
  });

  it('refuses missing keys, bad regexes, unknown users and vhosts', async () => {
    expect((await api.put('/api/permissions/%2F/p1', { configure: '.*', write: '.*' })).body).toEqual({ error: 'bad_request', reason: '[{key_missing,read}]' });
    const re = await api.put('/api/permissions/%2F/p1', { configure: '(', write: '.*', read: '.*' });
    expect(re.status).toBe(400);
    expect((re.body as { reason: unknown[] }).reason[0]).toBe('invalid_regexp');
    expect((await api.put('/api/permissions/%2F/nosuch', { configure: '.*', write: '.*', read: '.*' })).body).toEqual({
      error: 'bad_request', reason: 'vhost_or_user_not_found',
    });
    expect((await api.put('/api/permissions/nosuch/p1', { configure: '.*', write: '.*', read: '.*' })).status).toBe(400);
    expect((await api.get('/api/permissions/%2F/p1')).status).toBe(404);
  });
});
