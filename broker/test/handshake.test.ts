// The connection handshake on the wire, pinned to what RabbitMQ 3.10.8 does (the table of its
// answers is at the top of bad-input.test.ts). Raw sockets only, so every byte the server sends is
// checked. Errors before connection.open are "silent": RabbitMQ sends nothing and closes the socket
// about 3 s later; those tests run concurrently to keep the file fast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './harness';
import {
  Args, FRAME_HEARTBEAT, M, PROTOCOL_HEADER, amqplainResponse, bodyFrame, headerFrame, heartbeatFrame, methodFrame, plainResponse, publishFrame,
  queueDeclareFrame, withClient, type RawClient, type Tune,
} from './raw-client';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());

const connected = <T>(fn: (c: RawClient) => Promise<T>) => withClient(broker, fn);
const channelOpen = (channel: number) => methodFrame(channel, M.channelOpen, new Args().shortstr(''));
const bytes = (text: string, ...octets: number[]) => Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from(octets)]);

describe('protocol header', () => {
  it.each([
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
    ['AMQP 0-10', bytes('AMQP', 1, 1, 0, 10)],
    ['AMQP 0 0 10 0', bytes('AMQP', 0, 0, 10, 0)],
    ['AMQP 1.0', bytes('AMQP', 0, 1, 0, 0)],
    ['AMQP 1.0 SASL', bytes('AMQP', 3, 1, 0, 0)],
    ['AMQP 0-9-2', bytes('AMQP', 0, 0, 9, 2)],
    ['a lower-case amqp', bytes('amqp', 0, 0, 9, 1)],
  ])('answers %s with the 0-9-1 header and closes', (_name, header) =>
    connected(async (c) => {
      c.send(header);
      expect(await c.rest(1000)).toEqual(PROTOCOL_HEADER);
      expect(c.closed).toBe(true);
    }));

  it('accepts the old 0-9 header (AMQP 1 1 0 9) as 0-9-1', () =>
    connected(async (c) => {
      const start = await c.start(bytes('AMQP', 1, 1, 0, 9));
      expect([start.versionMajor, start.versionMinor]).toEqual([0, 9]);
    }));
});

describe('connection.start', () => {
  it('announces version 0-9, AMQPLAIN and PLAIN, en_US and RabbitMQ server properties', () =>
    connected(async (c) => {
      const start = await c.start();
      expect(start).toMatchObject({ versionMajor: 0, versionMinor: 9, mechanisms: 'AMQPLAIN PLAIN', locales: 'en_US' });
      const props = start.serverProperties;
      for (const key of ['product', 'version', 'platform', 'copyright', 'information', 'cluster_name']) {
        expect(typeof props[key], key).toBe('string');
      }
      expect(props.capabilities).toEqual({
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
        consumer_cancel_notify: true,
        'connection.blocked': true,
        consumer_priorities: true,
        authentication_failure_close: true,
        per_consumer_qos: true,
        direct_reply_to: true,
      });
    }));

  it('tunes with channel_max 2047, frame_max 131072, heartbeat 60', () =>
    connected(async (c) => {
      await c.start();
      c.startOk('PLAIN', plainResponse('guest', 'guest'));
      expect(await c.tune()).toEqual({ channelMax: 2047, frameMax: 131072, heartbeat: 60 });
    }));
});

describe('authentication', () => {
  it.each(['PLAIN', 'AMQPLAIN'] as const)('logs in with %s', (mechanism) =>
    connected(async (c) => {
      await c.handshake({ mechanism });
      await c.openChannel(1);
    }));

  it.each([
    ['a wrong password', 'guest', 'PLAIN'],
    ['an unknown user', 'nobody', 'PLAIN'],
    ['a wrong password over AMQPLAIN', 'guest', 'AMQPLAIN'],
  ] as const)('refuses %s with 403 when the client announced authentication_failure_close', (_name, user, mechanism) =>
    connected(async (c) => {
      await c.start();
      const response = mechanism === 'PLAIN' ? plainResponse(user, 'wrong') : amqplainResponse(user, 'wrong');
      c.startOk(mechanism, response, { authentication_failure_close: true });
      const close = await c.expectConnectionClose(403, `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}`);
      expect(close.text).toBe(`ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`);
      c.closeOk();
      expect(await c.waitClosed(1000)).toBe(true);
    }));

  describe.concurrent('errors before connection.open close the socket without a word', () => {
    it('a wrong password without authentication_failure_close', () =>
      connected(async (c) => {
        await c.start();
        c.startOk('PLAIN', plainResponse('guest', 'wrong'), {});
        await c.expectSilentClose();
      }));

    it('an unknown mechanism, even with authentication_failure_close', () =>
      connected(async (c) => {
        await c.start();
        c.startOk('NOPE', plainResponse('guest', 'guest'));
        await c.expectSilentClose();
      }));

    it('a malformed PLAIN response', () =>
      connected(async (c) => {
        await c.start();
        c.startOk('PLAIN', Buffer.from('guest'));
        await c.expectSilentClose();
      }));

    it.each([
      ['frame_max below 4096', { frameMax: 4095 }],
      ['frame_max above the server\'s 131072', { frameMax: 131073 }],
      ['frame_max 0 (unlimited)', { frameMax: 0 }],
      ['channel_max above the server\'s 2047', { channelMax: 2048 }],
      ['channel_max 0 (unlimited)', { channelMax: 0 }],
    ])('tune-ok with %s', (_name, tune: Partial<Tune>) =>
      connected(async (c) => {
        await c.authenticate({ tune });
        c.open('/');
        // RabbitMQ drops the socket; Warren tells the client why with 530, as DESIGN.md asks
        if (broker.external) await c.expectSilentClose();
        else await c.expectConnectionError(530, 'NOT_ALLOWED - ', [10, 31]);
      }));

    it('channel.open before start-ok', () =>
      connected(async (c) => {
        await c.start();
        c.send(channelOpen(1));
        await c.expectSilentClose();
      }));
  });

  it('accepts frame_max 4096 and a heartbeat above the server\'s', () =>
    connected(async (c) => {
      await c.handshake({ tune: { frameMax: 4096, heartbeat: 600 } });
    }));
});

describe('connection.open', () => {
  it('refuses an unknown vhost with 530 NOT_ALLOWED', () =>
    connected(async (c) => {
      await c.authenticate();
      c.open('no-such-vhost');
      const close = await c.expectConnectionError(530, 'NOT_ALLOWED - vhost no-such-vhost not found', M.connectionOpen);
      expect(close.text).toBe('NOT_ALLOWED - vhost no-such-vhost not found');
    }));

  it('answers channel.open between tune-ok and connection.open with 505 UNEXPECTED_FRAME', () =>
    connected(async (c) => {
      await c.authenticate();
      c.send(channelOpen(1));
      await c.expectConnectionError(505, 'UNEXPECTED_FRAME - type 1, all octets = <<0,20,0,10,0>>');
    }));

  it('answers a channel method on channel 0 between tune-ok and connection.open with 504', () =>
    connected(async (c) => {
      await c.authenticate();
      c.send(queueDeclareFrame(0, 'q'));
      await c.expectConnectionError(504, 'CHANNEL_ERROR - unexpected method in connection state opening', M.queueDeclare);
    }));

  it('answers a second connection.open with 504', () =>
    connected(async (c) => {
      await c.handshake();
      c.open('/');
      await c.expectConnectionError(504, 'CHANNEL_ERROR - unexpected method in connection state running', M.connectionOpen);
    }));
});

describe('heartbeats', () => {
  it('sends heartbeats every timeout/2 and drops a silent client after missed heartbeats', () =>
    connected(async (c) => {
      await c.handshake({ tune: { heartbeat: 1 } });
      const t0 = Date.now();
      let beats = 0;
      for (let f = await c.nextFrame(6000); f !== null; f = await c.nextFrame(6000 - (Date.now() - t0))) {
        expect(f).toMatchObject({ type: FRAME_HEARTBEAT, channel: 0, payload: Buffer.alloc(0) });
        beats++;
      }
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(1500); // RabbitMQ: about 3 s for a 1 s heartbeat
      expect(beats).toBeGreaterThanOrEqual(2); // RabbitMQ: one every 500 ms
    }), 10_000);

  it('keeps a client that sends heartbeats', () =>
    connected(async (c) => {
      await c.handshake({ tune: { heartbeat: 1 } });
      for (let i = 0; i < 8; i++) {
        c.send(heartbeatFrame());
        expect(await c.waitClosed(450)).toBe(false);
      }
      await c.openChannel(1);
    }), 10_000);
});

describe('channels', () => {
  it('answers channel.open on channel 0 with 504', () =>
    connected(async (c) => {
      await c.handshake();
      c.send(channelOpen(0));
      await c.expectConnectionError(504, 'CHANNEL_ERROR - unexpected method in connection state running', M.channelOpen);
    }));

  it('answers channel.open on an open channel with 504', () =>
    connected(async (c) => {
      await c.handshake();
      await c.openChannel(1);
      c.send(channelOpen(1));
      await c.expectConnectionError(504, "CHANNEL_ERROR - second 'channel.open' seen", M.channelOpen);
    }));

  it('opens channel ids above channel_max: the limit is on how many are open', () =>
    connected(async (c) => {
      await c.handshake({ tune: { channelMax: 10 } });
      await c.openChannel(11);
      await c.openChannel(65535);
    }));

  it('answers one channel more than channel_max with 530 NOT_ALLOWED', () =>
    connected(async (c) => {
      await c.handshake({ tune: { channelMax: 2 } });
      await c.openChannel(1);
      await c.openChannel(7);
      c.send(channelOpen(3));
      await c.expectConnectionError(530, 'NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)');
    }));
});

describe('channel.close', () => {
  // RabbitMQ's rabbit_channel in its closing state answers a crossed channel.close with close-ok and
  // waits for the close-ok of its own; pika, closing while a refusal is on its way, relies on it
  it('answers a crossed channel.close and keeps the channel until the client\'s close-ok, without a 504', () =>
    connected(async (c) => {
      await c.handshake();
      await c.openChannel(1);
      c.send(Buffer.concat([publishFrame(1, 'no-such-exchange', 'k'), headerFrame(1, 1), bodyFrame(1, 'x')]));
      // the client closes too, before it has read the broker's refusal
      c.send(methodFrame(1, M.channelClose, new Args().short(200).shortstr('Normal shutdown').short(0).short(0)));
      const refusal = await c.expectClose();
      expect([refusal.scope, refusal.code]).toEqual(['channel', 404]);
      await c.expectMethod(M.channelCloseOk);
      c.send(methodFrame(1, M.channelCloseOk));
      await c.openChannel(1);
    }));
});

describe('connection.close', () => {
  it('answers a client connection.close with close-ok', () =>
    connected(async (c) => {
      await c.handshake();
      await c.openChannel(1);
      c.send(methodFrame(0, M.connectionClose, new Args().short(200).shortstr('Goodbye').short(0).short(0)));
      await c.expectMethod(M.connectionCloseOk);
    }));
});
