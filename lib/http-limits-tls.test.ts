// The HTTP limits hold for the HTTPS server too: connections that only open TCP, or stop in the
// middle of a TLS handshake, count against the cap and are cut after the headers timeout, and the
// API answers over HTTPS again afterwards.
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadTlsCredentials, type Broker } from '../broker/index';
import { makePki, type Pki } from '../scripts/test-pki';
import { managementFront } from './management/http-server';
import { createLimitedHttpServer, httpLimits } from './http-limits';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pki: Pki;
let broker: Broker;
let server: http.Server;
let port = 0;

beforeAll(async () => {
  pki = makePki();
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  const tls = loadTlsCredentials({ certFile: pki.serverCert, keyFile: pki.serverKey });
  server = createLimitedHttpServer(httpLimits({ HTTP_MAX_CONNECTIONS: '20', HTTP_HEADERS_TIMEOUT_MS: '800' }), undefined, tls);
  const front = managementFront(broker, { amqpPort: broker.port });
  server.on('request', (req, res) => {
    if (!front(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await broker.close();
  pki.remove();
});

function health(): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/api/health', ca: fs.readFileSync(pki.caFile), timeout: 5_000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/** A TCP connection to the HTTPS port that sends the first bytes of a ClientHello and no more. */
function stalledHandshake(): Promise<{ closed: () => boolean }> {
  return new Promise((resolve) => {
    let closed = false;
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(Buffer.from([0x16, 0x03, 0x01]));
      resolve({ closed: () => closed });
    });
    s.on('error', () => {});
    s.resume();
    s.on('close', () => {
      closed = true;
    });
  });
}

describe('the HTTPS server under 100 stalled TLS handshakes', () => {
  it('holds at most its cap, cuts them after the headers timeout, then answers again', async () => {
    expect(await health()).toBe(200);
    const started = Date.now();
    const held: { closed: () => boolean }[] = [];
    for (let i = 0; i < 100; i++) held.push(await stalledHandshake());
    const open = () => held.filter((h) => !h.closed()).length;
    while (open() > 20 && Date.now() < started + 700) await sleep(20);
    expect(open(), 'handshakes held past the cap').toBeLessThanOrEqual(20);
    expect(open()).toBeGreaterThan(0);
    while (open() > 0 && Date.now() < started + 5_000) await sleep(50);
    expect(open(), 'handshakes left after the timeout').toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(await health()).toBe(200);
  }, 15_000);
});
