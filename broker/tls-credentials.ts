// The certificate, key and CA files of a TLS listener (AMQPS, and HTTPS for the console): read once
// at start-up, bounded in size, and checked as a pair, so that a wrong path or a key of another
// certificate stops the process with the file's name before anything listens — not at the first
// client's handshake, as a failed `tls.createServer` only shows later.
import fs from 'node:fs';
import tls from 'node:tls';

/** PEM files, as RabbitMQ's ssl_options certfile, keyfile and cacertfile. */
export interface TlsFiles {
  /** the server's certificate (its chain may follow in the same file) */
  certFile: string;
  /** its private key, unencrypted */
  keyFile: string;
  /** CA certificates that client certificates are verified against */
  caFile?: string;
}

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/** A TLS file that cannot be used; the message names the file and says why, in one line. */
export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

/** PEM files of certificates and keys are a few KiB; a path to something huge is a mistake. */
const MAX_PEM_BYTES = 1 << 20;

function readPem(file: string, what: string): Buffer {
  const quoted = JSON.stringify(file);
  let data: Buffer;
  try {
    // a FIFO or a device would block or never end: only regular files are read
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new TlsConfigError(`cannot read the TLS ${what} file ${quoted}: not a regular file`);
    if (stat.size > MAX_PEM_BYTES) throw new TlsConfigError(`cannot read the TLS ${what} file ${quoted}: ${stat.size} bytes, more than a PEM file holds`);
    data = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof TlsConfigError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new TlsConfigError(`cannot read the TLS ${what} file ${quoted}: ${e.code ?? e.message}`);
  }
  if (!data.includes('-----BEGIN ')) throw new TlsConfigError(`the TLS ${what} file ${quoted} holds no PEM block`);
  return data;
}

/**
 * Reads the files and builds a secure context from them once, so that a key that does not match its
 * certificate, or a file that is not what its flag says, is refused here. Throws TlsConfigError.
 */
export function loadTlsCredentials(files: TlsFiles): TlsCredentials {
  const cert = readPem(files.certFile, 'certificate');
  const key = readPem(files.keyFile, 'key');
  const ca = files.caFile === undefined ? undefined : readPem(files.caFile, 'CA certificate');
  try {
    tls.createSecureContext({ cert, key, ...(ca === undefined ? {} : { ca }) });
  } catch (err) {
    const named = [files.certFile, files.keyFile, ...(files.caFile === undefined ? [] : [files.caFile])].map((f) => JSON.stringify(f)).join(', ');
    throw new TlsConfigError(`the TLS files ${named} cannot be used together: ${(err as Error).message}`);
  }
  return ca === undefined ? { cert, key } : { cert, key, ca };
}
