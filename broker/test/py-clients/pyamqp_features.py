#!/usr/bin/env python3
"""What py-amqp (`import amqp`, the library under kombu and celery) users do.

Each check prints one JSON line {"check": name, "ok": true, ...observations}, or
{"check": name, "ok": false, "error": "..."} if it blew up; a final {"done": "ok"}.
Host and port come from AMQP_URL (or AMQP_HOST / AMQP_PORT). Everything it declares is named
'pyamqp.*' and deleted before and after each check.
Usage: pyamqp_features.py [check ...]   (default: all)
"""
import contextlib
import datetime
import socket
import time
import uuid

import amqp
from amqp import exceptions as amqp_exc

from common import ADDRESS, check, cleanup, emit, error_info, main, text


def connect(**kwargs):
    conn = amqp.Connection(ADDRESS, userid='guest', password='guest', **kwargs)
    conn.connect()
    return conn


@contextlib.contextmanager
def queue_channel(q, *bodies, **connect_args):
    """A connection, a channel and the named queue q (not auto-delete) holding `bodies`, deleted
    before and after."""
    cleanup([q])
    with connect(**connect_args) as conn:
        ch = conn.channel()
        ch.queue_declare(q, auto_delete=False)
        for body in bodies:
            ch.basic_publish(amqp.Message(body), routing_key=q)
        yield conn, ch
    cleanup([q])


def drain(conn, seconds=0.3):
    """Processes whatever arrives within `seconds` of quiet."""
    while True:
        try:
            conn.drain_events(timeout=seconds)
        except socket.timeout:
            return


def drain_until(done, *conns, seconds=5):
    """Processes what arrives on each connection in turn until done() or the time is up."""
    deadline = time.time() + seconds
    while not done() and time.time() < deadline:
        for conn in conns:
            drain(conn, 0.05)


@check
def hello():
    """send.py / receive.py: default exchange, a consumer with a callback, drain_events."""
    q = 'pyamqp.hello'
    with queue_channel(q) as (receiver, rch):
        got = []

        def on_message(msg):
            got.append({'body': text(msg.body), 'routing_key': msg.delivery_info['routing_key'],
                        'exchange': msg.delivery_info['exchange'],
                        'redelivered': msg.delivery_info['redelivered'],
                        'consumer_tag': msg.delivery_info['consumer_tag']})

        tag = rch.basic_consume(q, callback=on_message, no_ack=True)
        with connect() as sender:
            sender.channel().basic_publish(amqp.Message('Hello World!'), exchange='', routing_key=q)
        receiver.drain_events(timeout=5)
        emit('hello', messages=got, tag_matches=got[0]['consumer_tag'] == tag if got else None,
             server_product=receiver.server_properties.get('product'),
             capabilities=sorted(k for k, v in receiver.server_capabilities.items() if v))


@check
def work_queue():
    """Two workers with basic_qos(prefetch_count=1) and manual acks: a busy worker gets no more."""
    q = 'pyamqp.tasks'
    cleanup([q])
    with connect(confirm_publish=True) as producer:
        pch = producer.channel()
        pch.queue_declare(q, durable=True, auto_delete=False)
        for i in range(6):
            pch.basic_publish(amqp.Message('task %d' % i, delivery_mode=2), routing_key=q)
    busy_conn, free_conn = connect(), connect()
    busy_got, free_got = [], []
    busy, free = busy_conn.channel(), free_conn.channel()
    for ch in (busy, free):
        ch.basic_qos(prefetch_size=0, prefetch_count=1, a_global=False)
    # the busy worker never acks while the other works
    busy.basic_consume(q, callback=lambda m: busy_got.append(m))
    drain(busy_conn)

    def on_free(m):
        free_got.append(text(m.body))
        free.basic_ack(m.delivery_tag)

    free.basic_consume(q, callback=on_free)
    drain(free_conn)
    drain(busy_conn)
    busy_bodies = [text(m.body) for m in busy_got]
    for m in busy_got:
        busy.basic_ack(m.delivery_tag)
    _, left, consumers = free.queue_declare(q, passive=True)
    emit('work_queue', busy=busy_bodies, free=free_got, left=left, consumers=consumers,
         delivery_mode=busy_got[0].properties.get('delivery_mode') if busy_got else None)
    busy_conn.close()
    free_conn.close()
    cleanup([q])


@check
def routing():
    """fanout, direct and topic exchanges with server-named exclusive queues, read by basic_get."""
    xs = {'fanout': 'pyamqp.logs', 'direct': 'pyamqp.direct_logs', 'topic': 'pyamqp.topic_logs'}
    cleanup(exchanges=xs.values())
    bindings = {
        'fanout': [('all', [''])],
        'direct': [('errors', ['error']), ('info_warn', ['info', 'warning'])],
        'topic': [('orange', ['*.orange.*']), ('lazy_rabbit', ['*.*.rabbit', 'lazy.#'])],
    }
    keys = {
        'fanout': ['x', 'y'],
        'direct': ['info', 'error', 'debug', 'warning'],
        'topic': ['quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.pink.rabbit', 'quick.brown.fox', 'lazy'],
    }
    out = {}
    with connect() as conn:
        ch = conn.channel()
        for kind, x in xs.items():
            ch.exchange_declare(x, kind, durable=False, auto_delete=False)
            queues = {}
            for label, patterns in bindings[kind]:
                name, _, _ = ch.queue_declare('', exclusive=True)
                for p in patterns:
                    ch.queue_bind(name, x, routing_key=p)
                queues[label] = name
            for k in keys[kind]:
                ch.basic_publish(amqp.Message(k), exchange=x, routing_key=k)
            got = {}
            for label, name in queues.items():
                got[label] = []
                deadline = time.time() + 2
                while time.time() < deadline:
                    m = ch.basic_get(name, no_ack=True)
                    if m is None:
                        if got[label]:
                            break
                        time.sleep(0.02)
                        continue
                    got[label].append(m.delivery_info['routing_key'])
            out[kind] = got
            out[kind + '_server_named'] = all(n.startswith('amq.gen-') for n in queues.values())
    emit('routing', **out)
    cleanup(exchanges=xs.values())


@check
def rpc():
    """RPC: requests on a named queue, replies to an exclusive callback queue by correlation_id."""
    q = 'pyamqp.rpc_queue'
    cleanup([q])
    server_conn, client_conn = connect(), connect()
    server = server_conn.channel()
    server.queue_declare(q, auto_delete=False)
    server.basic_qos(0, 1, False)
    seen = []

    def on_request(msg):
        n = int(text(msg.body))
        seen.append({'reply_to': msg.properties.get('reply_to'), 'correlation_id': msg.properties.get('correlation_id')})
        server.basic_publish(amqp.Message(str(n * n), correlation_id=msg.properties['correlation_id']),
                             exchange='', routing_key=msg.properties['reply_to'])
        server.basic_ack(msg.delivery_tag)

    server.basic_consume(q, callback=on_request)
    client = client_conn.channel()
    callback_queue, _, _ = client.queue_declare('', exclusive=True)
    replies = {}
    client.basic_consume(callback_queue, no_ack=True,
                         callback=lambda m: replies.__setitem__(m.properties.get('correlation_id'), text(m.body)))
    ids = {}
    for n in (3, 7):
        cid = str(uuid.uuid4())
        ids[cid] = n
        client.basic_publish(amqp.Message(str(n), reply_to=callback_queue, correlation_id=cid),
                             exchange='', routing_key=q)
    drain_until(lambda: len(replies) >= 2, server_conn, client_conn)
    emit('rpc', results=sorted([ids.get(cid), r] for cid, r in replies.items()),
         callback_queue_server_named=callback_queue.startswith('amq.gen-'),
         server_saw_reply_to=all(s['reply_to'] == callback_queue for s in seen),
         server_saw_ids=sorted(s['correlation_id'] for s in seen) == sorted(ids))
    server_conn.close()
    client_conn.close()
    cleanup([q])


@check
def durable_properties():
    """Durable queue, persistent message; every property and header type comes back as sent."""
    q = 'pyamqp.durable'
    cleanup([q])
    with connect(confirm_publish=True) as conn, conn.channel() as ch:
        name, count, consumers = ch.queue_declare(q, durable=True, auto_delete=False)
        headers = {'str': 'text', 'int': 42, 'neg': -7, 'big': 2 ** 40, 'float': 1.5, 'true': True, 'false': False,
                   'nested': {'a': 1, 'b': 'two'}, 'list': [1, 'two', 3.0], 'none': None,
                   'when': datetime.datetime(2020, 1, 2, 3, 4, 5)}
        ch.basic_publish(amqp.Message('persist me', delivery_mode=2, content_type='text/plain', content_encoding='utf-8',
                                      priority=3, correlation_id='c-1', reply_to='somewhere', expiration='60000',
                                      message_id='m-1', timestamp=1623053350,
                                      type='greeting', user_id='guest', app_id='pyamqp_features',
                                      application_headers=headers),
                         exchange='', routing_key=q)
        _, after_publish, _ = ch.queue_declare(q, passive=True)
        m = ch.basic_get(q)
        props = dict(m.properties)
        got_headers = props.pop('application_headers', None)
        ch.basic_ack(m.delivery_tag)
        emit('durable_properties', declare_ok=[name, count, consumers], after_publish=after_publish,
             body=text(m.body), properties=props, headers=got_headers,
             headers_equal=got_headers == headers)
    cleanup([q])


@check
def confirms():
    """confirm_publish=True: publish waits for basic.ack; to a missing exchange the channel closes 404."""
    q = 'pyamqp.confirms'
    with queue_channel(q, confirm_publish=True) as (conn, ch):
        acks = []
        ch.events['basic_ack'].add(lambda tag, multiple: acks.append(tag))
        for i in range(3):
            ch.basic_publish(amqp.Message('c%d' % i), exchange='', routing_key=q)
        _, count, _ = ch.queue_declare(q, passive=True)
        missing = None
        try:
            ch.basic_publish(amqp.Message('lost'), exchange='pyamqp.no-such-exchange', routing_key=q)
        except amqp_exc.NotFound as exc:
            missing = error_info(exc)
        emit('confirms', acks=acks, count=count, missing=missing, channel_open=ch.is_open,
             connection_open=conn.connected)


@check
def mandatory_return():
    """mandatory publish with no route comes back through events['basic_return'] as 312 NO_ROUTE."""
    with connect() as conn:
        ch = conn.channel()
        returned = []

        def on_return(exc, exchange, routing_key, message):
            returned.append({'exception': type(exc).__name__, 'reply_code': exc.reply_code,
                             'reply_text': exc.reply_text, 'exchange': exchange,
                             'routing_key': routing_key, 'body': text(message.body),
                             'message_id': message.properties.get('message_id')})

        ch.events['basic_return'].add(on_return)
        ch.basic_publish(amqp.Message('nobody', message_id='r-1'), exchange='', routing_key='pyamqp.nowhere',
                         mandatory=True)
        ch.basic_publish(amqp.Message('nobody either'), exchange='amq.direct', routing_key='pyamqp.nowhere',
                         mandatory=False)
        drain(conn)
        emit('mandatory_return', returned=returned)


@check
def basic_get():
    """basic_get: message_count counts down, delivery_tag counts up, empty queue gives None."""
    q = 'pyamqp.get'
    with queue_channel(q, 'g0', 'g1', 'g2') as (conn, ch):
        gets = []
        for _ in range(3):
            m = ch.basic_get(q)
            gets.append({'body': text(m.body), 'message_count': m.delivery_info['message_count'],
                         'delivery_tag': m.delivery_tag, 'redelivered': m.delivery_info['redelivered'],
                         'exchange': m.delivery_info['exchange'], 'routing_key': m.delivery_info['routing_key']})
        ch.basic_ack(gets[-1]['delivery_tag'], multiple=True)
        empty = ch.basic_get(q) is None
        # expiration '0' with nobody consuming: expired on arrival
        ch.basic_publish(amqp.Message('gone', expiration='0'), routing_key=q)
        emit('basic_get', gets=gets, empty=empty, zero_ttl=ch.basic_get(q) is None)


@check
def reject_recover():
    """reject with requeue comes back redelivered, without it is gone; basic_recover(requeue=True)."""
    q = 'pyamqp.reject'
    with queue_channel(q, 'r0', 'r1', 'r2') as (conn, ch):
        first = ch.basic_get(q)
        ch.basic_reject(first.delivery_tag, requeue=True)
        again = ch.basic_get(q)
        ch.basic_reject(again.delivery_tag, requeue=False)
        a, b = ch.basic_get(q), ch.basic_get(q)
        ch.basic_recover(requeue=True)
        back = [[text(m.body), m.delivery_info['redelivered']] for m in (ch.basic_get(q), ch.basic_get(q))]
        ch.basic_ack(0, multiple=True)
        _, left, _ = ch.queue_declare(q, passive=True)
        emit('reject_recover', first=[text(first.body), first.delivery_info['redelivered']],
             again=[text(again.body), again.delivery_info['redelivered']],
             unacked=[text(a.body), text(b.body)], back=back, left=left)
    # RabbitMQ refuses recover without requeue as a connection error
    conn = connect()
    try:
        ch = conn.channel()
        ch.basic_recover(requeue=False)  # py-amqp does not wait for recover-ok
        ch.queue_declare('', exclusive=True)
        refused = 'no error'
    except amqp_exc.AMQPError as exc:
        refused = error_info(exc)
    emit('recover_no_requeue', refused=refused, connection_open=conn.connected)
    conn.collect()


@check
def dead_letter():
    """x-dead-letter-exchange: per-message TTL expiry and rejection both land there, with x-death."""
    work, dead, dlx = 'pyamqp.dl.work', 'pyamqp.dl.dead', 'pyamqp.dlx'
    cleanup([work, dead], [dlx])
    with connect() as conn:
        ch = conn.channel()
        ch.exchange_declare(dlx, 'fanout', durable=False, auto_delete=False)
        ch.queue_declare(dead, auto_delete=False)
        ch.queue_bind(dead, dlx)
        ch.queue_declare(work, auto_delete=False, arguments={'x-dead-letter-exchange': dlx})
        # 2**40 goes out as py-amqp's 'L' (int64), which the broker has to write back with x-death
        ch.basic_publish(amqp.Message('expire me', expiration='50', application_headers={'k': 'v', 'big': 2 ** 40}),
                         routing_key=work)
        time.sleep(0.3)
        ch.basic_publish(amqp.Message('reject me'), routing_key=work)
        # the expired one is dropped when it reaches the head; the get must not see it
        m = ch.basic_get(work)
        got_on_work = text(m.body)
        ch.basic_reject(m.delivery_tag, requeue=False)
        deadline = time.time() + 3
        dead_msgs = []
        while len(dead_msgs) < 2 and time.time() < deadline:
            d = ch.basic_get(dead, no_ack=True)
            if d is None:
                time.sleep(0.02)
                continue
            h = dict(d.headers or {})
            deaths = h.pop('x-death', None)
            dead_msgs.append({'body': text(d.body), 'routing_key': d.delivery_info['routing_key'],
                              'exchange': d.delivery_info['exchange'], 'expiration': d.properties.get('expiration'),
                              'headers': h,
                              'x_death': [{k: (type(v).__name__ if k == 'time' else v) for k, v in x.items()}
                                          for x in deaths or []]})
        emit('dead_letter', got_on_work=got_on_work, dead=dead_msgs)
    cleanup([work, dead], [dlx])


@check
def dead_letter_twice():
    """Dead-lettered from two queues in turn: two x-death entries, newest first, keys as RabbitMQ writes them."""
    a, b, dead = 'pyamqp.dl2.a', 'pyamqp.dl2.b', 'pyamqp.dl2.dead'
    cleanup([a, b, dead])
    with connect(confirm_publish=True) as conn:
        ch = conn.channel()
        ch.queue_declare(dead, auto_delete=False)
        ch.queue_declare(b, auto_delete=False, arguments={'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead})
        ch.queue_declare(a, auto_delete=False, arguments={'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': b})
        ch.basic_publish(amqp.Message('twice', expiration='60000', application_headers={'z': 1, 'a': 2}), routing_key=a)
        for q in (a, b):
            deadline = time.time() + 3
            while (m := ch.basic_get(q)) is None and time.time() < deadline:
                time.sleep(0.02)
            ch.basic_reject(m.delivery_tag, requeue=False)
        deadline = time.time() + 3
        while (d := ch.basic_get(dead, no_ack=True)) is None and time.time() < deadline:
            time.sleep(0.02)
        emit('dead_letter_twice', header_keys=list(d.headers),
             deaths=[[x['queue'], x['count'], x['reason'], list(x)] for x in d.headers['x-death']])
    cleanup([a, b, dead])


@check
def passive_missing():
    """Passive declare of a missing queue: NotFound 404 closes the channel, the connection lives on."""
    with connect() as conn:
        ch = conn.channel()
        err = None
        try:
            ch.queue_declare('pyamqp.no-such-queue', passive=True)
        except amqp_exc.NotFound as exc:
            err = error_info(exc)
            err['method'] = exc.method_name
        xerr = None
        ch2 = conn.channel()
        try:
            ch2.exchange_declare('pyamqp.no-such-exchange', 'direct', passive=True)
        except amqp_exc.NotFound as exc:
            xerr = error_info(exc)
        ch3 = conn.channel()
        name, _, _ = ch3.queue_declare('', exclusive=True)
        emit('passive_missing', queue=err, exchange=xerr, channel_open=ch.is_open,
             connection_open=conn.connected, new_channel_works=name.startswith('amq.gen-'))


@check
def exclusive_locked():
    """An exclusive queue used from a second connection: ResourceLocked 405."""
    q = 'pyamqp.exclusive'
    with connect() as owner:
        och = owner.channel()
        och.queue_declare(q, exclusive=True)
        with connect() as other:
            out = {}
            for what, op in (('declare', lambda c: c.queue_declare(q, exclusive=True)),
                             ('consume', lambda c: c.basic_consume(q, callback=lambda m: None)),
                             ('passive', lambda c: c.queue_declare(q, passive=True))):
                try:
                    op(other.channel())
                    out[what] = 'no error'
                except amqp_exc.ResourceLocked as exc:
                    out[what] = error_info(exc)
            emit('exclusive_locked', owner_still_has_it=och.queue_declare(q, passive=True)[0] == q, **out)
    # the owner is gone: the queue went with it
    with connect() as conn:
        try:
            conn.channel().queue_declare(q, passive=True)
            gone = False
        except amqp_exc.NotFound:
            gone = True
    emit('exclusive_gone', gone=gone)


@check
def wrong_password():
    """Bad credentials: AccessRefused 403 raised from connect(), for both SASL mechanisms."""
    out = {}
    for method in ('AMQPLAIN', 'PLAIN'):
        conn = amqp.Connection(ADDRESS, userid='guest', password='wrong', login_method=method, connect_timeout=5)
        try:
            conn.connect()
            out[method] = 'connected'
        except amqp_exc.AccessRefused as exc:
            out[method] = error_info(exc)
        except Exception as exc:
            out[method] = {'exception': type(exc).__name__, 'text': str(exc)}
    # and the right password still works with either mechanism
    for method in ('AMQPLAIN', 'PLAIN'):
        c = amqp.Connection(ADDRESS, userid='guest', password='guest', login_method=method)
        c.connect()
        out[method + '_ok'] = c.connected
        c.close()
    emit('wrong_password', **out)


@check
def consumer_cancel():
    """The queue is deleted under a consumer: basic.cancel reaches on_cancel, or raises ConsumerCancelled."""
    q1, q2 = 'pyamqp.cancel1', 'pyamqp.cancel2'
    cleanup([q1, q2])
    with connect() as conn:
        ch = conn.channel()
        ch.queue_declare(q1, auto_delete=False)
        ch.queue_declare(q2, auto_delete=False)
        cancelled = []
        tag1 = ch.basic_consume(q1, callback=lambda m: None, on_cancel=cancelled.append)
        tag2 = ch.basic_consume(q2, callback=lambda m: None)
        with connect() as admin:
            admin.channel().queue_delete(q1)
        drain(conn)
        with connect() as admin:
            admin.channel().queue_delete(q2)
        raised = None
        try:
            drain(conn)
        except amqp_exc.ConsumerCancelled as exc:
            raised = {'exception': type(exc).__name__, 'tag_matches': exc.reply_code == tag2 or tag2 in exc.args}
        # deleting a queue this channel consumes: delete-ok comes first, then the basic.cancel
        ch = conn.channel()
        ch.queue_declare(q1, auto_delete=False)
        events = []
        ch.basic_consume(q1, callback=lambda m: None, on_cancel=lambda tag: events.append('on_cancel'))
        events.append('deleted %d' % ch.queue_delete(q1))
        drain(conn)
        emit('consumer_cancel', on_cancel_tag_matches=cancelled == [tag1], raised=raised, channel_open=ch.is_open,
             same_channel=events)


@check
def headers_exchange():
    """headers exchange: x-match all / any on binding arguments."""
    x = 'pyamqp.headers'
    cleanup(exchanges=[x])
    with connect() as conn:
        ch = conn.channel()
        ch.exchange_declare(x, 'headers', auto_delete=False)
        q_all, _, _ = ch.queue_declare('', exclusive=True)
        q_any, _, _ = ch.queue_declare('', exclusive=True)
        ch.queue_bind(q_all, x, arguments={'x-match': 'all', 'format': 'pdf', 'type': 'report'})
        ch.queue_bind(q_any, x, arguments={'x-match': 'any', 'format': 'pdf', 'type': 'log'})
        for name, hdrs in (('both', {'format': 'pdf', 'type': 'report'}), ('pdf', {'format': 'pdf'}),
                           ('log', {'type': 'log'}), ('none', {'format': 'zip'}), ('empty', None)):
            ch.basic_publish(amqp.Message(name, application_headers=hdrs), exchange=x)
        got = {}
        for label, q in (('all', q_all), ('any', q_any)):
            got[label] = []
            while True:
                m = ch.basic_get(q, no_ack=True)
                if m is None:
                    break
                got[label].append(text(m.body))
        for label, mode in (('bad_mode', 'some'), ('bad_type', 5)):
            try:
                conn.channel().queue_bind(q_all, x, arguments={'x-match': mode})
                got[label] = 'no error'
            except amqp_exc.PreconditionFailed as exc:
                got[label] = error_info(exc)
        emit('headers_exchange', **got)
    cleanup(exchanges=[x])


@check
def redeclare_mismatch():
    """Redeclaring with other properties: PreconditionFailed 406 with RabbitMQ's reply text."""
    x, q = 'pyamqp.mismatch', 'pyamqp.mismatch'
    cleanup([q], [x])
    out = {}
    with connect() as conn:
        conn.channel().exchange_declare(x, 'direct', auto_delete=False)
        conn.channel().queue_declare(q, durable=False, auto_delete=False)
        for what, op in (('exchange_type', lambda c: c.exchange_declare(x, 'fanout', auto_delete=False)),
                         ('queue_durable', lambda c: c.queue_declare(q, durable=True, auto_delete=False)),
                         ('queue_args', lambda c: c.queue_declare(q, auto_delete=False,
                                                                  arguments={'x-message-ttl': 1000}))):
            try:
                op(conn.channel())
                out[what] = 'no error'
            except amqp_exc.PreconditionFailed as exc:
                out[what] = error_info(exc)
    emit('redeclare_mismatch', **out)
    cleanup([q], [x])


@check
def tune():
    """Connection.Tune: what py-amqp negotiates, and what Connection.Start announced."""
    conn = connect(heartbeat=4)
    props = conn.server_properties
    emit('tune', heartbeat=conn.heartbeat, server_heartbeat=conn.server_heartbeat, frame_max=conn.frame_max,
         channel_max=conn.channel_max, mechanisms=sorted(m.decode() for m in conn.mechanisms), locales=conn.locales,
         property_keys=sorted(k for k in props if k != 'capabilities'),
         version_is_text=isinstance(props.get('version'), str))
    conn.close()


@check
def heartbeats():
    """heartbeat=1 and heartbeat_tick() while idle: the server's heartbeats arrive, the connection lives."""
    conn = connect(heartbeat=1)
    start_recv, start_sent = conn.bytes_recv, conn.bytes_sent
    deadline = time.time() + 3
    while time.time() < deadline:
        conn.heartbeat_tick()
        try:
            conn.drain_events(timeout=0.2)
        except socket.timeout:
            pass
    name, _, _ = conn.channel().queue_declare('', exclusive=True)
    emit('heartbeats', heartbeat=conn.heartbeat, received=conn.bytes_recv - start_recv >= 2,
         sent=conn.bytes_sent - start_sent >= 2, still_works=name.startswith('amq.gen-'))
    conn.close()


@check
def nowait():
    """nowait=True declares, binds and consumes: nothing comes back, the next call shows any error."""
    q, x = 'pyamqp.nowait', 'pyamqp.nowait_x'
    cleanup([q], [x])
    with connect() as conn:
        ch = conn.channel()
        ch.exchange_declare(x, 'direct', auto_delete=False, nowait=True)
        ch.queue_declare(q, auto_delete=False, nowait=True)
        ch.queue_bind(q, x, routing_key='k', nowait=True)
        got = []
        ch.basic_consume(q, consumer_tag='pyamqp-nowait', no_ack=True, nowait=True,
                         callback=lambda m: got.append(text(m.body)))
        ch.basic_publish(amqp.Message('nw'), exchange=x, routing_key='k')
        conn.drain_events(timeout=3)
        ch.basic_cancel('pyamqp-nowait', nowait=True)
        # an inequivalent redeclare with nowait: the channel closes; the next synchronous call raises
        ch.exchange_declare(x, 'fanout', auto_delete=False, nowait=True)
        try:
            ch.queue_declare(q, passive=True)
            late = 'no error'
        except amqp_exc.PreconditionFailed as exc:
            late = error_info(exc)
        emit('nowait', got=got, late=late)
    cleanup([q], [x])


@check
def large_message():
    """Bodies larger than frame_max go out and come back in several frames, byte for byte."""
    q = 'pyamqp.large'
    body = bytes(range(256)) * 4096 + b'end'  # 1 MiB and a bit
    with queue_channel(q, confirm_publish=True) as (conn, ch):
        ch.basic_publish(amqp.Message(body, content_type='application/octet-stream'), routing_key=q)
        m = ch.basic_get(q, no_ack=True)
        got = []
        ch.basic_publish(amqp.Message(body), routing_key=q)
        ch.basic_consume(q, no_ack=True, callback=lambda msg: got.append(msg.body))
        conn.drain_events(timeout=5)
        emit('large_message', size=len(body), got_size=len(m.body), same=m.body == body,
             consumed_same=bool(got) and got[0] == body, frame_max=conn.frame_max)


@check
def transactions():
    """tx_select / tx_commit / tx_rollback: publishes and acks take effect on commit only."""
    q = 'pyamqp.tx'
    with queue_channel(q) as (conn, ch):
        ch.tx_select()
        ch.basic_publish(amqp.Message('t1'), routing_key=q)
        ch.tx_rollback()
        after_rollback = ch.queue_declare(q, passive=True).message_count
        ch.basic_publish(amqp.Message('t2'), routing_key=q)
        ch.basic_publish(amqp.Message('t3'), routing_key=q)
        before_commit = ch.queue_declare(q, passive=True).message_count
        ch.tx_commit()
        after_commit = ch.queue_declare(q, passive=True).message_count
        m = ch.basic_get(q)
        ch.basic_ack(m.delivery_tag)
        ch.tx_rollback()
        ch.basic_recover(requeue=True)
        left_after_ack_rollback = None
        again = ch.basic_get(q)
        ch.basic_ack(again.delivery_tag)
        ch.tx_commit()
        left_after_ack_rollback = ch.queue_declare(q, passive=True).message_count
        emit('transactions', after_rollback=after_rollback, before_commit=before_commit, after_commit=after_commit,
             first=text(m.body), again=[text(again.body), again.delivery_info['redelivered']],
             left=left_after_ack_rollback)


@check
def direct_reply_to():
    """RPC over amq.rabbitmq.reply-to: consume it no-ack, publish with reply_to, get the answer."""
    q = 'pyamqp.drt'
    cleanup([q])
    with connect() as server_conn, connect() as client_conn:
        server = server_conn.channel()
        server.queue_declare(q, auto_delete=False)
        seen = []

        def on_request(msg):
            seen.append(msg.properties.get('reply_to'))
            server.basic_publish(amqp.Message('pong', correlation_id=msg.properties.get('correlation_id')),
                                 exchange='', routing_key=msg.properties['reply_to'])

        server.basic_consume(q, no_ack=True, callback=on_request)
        client = client_conn.channel()
        replies = []
        client.basic_consume('amq.rabbitmq.reply-to', no_ack=True,
                             callback=lambda m: replies.append([text(m.body), m.properties.get('correlation_id'),
                                                                m.delivery_info['routing_key'],
                                                                m.delivery_info['exchange']]))
        client.basic_publish(amqp.Message('ping', reply_to='amq.rabbitmq.reply-to', correlation_id='drt-1'),
                             exchange='', routing_key=q)
        drain_until(lambda: replies, server_conn, client_conn)
        # a channel that does not consume amq.rabbitmq.reply-to cannot name it
        other = client_conn.channel()
        try:
            other.basic_publish(amqp.Message('ping', reply_to='amq.rabbitmq.reply-to'), exchange='', routing_key=q)
            other.queue_declare(q, passive=True)
            no_consumer = 'no error'
        except amqp_exc.PreconditionFailed as exc:
            no_consumer = error_info(exc)
        emit('direct_reply_to', replies=[r[:2] for r in replies], no_consumer=no_consumer,
             reply_to_prefix=[s[:len('amq.rabbitmq.reply-to.')] for s in seen],
             routing_key_is_reply_to=bool(replies) and replies[0][2] == seen[0], exchange=[r[3] for r in replies])
    cleanup([q])


@check
def refusals():
    """Things RabbitMQ refuses, with the exception class, code and text py-amqp raises."""
    q = 'pyamqp.refusals'
    cleanup([q])
    out = {}
    with connect() as conn:
        conn.channel().queue_declare(q, auto_delete=False)
        cases = [
            ('unknown_delivery_tag', lambda c: (c.basic_ack(42), c.queue_declare(q, passive=True))),
            ('reserved_queue_name', lambda c: c.queue_declare('amq.pyamqp', auto_delete=False)),
            ('reserved_exchange_name', lambda c: c.exchange_declare('amq.pyamqp', 'direct')),
            ('delete_builtin_exchange', lambda c: c.exchange_delete('amq.direct')),
            ('bind_default_exchange', lambda c: c.queue_bind(q, '', routing_key='x')),
            ('consume_missing_queue', lambda c: c.basic_consume('pyamqp.no-such-queue', callback=lambda m: None)),
            ('get_missing_queue', lambda c: c.basic_get('pyamqp.no-such-queue')),
            ('bind_missing_exchange', lambda c: c.queue_bind(q, 'pyamqp.no-such-exchange', routing_key='x')),
            ('exclusive_consumer', lambda c: (c.basic_consume(q, exclusive=True, callback=lambda m: None),
                                              c.basic_consume(q, callback=lambda m: None))),
            ('duplicate_consumer_tag', lambda c: (c.basic_consume(q, consumer_tag='dup', callback=lambda m: None),
                                                  c.basic_consume(q, consumer_tag='dup', callback=lambda m: None))),
        ]
        for name, op in cases:
            ch = conn.channel()
            try:
                op(ch)
                out[name] = 'no error'
            except amqp_exc.AMQPError as exc:
                out[name] = error_info(exc)
                if not conn.connected:
                    conn = connect()
    emit('refusals', **out)
    cleanup([q])


@check
def connection_errors():
    """Connection-level refusals (the connection closes): immediate=True, prefetch_size, a bad vhost."""
    out = {}
    for name, op in (
            ('immediate', lambda c: (c.channel().basic_publish(amqp.Message('i'), routing_key='x', immediate=True),
                                     c.channel())),
            ('prefetch_size', lambda c: c.channel().basic_qos(prefetch_size=10, prefetch_count=0, a_global=False)),
            ('bad_exchange_type', lambda c: c.channel().exchange_declare('pyamqp.bad', 'no-such-type'))):
        conn = connect()
        try:
            op(conn)
            ch = conn.channel()
            ch.queue_declare('', exclusive=True)
            out[name] = 'no error'
        except amqp_exc.AMQPError as exc:
            out[name] = error_info(exc)
            out[name]['connected'] = bool(conn.connected)
        except Exception as exc:
            out[name] = {'exception': type(exc).__name__, 'text': str(exc)}
        try:
            conn.collect()
        except Exception:
            pass
    try:
        connect(virtual_host='pyamqp-no-such-vhost')
        out['bad_vhost'] = 'connected'
    except amqp_exc.AMQPError as exc:
        out['bad_vhost'] = error_info(exc)
    emit('connection_errors', **out)


if __name__ == '__main__':
    main()
