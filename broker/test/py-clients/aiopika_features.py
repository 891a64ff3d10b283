#!/usr/bin/env python3
"""What aio-pika (asyncio, on aiormq) users do.

Each check prints one JSON line {"check": name, "ok": true, ...observations}, or
{"check": name, "ok": false, "error": "..."} if it blew up; a final {"done": "ok"}.
The broker comes from AMQP_URL (or AMQP_HOST / AMQP_PORT). Everything it declares is
named 'aiopika.*' and deleted before and after each check.
Usage: aiopika_features.py [check ...]   (default: all)
"""
import asyncio
import contextlib
import datetime
import uuid

import aio_pika
import aiormq.exceptions
from aio_pika import DeliveryMode, ExchangeType, Message
from aio_pika.patterns import RPC

from common import HOST, PORT, URL, check, cleanup, emit, main_async


@contextlib.asynccontextmanager
async def open_channel(robust=False):
    """A connection (connect_robust's if `robust`) and a channel on it, closed on the way out."""
    connection = await (aio_pika.connect_robust if robust else aio_pika.connect)(URL)
    async with connection:
        yield await connection.channel()


async def queue_holding(channel, *bodies):
    """An exclusive server-named queue, and `bodies` published to it through the default exchange."""
    queue = await channel.declare_queue(exclusive=True)
    for body in bodies:
        await channel.default_exchange.publish(Message(body), routing_key=queue.name)
    return queue


async def until(condition, seconds=2.0):
    """Polls `condition()` until it is true or the time is up."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


def channel_error(exc):
    """aiormq's exception for a channel.close, with the server's reply text."""
    return {'exception': type(exc).__name__, 'text': exc.args[0]}


def exception_args(exc):
    return {'exception': type(exc).__name__, 'args': [str(a) for a in exc.args]}


async def get_all(queue):
    """basic.get until the queue is empty (publishes were confirmed, so everything is there)."""
    got = []
    while (m := await queue.get(no_ack=True, fail=False)) is not None:
        got.append(m)
    return got


async def take(queue, n, timeout=3.0):
    """basic.get until n messages or the deadline."""
    got = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(got) < n and asyncio.get_running_loop().time() < deadline:
        m = await queue.get(no_ack=True, fail=False)
        if m is None:
            await asyncio.sleep(0.02)
        else:
            got.append(m)
    return got


@check
async def hello():
    """Publish through the default exchange, read it with the queue iterator and message.process()."""
    cleanup(['aiopika.hello'])
    async with open_channel(robust=True) as channel:
        queue = await channel.declare_queue('aiopika.hello', auto_delete=True)
        confirm = await channel.default_exchange.publish(Message(b'Hello World!'), routing_key='aiopika.hello')
        got = []
        async with queue.iterator() as it:
            async for message in it:
                async with message.process():
                    got.append({'body': message.body.decode(), 'routing_key': message.routing_key,
                                'exchange': message.exchange, 'redelivered': message.redelivered,
                                'consumer_tag_prefix': message.consumer_tag.split('-')[0]})
                break
        emit('hello', got=got, confirm=type(confirm).__name__)
    cleanup(['aiopika.hello'])


@check
async def work_queue():
    """set_qos(prefetch_count=1), two consumers, manual ack: a busy worker gets nothing more."""
    cleanup(['aiopika.tasks'])
    conn = await aio_pika.connect_robust(URL)
    async with conn:
        ch = await conn.channel()
        q = await ch.declare_queue('aiopika.tasks', durable=True)
        for i in range(6):
            await ch.default_exchange.publish(Message(b'task %d' % i, delivery_mode=DeliveryMode.PERSISTENT),
                                              routing_key='aiopika.tasks')
        busy_ch, free_ch = await conn.channel(), await conn.channel()
        await busy_ch.set_qos(prefetch_count=1)
        await free_ch.set_qos(prefetch_count=1)
        busy_got, free_got = [], []
        held = []

        async def busy(message):
            busy_got.append(message.body.decode())
            held.append(message)

        async def free(message):
            async with message.process():
                free_got.append(message.body.decode())

        busy_q = await busy_ch.get_queue('aiopika.tasks')
        await busy_q.consume(busy)
        await until(lambda: busy_got)
        free_q = await free_ch.get_queue('aiopika.tasks')
        await free_q.consume(free)
        await until(lambda: len(free_got) >= 5)
        await asyncio.sleep(0.1)
        for m in held:
            await m.ack()
        emit('work_queue', busy=busy_got, free=free_got,
             delivery_mode=int(held[0].delivery_mode) if held else None)
        await q.delete(if_unused=False, if_empty=False)


@check
async def routing():
    """fanout, direct and topic exchanges; exclusive server-named queues bound to them."""
    names = {'fanout': 'aiopika.logs', 'direct': 'aiopika.direct_logs', 'topic': 'aiopika.topic_logs'}
    cleanup(exchanges=names.values())
    plan = {
        'fanout': ([('all', [''])], ['x', 'y']),
        'direct': ([('errors', ['error']), ('info_warn', ['info', 'warning'])], ['info', 'error', 'debug', 'warning']),
        'topic': ([('orange', ['*.orange.*']), ('lazy_rabbit', ['*.*.rabbit', 'lazy.#'])],
                  ['quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.pink.rabbit', 'quick.brown.fox', 'lazy']),
    }
    out = {}
    async with open_channel() as ch:
        for kind, x in names.items():
            exchange = await ch.declare_exchange(x, ExchangeType(kind))
            bindings, keys = plan[kind]
            queues = {}
            for label, patterns in bindings:
                q = await ch.declare_queue(exclusive=True)
                for p in patterns:
                    await q.bind(exchange, routing_key=p)
                queues[label] = q
            for k in keys:
                await exchange.publish(Message(k.encode()), routing_key=k)
            got = {}
            for label, q in queues.items():
                got[label] = [m.routing_key for m in await get_all(q)]
            out[kind] = got
            out[kind + '_server_named'] = all(q.name.startswith('amq.gen-') for q in queues.values())
            await exchange.delete()
    emit('routing', **out)


@check
async def rpc():
    """RPC: a callback queue, futures keyed by correlation_id; the server replies via the default exchange."""
    cleanup(['aiopika.rpc_queue'])
    server_conn = await aio_pika.connect_robust(URL)
    client_conn = await aio_pika.connect_robust(URL)
    async with server_conn, client_conn:
        server_ch = await server_conn.channel()
        requests = await server_ch.declare_queue('aiopika.rpc_queue')
        seen = []

        async def serve(message):
            async with message.process():
                n = int(message.body)
                seen.append((message.reply_to, message.correlation_id))
                await server_ch.default_exchange.publish(
                    Message(str(n * n).encode(), correlation_id=message.correlation_id),
                    routing_key=message.reply_to)

        await requests.consume(serve)

        client_ch = await client_conn.channel()
        callback_queue = await client_ch.declare_queue(exclusive=True)
        futures = {}

        async def on_response(message):
            fut = futures.pop(message.correlation_id, None)
            if fut is not None:
                fut.set_result(message.body.decode())

        await callback_queue.consume(on_response, no_ack=True)

        async def call(n):
            cid = str(uuid.uuid4())
            fut = asyncio.get_running_loop().create_future()
            futures[cid] = fut
            await client_ch.default_exchange.publish(
                Message(str(n).encode(), content_type='text/plain', correlation_id=cid, reply_to=callback_queue.name),
                routing_key='aiopika.rpc_queue')
            return [n, await asyncio.wait_for(fut, 5), cid]

        results = await asyncio.gather(call(6), call(9))
        emit('rpc', results=[r[:2] for r in results],
             server_saw=sorted(c for _, c in seen) == sorted(r[2] for r in results),
             reply_to_ok=all(r == callback_queue.name for r, _ in seen))
        await requests.delete(if_unused=False, if_empty=False)


@check
async def durable_properties():
    """A persistent message with every property and header type aio-pika writes comes back the same."""
    cleanup(['aiopika.durable'])
    async with open_channel() as ch:
        q = await ch.declare_queue('aiopika.durable', durable=True)
        # pamqp picks the smallest integer type: b, s, u, I, i, l
        headers = {'str': 'text', 'octet': 42, 'short': -300, 'ushort': 40000, 'int': -100000, 'uint': 3000000000,
                   'big': 2 ** 40, 'float': 1.5, 'flag': True, 'nested': {'a': 1}, 'list': [1, 'two'],
                   'bytes': b'\x00\x01'}
        sent = Message(b'persist me', delivery_mode=DeliveryMode.PERSISTENT, content_type='application/json',
                       content_encoding='utf-8', headers=headers, priority=4, correlation_id='c-1',
                       reply_to='somewhere', expiration=60, message_id='m-1',
                       timestamp=datetime.datetime(2021, 6, 7, 8, 9, 10, tzinfo=datetime.timezone.utc),
                       type='greeting', user_id='guest', app_id='aiopika_features')
        await ch.default_exchange.publish(sent, routing_key='aiopika.durable')
        declared = await ch.declare_queue('aiopika.durable', passive=True)
        m = await q.get(no_ack=False)
        info = m.info()
        got_headers = info.pop('headers')
        await m.ack()
        for k in ('delivery_tag', 'consumer_tag', 'cluster_id'):
            info.pop(k, None)
        emit('durable_properties', count=declared.declaration_result.message_count, body=m.body.decode(),
             info=info, headers=got_headers, message_count=m.message_count)
        await q.delete(if_unused=False, if_empty=False)


@check
async def confirms_and_returns():
    """Confirms are basic.ack; mandatory unroutable comes back (return callback or DeliveryError)."""
    conn = await aio_pika.connect(URL)
    async with conn:
        ch = await conn.channel()
        returned = []
        ch.return_callbacks.add(lambda channel, message: returned.append(
            {'body': message.body.decode(), 'routing_key': message.routing_key, 'exchange': message.exchange}))
        q = await ch.declare_queue(exclusive=True)
        ok = await ch.default_exchange.publish(Message(b'routable'), routing_key=q.name)
        back = await ch.default_exchange.publish(Message(b'nobody'), routing_key='aiopika.nowhere', mandatory=True)
        await until(lambda: returned, 0.5)
        strict = await conn.channel(on_return_raises=True)
        try:
            await strict.default_exchange.publish(Message(b'nobody either'), routing_key='aiopika.nowhere')
            raised = 'no error'
        except aio_pika.exceptions.DeliveryError as exc:
            raised = {'exception': type(exc).__name__, 'reply_code': exc.frame.reply_code,
                      'reply_text': exc.frame.reply_text, 'body': exc.message.body.decode()}
        emit('confirms_and_returns', routable=type(ok).__name__, returned=returned,
             unroutable_result=type(back).__name__, strict=raised)


@check
async def basic_get():
    """queue.get: message_count counts down; fail=False gives None on an empty queue, fail=True raises."""
    async with open_channel() as ch:
        q = await queue_holding(ch, b'g0', b'g1', b'g2')
        gets = []
        for _ in range(3):
            m = await q.get()
            gets.append([m.body.decode(), m.message_count, m.delivery_tag])
            await m.ack()
        empty = await q.get(fail=False)
        try:
            await q.get()
            raised = 'no error'
        except aio_pika.exceptions.QueueEmpty as exc:
            raised = type(exc).__name__
        emit('basic_get', gets=gets, empty=empty, raised=raised)


@check
async def nack_reject():
    """nack/reject with requeue come back redelivered; without requeue they are gone."""
    async with open_channel() as ch:
        q = await queue_holding(ch, b'n0', b'n1', b'n2')
        first = await q.get()
        await first.nack(requeue=True)
        again = await q.get()
        await again.reject(requeue=True)
        third = await q.get()
        await third.reject(requeue=False)
        a, b = await q.get(), await q.get()
        await b.nack(multiple=True, requeue=True)
        back = [(m.body.decode(), m.redelivered) for m in (await q.get(), await q.get())]
        await ch.channel.basic_nack(0, multiple=True, requeue=False)
        left = (await ch.declare_queue(q.name, passive=True)).declaration_result.message_count
        emit('nack_reject', first=[first.body.decode(), first.redelivered], again=[again.body.decode(), again.redelivered],
             rejected=[third.body.decode(), third.redelivered], nacked=[a.body.decode(), b.body.decode()],
             back=back, left=left)


@check
async def dead_letter():
    """x-dead-letter-exchange; per-message expiration and reject both land there with x-death."""
    cleanup(['aiopika.dl.work', 'aiopika.dl.dead'], ['aiopika.dlx'])
    async with open_channel() as ch:
        dlx = await ch.declare_exchange('aiopika.dlx', ExchangeType.TOPIC)
        dead = await ch.declare_queue('aiopika.dl.dead')
        await dead.bind(dlx, routing_key='#')
        work = await ch.declare_queue('aiopika.dl.work', arguments={'x-dead-letter-exchange': 'aiopika.dlx'})
        await ch.default_exchange.publish(Message(b'expire me', expiration=0.05), routing_key=work.name)
        await asyncio.sleep(0.3)
        await ch.default_exchange.publish(Message(b'nack me'), routing_key=work.name)
        m = await work.get()
        on_work = m.body.decode()
        await m.nack(requeue=False)
        out = []
        for d in await take(dead, 2):
            death = d.headers['x-death'][0]
            out.append({'body': d.body.decode(), 'routing_key': d.routing_key, 'exchange': d.exchange,
                        'expiration': d.expiration, 'reason': death['reason'], 'count': death['count'],
                        'queue': death['queue'], 'routing_keys': death['routing-keys'],
                        'time_type': type(death['time']).__name__,
                        'original_expiration': death.get('original-expiration'),
                        'first_death': [d.headers.get('x-first-death-' + k) for k in ('reason', 'queue', 'exchange')]})
        emit('dead_letter', on_work=on_work, dead=out)
        await work.delete(if_unused=False, if_empty=False)
        await dead.delete(if_unused=False, if_empty=False)
        await dlx.delete()


@check
async def channel_errors():
    """Passive declares of missing things, an exclusive queue of another connection, an unknown
    exchange type: the exceptions, and a robust channel that reopens itself after each."""
    out = {}
    conn = await aio_pika.connect_robust(URL)
    other = await aio_pika.connect(URL)
    async with conn, other:
        ch = await conn.channel()
        reopened = []
        ch.reopen_callbacks.add(lambda *a: reopened.append(1))

        async def reopen():
            await until(lambda: not ch.is_closed)

        try:
            await ch.declare_queue('aiopika.no-such-queue', passive=True)
            out['passive_queue'] = 'no error'
        except aiormq.exceptions.ChannelNotFoundEntity as exc:
            out['passive_queue'] = channel_error(exc)
        await reopen()
        try:
            await ch.get_exchange('aiopika.no-such-exchange')
            out['passive_exchange'] = 'no error'
        except aiormq.exceptions.ChannelNotFoundEntity as exc:
            out['passive_exchange'] = channel_error(exc)
        await reopen()
        mine = await ch.declare_queue('aiopika.exclusive', exclusive=True)
        out['reopened'] = [mine.name == 'aiopika.exclusive', len(reopened)]
        other_ch = await other.channel()
        try:
            await other_ch.declare_queue('aiopika.exclusive', exclusive=True)
            out['exclusive'] = 'no error'
        except aiormq.exceptions.ChannelLockedResource as exc:
            out['exclusive'] = channel_error(exc)
        other_ch = await other.channel()
        try:
            await other_ch.declare_exchange('aiopika.bad-type', 'x-no-such-type')
            out['bad_exchange_type'] = 'no error'
        except aiormq.exceptions.AMQPError as exc:
            out['bad_exchange_type'] = exception_args(exc)
        out['other_closed'] = other.is_closed
    emit('channel_errors', **out)


@check
async def wrong_password():
    """Bad credentials: connect() raises ProbableAuthenticationError (403)."""
    bad = URL.replace('guest:guest@', 'guest:wrong@')
    try:
        conn = await aio_pika.connect(bad, timeout=5)
        await conn.close()
        out = 'connected'
    except aiormq.exceptions.AMQPConnectionError as exc:
        out = exception_args(exc)
    emit('wrong_password', result=out)


@check
async def consumer_cancel():
    """The queue is deleted under a consumer: the server's basic.cancel drops it from the channel,
    and cancelling it afterwards is still answered."""
    cleanup(['aiopika.cancel'])
    conn = await aio_pika.connect(URL)
    async with conn:
        ch = await conn.channel()
        q = await ch.declare_queue('aiopika.cancel')
        tag = await q.consume(lambda m: None)
        before = tag in ch.channel.consumers
        admin = await conn.channel()
        await admin.queue_delete('aiopika.cancel')
        await until(lambda: tag not in ch.channel.consumers)
        after = tag in ch.channel.consumers
        ok = await q.cancel(tag)
        emit('consumer_cancel', before=before, after=after, cancel_ok=type(ok).__name__, channel_open=not ch.is_closed)


@check
async def headers_exchange():
    """headers exchange: bind with arguments x-match all / any."""
    cleanup(exchanges=['aiopika.headers'])
    async with open_channel() as ch:
        hx = await ch.declare_exchange('aiopika.headers', ExchangeType.HEADERS)
        q_all = await ch.declare_queue(exclusive=True)
        q_any = await ch.declare_queue(exclusive=True)
        await q_all.bind(hx, arguments={'x-match': 'all', 'format': 'pdf', 'type': 'report'})
        await q_any.bind(hx, arguments={'x-match': 'any', 'format': 'pdf', 'type': 'log'})
        for name, hdrs in (('both', {'format': 'pdf', 'type': 'report'}), ('pdf', {'format': 'pdf'}),
                           ('log', {'type': 'log'}), ('zip', {'format': 'zip'})):
            await hx.publish(Message(name.encode(), headers=hdrs), routing_key='')
        got = {}
        for label, q in (('all', q_all), ('any', q_any)):
            got[label] = [m.body.decode() for m in await get_all(q)]
        await hx.delete()
        emit('headers_exchange', **got)


@check
async def iterator_requeue():
    """Leaving a queue iterator early cancels the consumer and nacks what it had prefetched."""
    async with open_channel() as ch:
        await ch.set_qos(prefetch_count=10)
        q = await queue_holding(ch, *(b'i%d' % i for i in range(5)))
        processed = []
        async with q.iterator() as it:
            async for message in it:
                async with message.process():
                    processed.append(message.body.decode())
                if len(processed) == 2:
                    # give the prefetched ones time to arrive, so they are nacked on exit
                    await asyncio.sleep(0.2)
                    break
        rest = [(m.body.decode(), m.redelivered) for m in await take(q, 3)]
        emit('iterator_requeue', processed=processed, rest=rest)


@check
async def patterns_rpc():
    """aio_pika.patterns.RPC: results, remote exceptions, an unknown method (mandatory return) and a
    timeout (per-message expiration dead-lettered through its headers exchange 'rpc.dlx')."""
    cleanup(['aiopika.multiply', 'aiopika.fail', 'aiopika.sleepy'])
    async with open_channel() as ch:
        rpc = await RPC.create(ch)

        async def multiply(*, x, y):
            return x * y

        async def fail():
            raise ValueError('no good')

        await rpc.register('aiopika.multiply', multiply, auto_delete=True)
        await rpc.register('aiopika.fail', fail, auto_delete=True)
        out = {'result': await rpc.call('aiopika.multiply', kwargs={'x': 6, 'y': 7})}
        try:
            await rpc.call('aiopika.fail')
        except ValueError as exc:
            out['remote_error'] = ['ValueError', str(exc)]
        try:
            await asyncio.wait_for(rpc.call('aiopika.unregistered'), 3)
        except Exception as exc:
            out['unregistered'] = type(exc).__name__
        # a method queue nobody consumes: the call's expiration dead-letters it back as a timeout
        sleepy = await ch.declare_queue('aiopika.sleepy', auto_delete=False,
                                        arguments={'x-dead-letter-exchange': RPC.DLX_NAME})
        try:
            await asyncio.wait_for(rpc.call('aiopika.sleepy', expiration=1), 4)
            out['timeout'] = 'answered'
        except asyncio.TimeoutError as exc:
            out['timeout'] = [type(exc).__name__, exc.args[0] if exc.args else None]
        await sleepy.delete(if_unused=False, if_empty=False)
        await rpc.close()
    emit('patterns_rpc', **out)


class Proxy:
    """A TCP proxy the program can cut, to see the robust connection come back."""

    def __init__(self):
        self.writers = []

    async def start(self):
        self.server = await asyncio.start_server(self.handle, '127.0.0.1', 0)
        return self.server.sockets[0].getsockname()[1]

    async def handle(self, client_r, client_w):
        broker_r, broker_w = await asyncio.open_connection(HOST, PORT)
        self.writers += [client_w, broker_w]

        async def pipe(r, w):
            try:
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                w.close()

        await asyncio.gather(pipe(client_r, broker_w), pipe(broker_r, client_w))

    def cut(self):
        for w in self.writers:
            w.transport.abort()
        self.writers = []

    def close(self):
        self.cut()
        self.server.close()


@check
async def robust_reconnect():
    """connect_robust: the network drops; it reconnects and restores exchange, exclusive queue,
    binding, qos and consumer, and messages flow again."""
    cleanup(exchanges=['aiopika.robust'])
    proxy = Proxy()
    port = await proxy.start()
    url = URL.replace('%s:%s' % (HOST, PORT), '127.0.0.1:%d' % port)
    connection = await aio_pika.connect_robust(url, reconnect_interval=0.2)
    reconnects = []
    connection.reconnect_callbacks.add(lambda *a: reconnects.append(1))
    got = []
    async with connection:
        ch = await connection.channel()
        await ch.set_qos(prefetch_count=1)
        x = await ch.declare_exchange('aiopika.robust', ExchangeType.DIRECT, auto_delete=True)
        q = await ch.declare_queue(exclusive=True)

        async def on_message(message):
            async with message.process():
                got.append(message.body.decode())

        await q.bind(x, routing_key='k')
        tag = await q.consume(on_message)
        await x.publish(Message(b'before'), routing_key='k')
        await until(lambda: got)
        proxy.cut()
        await until(lambda: reconnects and not ch.is_closed, 5)
        await asyncio.sleep(0.2)  # restore runs after the reconnect callbacks
        await x.publish(Message(b'after'), routing_key='k')
        await until(lambda: len(got) >= 2)
        emit('robust_reconnect', got=got, reconnects=len(reconnects), queue_name_prefix=q.name[:4],
             same_tag=tag in ch.channel.consumers)
    proxy.close()
    cleanup(exchanges=['aiopika.robust'])


if __name__ == '__main__':
    asyncio.run(main_async())
