// A throw-away PKI for TLS, made with the openssl command line: a CA, a server certificate for
// 127.0.0.1 and localhost, client certificates with a given CN, and a second CA that the broker does
// not trust. EC P-256 keys, so that all of it takes a fraction of a second. The AMQPS and HTTPS tests
// of both sides (broker/ and lib/) make theirs with it; to try TLS by hand:
//   npx tsx scripts/test-pki.ts /tmp/warren-pki     (prints the settings to start Warren with)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Pki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  /** a client certificate the CA signed, for `name` as its CN */
  client(name: string): { cert: string; key: string };
  /** a client certificate signed by a CA the broker does not know */
  stranger(name: string): { cert: string; key: string };
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, [
    'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir: string, ca: string, name: string, subject: string, extensions: string): { cert: string; key: string } {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject,
  ]);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`,
  ]);
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n';

/** Makes the CA and the server certificate in `dir` (a new temp dir by default). Certificates last two days. */
export function makePki(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-pki-'))): Pki {
  fs.mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca', 'Warren Test CA');
  makeCa(dir, 'other-ca', 'Some Other CA');
  const server = makeLeaf(dir, 'ca', 'server', '/CN=localhost',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  let n = 0;
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    serverCert: server.cert,
    serverKey: server.key,
    client: (name) => makeLeaf(dir, 'ca', `client-${++n}`, `/O=Warren tests/CN=${name}`, CLIENT_EXT),
    stranger: (name) => makeLeaf(dir, 'other-ca', `stranger-${++n}`, `/CN=${name}`, CLIENT_EXT),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pki = makePki(process.argv[2] === undefined ? undefined : path.resolve(process.argv[2]));
  const client = pki.client(process.argv[3] ?? 'guest');
  process.stdout.write(`TLS_CERT=${pki.serverCert} TLS_KEY=${pki.serverKey} TLS_CA=${pki.caFile} TLS_VERIFY_PEER=true
WEB_TLS_CERT=${pki.serverCert} WEB_TLS_KEY=${pki.serverKey}
client certificate (CN=${process.argv[3] ?? 'guest'}): ${client.cert} ${client.key}
`);
}
