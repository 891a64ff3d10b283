// AMQPS as RabbitMQ's ssl listener works: amqplib and pika over TLS against a CA made in the test,
// verify_peer with and without fail_if_no_peer_cert, EXTERNAL logins from the certificate's CN,
// clients that cannot do TLS or bring the wrong certificate turned away while the broker goes on,
// the connection cap and a handshake timeout over the TLS port, and unusable files refused at start.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import amqp, { credentials } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, TlsConfigError, type Actor, type Broker, type BrokerOptions } from '../index';
import { makePki, type Pki } from '../../scripts/test-pki';

const PYTHON = '/usr/bin/python3'; // Debian's python, the one with pika 1.2
const TLS_HELLO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pika', 'tls_hello.py');
const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');

let pki: Pki;
const brokers: Broker[] = [];

beforeAll(() => {
  pki = makePki();
});

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.close()));
  pki?.remove();
});

async function tlsBroker(amqps: Partial<NonNullable<BrokerOptions['amqps']>> = {}, more: BrokerOptions = {}): Promise<Broker> {
  const broker = await createBroker({
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    amqps: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile, ...amqps },
    ...more,
  });
  brokers.push(broker);
  return broker;
}

/** amqplib's socket options for a TLS connection that trusts the test CA, with a client certificate if given. */
function tlsOptions(client?: { cert: string; key: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ca: [fs.readFileSync(pki.caFile)],
    servername: 'localhost',
    timeout: 5_000,
    ...(client ? { cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) } : {}),
    ...extra,
  };
}

async function admin(broker: Broker): Promise<Actor> {
  return broker.authenticate('guest', 'guest', '127.0.0.1');
}

/** A user with every permission on `/` and no password: only a certificate can log it in. */
async function certificateUser(broker: Broker, name: string): Promise<void> {
  const who = await admin(broker);
  await broker.putUser(who, name, { tags: [] });
  await broker.setPermission(who, '/', name, { configure: '.*', write: '.*', read: '.*' });
}

/** Publishes one message and consumes it again on a fresh connection's channel. */
async function roundTrip(conn: amqp.ChannelModel, body: string): Promise<string> {
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  const got = new Promise<string>((resolve) => {
    void ch.consume(queue, (m) => m && resolve(m.content.toString()), { noAck: true });
  });
  ch.sendToQueue(queue, Buffer.from(body));
  return got;
}

/** The mechanisms the broker's connection.start offers on a TLS connection. */
function offeredMechanisms(port: number, client?: { cert: string; key: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ...tlsOptions(client) } as tls.ConnectionOptions, () => socket.write(PROTOCOL_HEADER));
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no connection.start within 5 s'));
    }, 5_000);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      // connection.start ends with the mechanisms and locales long-strings; en_US is the last word
      if (got.includes('en_US')) {
        clearTimeout(timer);
        socket.destroy();
        const text = got.toString('latin1');
        resolve(/(AMQPLAIN (?:EXTERNAL )?PLAIN)/.exec(text)?.[1] ?? text);
      }
    });
  });
}

/** Rejects or resolves within `ms`: a refused connection must not hang the test. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms))]);
}

async function connectionRows(broker: Broker): Promise<Record<string, unknown>[]> {
  return broker.listConnections(await admin(broker));
}

function runPika(port: number, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, [TLS_HELLO], { env: { ...process.env, AMQP_PORT: String(port), TLS_CA: pki.caFile, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe('AMQPS with verify_none', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await tlsBroker();
  });

  it('lists only PLAIN and AMQPLAIN as the node’s auth_mechanisms', async () => {
    const [node] = await broker.nodes(await admin(broker));
    expect((node.auth_mechanisms as { name: string }[]).map((m) => m.name)).toEqual(['PLAIN', 'AMQPLAIN']);
  });

  it('amqplib publishes and consumes over amqps://, as guest with PLAIN; EXTERNAL is not offered', async () => {
    expect(broker.amqpsPort).toBeGreaterThan(0);
    expect(broker.amqpsPort).not.toBe(broker.port);
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions());
    try {
      expect(await roundTrip(conn, 'over TLS')).toBe('over TLS');
      expect(await connectionRows(broker)).toEqual([expect.objectContaining({ user: 'guest', auth_mechanism: 'PLAIN', ssl: true, peer_cert_subject: null })]);
    } finally {
      await conn.close();
    }
    expect(await offeredMechanisms(broker.amqpsPort!)).toBe('AMQPLAIN PLAIN');
    // the plain port is still there
    const plain = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    expect(await roundTrip(plain, 'in the clear')).toBe('in the clear');
    await plain.close();
  });

  it('pika (ssl.SSLContext) says hello world over TLS', async () => {
    const run = await runPika(broker.amqpsPort!, {});
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ body: 'Hello World!', mechanism: 'PLAIN' });
  }, 30_000);

  it('a plain AMQP client on the TLS port fails cleanly, and the broker serves on', async () => {
    await expect(within(8_000, amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.amqpsPort}`, { timeout: 5_000 }))).rejects.toThrow();
    // and a raw protocol header gets the socket closed, not an AMQP answer in the clear
    const answer = await new Promise<string>((resolve) => {
      const s = net.connect(broker.amqpsPort!, '127.0.0.1', () => s.write(PROTOCOL_HEADER));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.on('error', () => {});
      s.on('close', () => resolve(got));
    });
    expect(answer).not.toMatch(/AMQP|PLAIN/);
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions());
    expect(await roundTrip(conn, 'still here')).toBe('still here');
    await conn.close();
  });
});

describe('AMQPS with verify_peer and fail_if_no_peer_cert', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await tlsBroker({ verifyPeer: true, failIfNoPeerCert: true });
    await certificateUser(broker, 'tls-user');
  });

  it('refuses a client without a certificate and one with a certificate of another CA', async () => {
    await expect(within(8_000, amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions()))).rejects.toThrow();
    await expect(within(8_000, amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions(pki.stranger('tls-user'))))).rejects.toThrow();
    expect(await connectionRows(broker)).toEqual([]);
    // a client with a certificate of the CA gets in, with PLAIN as well
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions(pki.client('someone')));
    expect(await roundTrip(conn, 'verified')).toBe('verified');
    await conn.close();
  });

  it('lists EXTERNAL among the node’s auth_mechanisms, with the plugin RabbitMQ needs for it', async () => {
    const [node] = await broker.nodes(await admin(broker));
    expect((node.auth_mechanisms as { name: string }[]).map((m) => m.name)).toEqual(['PLAIN', 'AMQPLAIN', 'EXTERNAL']);
    expect(node.enabled_plugins).toContain('rabbitmq_auth_mechanism_ssl');
  });

  it('offers EXTERNAL and logs amqplib in as the CN of the client certificate', async () => {
    const client = pki.client('tls-user');
    expect(await offeredMechanisms(broker.amqpsPort!, client)).toBe('AMQPLAIN EXTERNAL PLAIN');
    const conn = await amqp.connect(`amqps://127.0.0.1:${broker.amqpsPort}`, tlsOptions(client, { credentials: credentials.external() }));
    try {
      expect(await roundTrip(conn, 'by certificate')).toBe('by certificate');
      const [row] = await connectionRows(broker);
      expect(row).toMatchObject({
        user: 'tls-user',
        auth_mechanism: 'EXTERNAL',
        ssl: true,
        ssl_protocol: 'tlsv1.3',
        ssl_key_exchange: 'any',
        ssl_cipher: expect.stringMatching(/^(aes_\d+_gcm|chacha20_poly1305)$/),
        ssl_hash: 'aead',
        peer_cert_subject: 'CN=tls-user,O=Warren tests',
        peer_cert_issuer: 'CN=Warren Test CA',
        peer_cert_validity: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ - \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
    } finally {
      await conn.close();
    }
  });

  it('refuses EXTERNAL for a CN that is no user, and the broker serves on', async () => {
    await expect(within(8_000, amqp.connect(`amqps://127.0.0.1:${broker.amqpsPort}`, tlsOptions(pki.client('nobody'), { credentials: credentials.external() })))).rejects.toThrow(/ACCESS_REFUSED|closed/i);
    const conn = await amqp.connect(`amqps://127.0.0.1:${broker.amqpsPort}`, tlsOptions(pki.client('tls-user'), { credentials: credentials.external() }));
    await conn.close();
  });

  it('pika logs in with EXTERNAL from its certificate and says hello world', async () => {
    const client = pki.client('tls-user');
    const run = await runPika(broker.amqpsPort!, { TLS_CERT: client.cert, TLS_KEY: client.key, EXTERNAL: '1' });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ body: 'Hello World!', mechanism: 'EXTERNAL' });
  }, 30_000);
});

describe('AMQPS with verify_peer alone', () => {
  it('lets a client without a certificate in with PLAIN only, and refuses a certificate of another CA', async () => {
    const broker = await tlsBroker({ verifyPeer: true });
    expect(await offeredMechanisms(broker.amqpsPort!)).toBe('AMQPLAIN PLAIN');
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions());
    expect(await roundTrip(conn, 'no certificate')).toBe('no certificate');
    await conn.close();
    await expect(within(8_000, amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions(pki.stranger('x'))))).rejects.toThrow();
    expect(await offeredMechanisms(broker.amqpsPort!, pki.client('x'))).toBe('AMQPLAIN EXTERNAL PLAIN');
  });
});

describe('AMQPS limits', () => {
  it('holds AMQP and AMQPS together to one connection cap, TLS handshakes included', async () => {
    const broker = await tlsBroker({}, { maxConnections: 2 });
    const plain = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    // a TCP connection to the TLS port that has not even started its handshake takes the second place
    const idle = net.connect(broker.amqpsPort!, '127.0.0.1');
    idle.on('error', () => {});
    await new Promise((r) => idle.once('connect', r));
    await new Promise((r) => setTimeout(r, 100));
    await expect(within(8_000, amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions()))).rejects.toThrow();
    await expect(within(8_000, amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`))).rejects.toThrow();
    idle.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const tlsConn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions());
    await tlsConn.close();
    await plain.close();
  });

  it('closes a TLS handshake that never finishes after the handshake timeout', async () => {
    const broker = await tlsBroker({ handshakeTimeoutMs: 300 });
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const s = net.connect(broker.amqpsPort!, '127.0.0.1', () => s.write(Buffer.from([0x16, 0x03, 0x01]))); // a ClientHello that stops
      s.on('error', () => {});
      s.resume();
      s.on('close', () => resolve(Date.now() - started));
    });
    expect(closedAfter).toBeGreaterThanOrEqual(250);
    expect(closedAfter).toBeLessThan(3_000);
  });
});

describe('AMQPS at shutdown', () => {
  it('tells TLS clients 320 and closes promptly, a stalled TLS handshake included', async () => {
    const broker = await createBroker({
      port: 0, host: '127.0.0.1', logLevel: 'silent',
      amqps: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey },
    });
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.amqpsPort}`, tlsOptions());
    const closed = new Promise<string>((resolve) => conn.on('close', (err: Error | undefined) => resolve(String(err?.message))));
    conn.on('error', () => {});
    const stalled = net.connect(broker.amqpsPort!, '127.0.0.1', () => stalled.write(Buffer.from([0x16, 0x03, 0x01])));
    stalled.on('error', () => {});
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await broker.close('maintenance');
    expect(Date.now() - started).toBeLessThan(1_800);
    expect(await within(3_000, closed)).toMatch(/320 \(CONNECTION-FORCED\) with message "CONNECTION_FORCED - broker forced connection closure with reason 'maintenance'"/);
  });
});

describe('unusable TLS files', () => {
  async function freePort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  function refused(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
  }

  it('a missing file, or a key of another certificate, rejects naming the files, and nothing listens', async () => {
    const port = await freePort();
    const missing = path.join(pki.dir, 'no-such.pem');
    const start = (amqps: Partial<NonNullable<BrokerOptions['amqps']>>) =>
      createBroker({ port, host: '127.0.0.1', logLevel: 'silent', amqps: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, ...amqps } });
    await expect(start({ certFile: missing })).rejects.toThrow(new TlsConfigError(`cannot read the TLS certificate file ${JSON.stringify(missing)}: ENOENT`));
    await expect(start({ caFile: pki.dir })).rejects.toThrow(/cannot read the TLS CA certificate file ".*warren-pki-.*": not a regular file/);
    const other = pki.client('other');
    await expect(start({ keyFile: other.key })).rejects.toThrow(/the TLS files ".*server\.pem", ".*client-\d+\.key" cannot be used together: .*key values mismatch/);
    expect(await refused(port)).toBe(true);
  });
});
