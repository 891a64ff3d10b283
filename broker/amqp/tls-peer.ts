// What a TLS connection's peer brings: whether its certificate may stay, the user name it gives for
// EXTERNAL, and the session details the connection listing shows as RabbitMQ does (ssl_protocol,
// ssl_cipher, peer_cert_subject, ...). Read at the handshake and by listings, never per message.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { TlsPolicy } from './tls-listener';

function presentedCertificate(socket: TLSSocket): boolean {
  return Object.keys(socket.getPeerCertificate()).length > 0;
}

/**
 * Why a finished handshake must still be refused, or undefined: under verify_peer a certificate the
 * CA did not sign is refused even when sending none would have been allowed (Node finishes such a
 * handshake and leaves the verdict to us when rejectUnauthorized is off).
 */
export function refusedPeer(socket: TLSSocket, policy: TlsPolicy): string | undefined {
  if (!policy.verifyPeer || socket.authorized || !presentedCertificate(socket)) return undefined;
  return `client certificate not accepted: ${String(socket.authorizationError)}`;
}

/**
 * The user name a verified client certificate gives (RabbitMQ's rabbitmq_auth_mechanism_ssl with
 * `ssl_cert_login_from = common_name`): its subject's CN. Undefined on a plain socket, without a
 * verified certificate, or for a subject with no CN or several.
 */
export function certificateLogin(socket: Socket): string | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}

/** The TLS columns of a connection row, RabbitMQ's names and forms; all null on a plain connection. */
export interface TlsFields {
  ssl: boolean;
  ssl_protocol: string | null;
  ssl_key_exchange: string | null;
  ssl_cipher: string | null;
  ssl_hash: string | null;
  peer_cert_subject: string | null;
  peer_cert_issuer: string | null;
  peer_cert_validity: string | null;
}

const PLAIN_FIELDS: TlsFields = {
  ssl: false, ssl_protocol: null, ssl_key_exchange: null, ssl_cipher: null, ssl_hash: null,
  peer_cert_subject: null, peer_cert_issuer: null, peer_cert_validity: null,
};

/**
 * Erlang's names for the parts of a suite, from its IANA name: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
 * is ecdhe_rsa / aes_256_gcm / aead; TLS 1.3's TLS_AES_256_GCM_SHA384 has no key exchange in its
 * name, which Erlang calls `any`. AEAD ciphers have no separate MAC: Erlang says `aead`.
 */
function suiteParts(standardName: string): { keyExchange: string; cipher: string; hash: string } | undefined {
  const m = /^TLS_(?:(.+)_WITH_)?(.+)_(SHA384|SHA256|SHA|MD5)$/.exec(standardName);
  if (m === null) return undefined;
  const aead = /GCM|CCM|POLY1305/.test(m[2]!);
  return { keyExchange: m[1]?.toLowerCase() ?? 'any', cipher: m[2]!.toLowerCase(), hash: aead ? 'aead' : m[3]!.toLowerCase() };
}

/** `O=x\nCN=y` (certificate order) as RabbitMQ prints a DN: `CN=y,O=x`. */
function distinguishedName(lines: string): string {
  return lines.split('\n').filter((l) => l !== '').reverse().join(',');
}

/** OpenSSL's `Dec  6 13:20:48 2026 GMT` as `2026-12-06T13:20:48Z`. */
function isoTime(openssl: string): string {
  const t = new Date(openssl);
  return Number.isNaN(t.getTime()) ? openssl : t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function tlsFields(socket: Socket | undefined): TlsFields {
  if (!(socket instanceof TLSSocket)) return PLAIN_FIELDS;
  const cipher = socket.getCipher() as { standardName?: string; name: string } | undefined;
  const parts = cipher === undefined ? undefined : suiteParts(cipher.standardName ?? cipher.name);
  const cert = socket.getPeerX509Certificate();
  return {
    ssl: true,
    ssl_protocol: socket.getProtocol()?.toLowerCase() ?? null,
    ssl_key_exchange: parts?.keyExchange ?? null,
    ssl_cipher: parts?.cipher ?? cipher?.name ?? null,
    ssl_hash: parts?.hash ?? null,
    peer_cert_subject: cert === undefined ? null : distinguishedName(cert.subject),
    peer_cert_issuer: cert === undefined ? null : distinguishedName(cert.issuer),
    peer_cert_validity: cert === undefined ? null : `${isoTime(cert.validFrom)} - ${isoTime(cert.validTo)}`,
  };
}
