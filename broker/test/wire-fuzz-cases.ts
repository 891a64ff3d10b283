// What the wire fuzzer sends: fast-check arbitraries for whole cases. A case is how far the
// handshake goes (protocol header only ... a channel open), the frame_max agreed, and a few
// operations, each a labelled byte string: spec methods with generated or mutated arguments, content
// with odd headers and bodies, hostile field tables, lying frame sizes, bad frame ends, oversized
// frames, heartbeats where they do not belong, and plain random bytes. Everything is built from
// shrinkable arbitraries, so a failing case shrinks to a few small operations.
import fc from 'fast-check';
import {
  BASIC_PROPERTIES, Bytes, FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, SPEC_METHODS, arrayBody, deepNesting,
  encodeArgs, frame, headerPayload, methodPayload, nested, specMethod, tableBody,
  type ArgValue, type Field, type SpecArgument, type SpecMethod, type WireType,
} from './wire-fuzz-frames';

/** How far the fuzzer's connection gets before the operations. */
export type Stage = 'header' | 'start-ok' | 'tune-ok' | 'open' | 'channel';

/** One operation: what it is, for people, and its bytes as hex, so a counterexample prints and replays. */
export interface Op {
  what: string;
  hex: string;
}

export interface FuzzCase {
  stage: Stage;
  /** frame_max in tune-ok (stages tune-ok and later) */
  frameMax: number;
  ops: Op[];
  /** offsets at which the bytes are split into separate writes */
  cuts: number[];
}

const op = (what: string, bytes: Buffer): Op => ({ what, hex: bytes.toString('hex') });
const buf = (a: Uint8Array) => Buffer.from(a);
const randomBytes = (maxLength: number) => fc.uint8Array({ maxLength }).map(buf);

// --- values -----------------------------------------------------------------------------------

/** Names that mean something to the broker, so operations meet each other (declare, bind, publish). */
const POOLS: Record<string, readonly string[]> = {
  queue: ['', 'fz-q1', 'fz-q2', 'amq.fz', 'amq.rabbitmq.reply-to'],
  exchange: ['', 'amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'fz-x1', 'fz-x2', 'amq.fz'],
  destination: ['', 'fz-x1', 'fz-x2', 'amq.direct', 'fz-q1'],
  source: ['', 'fz-x1', 'fz-x2', 'amq.topic'],
  'routing-key': ['', 'fz-q1', 'fz-q2', '#', '*.a', 'a.b', 'amq.rabbitmq.reply-to'],
  type: ['direct', 'fanout', 'topic', 'headers', 'x-bogus', ''],
  'consumer-tag': ['', 'c1', 'c2', 'amq.ctag-fz'],
  'virtual-host': ['/', '', 'nope'],
  mechanism: ['PLAIN', 'AMQPLAIN', 'EXTERNAL'],
  locale: ['en_US', ''],
  expiration: ['0', '1', '10', '-1', 'abc', ''],
  'delivery-mode': ['1', '2'],
  'user-id': ['guest', 'someone'],
  'reply-to': ['amq.rabbitmq.reply-to', 'fz-q1'],
};

const TABLE_KEYS = [
  'x-message-ttl', 'x-expires', 'x-max-length', 'x-max-length-bytes', 'x-overflow', 'x-dead-letter-exchange',
  'x-dead-letter-routing-key', 'x-max-priority', 'x-queue-mode', 'x-queue-type', 'x-single-active-consumer',
  'x-priority', 'x-match', 'alternate-exchange', 'x-cancel-on-ha-failover', 'x-delivery-limit', 'capabilities',
  'publisher_confirms', 'consumer_cancel_notify', 'connection.blocked', 'authentication_failure_close',
];

const STRING_VALUES = ['', 'all', 'any', 'reject-publish', 'drop-head', 'lazy', 'classic', 'quorum', 'fz-x1', 'fz-q1', 'x', '1'];

function shortstrArb(name: string): fc.Arbitrary<Buffer> {
  const pool = POOLS[name] ?? ['', 'x'];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => Buffer.from(s)) },
    // invalid UTF-8 and, rarely, longer than a short string can say (the length octet then lies)
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 260 }).map(buf) },
  );
}

const octetArb = fc.oneof(fc.constantFrom(0, 1, 2, 255), fc.integer({ min: 0, max: 255 }));
const shortArb = fc.oneof(fc.constantFrom(0, 1, 2, 10, 60, 200, 255, 2047, 2048, 4096, 65535), fc.integer({ min: 0, max: 65535 }));
const longArb = fc.oneof(
  fc.constantFrom(0, 1, 10, 4095, 4096, 131072, 131073, 0x7fffffff, 0x80000000, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const longlongArb = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 5n }) },
  { weight: 1, arbitrary: fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 134217728n, 134217729n) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
);

function integerField(tag: string, bytes: 1 | 2 | 4 | 8): fc.Arbitrary<Field> {
  const limit = 2n ** BigInt(bytes * 8);
  return fc.oneof(fc.bigInt({ min: -5n, max: 100n }), fc.bigInt({ min: 0n, max: limit - 1n })).map((v) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt.asUintN(64, v));
    return { tag: tag.charCodeAt(0), bytes: b.subarray(8 - bytes) };
  });
}

const KNOWN_TAGS = 'tbBsuIilLfdDSTFAVx';
const scalarField: fc.Arbitrary<Field> = fc.oneof(
  fc.constantFrom(0, 1, 2).map((v) => ({ tag: 0x74, bytes: Buffer.from([v]) })),
  integerField('b', 1),
  integerField('B', 1),
  integerField('s', 2),
  integerField('u', 2),
  integerField('I', 4),
  integerField('i', 4),
  integerField('l', 8),
  integerField('L', 8),
  integerField('T', 8),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ({ tag: 0x66, bytes: buf(b) })),
  fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => ({ tag: 0x64, bytes: buf(b) })),
  fc.uint8Array({ minLength: 5, maxLength: 5 }).map((b) => ({ tag: 0x44, bytes: buf(b) })),
  fc.oneof(fc.constantFrom(...STRING_VALUES).map((s) => Buffer.from(s)), randomBytes(16)).map((s) => ({ tag: 0x53, bytes: new Bytes().longstr(s).build() })),
  randomBytes(16).map((s) => ({ tag: 0x78, bytes: new Bytes().longstr(s).build() })),
  fc.constant({ tag: 0x56, bytes: Buffer.alloc(0) }),
  // a tag no one defines, or a known one with too few or too many octets after it
  fc.record({ tag: fc.integer({ min: 0, max: 255 }).filter((t) => !KNOWN_TAGS.includes(String.fromCharCode(t))), bytes: randomBytes(6) }),
  fc.record({ tag: fc.constantFrom(...KNOWN_TAGS).map((c) => c.charCodeAt(0)), bytes: randomBytes(10) }),
);

const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TABLE_KEYS).map((k) => Buffer.from(k)) },
  { weight: 1, arbitrary: randomBytes(12) },
);

const { table: tableBodyArb } = fc.letrec<{ field: Field; table: Buffer; array: Buffer }>((tie) => ({
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarField,
    fc.tuple(tie('table'), fc.constantFrom(0, 0, 0, 0, -1, 1, 100)).map(([b, d]) => nested(0x46, b, d)),
    fc.tuple(tie('array'), fc.constantFrom(0, 0, 0, 0, -1, 1)).map(([b, d]) => nested(0x41, b, d)),
  ),
  table: fc.array(fc.record({ key: keyArb, value: tie('field') }), { maxLength: 4 }).map(tableBody),
  array: fc.array(tie('field'), { maxLength: 4 }).map(arrayBody),
}));

/** A table's body (its 4-byte length is written by whoever carries it): generated, nested deep, or junk. */
const tableArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: tableBodyArb },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0x46, 0x41) as fc.Arbitrary<0x46 | 0x41>, fc.constantFrom(63, 64, 65, 66, 300, 3000)).map(([t, d]) => deepNesting(t, d)) },
  { weight: 1, arbitrary: randomBytes(24) },
);

function argArb(a: SpecArgument): fc.Arbitrary<ArgValue> {
  const byType: Record<WireType, () => fc.Arbitrary<ArgValue>> = {
    bit: () => fc.boolean(),
    octet: () => octetArb,
    short: () => shortArb,
    long: () => longArb,
    longlong: () => longlongArb,
    timestamp: () => longlongArb,
    shortstr: () => shortstrArb(a.name),
    longstr: () =>
      a.name === 'response'
        ? fc.oneof(fc.constant(Buffer.from('\0guest\0guest')), randomBytes(24))
        : randomBytes(32),
    table: () => tableArb,
  };
  return byType[a.type]();
}

const argsArb = (m: SpecMethod): fc.Arbitrary<ArgValue[]> => fc.tuple(...m.args.map(argArb));

/** A table a client would send: known keys, values of known types, a little nesting. */
const saneTableArb: fc.Arbitrary<Buffer> = fc
  .array(
    fc.record({
      key: fc.constantFrom(...TABLE_KEYS).map((k) => Buffer.from(k)),
      value: fc.oneof(integerField('I', 4), integerField('l', 8), integerField('b', 1), fc.constantFrom(...STRING_VALUES).map((v) => ({ tag: 0x53, bytes: new Bytes().longstr(v).build() })), fc.constant({ tag: 0x74, bytes: Buffer.from([1]) })),
    }),
    { maxLength: 3 },
  )
  .map(tableBody);

/** Arguments a client would send, so that sequences reach deep states: consumers, acks, qos, tx, confirms. */
function saneArgArb(a: SpecArgument): fc.Arbitrary<ArgValue> {
  switch (a.type) {
    case 'bit':
      // immediate=true, active=false and requeue=false in basic.recover are all 540s
      return a.name === 'immediate' ? fc.constant(false) : a.name === 'active' || a.name === 'requeue' ? fc.constant(true) : fc.boolean();
    case 'octet':
      return fc.integer({ min: 0, max: 10 });
    case 'short':
      return a.name === 'ticket' ? fc.constant(0) : fc.integer({ min: 0, max: 10 });
    case 'long':
      return a.name === 'prefetch-size' ? fc.constant(0) : fc.integer({ min: 0, max: 10 });
    case 'longlong':
    case 'timestamp':
      return fc.bigInt({ min: 0n, max: 6n });
    case 'shortstr':
      return fc.constantFrom(...(POOLS[a.name] ?? ['', 'x'])).map((s) => Buffer.from(s));
    case 'longstr':
      return fc.constant(Buffer.alloc(0));
    case 'table':
      return saneTableArb;
  }
}

const saneArgsArb = (m: SpecMethod): fc.Arbitrary<ArgValue[]> => fc.tuple(...m.args.map(saneArgArb));

// --- operations -------------------------------------------------------------------------------

const channelArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constant(2) },
  { weight: 1, arbitrary: fc.integer({ min: 3, max: 65535 }) },
);

/** What clients send, weighted above the server's own methods so that sequences of them happen. */
const CLIENT_METHODS = [
  'channel.open', 'channel.close', 'channel.flow', 'exchange.declare', 'exchange.delete', 'exchange.bind', 'exchange.unbind',
  'queue.declare', 'queue.bind', 'queue.purge', 'queue.delete', 'queue.unbind', 'basic.qos', 'basic.consume', 'basic.cancel',
  'basic.get', 'basic.ack', 'basic.reject', 'basic.nack', 'basic.recover', 'basic.recover-async', 'tx.select', 'tx.commit',
  'tx.rollback', 'confirm.select', 'connection.close', 'channel.close-ok', 'connection.update-secret',
].map(specMethod);

const methodChoice = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CLIENT_METHODS) },
  { weight: 1, arbitrary: fc.constantFrom(...SPEC_METHODS) },
);

const methodOp: fc.Arbitrary<Op> = fc
  .tuple(channelArb, methodChoice)
  .chain(([ch, m]) => argsArb(m).map((args) => op(`${m.name} on ${ch}`, frame(FRAME_METHOD, ch, methodPayload(m, encodeArgs(m, args))))));

/** A client method with sane arguments on channel 1, which it keeps open. */
const SANE_METHODS = CLIENT_METHODS.filter((m) => !m.name.startsWith('connection.') && !m.name.startsWith('channel.'));
const saneMethodOp: fc.Arbitrary<Op> = fc
  .tuple(fc.constant(1), fc.constantFrom(...SANE_METHODS))
  .chain(([ch, m]) => saneArgsArb(m).map((args) => op(`${m.name} on ${ch} (sane)`, frame(FRAME_METHOD, ch, methodPayload(m, encodeArgs(m, args))))));

type Mutation = { kind: 'truncate'; at: number } | { kind: 'append'; bytes: Buffer } | { kind: 'flip'; at: number; value: number } | { kind: 'ids'; classId: number; methodId: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }).map(buf) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: 64 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('ids' as const),
    classId: fc.oneof(fc.constantFrom(0, 10, 20, 30, 40, 50, 60, 85, 90, 99, 65535), fc.integer({ min: 0, max: 65535 })),
    methodId: fc.oneof(fc.constantFrom(0, 10, 11, 20, 40, 99, 65535), fc.integer({ min: 0, max: 65535 })),
  }),
);

function mutate(payload: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'truncate':
      return payload.subarray(0, Math.min(m.at, Math.max(payload.length - 1, 0)));
    case 'append':
      return Buffer.concat([payload, m.bytes]);
    case 'flip': {
      const b = Buffer.from(payload);
      if (b.length > 0) b[m.at % b.length] = m.value;
      return b;
    }
    case 'ids': {
      const b = Buffer.from(payload);
      b.writeUInt16BE(m.classId, 0);
      b.writeUInt16BE(m.methodId, 2);
      return b;
    }
  }
}

const describeMutation = (m: Mutation) =>
  m.kind === 'truncate' ? `cut to ${m.at}` : m.kind === 'append' ? `+${m.bytes.length} octets` : m.kind === 'flip' ? `octet ${m.at}=${m.value}` : `as ${m.classId}.${m.methodId}`;

const mutatedMethodOp: fc.Arbitrary<Op> = fc
  .tuple(channelArb, methodChoice, mutationArb)
  .chain(([ch, m, mut]) =>
    argsArb(m).map((args) => op(`${m.name} on ${ch}, ${describeMutation(mut)}`, frame(FRAME_METHOD, ch, mutate(methodPayload(m, encodeArgs(m, args)), mut)))),
  );

/** A method carrying a hostile table where the broker reads one. */
const TABLE_METHODS = ['queue.declare', 'exchange.declare', 'queue.bind', 'exchange.bind', 'basic.consume', 'queue.unbind'].map(specMethod);
const hostileTableOp: fc.Arbitrary<Op> = fc
  .tuple(channelArb, fc.constantFrom(...TABLE_METHODS))
  .chain(([ch, m]) =>
    fc.tuple(argsArb(m), fc.oneof(
      fc.tuple(fc.constantFrom(0x46, 0x41) as fc.Arbitrary<0x46 | 0x41>, fc.integer({ min: 1, max: 12_000 })).map(([t, d]) => ({ what: `${String.fromCharCode(t)} nested ${d} deep`, body: deepNesting(t, d) })),
      tableBodyArb.map((body) => ({ what: 'generated table', body })),
    ), fc.constantFrom(0, 0, -1, 1, -4, 1 << 20)).map(([args, { what, body }, lie]) => {
      const i = m.args.findIndex((a) => a.type === 'table');
      const before = encodeArgs({ ...m, args: m.args.slice(0, i) }, args.slice(0, i));
      const table = new Bytes().long((body.length + lie) >>> 0).raw(body).build();
      const after = encodeArgs({ ...m, args: m.args.slice(i + 1) }, args.slice(i + 1));
      return op(`${m.name} on ${ch} with ${what}${lie ? `, length off by ${lie}` : ''}`, frame(FRAME_METHOD, ch, methodPayload(m, Buffer.concat([before, table, after]))));
    }),
  );

/** Property values by name, biased to what the broker acts on (TTL, user-id, reply-to, delivery mode, priority). */
function propertyArb(p: SpecArgument): fc.Arbitrary<ArgValue> {
  const strings: Record<string, readonly string[]> = {
    expiration: ['0', '1', '10', '-1', 'abc', '99999999999999999999', ''],
    'user-id': ['guest', 'someone', ''],
    'reply-to': ['amq.rabbitmq.reply-to', 'amq.rabbitmq.reply-to.abc', 'fz-q1', ''],
    'content-type': ['text/plain', 'application/json', ''],
  };
  if (p.type === 'shortstr') {
    const pool = strings[p.name];
    return pool === undefined ? shortstrArb(p.name) : fc.oneof(fc.constantFrom(...pool).map((s) => Buffer.from(s)), shortstrArb(p.name));
  }
  if (p.type === 'octet') return fc.oneof(fc.constantFrom(0, 1, 2, 3, 9, 10, 255), octetArb);
  return argArb(p);
}

/** The flags and bytes of basic properties, one value or null (absent) per property in order. */
function encodeProperties(values: readonly unknown[]): { flags: number; props: Buffer } {
  let flags = 0;
  const out = new Bytes();
  values.forEach((v, i) => {
    if (v === null) return;
    flags |= 1 << (15 - i);
    const p = BASIC_PROPERTIES[i];
    if (p.type === 'shortstr') out.shortstr(v as Buffer);
    else if (p.type === 'table') out.longstr(v as Buffer);
    else if (p.type === 'octet') out.octet(Number(v));
    else out.longlong(v as bigint);
  });
  return { flags, props: out.build() };
}

/** Property flags and bytes: well formed for some set of properties, or flags and octets at random. */
const propertiesArb: fc.Arbitrary<{ flags: number; props: Buffer }> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(...BASIC_PROPERTIES.map((p) => fc.option(propertyArb(p), { freq: 3 }))).map(encodeProperties) },
  { weight: 1, arbitrary: fc.record({ flags: fc.integer({ min: 0, max: 0xffff }), props: randomBytes(24) }) },
);

const bodySizeLie = fc.oneof(
  { weight: 6, arbitrary: fc.constant<bigint | null>(null) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 40n }) },
  { weight: 1, arbitrary: fc.constantFrom(134217728n, 134217729n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n) },
);

/** basic.publish, its content header and body frames, with the header's size true or not. */
const publishOp: fc.Arbitrary<Op> = fc
  .record({
    ch: channelArb,
    headerCh: fc.option(channelArb, { freq: 8 }),
    args: argsArb(specMethod('basic.publish')),
    props: propertiesArb,
    body: randomBytes(40),
    pieces: fc.integer({ min: 0, max: 3 }),
    size: bodySizeLie,
    classId: fc.oneof({ weight: 8, arbitrary: fc.constant(60) }, { weight: 1, arbitrary: fc.constantFrom(0, 10, 50, 61) }),
    weight: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) }),
  })
  .map(({ ch, headerCh, args, props, body, pieces, size, classId, weight }) => {
    const hc = headerCh ?? ch;
    const declared = size ?? BigInt(body.length);
    const frames = [
      frame(FRAME_METHOD, ch, methodPayload(specMethod('basic.publish'), encodeArgs(specMethod('basic.publish'), args))),
      frame(FRAME_HEADER, hc, headerPayload(classId, weight, declared, props.flags, props.props)),
    ];
    const n = Math.max(pieces, 0);
    const step = Math.ceil(body.length / Math.max(n, 1));
    for (let i = 0; i < n && i * step < body.length; i++) frames.push(frame(FRAME_BODY, hc, body.subarray(i * step, (i + 1) * step)));
    const lie = size === null ? '' : `, header says ${declared}`;
    return op(`publish on ${ch} (content on ${hc}, class ${classId}, flags ${props.flags.toString(16)}, body ${body.length} in ${n}${lie})`, Buffer.concat(frames));
  });

/** Properties a client would set, each present or not. */
const sanePropertiesArb: fc.Arbitrary<{ flags: number; props: Buffer }> = fc
  .tuple(...BASIC_PROPERTIES.map((p) => fc.option(saneArgArb(p.name === 'expiration' ? { name: 'expiration', type: 'shortstr' } : p), { freq: 3 })))
  .map(encodeProperties);

/** A publish a client would make: channel 1, true sizes, well-formed properties, body in 1 to 3 frames. */
const sanePublishOp: fc.Arbitrary<Op> = fc
  .record({ args: saneArgsArb(specMethod('basic.publish')), props: sanePropertiesArb, body: randomBytes(40), pieces: fc.integer({ min: 1, max: 3 }) })
  .map(({ args, props, body, pieces }) => {
    const frames = [
      frame(FRAME_METHOD, 1, methodPayload(specMethod('basic.publish'), encodeArgs(specMethod('basic.publish'), args))),
      frame(FRAME_HEADER, 1, headerPayload(60, 0, BigInt(body.length), props.flags, props.props)),
    ];
    const step = Math.max(1, Math.ceil(body.length / pieces));
    for (let from = 0; from < body.length; from += step) frames.push(frame(FRAME_BODY, 1, body.subarray(from, from + step)));
    return op(`publish on 1 (sane, flags ${props.flags.toString(16)}, body ${body.length})`, Buffer.concat(frames));
  });

const headerOp: fc.Arbitrary<Op> = fc
  .record({
    ch: channelArb,
    classId: fc.constantFrom(60, 60, 50, 0, 65535),
    weight: fc.constantFrom(0, 0, 1),
    size: fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.constantFrom(2n ** 63n, 2n ** 64n - 1n)),
    props: propertiesArb,
    cut: fc.option(fc.integer({ min: 0, max: 13 }), { freq: 4 }),
  })
  .map(({ ch, classId, weight, size, props, cut }) => {
    let payload = headerPayload(classId, weight, size, props.flags, props.props);
    if (cut !== null) payload = payload.subarray(0, cut);
    return op(`content header on ${ch} (class ${classId}, size ${size}${cut === null ? '' : `, cut to ${cut}`})`, frame(FRAME_HEADER, ch, payload));
  });

const bodyOp: fc.Arbitrary<Op> = fc.tuple(channelArb, randomBytes(32)).map(([ch, b]) => op(`body on ${ch} (${b.length} octets)`, frame(FRAME_BODY, ch, b)));

const heartbeatOp: fc.Arbitrary<Op> = fc
  .tuple(fc.oneof(fc.constant(0), channelArb), fc.oneof({ weight: 3, arbitrary: fc.constant(Buffer.alloc(0)) }, { weight: 1, arbitrary: randomBytes(4) }))
  .map(([ch, p]) => op(`heartbeat on ${ch}${p.length ? ` with ${p.length} octets` : ''}`, frame(FRAME_HEARTBEAT, ch, p)));

/** A frame of any type whose size field may lie and whose end octet may be wrong. */
const rawFrameOp: fc.Arbitrary<Op> = fc
  .record({
    type: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 7, 8, 9, 65, 206, 255), fc.integer({ min: 0, max: 255 })),
    ch: channelArb,
    payload: randomBytes(48),
    sizeDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) }),
    end: fc.oneof({ weight: 4, arbitrary: fc.constant(0xce) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
  })
  .map(({ type, ch, payload, sizeDelta, end }) => {
    const d = Math.max(sizeDelta, -payload.length);
    return op(`frame type ${type} on ${ch}, ${payload.length} octets${d ? `, size off by ${d}` : ''}${end === 0xce ? '' : `, end ${end}`}`, frame(type, ch, payload, { sizeDelta: d, end }));
  });

/** A frame header declaring more than any frame_max allows (or just above a small one), and a little of its payload. */
const oversizedOp: fc.Arbitrary<Op> = fc
  .record({
    type: fc.constantFrom(1, 2, 3, 8, 77),
    ch: channelArb,
    size: fc.oneof(fc.constantFrom(4089, 4097, 131065, 131073, 0x7fffffff, 0xffffffff), fc.integer({ min: 131073, max: 0xffffffff })),
    some: randomBytes(16),
  })
  .map(({ type, ch, size, some }) => {
    const head = Buffer.alloc(7);
    head.writeUInt8(type, 0);
    head.writeUInt16BE(ch, 1);
    head.writeUInt32BE(size, 3);
    return op(`frame type ${type} on ${ch} declaring ${size} octets`, Buffer.concat([head, some]));
  });

const randomOp: fc.Arbitrary<Op> = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => op(`${b.length} random octets`, buf(b)));

/** Anything, sane or hostile. */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: saneMethodOp },
  { weight: 6, arbitrary: methodOp },
  { weight: 8, arbitrary: publishOp },
  { weight: 3, arbitrary: mutatedMethodOp },
  { weight: 2, arbitrary: hostileTableOp },
  { weight: 2, arbitrary: headerOp },
  { weight: 1, arbitrary: bodyOp },
  { weight: 1, arbitrary: heartbeatOp },
  { weight: 2, arbitrary: rawFrameOp },
  { weight: 1, arbitrary: oversizedOp },
  { weight: 1, arbitrary: randomOp },
);

/** What a client would send, to reach deep states (consumers, unacked deliveries, tx, confirms) before a hostile op. */
const saneOp: fc.Arbitrary<Op> = fc.oneof({ weight: 3, arbitrary: saneMethodOp }, { weight: 2, arbitrary: sanePublishOp });

const stageArb: fc.Arbitrary<Stage> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('header' as const) },
  { weight: 1, arbitrary: fc.constant('start-ok' as const) },
  { weight: 1, arbitrary: fc.constant('tune-ok' as const) },
  { weight: 2, arbitrary: fc.constant('open' as const) },
  { weight: 8, arbitrary: fc.constant('channel' as const) },
);

const frameMaxArb = fc.oneof({ weight: 4, arbitrary: fc.constant(131072) }, { weight: 1, arbitrary: fc.constant(4096) });
const cutsArb = fc.array(fc.nat({ max: 4000 }), { maxLength: 3 });

export const caseArb: fc.Arbitrary<FuzzCase> = fc.oneof(
  // anything goes, from any stage of the handshake
  fc.record({ stage: stageArb, frameMax: frameMaxArb, ops: fc.array(opArb, { minLength: 1, maxLength: 12 }), cuts: cutsArb }),
  // a client's session on an open channel, then maybe one hostile operation
  fc.record({
    stage: fc.constant('channel' as const),
    frameMax: frameMaxArb,
    ops: fc.tuple(fc.array(saneOp, { minLength: 1, maxLength: 20 }), fc.option(opArb, { freq: 2 })).map(([ops, last]) => (last === null ? ops : [...ops, last])),
    cuts: cutsArb,
  }),
);

/** The bytes a case sends after its handshake, in writes split at its cuts. */
export function caseChunks(c: FuzzCase): Buffer[] {
  const all = Buffer.concat(c.ops.map((o) => Buffer.from(o.hex, 'hex')));
  const cuts = [...new Set(c.cuts.map((x) => x % (all.length + 1)))].filter((x) => x > 0 && x < all.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of cuts) {
    chunks.push(all.subarray(from, at));
    from = at;
  }
  chunks.push(all.subarray(from));
  return chunks;
}
