// Everything a scenario opens goes through a Resources object, so that the runner can close and
// delete it afterwards whatever happened: success, a broker error, or a time-out.

import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';

const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;
const DELETE_TIMEOUT_MS = 20_000;

export class Resources {
  readonly connections = new Set<ChannelModel>();
  readonly queues = new Set<string>();
  readonly notes: string[] = [];
  /** rejects with the first broker-side error (channel or connection closed under us) */
  readonly failed: Promise<never>;
  private rejectFailed!: (err: Error) => void;
  private closing = false;
  private failure: Error | undefined;

  constructor(private readonly tag: string) {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {}); // observed through Promise.race in the runner
  }

  /** The first error seen, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  fail(err: Error): void {
    if (this.closing || this.failure) return;
    this.failure = err;
    this.rejectFailed(err);
  }

  /** A unique, recognisable queue name, registered for deletion. */
  queueName(role: string): string {
    const name = `bench.${this.tag}.${role}.${process.pid}.${randomBytes(4).toString('hex')}`;
    this.queues.add(name);
    return name;
  }

  async connect(url: string, role: string): Promise<ChannelModel> {
    // noDelay: small messages at a fixed rate must not wait for Nagle; RabbitMQ sets TCP_NODELAY on
    // its side too, so both directions are unbuffered for both brokers.
    const conn = await amqp.connect(url, {
      noDelay: true,
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: `warren-bench ${this.tag} ${role}` },
    });
    this.connections.add(conn);
    conn.on('error', (err: Error) => this.fail(new Error(`${role} connection: ${err.message}`)));
    conn.on('close', (err?: Error) => {
      if (!this.closing) this.fail(new Error(`${role} connection closed by broker${err ? `: ${err.message}` : ''}`));
    });
    conn.on('blocked', (reason: string) => this.notes.push(`${role} connection blocked by broker (${reason})`));
    return conn;
  }

  async channel(conn: ChannelModel, role: string): Promise<Channel> {
    const ch = await conn.createChannel();
    this.watch(ch, role);
    return ch;
  }

  private watch(ch: Channel, role: string): void {
    ch.on('error', (err: Error) => this.fail(new Error(`${role} channel: ${err.message}`)));
    ch.on('close', () => {
      if (!this.closing) this.fail(new Error(`${role} channel closed by broker`));
    });
  }

  /** A confirm-mode channel (publisher confirms), with the same error wiring as channel(). */
  async confirmChannel(conn: ChannelModel, role: string): Promise<ConfirmChannel> {
    const ch = await conn.createConfirmChannel();
    this.watch(ch, role);
    return ch;
  }

  /** Close every connection (bounded in time), then delete the queues over a fresh connection. */
  async cleanup(url: string): Promise<void> {
    this.closing = true;
    await Promise.all([...this.connections].map((c) => closeConnection(c)));
    this.connections.clear();
    if (this.queues.size === 0) return;
    let conn: ChannelModel | undefined;
    try {
      conn = await amqp.connect(url, { timeout: CONNECT_TIMEOUT_MS });
      conn.on('error', () => {});
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      const deleteAll = async (): Promise<void> => {
        for (const q of this.queues) await ch.deleteQueue(q);
      };
      await withTimeout(deleteAll(), DELETE_TIMEOUT_MS, `deleting ${this.queues.size} queue(s)`);
      this.queues.clear();
    } catch (err) {
      this.notes.push(`cleanup: ${(err as Error).message}`);
    } finally {
      if (conn) await closeConnection(conn);
    }
  }
}

async function closeConnection(conn: ChannelModel): Promise<void> {
  try {
    await withTimeout(conn.close(), CLOSE_TIMEOUT_MS, 'connection close');
  } catch {
    // The broker did not answer connection.close in time (or the socket is already gone):
    // drop the socket so the process does not keep it open.
    const internal = conn.connection as unknown as { stream?: { destroy(): void } };
    internal.stream?.destroy();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${(ms / 1000).toFixed(0)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Monotonic clock in milliseconds (fractional). */
export function nowMs(): number {
  return performance.now();
}

/**
 * CPU this benchmark process used since the call, as a fraction of one core, when read. Kept in the
 * details so a reader can tell whether the client (one Node event loop) was the bottleneck.
 */
export function cpuMeter(): () => number {
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  return () => {
    const d = process.cpuUsage(cpu0);
    const wallUs = (nowMs() - t0) * 1000;
    return wallUs > 0 ? Number(((d.user + d.system) / wallUs).toFixed(2)) : 0;
  };
}
