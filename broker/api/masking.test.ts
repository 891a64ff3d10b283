import { describe, expect, it } from 'vitest';
import { MaskRulesError, parseJsonPath, parseMaskRules } from '../core/mask-rules';
import type { BrowsedMessage, GotMessage } from './broker-api';
import { runWhole } from './loop-slices';
import { MASK_STEPS_PER_CHAR, maskBody, maskBrowsedAll, maskBrowsedWork, maskDelivery, maskGot } from './masking';

const maskBrowsed = (r: typeof rules, m: BrowsedMessage, whole?: () => Buffer) => runWhole(maskBrowsedWork(r, m, whole));

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

  it('masks every pattern match in a text body and leaves others unmarked', async () => {
    const m = maskBrowsed(rules, browsed('paid with 1234-5678-9012-3456, then 1111-2222-3333-4444.', { properties: {} }));
    expect(Buffer.from(m.payload, 'base64').toString()).toBe('paid with ***, then ***.');
    expect(m.properties_raw).toBe('AAAA');
    const plain = browsed('nothing here', { properties: {} });
    expect(maskBrowsed(rules, plain)).toBe(plain);
    expect((await maskBrowsedAll(undefined, [browsed('1234-5678-9012-3456')]))[0].masked).toBeUndefined();
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

  it('masks get results and consumer deliveries in their own encodings', async () => {
    const got: GotMessage = {
      payload_bytes: 24, redelivered: false, exchange: '', routing_key: 'q', message_count: 0,
      properties: { headers: { 'x-card': 'x' } }, payload: 'card 1234-5678-9012-3456', payload_encoding: 'string',
    };
    const g = await maskGot(rules, got);
    expect(g).toMatchObject({ payload: 'card ***', properties: { headers: { 'x-card': '***' } }, masked: true });
    expect((await maskGot(rules, { ...got, properties: [] as unknown as GotMessage['properties'], payload: 'x', payload_bytes: 1 })).masked).toBeUndefined();
    const d = await maskDelivery(rules, {
      deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', properties: {},
      payload: Buffer.from('1234-5678-9012-3456').toString('base64'), payloadEncoding: 'base64', payloadBytes: 19,
    });
    expect(Buffer.from(d.payload, 'base64').toString()).toBe('***');
    expect(d.masked).toBe(true);
  });

  it('masks a delivery shown cut from its whole body: a match the cut splits, a JSON value past it', async () => {
    const text = 'paid 1234-5678-9012-3456';
    const cut = 12; // 'paid 1234-56': the card split by the cut
    const delivery = (body: string) => ({
      deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', properties: {},
      payload: body.slice(0, cut), payloadEncoding: 'string' as const, payloadBytes: Buffer.byteLength(body),
    });
    // without the whole body the split card's first digits would show
    expect((await maskDelivery(rules, delivery(text))).payload).toBe('paid 1234-56');
    const d = await maskDelivery(rules, delivery(text), undefined, Buffer.from(text));
    expect(d.payload).toBe('paid ***');
    const json = JSON.stringify({ note: 'x'.repeat(40), card: { number: '4111' } });
    const j = await maskDelivery(rules, { ...delivery(json), payload: json.slice(0, 20) }, undefined, Buffer.from(json));
    expect(j.payload).toBe(json.slice(0, 20));
    const jsonCut = JSON.stringify({ card: { number: '4111111111111111' }, note: 'x'.repeat(40) });
    const k = await maskDelivery(rules, { ...delivery(jsonCut), payload: jsonCut.slice(0, 30) }, undefined, Buffer.from(jsonCut));
    expect(k.payload).toBe('{"card":{"number":"***"},"note"'.slice(0, 30));
    expect(k.payload).not.toContain('4111');
  });
});

describe('masking a body whole before it is cut', () => {
  const secretRules = parseMaskRules({ jsonPaths: ['$.head.secret', '$.tail.secret'], bodyPatterns: ['\\d{4}-\\d{4}-\\d{4}-\\d{4}'] });
  const big = JSON.stringify({ head: { secret: 'HEAD-SECRET' }, filler: 'x'.repeat(300_000), tail: { secret: 'TAIL-SECRET' } });
  const cut = (body: string, limit: number): BrowsedMessage => ({ ...browsed(body), payload: Buffer.from(body).subarray(0, limit).toString('base64'), truncated: true });

  it('finds JSON paths however far in, then shows only the allowance', () => {
    const m = maskBrowsed(secretRules, cut(big, 4096), () => Buffer.from(big));
    const shown = Buffer.from(m.payload, 'base64').toString();
    expect(m.masked).toBe(true);
    expect(m.truncated).toBe(true);
    expect(shown.length).toBe(4096);
    expect(shown.startsWith('{"head":{"secret":"***"},"filler":"xxx')).toBe(true);
    const whole = maskBrowsed(secretRules, browsed(big));
    const all = Buffer.from(whole.payload, 'base64').toString();
    expect(all).not.toContain('SECRET');
    expect(JSON.parse(all).tail.secret).toBe('***');
  });

  it('hides a pattern match that the cut would split', () => {
    const text = `${'a'.repeat(100)} 1234-5678-9012-3456 rest`;
    const m = maskBrowsed(secretRules, cut(text, 110), () => Buffer.from(text));
    // masked, the body fits what is shown
    expect(Buffer.from(m.payload, 'base64').toString()).toBe(`${'a'.repeat(100)} *** rest`);
    expect(m.truncated).toBe(false);
    const short = maskBrowsed(secretRules, cut(text, 104), () => Buffer.from(text));
    expect(Buffer.from(short.payload, 'base64').toString()).toBe(`${'a'.repeat(100)} ***`);
    expect(short.truncated).toBe(true);
  });

  it('lets later patterns settle what an earlier long match drew forward', () => {
    const two = parseMaskRules({ bodyPatterns: ['<[^>]*>', 'key=\\w+'] });
    const text = `<${'z'.repeat(5000)}> key=secret end`;
    const m = maskBrowsed(two, cut(text, 40), () => Buffer.from(text));
    expect(Buffer.from(m.payload, 'base64').toString()).toBe('*** *** end');
  });

  it('shows a placeholder, never the text, where the whole body is too large or not at hand', () => {
    const huge = { ...cut('{"head":{"secret":"s"}}', 10), payload_bytes: 17 * 1024 * 1024 };
    const m = maskBrowsed(secretRules, huge, () => { throw new Error('not read'); });
    expect(Buffer.from(m.payload, 'base64').toString()).toMatch(/^\*\*\* not shown: masking reads bodies of at most 16777216 bytes/);
    // a get cut short by the broker: JSON paths cannot be followed in part of a document
    const part = maskBody(secretRules, Buffer.from(big).subarray(0, 1000), true);
    expect(part?.toString()).toMatch(/^\*\*\* not shown: JSON masking needs the whole body/);
    // binary stays as it is
    expect(maskBrowsed(secretRules, { ...huge, payload: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') }).payload).toBe(Buffer.from([0xff, 0xfe, 0x00]).toString('base64'));
  });

  it('masks a page a slice at a time', async () => {
    const text = Buffer.from(`${'lorem ipsum 12 '.repeat(70_000)} 1234-5678-9012-3456`);
    const page = Array.from({ length: 4 }, () => cut(text.toString(), text.length - 10));
    const { LoopSlices } = await import('./loop-slices');
    const slices = new LoopSlices();
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const out = await maskBrowsedAll(secretRules, page, page.map(() => () => text), slices);
    clearInterval(ticker);
    expect(out.every((m) => m.masked === true && Buffer.from(m.payload, 'base64').toString().endsWith(' ***'))).toBe(true);
    console.log(`4 bodies of ${text.length} bytes: the loop got ${turns} timer turns meanwhile, longest hold ${slices.longestMs.toFixed(1)} ms`);
    expect(turns).toBeGreaterThan(0);
  });
});
