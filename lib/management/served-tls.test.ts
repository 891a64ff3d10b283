// Warren's one process with TLS configured as a user would (flags in the environment): the console
// port speaks HTTPS — the management API and the /api/ws live feed over wss — and AMQPS listens
// beside AMQP, with certificates from a CA made in the test. Unusable files stop the process with
// exit 2 before anything listens.
//
// The server runs as `npm start` runs it after its build step (server.ts main), so it needs the
// console build that `npm start` makes; served.test.ts makes one when it is missing, and this file
// waits for it rather than start a second `next build` in the same directory at the same time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../../scripts/test-pki';
import { freePort } from '../testing/processes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD_ID = path.join(ROOT, '.next', 'BUILD_ID');
const BUILD_WAIT_MS = 420_000;
const START_LIMIT_MS = 60_000;
const SETTINGS = /^(VITEST|NODE_ENV$|TEST$|HOST$|PORT$|AMQPS?_PORT$|TLS_|WEB_TLS_|DATA_DIR$|LOG_LEVEL$|HTTP_)/;

let pki: Pki;
let dataDir = '';
let child: ChildProcess | undefined;
let webPort = 0;
let amqpPort = 0;
let amqpsPort = 0;
const output: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The product's environment with only these settings, not vitest's or the caller's. */
function env(settings: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (SETTINGS.test(k)) delete e[k];
  return { ...e, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...settings };
}

const serverArgs = ['--import', 'tsx', 'server.ts'];

interface Reply {
  status: number;
  body: string;
}

function get(urlPath: string, auth?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port: webPort, path: urlPath, ca: fs.readFileSync(pki.caFile), servername: 'localhost', timeout: 10_000, ...(auth ? { auth } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  pki = makePki();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-served-tls-'));
  const buildDeadline = Date.now() + BUILD_WAIT_MS;
  while (!fs.existsSync(BUILD_ID)) {
    if (Date.now() > buildDeadline) throw new Error('no console build (.next/BUILD_ID): run `npm run build` or served.test.ts first');
    await sleep(1_000);
  }
  [webPort, amqpPort, amqpsPort] = [await freePort(), await freePort(), await freePort()];
  const c = spawn(process.execPath, serverArgs, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env({
      HOST: '127.0.0.1',
      PORT: String(webPort),
      AMQP_PORT: String(amqpPort),
      AMQPS_PORT: String(amqpsPort),
      TLS_CERT: pki.serverCert,
      TLS_KEY: pki.serverKey,
      TLS_CA: pki.caFile,
      TLS_VERIFY_PEER: 'true',
      WEB_TLS_CERT: pki.serverCert,
      WEB_TLS_KEY: pki.serverKey,
      HTTP_HEADERS_TIMEOUT_MS: '1000',
    }),
  });
  child = c;
  const keep = (d: Buffer) => output.push(d.toString('utf8'));
  c.stdout?.on('data', keep);
  c.stderr?.on('data', keep);
  const deadline = Date.now() + START_LIMIT_MS - 5_000;
  for (;;) {
    if (c.exitCode !== null) throw new Error(`server.ts exited with ${c.exitCode}:\n${output.join('')}`);
    if (output.join('').includes('Warren is running')) return;
    if (Date.now() > deadline) throw new Error(`server.ts did not start in time:\n${output.join('')}`);
    await sleep(200);
  }
}, BUILD_WAIT_MS + START_LIMIT_MS);

afterAll(async () => {
  const pid = child?.pid;
  if (pid !== undefined && child?.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(12_000)]);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  pki?.remove();
}, 20_000);

describe('the console port over HTTPS', () => {
  it('announces https:// and amqps:// URLs', () => {
    expect(output.join('')).toContain(`console https://127.0.0.1:${webPort}/  AMQP amqp://127.0.0.1:${amqpPort}  AMQPS amqps://127.0.0.1:${amqpsPort}`);
  });

  it('answers GET /api/overview to a client that trusts the CA, listing the AMQPS and HTTPS listeners', async () => {
    const r = await get('/api/overview', 'guest:guest');
    expect(r.status).toBe(200);
    const overview = JSON.parse(r.body) as { listeners: { protocol: string; port: number }[] };
    expect(overview.listeners.map((l) => [l.protocol, l.port])).toEqual([['amqp', amqpPort], ['amqp/ssl', amqpsPort], ['https', webPort]]);
  });

  it('refuses a client that does not trust the CA, and a plain HTTP request gets no answer', async () => {
    await expect(new Promise((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: webPort, path: '/api/health', timeout: 5_000 }, resolve).on('error', reject);
    })).rejects.toThrow(/self.signed|unable to (get|verify)/i);
    const plain = await fetch(`http://127.0.0.1:${webPort}/api/health`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, (err: Error) => err.name);
    expect(plain).not.toBe(200);
  });

  it('streams /api/ws over wss', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${webPort}/api/ws`, { ca: fs.readFileSync(pki.caFile) });
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const hello = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)));
      ws.send(JSON.stringify({ type: 'auth', username: 'guest', password: 'guest' }));
      expect(await hello).toMatchObject({ type: 'hello', user: 'guest' });
    } finally {
      ws.terminate();
    }
  });

  it('closes a TLS handshake that never finishes, after the headers timeout', async () => {
    const started = Date.now();
    const after = await new Promise<number>((resolve) => {
      const s = net.connect(webPort, '127.0.0.1', () => s.write(Buffer.from([0x16, 0x03, 0x01])));
      s.on('error', () => {});
      s.resume();
      s.on('close', () => resolve(Date.now() - started));
    });
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(5_000);
  });
});

describe('AMQPS from the same process', () => {
  it('takes amqplib with a client certificate, and the API shows the connection as TLS', async () => {
    const client = pki.client('someone');
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${amqpsPort}`, {
      ca: [fs.readFileSync(pki.caFile)], cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key), servername: 'localhost',
    });
    try {
      const deadline = Date.now() + 10_000;
      let rows: { ssl: boolean; peer_cert_subject: string }[] = [];
      // the API's connection list is refreshed from the broker's counters, a moment behind
      while (rows.length === 0 && Date.now() < deadline) {
        rows = JSON.parse((await get('/api/connections', 'guest:guest')).body) as typeof rows;
        if (rows.length === 0) await sleep(200);
      }
      expect(rows).toEqual([expect.objectContaining({ ssl: true, peer_cert_subject: 'CN=someone,O=Warren tests' })]);
    } finally {
      await conn.close();
    }
  });
});

describe('unusable TLS files', () => {
  function start(settings: Record<string, string>) {
    return spawnSync(process.execPath, serverArgs, { cwd: ROOT, env: env({ HOST: '127.0.0.1', PORT: '0', AMQP_PORT: '0', ...settings }), encoding: 'utf8', timeout: 30_000 });
  }

  it('a missing file exits 2 naming the variable and the file', () => {
    const r = start({ WEB_TLS_CERT: '/nonexistent/cert.pem', WEB_TLS_KEY: pki.serverKey });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warren: WEB_TLS_CERT: cannot read "\/nonexistent\/cert\.pem": no such file\n/);
  }, 40_000);

  it('a key of another certificate exits 2 naming the files, before anything listens', () => {
    const r = start({ TLS_CERT: pki.serverCert, TLS_KEY: pki.client('x').key, AMQPS_PORT: '0' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warren: the TLS files ".*server\.pem", ".*client-\d+\.key" cannot be used together/);
  }, 40_000);
});
