// The AMQPS listener's TLS side, as RabbitMQ's ssl_options configure it: certfile/keyfile/cacertfile,
// `verify` (verify_peer asks clients for a certificate and checks it against the CA) and
// `fail_if_no_peer_cert` (a client without one is refused). What comes out of a finished handshake is
// an ordinary AMQP connection; the peer's verified certificate gives it the EXTERNAL mechanism.
import tls from 'node:tls';
import type { TlsCredentials, TlsFiles } from '../tls-credentials';

/** RabbitMQ's `ssl_handshake_timeout` default: a client that starts a handshake gets this long to finish it. */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 5_000;

/** The AMQPS listener of createBroker: RabbitMQ's `listeners.ssl.default` and `ssl_options`. */
export interface AmqpsOptions extends TlsFiles {
  /** 0 picks a free port (see `broker.amqpsPort`); RabbitMQ's usual one is 5671 */
  port: number;
  /** verify_peer: ask for a client certificate and refuse one the CA did not sign. Default false (verify_none). */
  verifyPeer?: boolean;
  /** with verifyPeer, refuse clients that send no certificate. Default false. */
  failIfNoPeerCert?: boolean;
  /** ms a client has for its TLS handshake. Default 5000. */
  handshakeTimeoutMs?: number;
}

export interface TlsPolicy {
  verifyPeer: boolean;
  failIfNoPeerCert: boolean;
  handshakeTimeoutMs: number;
}

export function tlsPolicy(options: AmqpsOptions): TlsPolicy {
  return {
    verifyPeer: options.verifyPeer ?? false,
    failIfNoPeerCert: options.failIfNoPeerCert ?? false,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

/**
 * A TLS server for AMQPS. With fail_if_no_peer_cert OpenSSL itself refuses a client without a
 * certificate; without it, a client may send none, and refusedPeer (tls-peer.ts) decides about one
 * it did send.
 */
export function createAmqpsServer(credentials: TlsCredentials, policy: TlsPolicy): tls.Server {
  return tls.createServer({
    cert: credentials.cert,
    key: credentials.key,
    ...(credentials.ca === undefined ? {} : { ca: credentials.ca }),
    requestCert: policy.verifyPeer,
    rejectUnauthorized: policy.verifyPeer && policy.failIfNoPeerCert,
    handshakeTimeout: policy.handshakeTimeoutMs,
    minVersion: 'TLSv1.2',
  });
}
