// Bad input on the wire, pinned to what RabbitMQ 3.10.8 answers. Every case also checks that a
// healthy amqplib connection opened before it keeps working afterwards. The tests run concurrently
// (each on its own connections) because RabbitMQ takes seconds over some of its answers.
//
// RabbitMQ 3.10.8's answers, observed with raw sockets (guest/guest on 127.0.0.1:5672). "close"
// is connection.close on channel 0; "waits" means it then waits for close-ok (30 s; the socket is
// closed as soon as close-ok arrives); "fatal" means it stops reading and closes the socket about
// 3 s later whether or not close-ok comes; "silent" means no frame at all and the socket closed
// about 3 s later (RabbitMQ's anti-brute-force delay); "reset" means the socket is closed at once
// with a TCP RST and nothing sent. Class/method ids are given as c/m.
//
// Protocol header and handshake (handshake.test.ts)
// | case                                              | answer                                                   |
// |---------------------------------------------------|----------------------------------------------------------|
// | any 8 bytes that are not AMQP 0 0 9 1 (HTTP, 'AMQP' 0 0 10 0, 1 1 0 10, 0 1 0 0 (1.0), 3 1 0 0, 0 0 9 2, 'amqp') | sends 'AMQP' 0 0 9 1, closes at once (FIN) |
// | 'AMQP' 1 1 0 9 (old 0-9 header)                    | accepted: connection.start version 0-9, as for 0 0 9 1   |
// | 'AMQP' 1 1 8 0 (0-8)                                | speaks AMQP 0-8 (not tested: Warren does not)            |
// | fewer than 8 bytes, then nothing (or FIN)          | waits; handshake timeout (10 s from TCP accept), silent (on FIN: closes at once, nothing sent) |
// | connection.start                                   | version 0-9; mechanisms 'AMQPLAIN PLAIN'; locales 'en_US'; server-properties: capabilities{publisher_confirms, exchange_exchange_bindings, basic.nack, consumer_cancel_notify, connection.blocked, consumer_priorities, authentication_failure_close, per_consumer_qos, direct_reply_to: all true}, cluster_name, copyright, information, platform, product, version (all longstr) |
// | connection.tune                                    | channel_max 2047, frame_max 131072, heartbeat 60         |
// | wrong password / unknown user, client capability authentication_failure_close=true | close 403 "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile." (AMQPLAIN likewise), c/m 0/0; socket closed at once after close-ok, else after ~3 s |
// | same without the capability (or false)             | silent                                                   |
// | unknown mechanism (with or without the capability) | silent                                                   |
// | malformed PLAIN / AMQPLAIN response                | silent                                                   |
// | tune-ok frame_max < 4096, > 131072, or 0           | silent (frame_max 4096 exactly is fine)                  |
// | tune-ok channel_max > 2047 or 0                    | silent (heartbeat above 60 is accepted)                  |
// | any frame before start-ok (channel.open, tune-ok, connection.close, garbage, oversized frame) | silent |
// | connection.open unknown vhost                      | close 530 "NOT_ALLOWED - vhost <name> not found", c/m 10/40, waits |
// | after tune-ok, before open: channel.open on ch 1   | close 505 "UNEXPECTED_FRAME - type 1, all octets = <<0,20,0,10,0>>", 0/0, waits |
// | after tune-ok, before open: queue.declare on ch 0  | close 504 "CHANNEL_ERROR - unexpected method in connection state opening", 50/10, waits (connection.close here: the same 504 with 10/50) |
// | after tune-ok, before open: frame too large        | close 501 frame_too_large (as below), fatal              |
// | connection.open / start-ok / tune-ok again after open | close 504 "CHANNEL_ERROR - unexpected method in connection state running", c/m of that method, waits |
// | connection never opened                            | socket closed 10 s after TCP accept, silent (no close frame), whatever the step reached |
// | heartbeat 1 s negotiated, client silent            | heartbeat frames (type 8, ch 0, empty) every 500 ms; socket closed ~3 s after the client's last frame, no close frame (RST) |
// | channel.open on channel 0                          | close 504 "CHANNEL_ERROR - unexpected method in connection state running", 20/10, waits |
// | channel.open on an open channel                    | close 504 "CHANNEL_ERROR - second 'channel.open' seen", 20/10, waits |
// | channel id above channel_max (e.g. 11 with channel_max 10, 2048, 65535) | opened normally: ids are not checked |
// | one more open channel than channel_max             | close 530 "NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)", 0/0, waits |
// | connection.close from the client                   | connection.close-ok; the server then waits for the client to close the socket (up to 30 s) |
//
// Frames and content after connection.open (this file)
// | case                                              | answer                                                   |
// |---------------------------------------------------|----------------------------------------------------------|
// | garbage right after the protocol header           | silent (connection.start was sent before)                |
// | garbage after open, e.g. 'hello world…'            | read as a frame header: close 501 "FRAME_ERROR - type 104, all octets = <<>>: {frame_too_large,1819222135,131064}", 0/0, fatal |
// | truncated frame, then the client's FIN            | socket closed at once, nothing sent                      |
// | truncated frame, then nothing                     | waits for the rest (until heartbeat timeout)             |
// | frame payload size > frame_max (e.g. 131073)      | close 501 "FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,131073,131064}", 0/0, fatal; checked on the 7-byte header, before the payload arrives. With frame_max 4096: {frame_too_large,4097,4088} |
// | frame payload size 131065..131072 (= frame_max)    | accepted (limit is payload > frame_max, not frame > frame_max); RabbitMQ itself sends body frames of at most 131064 bytes |
// | wrong frame-end octet                             | close 501 "FRAME_ERROR - type 1, all octets = <<0,20,0,20,1>>: {invalid_frame_end_marker,0}" (type, payload bytes, the octet found), 0/0, fatal |
// | unknown frame type (0, 4, 5, 7, 9, 99, 255…)       | close 501 "FRAME_ERROR - type 7, all octets = <<>>: unknown_frame", 0/0, waits. Payload printed as an Erlang binary: <<>>, <<"abc">> when printable, <<104,0>> otherwise |
// | method frame with payload < 4 bytes               | close 501 "FRAME_ERROR - type 1, all octets = <<0,50>>: unknown_frame", 0/0, waits |
// | unknown class id (99.10) or method id (50.99, 20.99, 10.99) | reset (RabbitMQ's reader crashes): no close frame, no 540/503 |
// | field table with an unknown field type ('Z') in queue.declare arguments | reset |
// | method arguments cut short (queue.declare, basic.publish) | close 501 "FRAME_ERROR - cannot decode <<0,0,11,98>>" (the argument bytes), c/m of the method (50/10), waits; NOT 502 |
// | method arguments with trailing bytes              | close 501 "FRAME_ERROR - cannot decode <<…>>", c/m of the method, waits |
// | content header with no publish before it          | close 505 "UNEXPECTED_FRAME - expected method frame, got non method frame instead", 0/0, waits |
// | body frame with no header (also after a size-0 header, and on channel 0) | the same 505 "expected method frame…" (on ch 0: "UNEXPECTED_FRAME - type 3, all octets = <<\"hello\">>") |
// | content header on channel 0                       | close 505 "UNEXPECTED_FRAME - type 2, all octets = <<…>>", 0/0, waits |
// | basic.publish then a method instead of the header | close 505 "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead", 60/40, waits |
// | publish, header, then a method instead of the body | close 505 "UNEXPECTED_FRAME - expected content body, got non content body frame instead", 60/40, waits |
// | content header with class id 50 after a publish   | close 505 "UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead", 60/40, waits |
// | content header with weight ≠ 0                    | close 505 "…expected content header for class 60, got non content header frame instead", 60/40 |
// | content header payload under 12 bytes (class, weight, size) | close 501 "FRAME_ERROR - type 2, all octets = <<0,60,0,0,0,0,0,0>>: unknown_frame", 0/0, waits |
// | header or body on another (open) channel than the publish | close 505 "UNEXPECTED_FRAME - expected method frame, got non method frame instead", 0/0, waits |
// | body longer than the header's body size           | nothing: the channel keeps waiting for body (the size never comes out exactly), the message is not delivered; the next method on that channel gets close 505 "…expected content body…", 60/40 |
// | header declaring 600 MiB (> max_message_size 128 MiB) | nothing at the header: the size limit is checked only once the whole body has arrived (then, from the 3.10 source: channel.close 406 "PRECONDITION_FAILED - message size N is larger than configured max size 134217728", 60/40). A method before the body is complete gets close 505 "…expected content body…", 60/40. Warren should count and discard such a body instead of buffering it. |
// | content header whose properties cannot be decoded: a flag whose value runs past the end (a short string of 10 with 2 bytes, a table longer than what is left, a missing octet or longlong), a table with an unknown field type, bytes after the last value | close 541 "INTERNAL_ERROR" (nothing more), 0/0, waits; the message is not enqueued. RabbitMQ ignores the continuation bit (0x0001): with no second flag word it accepts the message (properties {}), with a zero second word it answers 541 for the 2 extra octets; Warren reads continuation words, so it answers the first 541 and accepts the second. The reserved bit 0x0002 is ignored by both |
// | channel method on a channel never opened          | close 504 "CHANNEL_ERROR - expected 'channel.open'", c/m of that method, waits |
// | basic.publish + header + body on a channel never opened | the content is assembled first, then close 504 "CHANNEL_ERROR - expected 'channel.open'", 60/40 |
// | header or body on a channel never opened          | close 505 "UNEXPECTED_FRAME - expected method frame, got non method frame instead", 0/0 |
// | heartbeat frame on channel 1                      | close 505 "UNEXPECTED_FRAME - type 8, all octets = <<>>", 0/0, waits |
// | heartbeat frame with a payload (any channel)      | close 501 "FRAME_ERROR - type 8, all octets = <<0>>: unknown_frame" (<<\"x\">> for 'x'), 0/0, waits |
import { internals } from '../embedded/internals';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../index';
import { startTestBroker, type TestBroker } from './harness';
import {
  Args, FRAME_BODY, FRAME_HEADER, M, PROTOCOL_HEADER, bodyFrame, frame, headerFrame, heartbeatFrame, methodFrame,
  plainResponse, publishFrame, queueDeclareFrame, withClient, type RawClient,
} from './raw-client';

let broker: TestBroker;
let healthy: { conn: ChannelModel; ch: ConfirmChannel; queue: string };

beforeAll(async () => {
  broker = await startTestBroker();
  const conn = await amqp.connect(broker.url);
  conn.on('error', () => {}); // a broken healthy connection shows up as a failing check
  const ch = await conn.createConfirmChannel();
  const queue = `bad-input-healthy-${randomUUID()}`;
  await ch.assertQueue(queue, { exclusive: true });
  healthy = { conn, ch, queue };
});

afterAll(async () => {
  await healthy?.conn.close().catch(() => {});
  await broker.close();
});

/** The connection opened before the bad one still publishes and gets a message back. */
let healthyChecks = Promise.resolve();
function expectHealthy(): Promise<void> {
  const check = healthyChecks.then(checkHealthy); // one at a time: the tests run concurrently
  healthyChecks = check.catch(() => {});
  return check;
}

async function checkHealthy(): Promise<void> {
  const { ch, queue } = healthy;
  const body = randomUUID();
  ch.sendToQueue(queue, Buffer.from(body));
  await ch.waitForConfirms();
  const msg = await ch.get(queue, { noAck: true });
  expect(msg && msg.content.toString()).toBe(body);
}

/** A bad-input case: `fn` gets a connection with channel 1 open; the healthy check runs afterwards. */
function badCase(name: string, fn: (c: RawClient) => Promise<void>, timeout?: number): void {
  it(name, async () => {
    await withClient(broker, async (c) => {
      await c.handshake();
      await c.openChannel(1);
      await fn(c);
    });
    await expectHealthy();
  }, timeout);
}

/** A queue for cases that publish, declared and deleted over the healthy connection. */
async function withQueue(fn: (queue: string) => Promise<void>): Promise<void> {
  const queue = `bad-input-${randomUUID()}`;
  await healthy.ch.assertQueue(queue, { durable: false });
  try {
    await fn(queue);
  } finally {
    await healthy.ch.deleteQueue(queue);
  }
}

const frameHeader = (type: number, channel: number, size: number) => {
  const b = Buffer.alloc(7);
  b.writeUInt8(type, 0);
  b.writeUInt16BE(channel, 1);
  b.writeUInt32BE(size, 3);
  return b;
};
const payloadOf = (f: Buffer) => f.subarray(7, f.length - 1);
const declare = queueDeclareFrame(1, 'bad-input-q');

describe.concurrent('garbage', () => {
  it('closes silently on garbage right after the protocol header', async () => {
    await withClient(broker, async (c) => {
      await c.start();
      c.send(Buffer.from('9f3c2a7be01144d2aa0f33c8e7215b6d00ff10ce', 'hex'));
      await c.expectSilentClose();
    });
    await expectHealthy();
  });

  badCase('reads garbage after the handshake as a frame header: 501 frame_too_large', async (c) => {
    c.send(Buffer.from('hello world, this is not AMQP'));
    await c.expectFatalFrameError('FRAME_ERROR - type 104, all octets = <<>>: {frame_too_large,1819222135,131064}');
  });

  badCase('closes the socket on a truncated frame followed by the end of the stream', async (c) => {
    c.send(declare.subarray(0, 10));
    c.end();
    await c.expectSilentClose(1000);
  });
});

describe.concurrent('frames', () => {
  badCase('answers a frame larger than frame_max with 501 before its payload arrives', async (c) => {
    c.send(frameHeader(FRAME_BODY, 1, 131073));
    await c.expectFatalFrameError('FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,131073,131064}');
  });

  it('checks frame size against the negotiated frame_max', async () => {
    await withClient(broker, async (c) => {
      await c.handshake({ tune: { frameMax: 4096 } });
      c.send(frameHeader(FRAME_BODY, 1, 4097));
      await c.expectConnectionClose(501, 'FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}');
    });
    await expectHealthy();
  });

  badCase('accepts a frame whose payload is exactly frame_max', async (c) => {
    await withQueue(async (queue) => {
      const body = Buffer.alloc(131072, 0x61);
      c.send(publishFrame(1, '', queue), headerFrame(1, body.length), bodyFrame(1, body));
      c.send(queueDeclareFrame(1, queue)); // in order after the publish: a sync point
      await c.expectMethod(M.queueDeclareOk);
      const msg = await healthy.ch.get(queue, { noAck: true });
      expect(msg && msg.content.equals(body)).toBe(true);
    });
  });

  badCase('answers a wrong frame-end octet with 501', async (c) => {
    c.send(frame(1, 1, new Args().short(20).short(20).bit(true).build(), 0x00));
    await c.expectFatalFrameError('FRAME_ERROR - type 1, all octets = <<0,20,0,20,1>>: {invalid_frame_end_marker,0}');
  });

  badCase('answers an unknown frame type with 501 unknown_frame', async (c) => {
    c.send(frame(7, 1, Buffer.alloc(0)));
    await c.expectConnectionError(501, 'FRAME_ERROR - type 7, all octets = <<>>: unknown_frame');
  });

  badCase('answers a method frame shorter than its ids with 501 unknown_frame', async (c) => {
    c.send(frame(1, 1, Buffer.from([0, 50])));
    await c.expectConnectionError(501, 'FRAME_ERROR - type 1, all octets = <<0,50>>: unknown_frame');
  });

  badCase('answers a heartbeat on a non-zero channel with 505', async (c) => {
    c.send(heartbeatFrame(1));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - type 8, all octets = <<>>');
  });

  badCase('answers a heartbeat with a payload with 501 unknown_frame', async (c) => {
    c.send(frame(8, 0, Buffer.from([0])));
    await c.expectConnectionError(501, 'FRAME_ERROR - type 8, all octets = <<0>>: unknown_frame');
  });
});

describe.concurrent('methods', () => {
  for (const [name, ids] of [['class', [99, 10]], ['method', [50, 99]]] as const) {
    // RabbitMQ's reader crashes and resets the socket; Warren says why, with 503 (see the table).
    badCase(`closes the connection on an unknown ${name} id`, async (c) => {
      c.send(methodFrame(1, ids));
      if (broker.external) await c.expectSilentClose(1000);
      else await c.expectConnectionError(503, `COMMAND_INVALID - unknown method: class-id ${ids[0]}, method-id ${ids[1]}`, ids);
    });
  }

  badCase('closes the connection on an unknown field-table type', async (c) => {
    const declareArgs = payloadOf(declare).subarray(0, -4); // queue.declare up to its (empty) arguments table
    c.send(frame(1, 1, Buffer.concat([declareArgs, new Args().long(5).shortstr('a').raw(Buffer.from('Z\0\0')).build()])));
    if (broker.external) await c.expectSilentClose(1000);
    else await c.expectConnectionError(501, 'FRAME_ERROR - cannot decode', M.queueDeclare);
  });

  badCase('answers method arguments cut short with 501 cannot decode', async (c) => {
    c.send(frame(1, 1, payloadOf(declare).subarray(0, 8)));
    await c.expectConnectionError(501, 'FRAME_ERROR - cannot decode', M.queueDeclare);
  });

  badCase('answers method arguments with trailing bytes with 501 cannot decode', async (c) => {
    c.send(frame(1, 1, Buffer.concat([payloadOf(declare), Buffer.from([1, 2, 3])])));
    await c.expectConnectionError(501, 'FRAME_ERROR - cannot decode', M.queueDeclare);
  });
});

describe.concurrent('content', () => {
  const expectedMethod = 'UNEXPECTED_FRAME - expected method frame, got non method frame instead';
  const expectedBody = 'UNEXPECTED_FRAME - expected content body, got non content body frame instead';

  badCase('answers a content header without a publish with 505', async (c) => {
    c.send(headerFrame(1, 5));
    await c.expectConnectionError(505, expectedMethod);
  });

  badCase('answers a body frame without a header with 505', async (c) => {
    c.send(bodyFrame(1, 'hello'));
    await c.expectConnectionError(505, expectedMethod);
  });

  badCase('answers a body frame after a header of size 0 with 505', async (c) => {
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 0), bodyFrame(1, ''));
    await c.expectConnectionError(505, expectedMethod);
  });

  badCase('answers a method between publish and its header with 505', async (c) => {
    c.send(publishFrame(1, '', 'q'), declare);
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', M.basicPublish);
  });

  badCase('answers a method between header and body with 505', async (c) => {
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 5), declare);
    await c.expectConnectionError(505, expectedBody, M.basicPublish);
  });

  badCase('answers a content header of another class with 505', async (c) => {
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 5, 50));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead', M.basicPublish);
  });

  badCase('answers a content header cut short with 501 unknown_frame', async (c) => {
    c.send(publishFrame(1, '', 'q'), frame(FRAME_HEADER, 1, new Args().short(60).short(0).long(0).build()));
    await c.expectConnectionError(501, 'FRAME_ERROR - type 2, all octets = <<0,60,0,0,0,0,0,0>>: unknown_frame');
  });

  for (const [name, frames] of [
    ['the header', [headerFrame(2, 5), bodyFrame(2, 'hello')]],
    ['the body', [headerFrame(1, 5), bodyFrame(2, 'hello')]],
  ] as const) {
    badCase(`answers ${name} on another channel than the publish with 505`, async (c) => {
      await c.openChannel(2);
      c.send(publishFrame(1, '', 'q'), ...frames);
      await c.expectConnectionError(505, expectedMethod);
    });
  }

  // RabbitMQ waits for the next method to complain; Warren refuses the oversized body at once.
  badCase('does not deliver a body longer than its header', async (c) => {
    await withQueue(async (queue) => {
      c.send(publishFrame(1, '', queue), headerFrame(1, 3), bodyFrame(1, 'hello'), declare);
      if (broker.external) await c.expectConnectionError(505, expectedBody, M.basicPublish);
      else await c.expectConnectionError(505, 'UNEXPECTED_FRAME - content body of 5 bytes exceeds the 3 bytes declared', M.basicPublish);
      expect(await healthy.ch.get(queue, { noAck: true })).toBe(false);
    });
  });

  // RabbitMQ buffers up to the declared size before it checks; Warren refuses at the header, so
  // a client can never make it hold more than the configured maximum.
  badCase('refuses a 600 MiB body size', async (c) => {
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 600 * 1024 * 1024), bodyFrame(1, 'hello'), declare);
    if (broker.external) await c.expectConnectionError(505, expectedBody, M.basicPublish);
    else {
      const close = await c.expectClose();
      expect([close.channel, close.code, close.classId, close.methodId]).toEqual([1, 406, ...M.basicPublish]);
      expect(close.text).toContain('PRECONDITION_FAILED - message size 629145600 is larger than configured max size 134217728');
    }
  });
});

// Warren keeps properties as bytes and parses them lazily (a TTL dead-lettering may be the first to
// ask, in a timer): what cannot be parsed must be refused at publish, as RabbitMQ does.
describe.concurrent('malformed properties', () => {
  const cases: [string, number, number[]][] = [
    ['content-type: a short string of 10 with 2 bytes', 0x8000, [10, 65, 66]],
    ['expiration: a short string of 10 with 2 bytes', 0x0100, [10, 49, 48]],
    ['headers: a table of 100 bytes with 3', 0x2000, [0, 0, 0, 100, 1, 2, 3]],
    ['headers: an unknown field type', 0x2000, [0, 0, 0, 3, 1, 97, 0x51]],
    ['headers: a key running past the table', 0x2000, [0, 0, 0, 2, 5, 97]],
    ['delivery-mode: no octet', 0x1000, []],
    ['timestamp: 4 octets of 8', 0x0040, [0, 0, 0, 1]],
    ['content-type then trailing bytes', 0x8000, [1, 65, 9, 9, 9]],
    ['expiration and content-type, expiration cut', 0x8000 | 0x0100, [1, 65, 10, 49]],
  ];
  for (const [name, flags, props] of cases) {
    badCase(`answers ${name} with 541 and does not enqueue`, async (c) => {
      await withQueue(async (queue) => {
        c.send(publishFrame(1, '', queue), headerFrame(1, 5, 60, flags, Buffer.from(props)), bodyFrame(1, 'hello'));
        await c.expectConnectionError(541, 'INTERNAL_ERROR');
        expect(await healthy.ch.get(queue, { noAck: true })).toBe(false);
      });
    });
  }

  badCase('accepts well-formed properties of every kind', async (c) => {
    await withQueue(async (queue) => {
      const props = Buffer.concat([
        Buffer.from([1, 65]), // content-type
        new Args().table({ a: 'x', n: 1, t: { deep: [1, 'two', null] } }).build(), // headers
        Buffer.from([2, 7]), // delivery-mode, priority
        Buffer.from([3, 54, 48, 48]), // expiration "600"
        Buffer.alloc(8), // timestamp
      ]);
      c.send(publishFrame(1, '', queue), headerFrame(1, 5, 60, 0x8000 | 0x2000 | 0x1000 | 0x0800 | 0x0100 | 0x0040, props), bodyFrame(1, 'hello'));
      await c.openChannel(2); // answered after the publish: the connection is still up
      const got = await healthy.ch.get(queue, { noAck: true });
      expect(got && got.properties.headers).toEqual({ a: 'x', n: 1, t: { deep: [1, 'two', null] } });
    });
  });
});

describe.concurrent('channels', () => {
  it.each([
    ['a method', [declare], 504, "CHANNEL_ERROR - expected 'channel.open'", M.queueDeclare],
    ['a whole publish', [publishFrame(1, '', 'q'), headerFrame(1, 1), bodyFrame(1, 'x')], 504, "CHANNEL_ERROR - expected 'channel.open'", M.basicPublish],
    ['a content header', [headerFrame(1, 1)], 505, 'UNEXPECTED_FRAME - expected method frame, got non method frame instead', [0, 0]],
  ] as const)('answers %s on a channel that is not open', async (_name, frames, code, text, ids) => {
    await withClient(broker, async (c) => {
      await c.handshake();
      c.send(...frames);
      await c.expectConnectionError(code, text, ids);
    });
    await expectHealthy();
  });
});

describe.concurrent('abuse', () => {
  /** Deterministic PRNG (mulberry32), so a failing run can be replayed. */
  function prng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('serves a healthy client after 2000 garbage chunks over 50 connections', async () => {
    const random = prng(0x5eed);
    const int = (n: number) => Math.floor(random() * n);
    const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    // Half the chunks are frames with random type, channel and payload (and now and then a bad
    // end octet), half plain random bytes.
    const chunk = () =>
      random() < 0.5
        ? frame([1, 2, 3, 8, int(256)][int(5)], int(4), junk(int(24)), random() < 0.9 ? 0xce : int(256))
        : junk(1 + int(48));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        withClient(broker, async (c) => {
          if (i % 3 === 1) await c.start();
          if (i % 3 === 2) await c.handshake();
          for (let k = 0; k < 40; k++) c.send(chunk());
          await c.waitClosed(300);
        }),
      ),
    );
    await expectHealthy();
  });

  it('drops a connection that sends the protocol header and nothing more after the handshake timeout', async () => {
    // RabbitMQ's handshake timeout is 10 s; Warren's is configurable, so Warren is tested with 300 ms.
    const timeout = broker.external ? 10_000 : 300;
    const target = broker.external ? broker : await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', handshakeTimeout: timeout });
    try {
      await withClient(target, async (c) => {
        const t0 = Date.now();
        c.send(PROTOCOL_HEADER);
        await c.expectMethod(M.connectionStart);
        await c.expectSilentClose(timeout + 2000);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(timeout * 0.9);
      });
    } finally {
      if (target !== broker) await target.close();
    }
    await expectHealthy();
  }, 15_000);
});

// Warren only: a client that sends requests and never reads the replies stops being read from
// once its unread replies pass a limit, so they cannot fill the broker's memory.
describe('a client that never reads', () => {
  it('is not read from while its replies pile up', async () => {
    if (broker.external) return;
    const own = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
    const s = net.connect(own.port, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
      s.pause(); // never read
      const props = { product: 'never-reads', capabilities: {} };
      s.write(PROTOCOL_HEADER);
      s.write(methodFrame(0, M.connectionStartOk, new Args().table(props).shortstr('PLAIN').longstr(plainResponse('guest', 'guest')).shortstr('en_US')));
      s.write(methodFrame(0, M.connectionTuneOk, new Args().short(2047).long(131072).short(0)));
      s.write(methodFrame(0, M.connectionOpen, new Args().shortstr('/').shortstr('').bit(false)));
      s.write(methodFrame(1, M.channelOpen, new Args().shortstr('')));
      const name = 'q'.repeat(255);
      s.write(queueDeclareFrame(1, name));
      // each redeclare is answered with a declare-ok of ~280 bytes that we never read
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => queueDeclareFrame(1, name)));
      const conn = () => [...internals(own).core.connections][0] as unknown as { isReadPaused: boolean } | undefined;
      const deadline = Date.now() + 15_000;
      let paused = false;
      while (!paused && Date.now() < deadline) {
        if (s.writableLength < 4 << 20) s.write(batch);
        await new Promise((r) => setTimeout(r, 5));
        paused = conn()?.isReadPaused ?? false;
      }
      expect(paused).toBe(true);
    } finally {
      s.destroy();
      await own.close();
    }
  }, 20_000);
});
