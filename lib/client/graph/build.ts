// Topology → graph: which nodes and edges to draw, with their data. Positions come later
// (layout.ts); this is pure and cheap, so it runs on every topology change.
import { consumerStatsKey, producerStatsKey } from '../../live/protocol';
import type { BindingDto, ConsumerDto, ExchangeDto, JsonObject, JsonValue, ProducerDto, QueueDto, Topology } from '../types';
import { queuePlacement } from '../queue-placement';
import {
  consumerId,
  producerId,
  exchangeId,
  queueId,
  type BindingEdge,
  type ConsumeEdge,
  type ConsumerNode,
  type ExchangeNode,
  type GraphEdge,
  type GraphNode,
  type LinkEdge,
  type LinkEdgeData,
  type ProducerNode,
  type PublishEdge,
  type QueueNode,
} from './types';

/** A node before layout gives it a position. */
export type NodeSpec<T extends GraphNode = GraphNode> = T extends unknown ? Omit<T, 'position'> : never;

export interface BuildOptions {
  showBuiltins: boolean;
  /** case-insensitive substring of a name; matches and their neighbours are shown */
  filter: string;
}

export interface BuiltGraph {
  nodes: NodeSpec[];
  edges: GraphEdge[];
  /** node ids matching the filter (all when there is none) */
  matches: string[];
}

export const isBuiltInExchange = (name: string): boolean => name === '' || name.startsWith('amq.');
export const exchangeLabel = (name: string): string => (name === '' ? '(AMQP default)' : name);

const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${+(ms / 3_600_000).toFixed(1)} h`;
}

/** Policy keys that act like a queue argument of the same name with `x-`. */
const POLICY_ARGS = ['message-ttl', 'expires', 'max-length', 'max-length-bytes', 'dead-letter-exchange', 'dead-letter-routing-key', 'overflow'];

/**
 * What the queue runs with: its arguments and its policy combined, roughly as the broker does it
 * (the smaller limit wins, otherwise the argument), for the features shown and the dead-letter link.
 */
export function effectiveArguments(q: QueueDto): JsonObject {
  const policy = q.effective_policy_definition;
  if (!policy) return q.arguments;
  const out: JsonObject = { ...q.arguments };
  for (const key of POLICY_ARGS) {
    const value = policy[key];
    if (value === undefined) continue;
    const arg = `x-${key}`;
    const mine = out[arg];
    if (mine === undefined) out[arg] = value;
    else if (typeof mine === 'number' && typeof value === 'number') out[arg] = Math.min(mine, value);
  }
  return out;
}

/** Short labels for a queue's features, with its policy's name when one applies. */
export function queueFeaturesOf(q: QueueDto): string[] {
  const out = queueFeatures(effectiveArguments(q));
  if (q.policy) out.push(`policy ${q.policy}`);
  return out;
}

export function queueFeatures(args: JsonObject): string[] {
  const out: string[] = [];
  const ttl = num(args['x-message-ttl']);
  if (ttl !== null) out.push(`TTL ${formatDuration(ttl)}`);
  const expires = num(args['x-expires']);
  if (expires !== null) out.push(`expires ${formatDuration(expires)}`);
  const max = num(args['x-max-length']);
  if (max !== null) out.push(`max ${max.toLocaleString('en-US')}`);
  const maxBytes = num(args['x-max-length-bytes']);
  if (maxBytes !== null) out.push(`max ${maxBytes.toLocaleString('en-US')} B`);
  const prio = num(args['x-max-priority']);
  if (prio !== null) out.push(`priority ≤${prio}`);
  if (text(args['x-dead-letter-exchange']) !== null) out.push('DLX');
  if (args['x-single-active-consumer'] === true) out.push('single active');
  if (text(args['x-overflow']) !== null) out.push(String(args['x-overflow']));
  return out;
}

/** A dashed link that is not a binding: alternate exchange or dead-letter exchange. */
function linkEdge(id: string, source: string, target: string, link: LinkEdgeData['link'], label: string, ariaLabel: string): LinkEdge {
  return { id, type: 'link', source, target, sourceHandle: 'out', targetHandle: 'in', selectable: false, ariaLabel, data: { link, label, dim: false } };
}

/** What a screen reader says for a binding's line: names and key, never React Flow's node ids. */
export function bindingAriaLabel(b: BindingDto, sourceType: string): string {
  const to = b.destination_type === 'queue' ? b.destination : `exchange ${b.destination}`;
  const base = `binding from ${exchangeLabel(b.source)} to ${to}`;
  if (sourceType === 'fanout') return base;
  if (sourceType === 'headers') return `${base}, headers ${bindingLabel(b, sourceType)}`;
  return `${base}, key ${b.routing_key === '' ? '(empty)' : b.routing_key}`;
}

/** How a binding reads on its edge: the routing key, or the header arguments with x-match. */
export function bindingLabel(b: BindingDto, sourceType: string): string {
  if (sourceType === 'fanout') return '';
  if (sourceType === 'headers') {
    const entries = Object.entries(b.arguments);
    if (entries.length === 0) return 'x-match=all';
    const match = entries.find(([k]) => k === 'x-match');
    const rest = entries.filter(([k]) => k !== 'x-match').map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return [`${match ? String(match[1]) : 'all'}:`, ...rest].join(' ');
  }
  return b.routing_key === '' ? '""' : b.routing_key;
}

const bindingEdgeId = (b: BindingDto) => `b|${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`;

/** Specs already made from these very listing items: the live stream replaces an item only when it
 * changes, so on each update of a big vhost only what changed is built again, and the store sees
 * the same data object (no deep comparison) for everything else. Never mutated once made. */
const exchangeSpecs = new WeakMap<ExchangeDto, NodeSpec<ExchangeNode>>();
const queueSpecs = new WeakMap<QueueDto, NodeSpec<QueueNode>>();
const consumerSpecs = new WeakMap<ConsumerDto, NodeSpec<ConsumerNode>>();
const bindingEdges = new WeakMap<BindingDto, BindingEdge>();

function cached<K extends object, V>(map: WeakMap<K, V>, key: K, make: (k: K) => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make(key)));
  return v;
}

export function exchangeNode(e: ExchangeDto): NodeSpec<ExchangeNode> {
  return {
    id: exchangeId(e.name),
    type: 'exchange',
    ariaLabel: `Exchange ${exchangeLabel(e.name)}, ${e.type}`,
    data: {
      name: e.name,
      type: e.type,
      durable: e.durable,
      autoDelete: e.auto_delete,
      internal: e.internal,
      builtIn: isBuiltInExchange(e.name),
      alternate: text(e.arguments['alternate-exchange']),
      arguments: e.arguments,
      dim: false,
    },
  };
}

function queueNode(q: QueueDto): NodeSpec<QueueNode> {
  return {
    id: queueId(q.name),
    type: 'queue',
    ariaLabel: `Queue ${q.name}`,
    data: {
      name: q.name,
      durable: q.durable,
      autoDelete: q.auto_delete,
      exclusive: q.exclusive,
      arguments: q.arguments,
      features: queueFeaturesOf(q),
      maxLength: num(effectiveArguments(q)['x-max-length']),
      ready: q.messages_ready ?? 0,
      unacked: q.messages_unacknowledged ?? 0,
      consumers: q.consumers ?? 0,
      placement: queuePlacement(q),
      dim: false,
    },
  };
}

function consumerNode(c: ConsumerDto): NodeSpec<ConsumerNode> {
  return {
    id: consumerId(c.queue.name, c.channel_details.name, c.consumer_tag),
    type: 'consumer',
    ariaLabel: `Consumer ${c.channel_details.user_provided_name ? `${c.channel_details.user_provided_name} ` : ''}${c.consumer_tag} on ${c.queue.name}`,
    data: {
      tag: c.consumer_tag,
      name: c.channel_details.user_provided_name || null,
      statsKey: consumerStatsKey({ queue: c.queue.name, channel: c.channel_details.name, consumer_tag: c.consumer_tag }),
      publishes: false,
      queue: c.queue.name,
      prefetch: c.prefetch_count,
      ackRequired: c.ack_required,
      channel: c.channel_details.name,
      connection: c.channel_details.connection_name,
      user: c.channel_details.user ?? '',
      exclusive: c.exclusive,
      dim: false,
    },
  };
}

function producerNode(p: ProducerDto): NodeSpec<ProducerNode> {
  return {
    id: producerId(p.channel),
    type: 'producer',
    ariaLabel: `Producer ${p.connection_name || p.channel}`,
    data: { label: p.connection_name || p.channel, name: p.connection_name || null, channel: p.channel, connection: p.connection, user: p.user, gone: p.gone === true, dim: false },
  };
}

/** RabbitMQ's direct reply-to pseudo queue: replies go straight to a consumer on the requesting channel. */
export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to';

/** The reply consumer a direct reply-to reply reaches: not in any listing (RabbitMQ lists none), so
 * drawn from the stats tick, named after the requesting client when it publishes too. */
function replyConsumerNode(reply: { channel: string; consumer_tag: string }, producers: readonly ProducerDto[]): NodeSpec<ConsumerNode> {
  const requester = producers.find((p) => p.channel === reply.channel && p.reply_to === undefined);
  const name = requester?.connection_name || null;
  return {
    id: consumerId(REPLY_TO_QUEUE, reply.channel, reply.consumer_tag),
    type: 'consumer',
    ariaLabel: `Consumer ${name !== null ? `${name} ` : ''}${reply.consumer_tag} on ${REPLY_TO_QUEUE}`,
    data: {
      tag: reply.consumer_tag,
      name,
      statsKey: consumerStatsKey({ queue: REPLY_TO_QUEUE, channel: reply.channel, consumer_tag: reply.consumer_tag }),
      publishes: false,
      queue: REPLY_TO_QUEUE,
      prefetch: 0,
      ackRequired: false,
      channel: reply.channel,
      connection: requester?.connection ?? '',
      user: requester?.user ?? '',
      exclusive: false,
      dim: false,
    },
  };
}

/**
 * A producer's edges: to each exchange it published to; through the default exchange to the queue
 * it named when that exchange is hidden (the first tutorial's producer → queue → consumer).
 */
function producerEdges(producers: readonly ProducerDto[], nodes: Map<string, NodeSpec>, edges: GraphEdge[]): void {
  // a channel that consumes one queue and publishes (an RPC server replying, a pipeline stage)
  // publishes from its consumer node: the lane in and the lane out meet there — unless that closes
  // a loop (the RPC client publishes requests from the channel its replies come to: it is drawn as
  // a producer of its own, on the left)
  const consumerOf = new Map<string, string | null>();
  for (const n of nodes.values()) {
    if (n.type !== 'consumer') continue;
    consumerOf.set(n.data.channel, consumerOf.has(n.data.channel) ? null : n.id);
  }
  const targetOf = (p: ProducerDto) => (p.exchange === '' && !nodes.has(exchangeId('')) ? queueId(p.routing_key ?? '') : exchangeId(p.exchange));
  // replies first: into server-named or exclusive queues
  const replyLike = (p: ProducerDto) => {
    const n = nodes.get(targetOf(p));
    return n?.type === 'queue' && (n.data.exclusive || n.data.name.startsWith('amq.gen-')) ? 0 : 1;
  };
  const ordered = consumerOf.size === 0 ? producers : [...producers].sort((a, b) => replyLike(a) - replyLike(b));
  const out = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = out.get(from);
    if (list) list.push(to);
    else out.set(from, [to]);
  };
  if (consumerOf.size > 0) for (const e of edges) link(e.source, e.target);
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === to) return true;
      for (const y of out.get(x) ?? []) if (!seen.has(y)) (seen.add(y), stack.push(y));
    }
    return false;
  };
  for (const p of ordered) {
    const reply = p.reply_to;
    const viaDefault = reply === undefined && p.exchange === '' && !nodes.has(exchangeId(''));
    const target = reply !== undefined ? consumerId(REPLY_TO_QUEUE, reply.channel, reply.consumer_tag) : targetOf(p);
    if (reply !== undefined && !nodes.has(target)) nodes.set(target, replyConsumerNode(reply, producers));
    if (!nodes.has(target)) continue;
    const mine = consumerOf.get(p.channel);
    const consumer = mine && !reaches(target, mine) ? mine : undefined;
    const source = consumer ?? producerId(p.channel);
    if (consumerOf.size > 0) link(source, target);
    if (consumer) {
      const n = nodes.get(consumer);
      if (n?.type === 'consumer' && !n.data.publishes) nodes.set(consumer, { ...n, data: { ...n.data, publishes: true } });
    } else if (!nodes.has(source)) nodes.set(source, producerNode(p));
    const id = `w|${source}|${target}`;
    const statsKey = producerStatsKey(p);
    // with the default exchange shown, one line to it carries every queue's publishes
    if (edges.some((e) => e.id === id)) continue;
    const to = reply !== undefined ? `reply consumer ${reply.consumer_tag}` : viaDefault ? `queue ${p.routing_key ?? ''}` : `exchange ${exchangeLabel(p.exchange)}`;
    const ariaLabel = `${reply !== undefined ? 'replying' : 'publishing'} from ${p.connection_name || p.channel} to ${to}`;
    const data = { statsKey, viaDefault, ...(reply !== undefined ? { reply: true } : {}), dim: false };
    const edge: PublishEdge = { id, type: 'publish', source, target, sourceHandle: 'out', targetHandle: 'in', selectable: false, ariaLabel, data };
    edges.push(edge);
  }
}

export function buildGraph(t: Topology, opts: BuildOptions): BuiltGraph {
  const nodes = new Map<string, NodeSpec>();
  const edges: GraphEdge[] = [];
  const exchangeType = new Map<string, string>();

  for (const e of t.exchanges) {
    exchangeType.set(e.name, e.type);
    if (!opts.showBuiltins && isBuiltInExchange(e.name)) continue;
    nodes.set(exchangeId(e.name), cached(exchangeSpecs, e, exchangeNode));
  }
  for (const q of t.queues) nodes.set(queueId(q.name), cached(queueSpecs, q, queueNode));
  for (const c of t.consumers) {
    if (!nodes.has(queueId(c.queue.name))) continue;
    nodes.set(consumerId(c.queue.name, c.channel_details.name, c.consumer_tag), cached(consumerSpecs, c, consumerNode));
  }

  const bindings = t.bindings.filter((b) => b.source !== '');
  if (opts.showBuiltins && nodes.has(exchangeId(''))) {
    // the default exchange binds every queue by its name
    for (const q of t.queues) {
      bindings.push({ source: '', vhost: t.vhost, destination: q.name, destination_type: 'queue', routing_key: q.name, arguments: {}, properties_key: q.name });
    }
  }
  // bindings between the same two nodes share one line; their labels need places of their own
  const parallel = new Map<string, number>();
  for (const b of bindings) {
    const pair = `${b.source}\u0000${b.destination_type}\u0000${b.destination}`;
    parallel.set(pair, (parallel.get(pair) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  for (const b of bindings) {
    const pair = `${b.source}\u0000${b.destination_type}\u0000${b.destination}`;
    const index = seen.get(pair) ?? 0;
    seen.set(pair, index + 1);
    const lane = index - ((parallel.get(pair) ?? 1) - 1) / 2;
    const source = exchangeId(b.source);
    const target = b.destination_type === 'queue' ? queueId(b.destination) : exchangeId(b.destination);
    if (!nodes.has(source) || !nodes.has(target)) continue;
    const sourceType = exchangeType.get(b.source) ?? 'direct';
    const known = bindingEdges.get(b);
    if (known !== undefined && known.data?.sourceType === sourceType && (known.data.lane ?? 0) === lane) {
      edges.push(known);
      continue;
    }
    const edge: BindingEdge = {
      id: bindingEdgeId(b),
      type: 'binding',
      source,
      target,
      sourceHandle: 'out',
      targetHandle: 'in',
      ariaLabel: bindingAriaLabel(b, sourceType),
      data: { binding: b, label: bindingLabel(b, sourceType), sourceType, dim: false, ...(lane !== 0 ? { lane } : {}) },
    };
    bindingEdges.set(b, edge);
    edges.push(edge);
  }
  for (const c of t.consumers) {
    const source = queueId(c.queue.name);
    const target = consumerId(c.queue.name, c.channel_details.name, c.consumer_tag);
    if (!nodes.has(source) || !nodes.has(target)) continue;
    const edge: ConsumeEdge = {
      id: `k|${target}`,
      type: 'consume',
      source,
      target,
      sourceHandle: 'out',
      targetHandle: 'in',
      selectable: false,
      ariaLabel: `delivery from ${c.queue.name} to consumer ${c.consumer_tag}`,
      data: { queue: c.queue.name, statsKey: consumerStatsKey({ queue: c.queue.name, channel: c.channel_details.name, consumer_tag: c.consumer_tag }), dim: false },
    };
    edges.push(edge);
  }
  for (const e of t.exchanges) {
    const ae = text(e.arguments['alternate-exchange']);
    if (ae === null) continue;
    const source = exchangeId(e.name);
    const target = exchangeId(ae);
    if (!nodes.has(source) || !nodes.has(target)) continue;
    edges.push(linkEdge(`a|${e.name}`, source, target, 'alternate', 'alternate', `alternate exchange of ${e.name}: ${ae}`));
  }
  for (const q of t.queues) {
    const args = effectiveArguments(q);
    const dlx = text(args['x-dead-letter-exchange']);
    if (dlx === null) continue;
    const source = queueId(q.name);
    const target = exchangeId(dlx);
    if (!nodes.has(source) || !nodes.has(target)) continue;
    const key = text(args['x-dead-letter-routing-key']);
    edges.push(
      linkEdge(`d|${q.name}`, source, target, 'dead-letter', key === null ? 'dead letters' : `dead letters → ${key}`, `dead letters from ${q.name} to exchange ${exchangeLabel(dlx)}${key === null ? '' : `, key ${key}`}`),
    );
  }

  producerEdges(t.producers ?? [], nodes, edges);

  return applyFilter([...nodes.values()], edges, opts.filter);
}

function nodeName(n: NodeSpec): string {
  if (n.type === 'consumer') return n.data.name === null ? n.data.tag : `${n.data.name} ${n.data.tag}`;
  if (n.type === 'producer') return n.data.label;
  if (n.type === 'queues') return '';
  return n.data.name;
}

/** Keeps the nodes whose name matches and their neighbours (dimmed); everything when no filter. */
function applyFilter(nodes: NodeSpec[], edges: GraphEdge[], filter: string): BuiltGraph {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return { nodes, edges, matches: [] };
  const matches = new Set(nodes.filter((n) => nodeName(n).toLowerCase().includes(needle)).map((n) => n.id));
  const keep = new Set(matches);
  for (const e of edges) {
    if (matches.has(e.source)) keep.add(e.target);
    if (matches.has(e.target)) keep.add(e.source);
  }
  const keptNodes = nodes
    .filter((n) => keep.has(n.id))
    .map((n) => (matches.has(n.id) ? n : ({ ...n, data: { ...n.data, dim: true } } as NodeSpec)));
  const keptEdges = edges
    .filter((e) => keep.has(e.source) && keep.has(e.target))
    .map((e) =>
      matches.has(e.source) || matches.has(e.target) ? e : ({ ...e, data: e.data ? { ...e.data, dim: true } : e.data } as GraphEdge),
    );
  return { nodes: keptNodes, edges: keptEdges, matches: [...matches] };
}
