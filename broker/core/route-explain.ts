// Routing explained: what a publish would do, as a dry run that publishes nothing. It walks the
// exchanges exactly as VirtualHost.publish/collect/routeOne do (RabbitMQ's rabbit_exchange:route):
// each exchange routes with all the message's keys (the routing key, then CC and BCC), one whose
// bindings matched none of them adds its alternate exchange, exchange destinations expand in place
// each once, and the default exchange routes by queue name. Each binding is judged with the
// matchers routing uses: headerRule/headerPairMatches of headers-exchange.ts and routingWords of
// topic-trie.ts. It reads the topology through RouteSource, so the embedded broker (its live
// objects) and a remote cluster (its listed bindings) share it.
//
// Nothing here runs on a real publish. Costs are bounded by the topology and the keys: a topic
// pattern is aligned with a (pattern words + 1) × (key words + 1) table.
import { headerPairMatches, headerRule, isAllMode } from './headers-exchange';
import { stableStringify } from './binding';
import { routingWords } from './topic-trie';

export interface RouteBinding {
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  /** as routing compares them: a field table from the wire, or JSON from a remote broker's listing */
  arguments: Readonly<Record<string, unknown>>;
  /** the management API's name of the binding, so a console can find its edge */
  propertiesKey: string;
}

export interface RouteExchange {
  name: string;
  type: string;
  alternateExchange: string | undefined;
  bindings: Iterable<RouteBinding>;
}

/** The topology the explanation reads: one vhost. */
export interface RouteSource {
  exchange(name: string): RouteExchange | undefined;
  hasQueue(name: string): boolean;
}

/** How a topic pattern's word lined up with the key: the key words it took (`#` may take none). */
export interface TopicWordMatch {
  pattern: string;
  words: string[];
}

export interface HeaderCheck {
  name: string;
  /** the binding's value as text; undefined: any value will do (a void argument) */
  expected: string | undefined;
  /** the message's value as text; undefined: the message has no such header */
  actual: string | undefined;
  ok: boolean;
}

export interface BindingVerdict {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  propertiesKey: string;
  matched: boolean;
  /** why, in a sentence */
  reason: string;
  /** topic: the alignment when matched, else as far as it went */
  topic?: TopicWordMatch[];
  /** headers: each argument that takes part, evaluated */
  headers?: { mode: string; checks: HeaderCheck[]; ignored: string[] };
}

export type VisitVia = 'publish' | 'cc' | 'bcc' | 'exchange-binding' | 'alternate-exchange';

/** One exchange routing the message with one key. */
export interface ExchangeVisit {
  exchange: string;
  type: string;
  routingKey: string;
  via: VisitVia;
  /** the exchange whose binding (or alternate-exchange argument) led here */
  from?: string;
  /** 0 for the exchange published to; one more per exchange-to-exchange hop or alternate exchange */
  depth: number;
  bindings: BindingVerdict[];
  /** exchanges a matching binding led to that were not routed again: each is visited once per key */
  alreadyVisited: string[];
}

export interface AlternateExchangeStep {
  from: string;
  to: string;
  routingKey: string;
  /** used: none of the exchange's bindings matched, so it routed; not-needed: one matched; missing: no such exchange; already-visited: on the path already */
  outcome: 'used' | 'not-needed' | 'missing' | 'already-visited';
}

export interface RouteExplanation {
  vhost: string;
  exchange: string;
  routingKey: string;
  /** sender-selected distribution: more keys from the CC and BCC headers (BCC is removed before routing) */
  cc: string[];
  bcc: string[];
  visits: ExchangeVisit[];
  alternateExchanges: AlternateExchangeStep[];
  /** every queue the message would be enqueued on, once each */
  queues: string[];
  mandatory: boolean;
  /** routed; returned: basic.return 312 NO_ROUTE to a mandatory publisher; dropped: unroutable, silently */
  outcome: 'routed' | 'returned' | 'dropped';
  /** broker: by the broker's own routing code; client: by Warren, from a remote broker's listed bindings */
  computedBy: 'broker' | 'client';
}

export interface ExplainRequest {
  vhost: string;
  exchange: string;
  routingKey: string;
  headers: Readonly<Record<string, unknown>> | undefined;
  mandatory: boolean;
  computedBy: 'broker' | 'client';
}

/** Bindings listed per visited exchange at most: the verdicts of a huge fanout are not all useful. */
export const MAX_VERDICTS_PER_EXCHANGE = 2_000;

function routingKeysOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  return [];
}

const queueId = (name: string) => `q\u0000${name}`;
const exchangeId = (name: string) => `e\u0000${name}`;

/** Explains a publish to `req.exchange`, which the caller found in `src` (a missing one is the caller's 404). */
export function explainRoute(src: RouteSource, req: ExplainRequest): RouteExplanation {
  const start = src.exchange(req.exchange);
  if (start === undefined) throw new Error(`no exchange '${req.exchange}'`);
  // as prepareForRouting: CC and BCC add keys; BCC leaves the headers before routing
  let headers = req.headers;
  let cc: string[] = [];
  let bcc: string[] = [];
  if (headers !== undefined && (headers.CC !== undefined || headers.BCC !== undefined)) {
    cc = routingKeysOf(headers.CC);
    bcc = routingKeysOf(headers.BCC);
    if (headers.BCC !== undefined) {
      const { BCC: _bcc, ...rest } = headers;
      headers = rest;
    }
  }
  const keys: { key: string; via: VisitVia }[] = [
    { key: req.routingKey, via: 'publish' },
    ...cc.map((key) => ({ key, via: 'cc' as const })),
    ...bcc.map((key) => ({ key, via: 'bcc' as const })),
  ];
  const walk = new Walk(src, headers, keys);
  walk.collect(start);
  const queues: string[] = [];
  for (const id of walk.out) if (id.startsWith('q\u0000')) queues.push(id.slice(2));
  return {
    vhost: req.vhost,
    exchange: req.exchange,
    routingKey: req.routingKey,
    cc,
    bcc,
    visits: walk.visits,
    alternateExchanges: walk.alternates,
    queues,
    mandatory: req.mandatory,
    outcome: queues.length > 0 ? 'routed' : req.mandatory ? 'returned' : 'dropped',
    computedBy: req.computedBy,
  };
}

class Walk {
  /** destinations in the order routing adds them, as VirtualHost's scratch Set */
  readonly out = new Set<string>();
  readonly visits: ExchangeVisit[] = [];
  readonly alternates: AlternateExchangeStep[] = [];
  private readonly src: RouteSource;
  private readonly headers: Readonly<Record<string, unknown>> | undefined;
  private readonly keys: { key: string; via: VisitVia }[];
  /** how each exchange was reached: by whose binding or alternate-exchange argument, and how deep */
  private readonly reachedBy = new Map<string, { from: string; via: VisitVia; depth: number }>();
  /** the exchange published to: routed already, whatever leads back to it */
  private start = '';

  constructor(src: RouteSource, headers: Readonly<Record<string, unknown>> | undefined, keys: { key: string; via: VisitVia }[]) {
    this.src = src;
    this.headers = headers;
    this.keys = keys;
  }

  /** VirtualHost.collect, with every step written down. */
  collect(ex: RouteExchange): void {
    const out = this.out;
    this.start = ex.name;
    if (ex.name === '') {
      this.defaultExchange('', 'publish', undefined, 0);
      return;
    }
    const before = out.size;
    this.routeOne(ex, 'publish', undefined, 0);
    if (out.size === before) return;
    let seen: Set<string> | undefined;
    for (const id of out) {
      if (!id.startsWith('e\u0000')) continue;
      const name = id.slice(2);
      seen ??= new Set([ex.name]);
      const how = this.reachedBy.get(name);
      if (seen.has(name)) {
        if (how !== undefined) this.visitOf(how.from)?.alreadyVisited.push(name);
        continue;
      }
      seen.add(name);
      const d = this.src.exchange(name);
      if (d === undefined) continue;
      this.routeOne(d, how?.via ?? 'exchange-binding', how?.from, how?.depth ?? 1);
    }
  }

  /** The default exchange (published to, or an alternate): the queue named by each key. */
  private defaultExchange(from: string, via: VisitVia, reachedFrom: string | undefined, depth: number): void {
    for (const { key, via: keyVia } of this.keys) {
      const exists = this.src.hasQueue(key);
      if (exists) this.out.add(queueId(key));
      const verdict: BindingVerdict = {
        source: from, destination: key, destinationType: 'queue', routingKey: key, propertiesKey: key, matched: exists,
        reason: exists ? `the default exchange routes to the queue named by the key, '${key}'` : `the default exchange routes by queue name, and there is no queue '${key}'`,
      };
      this.visits.push({ exchange: '', type: 'direct', routingKey: key, via: keyVia === 'publish' ? via : keyVia, from: reachedFrom, depth, bindings: [verdict], alreadyVisited: [] });
    }
  }

  private visitOf(exchange: string): ExchangeVisit | undefined {
    for (let i = this.visits.length - 1; i >= 0; i--) if (this.visits[i].exchange === exchange) return this.visits[i];
    return undefined;
  }

  /** VirtualHost.routeOne: the exchange's bindings judged with every key; its alternate exchange when none matched. */
  private routeOne(ex: RouteExchange, via: VisitVia, from: string | undefined, depth: number): void {
    let matched = 0;
    for (const { key, via: keyVia } of this.keys) {
      const visit: ExchangeVisit = { exchange: ex.name, type: ex.type, routingKey: key, via: keyVia === 'publish' ? via : keyVia, from, depth, bindings: [], alreadyVisited: [] };
      this.visits.push(visit);
      const keyWords = ex.type === 'topic' ? routingWords(key) : [];
      for (const b of ex.bindings) {
        const verdict = judge(ex, b, key, keyWords, this.headers);
        if (verdict.matched) {
          matched++;
          if (b.destinationType === 'queue') this.out.add(queueId(b.destination));
          else {
            if (!this.reachedBy.has(b.destination)) this.reachedBy.set(b.destination, { from: ex.name, via: 'exchange-binding', depth: depth + 1 });
            this.out.add(exchangeId(b.destination));
          }
        }
        if (visit.bindings.length < MAX_VERDICTS_PER_EXCHANGE) visit.bindings.push(verdict);
      }
    }
    const ae = ex.alternateExchange;
    if (ae === undefined) return;
    const key = this.keys[0].key;
    if (matched > 0) {
      this.alternates.push({ from: ex.name, to: ae, routingKey: key, outcome: 'not-needed' });
      return;
    }
    const alt = this.src.exchange(ae);
    if (alt === undefined) {
      this.alternates.push({ from: ex.name, to: ae, routingKey: key, outcome: 'missing' });
      return;
    }
    if (alt.name === '') {
      this.alternates.push({ from: ex.name, to: ae, routingKey: key, outcome: 'used' });
      this.defaultExchange('', 'alternate-exchange', ex.name, depth + 1);
      return;
    }
    const id = exchangeId(alt.name);
    if (this.out.has(id) || alt.name === ex.name || alt.name === this.start) {
      // on the path already: routed once only
      this.alternates.push({ from: ex.name, to: ae, routingKey: key, outcome: 'already-visited' });
      this.out.add(id);
      return;
    }
    this.alternates.push({ from: ex.name, to: ae, routingKey: key, outcome: 'used' });
    this.reachedBy.set(alt.name, { from: ex.name, via: 'alternate-exchange', depth: depth + 1 });
    this.out.add(id);
  }
}

function judge(ex: RouteExchange, b: RouteBinding, key: string, keyWords: string[], headers: Readonly<Record<string, unknown>> | undefined): BindingVerdict {
  const base = { source: ex.name, destination: b.destination, destinationType: b.destinationType, routingKey: b.routingKey, propertiesKey: b.propertiesKey };
  switch (ex.type) {
    case 'fanout':
      return { ...base, matched: true, reason: 'a fanout exchange routes to every binding, whatever the key' };
    case 'direct': {
      const matched = b.routingKey === key;
      return { ...base, matched, reason: matched ? `the key equals the binding key '${b.routingKey}'` : `the key '${key}' is not the binding key '${b.routingKey}'` };
    }
    case 'topic':
      return { ...base, ...explainTopic(b.routingKey, keyWords) };
    case 'headers':
      return { ...base, ...explainHeaders(b.arguments, headers) };
    default:
      return { ...base, matched: false, reason: `exchange type '${ex.type}' is not one Warren can explain` };
  }
}

const wordList = (ws: string[]) => (ws.length === 0 ? 'no words' : ws.map((w) => `'${w}'`).join(' '));

/**
 * A topic pattern against the key's words, word by word: `*` takes one word, `#` any number. A
 * table of which pattern prefixes can take which key prefixes gives the answer and, walked back,
 * the words each pattern word took; on a miss, the furthest pattern word that could still line up.
 */
export function explainTopic(pattern: string, keyWords: string[]): { matched: boolean; reason: string; topic: TopicWordMatch[] } {
  const p = routingWords(pattern);
  const n = p.length;
  const m = keyWords.length;
  // reach[i][j]: pattern words [0, i) can take key words [0, j)
  const reach: Uint8Array[] = [];
  for (let i = 0; i <= n; i++) reach.push(new Uint8Array(m + 1));
  reach[0][0] = 1;
  for (let i = 1; i <= n; i++) {
    const w = p[i - 1];
    const row = reach[i];
    const prev = reach[i - 1];
    for (let j = 0; j <= m; j++) {
      if (w === '#') row[j] = prev[j] === 1 || (j > 0 && row[j - 1] === 1) ? 1 : 0;
      else if (j > 0 && prev[j - 1] === 1 && (w === '*' || w === keyWords[j - 1])) row[j] = 1;
    }
  }
  if (reach[n][m] === 1) {
    const steps: TopicWordMatch[] = new Array(n);
    let j = m;
    for (let i = n; i >= 1; i--) {
      const w = p[i - 1];
      if (w !== '#') {
        steps[i - 1] = { pattern: w, words: [keyWords[j - 1]] };
        j--;
        continue;
      }
      // `#` takes as few words as the rest allows, walking back from j
      let k = j;
      while (reach[i - 1][k] !== 1) k--;
      steps[i - 1] = { pattern: w, words: keyWords.slice(k, j) };
      j = k;
    }
    const text = steps.map((s) => `'${s.pattern}' = ${wordList(s.words)}`).join(', ');
    return { matched: true, reason: n === 0 ? 'the empty pattern matches the empty key' : `pattern '${pattern}' matches: ${text}`, topic: steps };
  }
  // the longest pattern prefix that can take some key prefix, and where it stopped
  let best = 0;
  let bestJ = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = m; j >= 0; j--) {
      if (reach[i][j] === 1) {
        best = i;
        bestJ = j;
        break;
      }
    }
  }
  const partial: TopicWordMatch[] = [];
  let reason: string;
  if (best === n) {
    const extra = keyWords.slice(bestJ);
    reason = `pattern '${pattern}' ends before the key does: ${wordList(extra)} left over`;
  } else {
    const w = p[best];
    const kw = keyWords[bestJ];
    reason = kw === undefined
      ? `pattern word ${best + 1} '${w}' has no key word left to take`
      : `pattern word ${best + 1} '${w}' does not match key word ${bestJ + 1} '${kw}'`;
    partial.push({ pattern: w, words: [] });
  }
  return { matched: false, reason, topic: partial };
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return stableStringify(v);
}

/** A headers binding against the message's headers, argument by argument, as HeadersExchange.route decides. */
export function explainHeaders(args: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, unknown>> | undefined): Pick<BindingVerdict, 'matched' | 'reason' | 'headers'> {
  const rule = headerRule(args);
  const all = isAllMode(rule.mode);
  const checks: HeaderCheck[] = rule.pairs.map(([name, expected]) => {
    const has = headers !== undefined && Object.prototype.hasOwnProperty.call(headers, name);
    return {
      name,
      expected: expected === undefined ? undefined : valueText(args[name]),
      actual: has ? valueText(headers[name]) : undefined,
      ok: headerPairMatches(headers, name, expected),
    };
  });
  const okCount = checks.filter((c) => c.ok).length;
  const matched = checks.length === 0 ? all : all ? okCount === checks.length : okCount > 0;
  let reason: string;
  if (checks.length === 0) reason = all ? `x-match ${rule.mode} with no arguments to check: matches every message` : `x-match ${rule.mode} with no arguments to check: matches no message`;
  else if (all) reason = matched ? `x-match ${rule.mode}: all ${checks.length} arguments match` : `x-match ${rule.mode}: ${checks.length - okCount} of ${checks.length} arguments do not match (${checks.filter((c) => !c.ok).map((c) => c.name).join(', ')})`;
  else reason = matched ? `x-match ${rule.mode}: ${checks.filter((c) => c.ok).map((c) => c.name).join(', ')} matched` : `x-match ${rule.mode}: none of ${checks.length} arguments matches`;
  return { matched, reason, headers: { mode: rule.mode, checks, ignored: rule.ignored } };
}
