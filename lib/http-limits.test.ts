// The HTTP server's limits against a flood of half-sent requests: past the cap connections are
// closed at once, the held ones are cut after the headers timeout, AMQP clients connect all along,
// and the API answers again afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import type http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '../broker/index';
import { managementFront } from './management/http-server';
import { createLimitedHttpServer, httpLimits } from './http-limits';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let broker: Broker;
let server: http.Server;
let port = 0;

beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  server = createLimitedHttpServer(httpLimits({ HTTP_MAX_CONNECTIONS: '50', HTTP_HEADERS_TIMEOUT_MS: '1000' }));
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
});

interface HalfRequest {
  socket: net.Socket;
  closed: () => boolean;
}

/** A connection that sends the start of a request and never finishes its headers. */
function halfRequest(): Promise<HalfRequest> {
  return new Promise((resolve) => {
    let closed = false;
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /api/overview HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      resolve({ socket, closed: () => closed });
    });
    socket.on('error', () => {});
    socket.resume(); // read the 408 and the FIN, or the close would never be seen
    socket.on('close', () => {
      closed = true;
    });
  });
}

describe('the HTTP server under 300 half-sent requests', () => {
  it('holds at most its cap, cuts the rest after the headers timeout, and AMQP clients connect throughout', async () => {
    const started = Date.now();
    const held: HalfRequest[] = [];
    for (let i = 0; i < 300; i++) held.push(await halfRequest());
    const openNow = () => held.filter((h) => !h.closed()).length;
    // the server closes what is past its cap as it accepts (the kernel completed the handshakes)
    while (openNow() > 50 && Date.now() < started + 900) await sleep(20);
    const open = openNow();
    expect(open, 'connections held past the cap').toBeLessThanOrEqual(50);
    expect(open).toBeGreaterThan(0);

    // AMQP is not starved
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
    await conn.close();

    // the held ones are cut once the headers timeout (1 s) has passed
    const deadline = started + 5_000;
    while (held.some((h) => !h.closed()) && Date.now() < deadline) await sleep(100);
    expect(held.filter((h) => !h.closed()).length, 'half-sent requests still held').toBe(0);
    for (const h of held) h.socket.destroy();

    const r = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(r.status).toBe(200);
  }, 20_000);

  it('a request that completes in time is answered as usual', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(r.status).toBe(200);
  });
});

describe('httpLimits', () => {
  it('takes the cap and the headers timeout from the environment, and refuses nonsense', () => {
    expect(httpLimits({ HTTP_MAX_CONNECTIONS: '7', HTTP_HEADERS_TIMEOUT_MS: '2500' })).toMatchObject({ maxConnections: 7, headersTimeoutMs: 2500 });
    const d = httpLimits({});
    expect(d.headersTimeoutMs).toBe(10_000);
    expect(d.maxConnections).toBeGreaterThan(0);
    expect(d.maxConnections).toBeLessThanOrEqual(1000);
    expect(() => httpLimits({ HTTP_MAX_CONNECTIONS: 'lots' })).toThrow(/HTTP_MAX_CONNECTIONS must be a positive integer/);
  });

  it('is what server.ts makes its one HTTP server with', () => {
    const src = readFileSync(path.join(ROOT, 'server.ts'), 'utf8');
    expect(src).toMatch(/const limits = httpLimits\(\);/);
    expect(src).toMatch(/const server = createLimitedHttpServer\(limits\b/);
    expect(src).not.toMatch(/http\.createServer\(/);
  });
});

// The real server.ts (the process `npm start` runs, without its build step) under 256 descriptors:
// without the cap, 300 half-sent requests take them all and no AMQP client gets in.
describe.skipIf(!existsSync(path.join(ROOT, '.next', 'BUILD_ID')))('server.ts under 256 descriptors and 300 half-sent requests', () => {
  let child: ChildProcess | undefined;
  let dataDir = '';
  let out = '';
  let exited = false;

  afterAll(() => {
    child?.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });

  it('keeps descriptors for AMQP, cuts the half-sent requests after the timeout, and lives', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'warren-http-limits-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env, PORT: '0', AMQP_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info',
      NODE_ENV: 'production', HTTP_HEADERS_TIMEOUT_MS: '5000',
    };
    for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k];
    const c = spawn('prlimit', ['--nofile=256:256', '--', process.execPath, '--import', 'tsx', 'server.ts'], {
      cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    c.on('exit', () => { exited = true; });
    const deadline = Date.now() + 60_000;
    let m: RegExpExecArray | null = null;
    while (!(m = /console http:\/\/[^:]+:(\d+)\/ {2}AMQP amqp:\/\/[^:]+:(\d+)/.exec(out)) && !exited && Date.now() < deadline) await sleep(100);
    expect(m, `server.ts did not start:\n${out}`).not.toBeNull();
    const httpPort = Number(m![1]);
    const amqpUrl = `amqp://guest:guest@127.0.0.1:${m![2]}`;
    port = httpPort; // halfRequest() connects here

    const started = Date.now();
    const held: HalfRequest[] = [];
    for (let i = 0; i < 300; i++) held.push(await halfRequest());
    const openNow = () => held.filter((h) => !h.closed()).length;
    // the server closes what is past its cap as it accepts (the kernel completed the handshakes);
    // well before the headers timeout (5 s)
    while (openNow() > 51 && Date.now() < started + 3_000) await sleep(50);
    expect(openNow(), 'held past the default cap (a fifth of 256)').toBeLessThanOrEqual(51);

    const conns: amqp.ChannelModel[] = [];
    for (let i = 0; i < 5; i++) conns.push(await amqp.connect(amqpUrl));
    const ch = await conns[0].createChannel();
    await ch.assertQueue('', { exclusive: true });
    for (const conn of conns) await conn.close();

    while (held.some((h) => !h.closed()) && Date.now() < started + 12_000) await sleep(100);
    expect(held.filter((h) => !h.closed()).length, 'half-sent requests still held').toBe(0);
    for (const h of held) h.socket.destroy();
    const r = await fetch(`http://127.0.0.1:${httpPort}/api/health`);
    expect(r.status).toBe(200);
    expect(exited, out).toBe(false);
    expect(out.match(/HTTP: refusing new connections/g) ?? [], out).toHaveLength(1);
  }, 90_000);
});
