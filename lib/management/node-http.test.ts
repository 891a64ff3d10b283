// The node:http adapter's own promises: bodies are read up to a limit and no further (413), an
// unexpected failure is a 500 with a JSON body and the server goes on, and the peer address is the
// socket's whatever headers say.
import type http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, createLogger, type Broker, type BrokerApi } from '../../broker/index';
import { serveManagement, toManagementRequest } from './node-http';
import { handleManagement } from './router';

let broker: Broker;
const servers: http.Server[] = [];
const quiet = createLogger('silent');
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await broker.close();
});

async function serve(api: BrokerApi, maxBodyBytes?: number): Promise<number> {
  const s = await serveManagement(api, 0, '127.0.0.1', { maxBodyBytes, log: quiet });
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}

/** Writes `chunks` as they are and returns everything the server sends until it closes. */
function raw(port: number, chunks: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setTimeout(5_000, () => {
      s.destroy();
      reject(new Error(`no close; got ${JSON.stringify(got)}`));
    });
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    for (const c of chunks) s.write(c);
  });
}

const guest = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

describe('serveManagement', () => {
  it('answers 413 to a chunked body that grows past the limit, and closes', async () => {
    const port = await serve(broker, 1024);
    const chunk = 'x'.repeat(512);
    const head = `PUT /api/queues/%2F/big HTTP/1.1\r\nHost: x\r\nAuthorization: ${guest}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const body = Array.from({ length: 4 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const reply = await raw(port, [head, ...body]);
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply.endsWith('{"error":"payload_too_large","reason":"request body larger than 1024 bytes"}')).toBe(true);
    const after = await fetch(`http://127.0.0.1:${port}/api/queues/%2F/big`, { headers: { authorization: guest } });
    expect(after.status).toBe(404);
  });

  it('reads a body within the limit', async () => {
    const port = await serve(broker, 1024);
    const r = await fetch(`http://127.0.0.1:${port}/api/queues/%2F/small`, {
      method: 'PUT',
      headers: { authorization: guest, 'content-type': 'application/json' },
      body: JSON.stringify({ durable: false, arguments: { 'x-note': 'y'.repeat(800) } }),
    });
    expect(r.status).toBe(201);
  });

  it('answers 500 with a JSON body when handling fails, and keeps serving', async () => {
    // a broker API with nothing behind it: every request fails deep in the router
    const port = await serve({} as BrokerApi);
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/api/overview`, { headers: { authorization: guest } });
      expect(r.status).toBe(500);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(await r.json()).toMatchObject({ error: 'internal_error' });
    }
  });
});

describe('toManagementRequest', () => {
  it('takes the peer address from the socket, never from x-warren-peer-address', async () => {
    const req = {
      method: 'GET',
      url: '/api/whoami',
      headers: { authorization: guest, 'x-warren-peer-address': '127.0.0.1' },
      socket: { remoteAddress: '203.0.113.9' },
    } as unknown as http.IncomingMessage;
    const mr = toManagementRequest(req, undefined);
    expect(mr.remoteAddress).toBe('203.0.113.9');
    const out = await handleManagement(broker, mr, { log: quiet });
    expect([out.status, out.body]).toEqual([401, '{"error":"not_authorized","reason":"User can only log in via localhost"}']);
  });
});
