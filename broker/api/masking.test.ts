import { describe, expect, it } from 'vitest';
import { MaskRulesError, parseJsonPath, parseMaskRules } from '../core/mask-rules';
import type { BrowsedMessage, GotMessage } from './broker-api';
import { MASK_STEPS_PER_CHAR, maskBody, maskBrowsed, maskDelivery, maskGot } from './masking';

const rules = parseMaskRules({
  headers: ['authorization', 'x-card'],
  jsonPaths: ['$.card.number', '$.user.email', '$.items[*].pan'],
  bodyPatterns: ['\\d{4}-\\d{4}-\\d{4}-\\d{4}'],
});

const browsed = (body: string, extra: Partial<BrowsedMessage> = {}): BrowsedMessage => ({
  position: 0, id: 1, redelivered: false, exchange: '', routing_key: 'q',
  properties: { headers: { Authorization: 'Bearer secret', 'x-trace': 'keep' }, content_type: 'application/json' },
  payload: Buffer.from(body).toString('base64'), payload_bytes: Buffer.byteLength(body), truncated: false, expires_at: null,
  properties_raw: 'AAAA', ...extra,
});

describe('mask rules', () => {
  it('reads JSON paths with names, indexes, wildcards and quoted names', () => {
    expect(parseJsonPath('$.card.number')).toEqual([{ name: 'card' }, { name: 'number' }]);
    expect(parseJsonPath("$.items[2]['odd key'][*].x")).toEqual([{ name: 'items' }, { index: 2 }, { name: 'odd key' }, { any: true }, { name: 'x' }]);
  });

  it('refuses a wrong file whole, saying what is wrong', () => {
    const refused = (v: unknown) => {
      try {
        parseMaskRules(v);
      } catch (err) {
        expect(err).toBeInstanceOf(MaskRulesError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused([])).toMatch(/wants an object/);
    expect(refused({ header: ['a'] })).toMatch(/unknown key "header"/);
    expect(refused({ jsonPaths: ['card.number'] })).toMatch(/does not start with \$/);
    expect(refused({ jsonPaths: ['$'] })).toMatch(/names no value/);
    expect(refused({ bodyPatterns: ['a('] })).toMatch(/missing \)/);
    expect(refused({ bodyPatterns: ['(a)\\1'] })).toMatch(/back-references/);
    expect(refused({ headers: [1] })).toMatch(/list of non-empty strings/);
  });
});

describe('masking', () => {
  it('masks listed headers whatever their case and the values at JSON paths', () => {
    const body = JSON.stringify({ card: { number: '4111', exp: '12/30' }, user: { email: 'a@b.c', name: 'Ann' }, items: [{ pan: 1 }, { pan: 2 }] });
    const m = maskBrowsed(rules, browsed(body));
    expect(m.masked).toBe(true);
    expect(m.properties.headers).toEqual({ Authorization: '***', 'x-trace': 'keep' });
    expect(JSON.parse(Buffer.from(m.payload, 'base64').toString())).toEqual({ card: { number: '***', exp: '12/30' }, user: { email: '***', name: 'Ann' }, items: [{ pan: '***' }, { pan: '***' }] });
    // the AMQP encoding would show the original header
    expect(m.properties_raw).toBeUndefined();
    expect(m.payload_bytes).toBe(Buffer.byteLength(body));
  });

  it('masks every pattern match in a text body and leaves others unmarked', () => {
    const m = maskBrowsed(rules, browsed('paid with 1234-5678-9012-3456, then 1111-2222-3333-4444.', { properties: {} }));
    expect(Buffer.from(m.payload, 'base64').toString()).toBe('paid with ***, then ***.');
    expect(m.properties_raw).toBe('AAAA');
    const plain = browsed('nothing here', { properties: {} });
    expect(maskBrowsed(rules, plain)).toBe(plain);
    expect(maskBrowsed(undefined, browsed('1234-5678-9012-3456')).masked).toBeUndefined();
  });

  it('leaves binary bodies and a character cut by truncation alone', () => {
    expect(maskBody(rules, Buffer.from([0xff, 0x00, 0x31]), false)).toBeUndefined();
    const cut = Buffer.concat([Buffer.from('card 1234-5678-9012-3456 é'), Buffer.from('€').subarray(0, 2)]);
    const out = maskBody(rules, cut, true) as Buffer;
    expect(out.subarray(0, out.length - 2).toString()).toBe('card *** é');
    expect(out.subarray(out.length - 2)).toEqual(Buffer.from('€').subarray(0, 2));
  });

  it('masks the rest of a body where a pattern runs out of steps, never less', () => {
    // a program of hundreds of instructions, each tried at most once per position: past 64 a character
    const costly = parseMaskRules({ bodyPatterns: ['[ab]{1,300}c'] });
    const text = `ok ${'a'.repeat(5000)}`;
    const out = (maskBody(costly, Buffer.from(text), false) as Buffer).toString();
    expect(MASK_STEPS_PER_CHAR).toBeGreaterThan(0);
    expect(out.endsWith('***')).toBe(true);
    expect(out).not.toContain('a'.repeat(5000));
  });

  it('masks get results and consumer deliveries in their own encodings', () => {
    const got: GotMessage = {
      payload_bytes: 24, redelivered: false, exchange: '', routing_key: 'q', message_count: 0,
      properties: { headers: { 'x-card': 'x' } }, payload: 'card 1234-5678-9012-3456', payload_encoding: 'string',
    };
    const g = maskGot(rules, got);
    expect(g).toMatchObject({ payload: 'card ***', properties: { headers: { 'x-card': '***' } }, masked: true });
    expect(maskGot(rules, { ...got, properties: [] as unknown as GotMessage['properties'], payload: 'x', payload_bytes: 1 }).masked).toBeUndefined();
    const d = maskDelivery(rules, {
      deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', properties: {},
      payload: Buffer.from('1234-5678-9012-3456').toString('base64'), payloadEncoding: 'base64', payloadBytes: 19,
    });
    expect(Buffer.from(d.payload, 'base64').toString()).toBe('***');
    expect(d.masked).toBe(true);
  });
});
