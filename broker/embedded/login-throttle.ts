// A back-off on failed logins per source address, for the broker API's logins (the management
// HTTP API and the console's /api/ws): after FREE failures in a row, the address must wait before
// its next attempt — a delay that doubles with each further failure, up to a minute — and attempts
// made while it waits are refused without looking at the password. A success clears the address.

export interface ThrottleOptions {
  /** failures in a row allowed before any wait (default 5) */
  free?: number;
  /** the first wait, in ms (default 1000), doubled with each further failure */
  baseMs?: number;
  /** the longest wait, in ms (default 60 000) */
  maxMs?: number;
  /** addresses remembered at most; the oldest go first (default 10 000) */
  maxAddresses?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  /** when the last one was (ms since the epoch) */
  last: number;
  /** when the address may try again */
  until: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly free: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.free = options.free ?? 5;
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** How long (ms) the address must still wait before its next attempt; 0 when it may try now. */
  wait(address: string | undefined): number {
    const f = this.failures.get(key(address));
    if (f === undefined) return 0;
    const now = this.now();
    if (f.until > now) return f.until - now;
    // no failure for longer than the longest wait: forgotten
    if (now - Math.max(f.last, f.until) > this.maxMs) this.failures.delete(key(address));
    return 0;
  }

  failed(address: string | undefined): void {
    const k = key(address);
    const now = this.now();
    const f = this.failures.get(k) ?? { count: 0, last: now, until: 0 };
    f.count++;
    f.last = now;
    if (f.count >= this.free) f.until = now + Math.min(this.baseMs * 2 ** (f.count - this.free), this.maxMs);
    // re-inserted last, so that the oldest address is the first one dropped
    this.failures.delete(k);
    this.failures.set(k, f);
    while (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(address: string | undefined): void {
    this.failures.delete(key(address));
  }
}

const key = (address: string | undefined): string => address ?? '';
