import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '../../broker/index';
import { handleWebRequest, PEER_ADDRESS_HEADER } from './web';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
});
afterAll(() => broker.close());

const guest = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

describe('handleWebRequest (the Next.js route handlers)', () => {
  it('answers from the router, with the peer address from the trusted header', async () => {
    const r = await handleWebRequest(broker, new Request('http://localhost:15672/api/whoami', {
      headers: { authorization: guest, [PEER_ADDRESS_HEADER]: '127.0.0.1' },
    }));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ name: 'guest', tags: ['administrator'] });
  });

  it('treats a request without the header as remote: no guest', async () => {
    const r = await handleWebRequest(broker, new Request('http://localhost/api/whoami', { headers: { authorization: guest } }));
    expect(r.status).toBe(401);
  });

  it('passes bodies, raw paths and queries through', async () => {
    const headers = { authorization: guest, [PEER_ADDRESS_HEADER]: '::1', 'content-type': 'application/json' };
    const put = await handleWebRequest(broker, new Request('http://localhost/api/queues/%2F/web%2Fq', { method: 'PUT', headers, body: '{"durable":true}' }));
    expect(put.status).toBe(201);
    expect(await put.text()).toBe('');
    const r = await handleWebRequest(broker, new Request('http://localhost/api/queues/%2F?columns=name,durable', { headers }));
    expect(await r.json()).toEqual([{ name: 'web/q', durable: true }]);
  });

  it('answers 503 when the process runs no broker', async () => {
    const r = await handleWebRequest(undefined, new Request('http://localhost/api/overview'));
    expect(r.status).toBe(503);
  });
});
