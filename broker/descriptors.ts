// File descriptors are the one resource every socket and file of the process shares: 20,000 idle
// HTTP connections or AMQP clients can use them all up, and then nothing else opens — not a
// client, not a message log segment. Each listener gets a cap that leaves the others room.
import { readdirSync, readFileSync } from 'node:fs';

/** The soft limit on open descriptors (RLIMIT_NOFILE), from /proc/self/limits; undefined off Linux. */
export function descriptorLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line === undefined ? NaN : Number(line.slice('Max open files'.length).trim().split(/\s+/)[0]);
    return Number.isFinite(soft) && soft > 0 ? soft : undefined; // "unlimited" is NaN
  } catch {
    return undefined;
  }
}

/** Descriptors open now (/proc/self/fd); 0 when that cannot be read. */
export function openDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** Connections each listener accepts at once by default; past them a new one is closed at once. */
export interface ConnectionCaps {
  /** AMQP clients */
  amqp: number;
  /** HTTP connections to the console and the API (browsers, scripts, /metrics scrapers) */
  http: number;
}

/** The HTTP cap when descriptors are plentiful: a console has no use for more. */
const HTTP_MAX = 1000;

/**
 * Splits the `limit - inUse` descriptors still free: a tenth of the limit (at least 16) kept for
 * files, the store and the runtime, a fifth (at most HTTP_MAX) for HTTP, the rest for AMQP.
 */
export function connectionCaps(limit = descriptorLimit(), inUse = openDescriptors()): ConnectionCaps {
  if (limit === undefined) return { amqp: Number.POSITIVE_INFINITY, http: HTTP_MAX };
  const reserve = Math.max(16, Math.floor(limit / 10));
  const http = Math.min(HTTP_MAX, Math.max(4, Math.floor(limit / 5)));
  return { amqp: Math.max(1, limit - inUse - reserve - http), http };
}
