// Where the wire fuzzer (`npm run fuzz -- --compare amqp://guest:guest@127.0.0.1:5672`) found Warren
// answering differently from RabbitMQ 3.10.8, pinned to RabbitMQ's answers (observed with raw
// sockets; the tests pass against it with AMQP_URL set). "waits" means the broker then waits for
// close-ok. Class/method ids as c/m.
//
// | case                                                      | answer                                      |
// |-----------------------------------------------------------|---------------------------------------------|
// | a method only a server sends (channel.open-ok, basic.qos-ok, tx.select-ok, ...), a connection method on a channel, channel.close-ok on an open channel, channel.flow-ok | close 503 "COMMAND_INVALID - unimplemented method", c/m of the method, waits (not 540) |
// | access.request (gone from 0-9-1)                          | access.request-ok, ticket 1                 |
// | basic.deliver / get-ok / return from the client           | its content is gathered first: a method before the header is 505 "expected content header for class 60, got non content header frame instead" (c/m of the method); once whole, 503 "unimplemented method" |
// | basic.publish on a channel never opened                   | its content is gathered first (a method in between, a header of class 50: the 505s of an open channel); once whole, 504 "expected 'channel.open'" |
// | content header under 12 octets (class, weight, body size), whatever the channel's state | 501 "FRAME_ERROR - type 2, all octets = <<...>>: unknown_frame", 0/0, before any 505; 12 or 13 octets after a publish: 541 (no flags to read) |
// | content header with weight ≠ 0 after a publish            | 505 "expected content header for class 60, got non content header frame instead", 60/40 (before the class is looked at) |
// | a method frame, even one that cannot be decoded, where a publish's header or body is due | 505 "expected content body, got non content body frame instead", 60/40: the method is not read |
// | content header whose properties cannot be decoded, then a method before the body | 505 as above: properties are decoded once the message is whole (then 541) |
// | basic.publish with immediate=true                         | its content is gathered first; then 540 "NOT_IMPLEMENTED - immediate=true", 60/40 |
// | before connection.open, any frame on a channel ≠ 0 (unknown type, heartbeat with payload) | 505 "UNEXPECTED_FRAME - type 9, all octets = <<\"abc\">>", 0/0 (on channel 0: 501 unknown_frame) |
// | a method's short string that is not UTF-8 (queue name, consumer tag, reply text, exchange type) | 501 "FRAME_ERROR - Malformed UTF-8 in shortstr", 0/0; on channel 0 (connection.open's vhost) with the method's c/m, 10/40 |
// | the same bytes in a property (content-type), a field-table key, or a content-carrying method (basic.publish's routing key) | accepted |
// | a method on channel 0 whose arguments cannot be decoded (cut short, octets over) | 541 "INTERNAL_ERROR", 0/0 (on a channel: 501 "cannot decode", with c/m) |
// | after the broker's channel.close, before close-ok: a body or header with no method, a method inside a publish's content | 505 as on an open channel (the command assembler goes on); channel.open: 504 "second 'channel.open' seen", 20/10; other methods are dropped |
import amqp, { type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './harness';
import {
  Args, FRAME_HEADER, M, bodyFrame, frame, headerFrame, heartbeatFrame, methodFrame, publishFrame, queueDeclareFrame, withClient,
  type MethodId, type RawClient,
} from './raw-client';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker.close();
});

/** A case on a connection with channel 1 open. */
function onChannel(name: string, fn: (c: RawClient) => Promise<void>): void {
  it(name, () =>
    withClient(broker, async (c) => {
      await c.handshake();
      await c.openChannel(1);
      await fn(c);
    }));
}

const notUtf8 = (bytes: number[]) => Buffer.from([bytes.length, ...bytes]);
const deliverFrame = (channel: number) =>
  methodFrame(channel, [60, 60], new Args().shortstr('t').longlong(1).bit(false).shortstr('').shortstr('q'));

describe.concurrent('methods a server does not take', () => {
  const cases: [string, MethodId, Args][] = [
    ['channel.open-ok', [20, 11], new Args().longstr('')],
    ['basic.qos-ok', [60, 11], new Args()],
    ['tx.select-ok', [90, 11], new Args()],
    ['confirm.select-ok', [85, 11], new Args()],
    ['connection.close-ok on a channel', [10, 51], new Args()],
    ['connection.update-secret on a channel', [10, 70], new Args().longstr('token').shortstr('why')],
    // answers to what a server sends: without the server's channel.close or channel.flow before them
    ['channel.close-ok on an open channel', [20, 41], new Args()],
    ['channel.flow-ok', [20, 21], new Args().bit(true)],
  ];
  for (const [name, ids, args] of cases) {
    onChannel(`answers ${name} with 503 unimplemented method`, async (c) => {
      c.send(methodFrame(1, ids, args));
      await c.expectConnectionError(503, 'COMMAND_INVALID - unimplemented method', ids);
    });
  }

  onChannel('grants access.request with ticket 1', async (c) => {
    c.send(methodFrame(1, [30, 10], new Args().shortstr('/data').bit(false).bit(false).bit(true).bit(true).bit(true)));
    const r = await c.expectMethod([30, 11]);
    expect(r.short()).toBe(1);
  });

  onChannel('gathers the content of a basic.deliver before refusing it with 503', async (c) => {
    c.send(deliverFrame(1), headerFrame(1, 2), bodyFrame(1, 'hi'));
    await c.expectConnectionError(503, 'COMMAND_INVALID - unimplemented method', [60, 60]);
  });

  onChannel('answers a method where the content of a basic.deliver should be with 505', async (c) => {
    c.send(deliverFrame(1), queueDeclareFrame(1, 'q'));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', [60, 60]);
  });
});

describe.concurrent('content on a channel never opened', () => {
  onChannel('answers a method between a publish and its header with 505', async (c) => {
    c.send(publishFrame(2, '', 'q'), queueDeclareFrame(2, 'q'));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', M.basicPublish);
  });

  onChannel('answers a content header of another class with 505', async (c) => {
    c.send(publishFrame(2, '', 'q'), headerFrame(2, 5, 50));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead', M.basicPublish);
  });

  onChannel('answers a whole publish with 504 once its body is in', async (c) => {
    c.send(publishFrame(2, '', 'q'), headerFrame(2, 5));
    expect(await c.waitClosed(200), 'nothing before the body').toBe(false);
    c.send(bodyFrame(2, 'hello'));
    await c.expectConnectionError(504, "CHANNEL_ERROR - expected 'channel.open'", M.basicPublish);
  });
});

describe.concurrent('content headers', () => {
  onChannel('answers a header of weight 1 with 505, even of another class', async (c) => {
    c.send(publishFrame(1, '', 'q'), frame(FRAME_HEADER, 1, new Args().short(50).short(1).longlong(1).short(0).build()));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', M.basicPublish);
  });

  onChannel('answers a header of 12 octets, with no property flags, with 541', async (c) => {
    c.send(publishFrame(1, '', 'q'), frame(FRAME_HEADER, 1, new Args().short(60).short(0).longlong(1).build()), bodyFrame(1, 'x'));
    await c.expectConnectionError(541, 'INTERNAL_ERROR');
  });

  onChannel('answers a method where the body is due with 505 without reading the method', async (c) => {
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 5), frame(1, 1, Buffer.from([0, 60, 0, 120, 0])));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content body, got non content body frame instead', M.basicPublish);
  });

  onChannel('reads the properties once the message is whole: a method before the body is 505, not 541', async (c) => {
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 5, 60, 0x8000, Buffer.from([10, 65])), queueDeclareFrame(1, 'q'));
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content body, got non content body frame instead', M.basicPublish);
  });

  onChannel('refuses immediate=true with 540 once the content is in', async (c) => {
    c.send(methodFrame(1, M.basicPublish, new Args().short(0).shortstr('').shortstr('q').bit(false).bit(true)), headerFrame(1, 1));
    expect(await c.waitClosed(200), 'nothing before the body').toBe(false);
    c.send(bodyFrame(1, 'x'));
    await c.expectConnectionError(540, 'NOT_IMPLEMENTED - immediate=true', M.basicPublish);
  });

  // a publish to a queue that exists takes another path to its queue (found by the key's octets): the same answers
  onChannel('refuses immediate=true to a queue that exists as to one that does not', async (c) => {
    const q = `wt-imm-${randomUUID()}`;
    c.send(methodFrame(1, M.queueDeclare, new Args().short(0).shortstr(q).bit(false).bit(false).bit(true).bit(true).bit(false).table({})));
    await c.expectMethod(M.queueDeclareOk);
    c.send(methodFrame(1, M.basicPublish, new Args().short(0).shortstr('').shortstr(q).bit(true).bit(true)), headerFrame(1, 1), bodyFrame(1, 'x'));
    await c.expectConnectionError(540, 'NOT_IMPLEMENTED - immediate=true', M.basicPublish);
  });

  onChannel('answers octets after the last field of a publish to a queue that exists with the decoder\'s 501', async (c) => {
    const q = `wt-tail-${randomUUID()}`;
    c.send(methodFrame(1, M.queueDeclare, new Args().short(0).shortstr(q).bit(false).bit(false).bit(true).bit(true).bit(false).table({})));
    await c.expectMethod(M.queueDeclareOk);
    const args = new Args().short(0).shortstr('').shortstr(q).bit(false).octet(7).build();
    c.send(methodFrame(1, M.basicPublish, args));
    const first16 = [...args.subarray(0, 16)].join(',');
    await c.expectConnectionError(501, `FRAME_ERROR - cannot decode basic.publish (first 16 octets = <<${first16}>>): 1 unexpected octets after the last field`, M.basicPublish);
  });
});

describe.concurrent('frames too short or out of place', () => {
  const shortHeader = frame(FRAME_HEADER, 1, Buffer.from([0, 60, 0, 0, 0, 0, 0, 0]));
  onChannel('answers a content header under 12 octets with 501 even with no publish before it', async (c) => {
    c.send(shortHeader);
    await c.expectConnectionError(501, 'FRAME_ERROR - type 2, all octets = <<0,60,0,0,0,0,0,0>>: unknown_frame');
  });

  onChannel('answers a content header under 12 octets with 501 on a channel never opened', async (c) => {
    c.send(frame(FRAME_HEADER, 2, Buffer.from([0, 60])));
    await c.expectConnectionError(501, 'FRAME_ERROR - type 2, all octets = <<0,60>>: unknown_frame');
  });

  for (const [name, f, text] of [
    ['a frame of unknown type', frame(9, 1, Buffer.from('abc')), 'UNEXPECTED_FRAME - type 9, all octets = <<"abc">>'],
    ['a heartbeat with a payload', frame(8, 1, Buffer.from('a')), 'UNEXPECTED_FRAME - type 8, all octets = <<"a">>'],
  ] as const) {
    it(`answers ${name} on a channel before connection.open with 505`, () =>
      withClient(broker, async (c) => {
        await c.authenticate();
        c.send(f);
        await c.expectConnectionError(505, text);
      }));
  }

  it('answers a frame of unknown type on channel 0 before connection.open with 501', () =>
    withClient(broker, async (c) => {
      await c.authenticate();
      c.send(frame(9, 0, Buffer.from('abc')));
      await c.expectConnectionError(501, 'FRAME_ERROR - type 9, all octets = <<"abc">>: unknown_frame');
    }));

  onChannel('still takes a heartbeat on channel 0', async (c) => {
    c.send(heartbeatFrame(0));
    await c.openChannel(2);
  });
});

describe.concurrent('short strings that are not UTF-8', () => {
  const malformed = 'FRAME_ERROR - Malformed UTF-8 in shortstr';
  const cases: [string, Buffer][] = [
    ['a queue name', methodFrame(1, [60, 70], new Args().short(0).raw(notUtf8([0xa0, 0xdf])).bit(false))],
    ['a consumer tag', methodFrame(1, [60, 30], new Args().raw(notUtf8([0xff])).bit(false))],
    ['an exchange type', methodFrame(1, [40, 10], new Args().short(0).shortstr('fz-x').raw(notUtf8([0xc3])).bit(false).bit(false).bit(true).bit(false).bit(false).table({}))],
    ['a reply text', methodFrame(1, M.channelClose, new Args().short(200).raw(notUtf8([0xa0])).short(0).short(0))],
  ];
  for (const [name, f] of cases) {
    onChannel(`answers ${name} with 501`, async (c) => {
      c.send(f);
      await c.expectConnectionError(501, malformed);
    });
  }

  it("answers connection.open's vhost with 501 and the method's ids", () =>
    withClient(broker, async (c) => {
      await c.authenticate();
      c.send(methodFrame(0, M.connectionOpen, new Args().raw(notUtf8([0xa0])).shortstr('').bit(false)));
      await c.expectConnectionError(501, malformed, M.connectionOpen);
    }));

  onChannel('does not check the routing key of a publish', async (c) => {
    c.send(methodFrame(1, M.basicPublish, new Args().short(0).shortstr('').raw(notUtf8([0xa0])).bit(false).bit(false)), headerFrame(1, 1), bodyFrame(1, 'x'));
    await c.openChannel(2); // answered after the publish: the connection is still up
  });

  it('accepts the same bytes in a property and in a field-table key', async () => {
    const conn: ChannelModel = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const queue = `wire-fuzz-findings-${randomUUID()}`;
    try {
      await ch.assertQueue(queue, { exclusive: true });
      await withClient(broker, async (c) => {
        await c.handshake();
        await c.openChannel(1);
        const tableWithKey = Buffer.concat([new Args().long(4).build(), notUtf8([0xa0, 0xdf]), Buffer.from('V')]);
        c.send(methodFrame(1, [50, 10], new Args().short(0).shortstr(`${queue}-2`).bit(false).bit(false).bit(true).bit(false).bit(false).raw(tableWithKey)));
        await c.expectMethod(M.queueDeclareOk);
        c.send(publishFrame(1, '', queue), headerFrame(1, 2, 60, 0x8000, notUtf8([0xa0, 0xdf])), bodyFrame(1, 'hi'));
        await c.openChannel(2); // answered after the publish: the connection is still up
      });
      const got = await ch.get(queue, { noAck: true });
      expect(got && got.content.toString()).toBe('hi');
    } finally {
      await conn.close();
    }
  });
});

describe.concurrent('methods on channel 0 that cannot be decoded', () => {
  for (const [name, payload] of [
    ['connection.close cut short', [0, 10, 0, 50, 0, 200]],
    ['connection.close with octets over', [0, 10, 0, 50, 0, 200, 0, 0, 0, 0, 0, 0, 255]],
    ['exchange.declare cut short', [0, 40, 0, 10, 0]],
  ] as const) {
    onChannel(`answers ${name} with 541`, async (c) => {
      c.send(frame(1, 0, Buffer.from(payload)));
      await c.expectConnectionError(541, 'INTERNAL_ERROR');
    });
  }
});

describe.concurrent('content while the broker closes a channel', () => {
  /** queue.purge of a queue that does not exist: channel.close 404, and the channel waits for close-ok. */
  const failChannel = (c: RawClient) => c.send(methodFrame(1, [50, 30], new Args().short(0).shortstr(`missing-${randomUUID()}`).bit(false)));
  const expect404 = async (c: RawClient) => {
    const close = await c.expectClose();
    expect([close.scope, close.code]).toEqual(['channel', 404]);
  };

  onChannel('answers a body with no method with 505', async (c) => {
    failChannel(c);
    c.send(bodyFrame(1, 'abc'));
    await expect404(c);
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected method frame, got non method frame instead');
  });

  onChannel('answers a method inside a publish with 505', async (c) => {
    failChannel(c);
    c.send(publishFrame(1, '', 'q'), queueDeclareFrame(1, 'q'));
    await expect404(c);
    await c.expectConnectionError(505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', M.basicPublish);
  });

  onChannel("answers channel.open with 504 second 'channel.open' seen", async (c) => {
    failChannel(c);
    c.send(methodFrame(1, M.channelOpen, new Args().shortstr('')));
    await expect404(c);
    await c.expectConnectionError(504, "CHANNEL_ERROR - second 'channel.open' seen", M.channelOpen);
  });

  onChannel('drops whole publishes and other methods until close-ok', async (c) => {
    failChannel(c);
    c.send(publishFrame(1, '', 'q'), headerFrame(1, 3), bodyFrame(1, 'abc'), queueDeclareFrame(1, 'q'));
    await expect404(c);
    c.send(methodFrame(1, M.channelCloseOk));
    await c.openChannel(1);
  });
});
