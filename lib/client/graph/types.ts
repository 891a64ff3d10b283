// The graph's node and edge data. One node type per entity kind; ids are prefixed by kind so a
// queue and an exchange of the same name never collide.
import { Position, type Edge, type Node, type NodeHandle } from '@xyflow/react';
import type { QueuePlacement } from '../queue-placement';
import type { BindingDto, JsonObject } from '../types';

export interface ExchangeNodeData extends Record<string, unknown> {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  builtIn: boolean;
  alternate: string | null;
  arguments: JsonObject;
  dim: boolean;
}

export interface QueueNodeData extends Record<string, unknown> {
  name: string;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments: JsonObject;
  /** short labels for the arguments that matter: TTL, DLX, max length, priority */
  features: string[];
  maxLength: number | null;
  /** counts from the listing, used until stats ticks arrive */
  ready: number;
  unacked: number;
  consumers: number;
  /** its node, or leader and replicas, as the broker reported them */
  placement: QueuePlacement | null;
  dim: boolean;
}

export interface ConsumerNodeData extends Record<string, unknown> {
  tag: string;
  /** the client's connection_name, when it gave one: the node shows it instead of the tag */
  name: string | null;
  /** consumerStatsKey(): where its own counts are in stats ticks */
  statsKey: string;
  /** its channel also publishes: the producer's lines start here */
  publishes: boolean;
  queue: string;
  prefetch: number;
  ackRequired: boolean;
  channel: string;
  connection: string;
  user: string;
  exclusive: boolean;
  dim: boolean;
}

/** A channel that published lately: from stats ticks, there while it publishes. */
export interface ProducerNodeData extends Record<string, unknown> {
  /** connection_name, or the channel's name */
  label: string;
  /** the client's connection_name, when it gave one */
  name: string | null;
  channel: string;
  connection: string;
  user: string;
  /** its channel has closed: drawn greyed, with what it published, until it drops out */
  gone: boolean;
  dim: boolean;
}

/** Many queues drawn as one node (a vhost too big to draw queue by queue): those bound from the same exchanges. */
export interface QueueGroupNodeData extends Record<string, unknown> {
  /** the exchanges their bindings come from (the default exchange left out), sorted */
  sources: string[];
  /** every member's name, sorted */
  members: string[];
  /** bindings from each source exchange to the members */
  bindings: Record<string, number>;
  dim: boolean;
}

export type ExchangeNode = Node<ExchangeNodeData, 'exchange'>;
export type QueueNode = Node<QueueNodeData, 'queue'>;
export type ConsumerNode = Node<ConsumerNodeData, 'consumer'>;
export type ProducerNode = Node<ProducerNodeData, 'producer'>;
export type QueueGroupNode = Node<QueueGroupNodeData, 'queues'>;
export type GraphNode = ExchangeNode | QueueNode | ConsumerNode | ProducerNode | QueueGroupNode;

export interface BindingEdgeData extends Record<string, unknown> {
  binding: BindingDto;
  label: string;
  /** the exchange type of the source: the label reads differently per type */
  sourceType: string;
  dim: boolean;
  /** among several bindings between the same two nodes, this one's place: their labels stack
   * around the shared line (-0.5 and 0.5 for two, 0 for one alone) */
  lane?: number;
}

export interface ConsumeEdgeData extends Record<string, unknown> {
  queue: string;
  /** consumerStatsKey(): the consumer's own measured rate and window */
  statsKey: string;
  dim: boolean;
}

export interface PublishEdgeData extends Record<string, unknown> {
  /** producerStatsKey(): the producer's measured rate to this exchange (or queue) */
  statsKey: string;
  /** straight to a queue through the default exchange, which is hidden */
  viaDefault: boolean;
  /** a direct reply-to reply, into the requesting channel's reply consumer */
  reply?: boolean;
  dim: boolean;
}

export interface LinkEdgeData extends Record<string, unknown> {
  /** 'bindings': an exchange's bindings to a group of queues, drawn as one line */
  link: 'alternate' | 'dead-letter' | 'bindings';
  label: string;
  dim: boolean;
}

export type BindingEdge = Edge<BindingEdgeData, 'binding'>;
export type ConsumeEdge = Edge<ConsumeEdgeData, 'consume'>;
export type LinkEdge = Edge<LinkEdgeData, 'link'>;
export type PublishEdge = Edge<PublishEdgeData, 'publish'>;
export type GraphEdge = BindingEdge | ConsumeEdge | LinkEdge | PublishEdge;

export const exchangeId = (name: string) => `e|${name}`;
export const queueId = (name: string) => `q|${name}`;
export const consumerId = (queue: string, channel: string, tag: string) => `c|${queue}|${channel}|${tag}`;
export const producerId = (channel: string) => `p|${channel}`;
export const queueGroupId = (sources: readonly string[]) => `g|${sources.join('\u0000')}`;

/** Sizes the layout assumes; the node components are drawn at these sizes. */
export const NODE_SIZE = {
  exchange: { width: 210, height: 62 },
  queue: { width: 230, height: 92 },
  consumer: { width: 210, height: 58 },
  producer: { width: 190, height: 54 },
  queues: { width: 250, height: 96 },
} as const;

export function parseNodeId(id: string): { kind: 'exchange' | 'queue' | 'consumer' | 'producer'; name: string } {
  const kind = id.startsWith('e|') ? 'exchange' : id.startsWith('q|') ? 'queue' : id.startsWith('p|') ? 'producer' : 'consumer';
  return { kind, name: id.slice(2) };
}

/**
 * Where each node type's handles are, as the CSS puts them (centred on the left and right edges).
 * Known up front, React Flow need not render every node once just to measure its handles, so a
 * big vhost mounts only the nodes in view.
 */
function handlesFor(width: number, height: number, out: number): NodeHandle[] {
  return [
    { id: 'in', type: 'target', position: Position.Left, x: -5, y: height / 2 - 5, width: 10, height: 10 },
    { id: 'out', type: 'source', position: Position.Right, x: width - out / 2, y: height / 2 - out / 2, width: out, height: out },
  ];
}

export const NODE_HANDLES = {
  exchange: handlesFor(NODE_SIZE.exchange.width, NODE_SIZE.exchange.height, 12),
  queue: handlesFor(NODE_SIZE.queue.width, NODE_SIZE.queue.height, 10),
  consumer: handlesFor(NODE_SIZE.consumer.width, NODE_SIZE.consumer.height, 10),
  producer: handlesFor(NODE_SIZE.producer.width, NODE_SIZE.producer.height, 10).slice(1),
  queues: handlesFor(NODE_SIZE.queues.width, NODE_SIZE.queues.height, 10),
} as const;
