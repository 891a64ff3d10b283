// Routing explained, against the vhost's real routing: every case is explained (a dry run that
// must leave the queues empty) and then really published, and the explanation must name exactly
// the queues that got the message.
import { beforeEach, describe, expect, it } from 'vitest';
import { AMQP_PROPERTIES } from '../amqp/properties-codec';
import { vhostRouteSource } from '../embedded/route-explanation';
import type { FieldTable } from './field-values';
import { Message } from './message';
import { prepareForRouting } from './publishing';
import { explainRoute, explainTopic, type RouteExplanation } from './route-explain';
import { routingWords } from './topic-trie';
import { Routed, VirtualHost } from './vhost';

let vh: VirtualHost;

const opts = (args: FieldTable = {}) => ({ durable: false, autoDelete: false, internal: false, arguments: args });
const queue = (name: string) => vh.declareQueue(name, { durable: false, exclusiveOwner: null, autoDelete: false, arguments: {} }).queue;
const exchange = (name: string, type: string, args: FieldTable = {}) => vh.declareExchange(name, type, opts(args)).exchange;
const bindQ = (source: string, q: string, key: string, args: FieldTable = {}) => vh.bind(vh.getExchange(source), vh.getQueue(q), key, args);
const bindE = (source: string, dest: string, key: string, args: FieldTable = {}) => vh.bind(vh.getExchange(source), vh.getExchange(dest), key, args);

function depths(): Map<string, number> {
  return new Map([...vh.queues.values()].map((q) => [q.name, q.messageCount]));
}

/** Explains, checks that explaining changed nothing, publishes for real and compares. */
function explainAndPublish(ex: string, key: string, headers?: FieldTable, mandatory = false): RouteExplanation {
  const before = depths();
  const e = explainRoute(vhostRouteSource(vh), { vhost: 'v', exchange: ex, routingKey: key, headers, mandatory, computedBy: 'broker' });
  expect(depths()).toEqual(before);
  const props = headers === undefined ? {} : { headers };
  const msg = new Message(ex, key, AMQP_PROPERTIES.encode(props), Buffer.from('x'), props);
  // as the AMQP channel does: CC/BCC become extra keys, BCC leaves the headers
  const ready = prepareForRouting(msg, 'guest', AMQP_PROPERTIES);
  const routed = vh.publish(vh.getExchange(ex), ready.msg, ready.extraKeys);
  const reached = [...vh.queues.values()].filter((q) => q.messageCount > (before.get(q.name) ?? 0)).map((q) => q.name).sort();
  expect([...e.queues].sort()).toEqual(reached);
  expect(e.outcome === 'routed').toBe(routed !== Routed.Unroutable);
  for (const q of vh.queues.values()) q.purge();
  return e;
}

const verdict = (e: RouteExplanation, source: string, dest: string) => e.visits.flatMap((v) => v.bindings).find((b) => b.source === source && b.destination === dest);

beforeEach(() => {
  vh = new VirtualHost('v', () => {}, AMQP_PROPERTIES);
  for (const q of ['q1', 'q2', 'q3', 'lost']) queue(q);
});

describe('each exchange type', () => {
  it('direct: the key equals the binding key or not', () => {
    exchange('d', 'direct');
    bindQ('d', 'q1', 'red');
    bindQ('d', 'q2', 'green');
    const e = explainAndPublish('d', 'red');
    expect(e.queues).toEqual(['q1']);
    expect(verdict(e, 'd', 'q1')).toMatchObject({ matched: true, reason: "the key equals the binding key 'red'" });
    expect(verdict(e, 'd', 'q2')).toMatchObject({ matched: false, reason: "the key 'red' is not the binding key 'green'" });
  });

  it('fanout: every binding, whatever the key', () => {
    exchange('f', 'fanout');
    bindQ('f', 'q1', 'ignored');
    bindQ('f', 'q2', '');
    const e = explainAndPublish('f', 'anything');
    expect(e.queues.sort()).toEqual(['q1', 'q2']);
    expect(e.visits[0].bindings.every((b) => b.matched)).toBe(true);
  });

  it('topic: pattern word by word, * one word and # any number', () => {
    exchange('t', 'topic');
    bindQ('t', 'q1', 'a.*.#');
    bindQ('t', 'q2', '*.b');
    bindQ('t', 'q3', '#.d');
    const e = explainAndPublish('t', 'a.b.c.d');
    expect(e.queues.sort()).toEqual(['q1', 'q3']);
    expect(verdict(e, 't', 'q1')?.topic).toEqual([
      { pattern: 'a', words: ['a'] },
      { pattern: '*', words: ['b'] },
      { pattern: '#', words: ['c', 'd'] },
    ]);
    expect(verdict(e, 't', 'q2')).toMatchObject({ matched: false, reason: "pattern '*.b' ends before the key does: 'c' 'd' left over" });
    expect(verdict(e, 't', 'q3')?.topic).toEqual([{ pattern: '#', words: ['a', 'b', 'c'] }, { pattern: 'd', words: ['d'] }]);
  });

  it('topic: the edge cases the trie knows (empty key, empty words, runs of #)', () => {
    const cases: [string, string, boolean][] = [
      ['#', '', true], ['', '', true], ['*', '', false], ['a..b', 'a..b', true], ['a.*.b', 'a..b', true],
      ['#.#.#.z', 'z', true], ['#.#.#.z', 'a.b', false], ['a.#', 'a', true], ['#.a.#', 'b.a.c', true], ['a.b', 'a.c', false],
    ];
    for (const [pattern, key, expected] of cases) expect([pattern, key, explainTopic(pattern, routingWords(key)).matched]).toEqual([pattern, key, expected]);
    expect(explainTopic('a.b', routingWords('a.c')).reason).toBe("pattern word 2 'b' does not match key word 2 'c'");
    expect(explainTopic('a.b.c', routingWords('a.b')).reason).toBe("pattern word 3 'c' has no key word left to take");
  });

  it('headers: x-match all, any, all-with-x and any-with-x, argument by argument', () => {
    exchange('h', 'headers');
    bindQ('h', 'q1', '', { 'x-match': 'all', format: 'pdf', type: 'report' });
    bindQ('h', 'q2', '', { 'x-match': 'any', format: 'zip', type: 'report' });
    bindQ('h', 'q3', '', { 'x-match': 'all-with-x', 'x-tenant': 'acme' });
    bindQ('h', 'lost', '', { 'x-match': 'any-with-x', 'x-tenant': 'other', present: null });
    const e = explainAndPublish('h', '', { format: 'pdf', type: 'report', 'x-tenant': 'acme' });
    expect(e.queues.sort()).toEqual(['q1', 'q2', 'q3']);
    expect(verdict(e, 'h', 'q1')?.headers?.checks).toEqual([
      { name: 'format', expected: '"pdf"', actual: '"pdf"', ok: true },
      { name: 'type', expected: '"report"', actual: '"report"', ok: true },
    ]);
    expect(verdict(e, 'h', 'q2')).toMatchObject({ matched: true, reason: 'x-match any: type matched' });
    expect(verdict(e, 'h', 'lost')?.headers?.checks).toEqual([
      { name: 'x-tenant', expected: '"other"', actual: '"acme"', ok: false },
      { name: 'present', expected: undefined, actual: undefined, ok: false },
    ]);
    // a void argument matches any value of a header of that name; x- arguments take no part in all/any
    const e2 = explainAndPublish('h', '', { present: 42, 'x-tenant': 'acme' });
    expect(e2.queues.sort()).toEqual(['lost', 'q3']);
    expect(verdict(e2, 'h', 'q1')?.headers?.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['format', 'type']);
  });

  it('the default exchange routes by queue name', () => {
    expect(explainAndPublish('', 'q2').queues).toEqual(['q2']);
    const e = explainAndPublish('', 'nope', undefined, true);
    expect(e).toMatchObject({ queues: [], outcome: 'returned' });
    expect(e.visits[0].bindings[0].reason).toBe("the default exchange routes by queue name, and there is no queue 'nope'");
  });
});

describe('exchange-to-exchange bindings, cycles and the alternate exchange', () => {
  it('follows exchange-to-exchange bindings hop by hop', () => {
    exchange('front', 'topic');
    exchange('mid', 'direct');
    exchange('leaf', 'fanout');
    bindE('front', 'mid', 'order.#');
    bindE('mid', 'leaf', 'order.new');
    bindQ('mid', 'q1', 'order.old');
    bindQ('leaf', 'q2', '');
    const e = explainAndPublish('front', 'order.new');
    expect(e.queues).toEqual(['q2']);
    expect(e.visits.map((v) => [v.exchange, v.via, v.from, v.depth])).toEqual([
      ['front', 'publish', undefined, 0],
      ['mid', 'exchange-binding', 'front', 1],
      ['leaf', 'exchange-binding', 'mid', 2],
    ]);
  });

  it('a cycle of exchanges is routed once each, as the real routing does', () => {
    exchange('x', 'fanout');
    exchange('y', 'fanout');
    bindE('x', 'y', '');
    bindE('y', 'x', '');
    bindQ('y', 'q1', '');
    const e = explainAndPublish('x', 'k');
    expect(e.queues).toEqual(['q1']);
    expect(e.visits.map((v) => v.exchange)).toEqual(['x', 'y']);
    expect(e.visits[1].alreadyVisited).toEqual(['x']);
  });

  it('an exchange whose bindings matched hands nothing to its alternate exchange, even when no queue is reached downstream (as RabbitMQ)', () => {
    exchange('ae2', 'fanout');
    bindQ('ae2', 'lost', '');
    exchange('top', 'topic', { 'alternate-exchange': 'ae2' });
    exchange('inner', 'headers', { 'alternate-exchange': 'ae2' });
    bindE('top', 'inner', 'report.*');
    bindQ('inner', 'q1', '', { format: 'pdf' });
    // top matched (inner), inner matched nothing: inner's own alternate exchange takes it
    const e = explainAndPublish('top', 'report.x', { format: 'csv' });
    expect(e.queues).toEqual(['lost']);
    expect(e.alternateExchanges.map((a) => [a.from, a.outcome])).toEqual([['top', 'not-needed'], ['inner', 'used']]);
    // an exchange without an alternate: nothing at all, although top's binding matched
    exchange('top2', 'topic', { 'alternate-exchange': 'ae2' });
    exchange('inner2', 'headers');
    bindE('top2', 'inner2', '#');
    expect(explainAndPublish('top2', 'k', {}, true)).toMatchObject({ queues: [], outcome: 'returned' });
  });

  it('the alternate exchange is used only when no binding matched', () => {
    exchange('ae', 'fanout');
    bindQ('ae', 'lost', '');
    exchange('main', 'direct', { 'alternate-exchange': 'ae' });
    bindQ('main', 'q1', 'known');
    const hit = explainAndPublish('main', 'known');
    expect(hit.queues).toEqual(['q1']);
    expect(hit.alternateExchanges).toEqual([{ from: 'main', to: 'ae', routingKey: 'known', outcome: 'not-needed' }]);
    const miss = explainAndPublish('main', 'unknown', undefined, true);
    expect(miss).toMatchObject({ queues: ['lost'], outcome: 'routed' });
    expect(miss.alternateExchanges[0].outcome).toBe('used');
    expect(miss.visits.map((v) => [v.exchange, v.via])).toEqual([['main', 'publish'], ['ae', 'alternate-exchange']]);
  });

  it('an alternate exchange that is missing, or one already on the path, routes nowhere', () => {
    exchange('m1', 'direct', { 'alternate-exchange': 'absent' });
    const e = explainAndPublish('m1', 'k', undefined, true);
    expect(e).toMatchObject({ queues: [], outcome: 'returned', alternateExchanges: [{ outcome: 'missing' }] });
    exchange('loop', 'direct', { 'alternate-exchange': 'loop' });
    expect(explainAndPublish('loop', 'k').alternateExchanges[0].outcome).toBe('already-visited');
    expect(explainAndPublish('loop', 'k').outcome).toBe('dropped');
  });

  it('CC and BCC keys route the same message again; BCC takes no part in header matching', () => {
    exchange('d', 'direct');
    bindQ('d', 'q1', 'main');
    bindQ('d', 'q2', 'copy');
    bindQ('d', 'q3', 'blind');
    const e = explainAndPublish('d', 'main', { CC: ['copy'], BCC: 'blind' });
    expect(e.queues.sort()).toEqual(['q1', 'q2', 'q3']);
    expect(e).toMatchObject({ cc: ['copy'], bcc: ['blind'] });
    expect(e.visits.map((v) => [v.routingKey, v.via])).toEqual([['main', 'publish'], ['copy', 'cc'], ['blind', 'bcc']]);
    exchange('h', 'headers');
    bindQ('h', 'q1', '', { BCC: 'blind' });
    expect(explainAndPublish('h', '', { BCC: 'blind' }).queues).toEqual([]);
  });

  it('says what mandatory would do', () => {
    exchange('d', 'direct');
    expect(explainAndPublish('d', 'none', undefined, true).outcome).toBe('returned');
    expect(explainAndPublish('d', 'none', undefined, false).outcome).toBe('dropped');
  });

  it('explaining counts nothing: binding and exchange counters stay', () => {
    exchange('d', 'direct');
    bindQ('d', 'q1', 'k');
    const ex = vh.getExchange('d');
    explainRoute(vhostRouteSource(vh), { vhost: 'v', exchange: 'd', routingKey: 'k', headers: undefined, mandatory: false, computedBy: 'broker' });
    expect([ex.publishIn, ex.publishOut, [...ex.bindings.values()][0].routed]).toEqual([0, 0, 0]);
  });
});
