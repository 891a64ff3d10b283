// The broker's own cost, read from Linux's /proc: which process listens on the AMQP URL's port, and
// how much CPU time and resident memory it has used. Works for any broker on this machine (Warren's
// node process, RabbitMQ's beam.smp with all its scheduler threads), so both are priced the same way.
// A broker on another host, or a system without /proc, gives no figure rather than a wrong one.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Linux reports utime/stime in clock ticks; 100 per second on every mainstream kernel build. */
const CLOCK_TICKS_PER_SECOND = 100;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface BrokerProcess {
  pid: number;
  /** user + system CPU time used so far, in microseconds (all threads) */
  cpuUs(): number | undefined;
  /** resident set size now, in bytes */
  rssBytes(): number | undefined;
}

/** The inodes of listening TCP sockets on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port, f[3] state (0A = LISTEN), f[9] inode
      if (f.length > 9 && f[3] === '0A' && f[1].endsWith(`:${hexPort}`)) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The process holding one of those sockets open, found through /proc/<pid>/fd (needs the rights to read it). */
function ownerOf(inodes: Set<string>): number | undefined {
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

function readCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count fields after its ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function readRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The local process serving `amqpUrl`, or undefined when it is not on this machine or cannot be seen. */
export function findBrokerProcess(amqpUrl: string): BrokerProcess | undefined {
  let host: string;
  let port: number;
  try {
    const u = new URL(amqpUrl);
    host = u.hostname;
    port = Number(u.port || (u.protocol === 'amqps:' ? 5671 : 5672));
  } catch {
    return undefined;
  }
  if (!LOCAL_HOSTS.has(host)) return undefined;
  const pid = ownerOf(listeningInodes(port));
  if (pid === undefined || readCpuUs(pid) === undefined) return undefined;
  return { pid, cpuUs: () => readCpuUs(pid), rssBytes: () => readRssBytes(pid) };
}

/**
 * Starts a meter of the broker's CPU; calling the result with the number of messages handled since
 * gives microseconds of broker CPU per message (undefined without a broker process or messages).
 */
export function brokerCpuMeter(broker: BrokerProcess | undefined): (messages: number) => number | undefined {
  const start = broker?.cpuUs();
  return (messages) => {
    if (broker === undefined || start === undefined || messages <= 0) return undefined;
    const now = broker.cpuUs();
    return now === undefined ? undefined : (now - start) / messages;
  };
}

/**
 * Broker CPU time (all its threads, from /proc) ÷ messages in the measured window: what one message
 * costs the broker, whatever the client could drive. Absent for a broker not on this machine.
 */
export const BROKER_CPU = { key: 'cpu', label: 'broker CPU', unit: 'µs/msg', better: 'lower' } as const;

export function withBrokerCpu(values: Record<string, number>, cpuPerMsg: number | undefined): Record<string, number> {
  return cpuPerMsg === undefined ? values : { ...values, cpu: cpuPerMsg };
}
