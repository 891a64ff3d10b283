// The management API of every running node of the cluster, for spreading a big listing over them.
// Each node answers for the whole cluster (bindings are read from its own copy of the metadata), and
// each does the work of a request on its own schedulers: on the local cluster (one scheduler a node)
// the 20 binding reads of a 10,000-queue vhost took the configured node's only scheduler from its
// queue listing, which then took 1.4 s instead of 0.5 s. Other nodes are found through the cluster's
// listeners (`/api/overview`): same scheme and port as they listen on, the configured host when the
// node runs on the same host as the configured one (`rabbit@h`), else its node host. A node is used
// only once it answered as itself; one that fails is left alone for a while and its reads go to the
// configured node. A load balancer in front of nodes that cannot be reached directly: nothing is
// found, and everything goes to the configured URL as before.
import type { Row } from '../../broker/index';
import { ManagementClient, type Credentials } from './management-client';

/** How long one node's probe may take. */
const DISCOVERY_MS = 2_000;
/** How long a listing waits for discovery still under way: past this its reads go to the configured
 * node, so peers that cannot be reached (a firewall that drops) never delay a first open. */
const WAIT_FOR_DISCOVERY_MS = 300;
/** A node whose read failed gets no reads for this long. */
const BENCHED_MS = 60_000;
/** Rediscovered this often (nodes come and go). */
const REDISCOVER_MS = 5 * 60_000;

const hostOf = (node: string) => node.slice(node.indexOf('@') + 1);

export class NodeReaders {
  private peers: ManagementClient[] = [];
  private readonly benched = new Map<ManagementClient, number>();
  private discovering: Promise<void> | undefined;
  private discoveredAt = 0;
  private closed = false;

  constructor(
    private readonly main: ManagementClient,
    private readonly who: Credentials,
    private readonly caFile?: string,
  ) {}

  /** The configured node first, then the other nodes that answered; never waits more than WAIT_FOR_DISCOVERY_MS. */
  async all(): Promise<ManagementClient[]> {
    if (this.discovering === undefined || Date.now() - this.discoveredAt > REDISCOVER_MS) {
      this.discoveredAt = Date.now();
      this.discovering = this.discover().catch(() => {});
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.discovering, new Promise<void>((r) => (timer = setTimeout(r, WAIT_FOR_DISCOVERY_MS)))]);
    clearTimeout(timer);
    const now = Date.now();
    return [this.main, ...this.peers.filter((c) => (this.benched.get(c) ?? 0) <= now)];
  }

  /** A read on `client` failed: the next ones go elsewhere for a while. */
  bench(client: ManagementClient): void {
    if (client !== this.main) this.benched.set(client, Date.now() + BENCHED_MS);
  }

  close(): void {
    this.closed = true;
    for (const c of this.peers) c.close();
    this.peers = [];
  }

  private async discover(): Promise<void> {
    const o = await this.main.request<Row>(this.who, 'GET', '/api/overview?columns=node,listeners');
    const self = String(o.node ?? '');
    const scheme = this.main.baseUrl.protocol.replace(':', '');
    const urls = new Map<string, string>();
    for (const l of (o.listeners as Row[] | undefined) ?? []) {
      const node = String(l.node ?? '');
      if (node === '' || node === self || l.protocol !== scheme || typeof l.port !== 'number') continue;
      const ip = String(l.ip_address ?? '');
      const wildcard = ip === '' || ip === '::' || ip === '0.0.0.0';
      const host = hostOf(node) === hostOf(self) ? this.main.baseUrl.hostname : wildcard ? hostOf(node) : ip.includes(':') ? `[${ip}]` : ip;
      urls.set(node, `${scheme}://${host}:${l.port}`);
    }
    const found: ManagementClient[] = [];
    await Promise.all(
      [...urls].map(async ([node, url]) => {
        const c = new ManagementClient({ baseUrl: url, caFile: this.caFile, timeoutMs: DISCOVERY_MS });
        try {
          // the node it claims to be, and it lets this account in
          const me = await c.request<Row>(this.who, 'GET', '/api/overview?columns=node');
          if (me.node === node) {
            found.push(new ManagementClient({ baseUrl: url, caFile: this.caFile }));
          }
        } catch {
          // not reachable from here (a load balancer's nodes, a node down): not used
        } finally {
          c.close();
        }
      }),
    );
    if (this.closed) {
      for (const c of found) c.close();
      return;
    }
    const old = this.peers;
    this.peers = found;
    this.benched.clear();
    for (const c of old) c.close();
  }
}
