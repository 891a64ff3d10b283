// The TLS settings of `npm start`: AMQPS (RabbitMQ's listeners.ssl and ssl_options) and HTTPS for the
// console port, from flags or the environment, with every combination that cannot work refused in
// one line that names the setting.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, USAGE, loadConfig } from './config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-config-tls-'));
const cert = path.join(dir, 'cert.pem');
const key = path.join(dir, 'key.pem');
const ca = path.join(dir, 'ca.pem');
for (const f of [cert, key, ca]) fs.writeFileSync(f, '-----BEGIN X-----\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('AMQPS settings', () => {
  it('are off without a certificate, and on at 5671 with one and its key', () => {
    expect(loadConfig([], {}).config.amqps).toBeUndefined();
    expect(loadConfig([], { TLS_CERT: cert, TLS_KEY: key }).config.amqps).toEqual({
      port: 5671, certFile: cert, keyFile: key, verifyPeer: false, failIfNoPeerCert: false,
    });
  });

  it('take flags over the environment, with verify_peer and fail_if_no_peer_cert', () => {
    const argv = ['--amqps-port', '0', '--tls-cert', cert, '--tls-key', key, '--tls-ca', ca, '--tls-verify-peer', 'true', '--tls-fail-if-no-peer-cert', 'TRUE'];
    expect(loadConfig(argv, { AMQPS_PORT: '6000', TLS_VERIFY_PEER: 'false' }).config.amqps).toEqual({
      port: 0, certFile: cert, keyFile: key, caFile: ca, verifyPeer: true, failIfNoPeerCert: true,
    });
  });

  it('refuse what cannot work, naming the setting', () => {
    const refused = (argv: string[], env: Record<string, string> = {}) => {
      try {
        loadConfig(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refused([], { TLS_CERT: path.join(dir, 'missing.pem'), TLS_KEY: key })).toBe(`TLS_CERT: cannot read "${path.join(dir, 'missing.pem')}": no such file`);
    expect(refused(['--tls-key', dir])).toBe(`--tls-key: cannot read "${dir}": not a regular file`);
    expect(refused(['--tls-cert', cert])).toBe('--tls-cert (TLS_CERT) needs --tls-key (TLS_KEY) too');
    expect(refused([], { AMQPS_PORT: '5671' })).toBe('--amqps-port (AMQPS_PORT) needs --tls-cert and --tls-key (TLS_CERT, TLS_KEY)');
    expect(refused([], { TLS_CERT: cert, TLS_KEY: key, TLS_VERIFY_PEER: 'true' })).toMatch(/^--tls-verify-peer true \(TLS_VERIFY_PEER\) needs --tls-ca \(TLS_CA\)/);
    expect(refused([], { TLS_CERT: cert, TLS_KEY: key, TLS_CA: ca, TLS_FAIL_IF_NO_PEER_CERT: 'true' })).toMatch(/^--tls-fail-if-no-peer-cert true .* needs --tls-verify-peer true/);
    expect(refused([], { TLS_CERT: cert, TLS_KEY: key, TLS_VERIFY_PEER: 'yes' })).toBe('TLS_VERIFY_PEER must be one of true, false; got "yes"');
  });
});

describe('HTTPS for the console port', () => {
  it('is on with a certificate and its key, and refused with only one of them', () => {
    expect(loadConfig([], {}).config.webTls).toBeUndefined();
    expect(loadConfig(['--web-tls-cert', cert], { WEB_TLS_KEY: key }).config.webTls).toEqual({ certFile: cert, keyFile: key });
    expect(() => loadConfig([], { WEB_TLS_KEY: key })).toThrow('--web-tls-key (WEB_TLS_KEY) needs --web-tls-cert (WEB_TLS_CERT) too');
  });

  it('is in the usage, as are the AMQPS settings, which --help prints whatever else is set', () => {
    expect(loadConfig(['--help'], { TLS_CERT: cert }).help).toBe(true);
    for (const name of ['--amqps-port', 'AMQPS_PORT', '--tls-cert', '--tls-key', '--tls-ca', '--tls-verify-peer', '--tls-fail-if-no-peer-cert', '--web-tls-cert', 'WEB_TLS_KEY']) {
      expect(USAGE).toContain(name);
    }
  });
});
