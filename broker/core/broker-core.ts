import { EventEmitter } from 'node:events';
import type { BodyPaging } from './body-paging';
import { reportToStderr, type FailureReport } from './contained';
import { UserStore } from '../auth/users';
import { notFound } from './errors';
import type { BrokerEvent, BrokerEventListener } from './events';
import type { FlowTap } from './flow';
import type { Durability } from './persistence';
import type { PropertiesCodec } from './properties';
import { VirtualHost } from './vhost';

export interface Limits {
  frameMax: number;
  channelMax: number;
  /** seconds; what the server proposes in connection.tune */
  heartbeat: number;
  maxMessageSize: number;
  /** ms a client has from TCP connect to connection.open-ok */
  handshakeTimeout: number;
}

export const DEFAULT_LIMITS: Limits = {
  frameMax: 131072,
  channelMax: 2047,
  heartbeat: 60,
  maxMessageSize: 134217728,
  handshakeTimeout: 10_000,
};

/** What the core knows of a client connection, for listings and force-close. */
export interface ConnectionHandle {
  readonly name: string;
  readonly user: string;
  readonly vhostName: string;
  readonly channelCount: number;
  readonly clientProperties: Record<string, unknown>;
  close(code: number, reason: string): void;
}

/**
 * The broker's model with no transport: vhosts, users, live connections and the event stream.
 * The AMQP server and the management layer both work through it.
 */
export class BrokerCore {
  readonly limits: Limits;
  readonly clusterName: string;
  /** How message properties are encoded (AMQP's, from createBroker): for whoever makes messages. */
  readonly propertiesCodec: PropertiesCodec;
  readonly vhosts = new Map<string, VirtualHost>();
  readonly users = new UserStore();
  readonly connections = new Set<ConnectionHandle>();
  /** Set when the broker has a DATA_DIR: publisher confirms of stored messages wait on it. */
  durability: Durability | undefined;
  private flowTap: FlowTap | undefined;
  private paging: BodyPaging | undefined;
  /** Where failures inside timers are told (contained.ts); createBroker sets the broker's log. */
  reportFailure: FailureReport = reportToStderr;
  private readonly events = new EventEmitter();
  private readonly emitEvent = (e: BrokerEvent) => {
    this.events.emit('event', e);
  };

  constructor(propertiesCodec: PropertiesCodec, limits: Partial<Limits> = {}, clusterName = 'warren') {
    this.propertiesCodec = propertiesCodec;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.clusterName = clusterName;
    this.events.setMaxListeners(0);
    this.users.onChange = () => this.emit({ type: 'users.changed' });
    this.addVhost('/');
    // As RabbitMQ: guest/guest with full rights on '/', allowed only from loopback.
    this.users.addUser('guest', 'guest', ['administrator']);
    this.users.setPermission('/', 'guest', { configure: '.*', write: '.*', read: '.*' });
  }

  on(listener: BrokerEventListener): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  emit(e: BrokerEvent): void {
    this.emitEvent(e);
  }

  addVhost(name: string): VirtualHost {
    let vh = this.vhosts.get(name);
    if (vh === undefined) {
      vh = new VirtualHost(name, this.emitEvent, this.propertiesCodec);
      vh.tap = this.flowTap;
      vh.bodyPaging = this.paging;
      vh.reportFailure = (what, err) => this.reportFailure(what, err);
      this.vhosts.set(name, vh);
      this.emit({ type: 'vhost.created', name });
    }
    return vh;
  }

  deleteVhost(name: string): void {
    const vh = this.vhosts.get(name);
    if (vh === undefined) throw notFound(`no vhost '${name}'`);
    for (const c of [...this.connections]) if (c.vhostName === name) c.close(320, `vhost '${name}' is deleted`);
    for (const q of [...vh.queues.values()]) vh.deleteQueue(q, false, false);
    this.vhosts.delete(name);
    this.users.clearVhost(name);
    this.emit({ type: 'vhost.deleted', name });
  }

  /** Installs (or with undefined removes) the console's message-flow tap on every vhost. */
  setFlowTap(tap: FlowTap | undefined): void {
    this.flowTap = tap;
    for (const vh of this.vhosts.values()) vh.tap = tap;
  }

  /**
   * Installs the transient pager on every vhost. Only before any message is queued: the pager counts
   * the holders of each message from its first queue on.
   */
  set bodyPaging(paging: BodyPaging | undefined) {
    this.paging = paging;
    for (const vh of this.vhosts.values()) vh.bodyPaging = paging;
  }

  get bodyPaging(): BodyPaging | undefined {
    return this.paging;
  }

  getVhost(name: string): VirtualHost | undefined {
    return this.vhosts.get(name);
  }
}
