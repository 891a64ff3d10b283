#!/usr/bin/env python3
"""What kombu users (and celery under them) do, on kombu's py-amqp transport.

Each check prints one JSON line {"check": name, "ok": true, ...observations}, or
{"check": name, "ok": false, "error": "..."} if it blew up; a final {"done": "ok"}.
The broker comes from AMQP_URL (or AMQP_HOST / AMQP_PORT). Everything it declares is
named 'kombu.*' and deleted before and after each check.
Usage: kombu_features.py [check ...]   (default: all)
"""
import socket
import threading
import time
import uuid

import amqp.exceptions
from kombu import Connection, Consumer, Exchange, Producer, Queue, binding, pidbox
from kombu.common import Broadcast, maybe_declare

from common import URL, check, cleanup, emit, error_info, main, text


def drain(conn, want, timeout=3, others=(), step=0.2):
    """drain_events (on `conn`, then each of `others`) until `want()` is true or the time is up."""
    deadline = time.time() + timeout
    while not want() and time.time() < deadline:
        for c in (conn, *others):
            try:
                c.drain_events(timeout=step)
            except socket.timeout:
                pass


def bodies(bound):
    """get(no_ack=True) until the queue is empty."""
    return [text(m.body) for m in iter(lambda: bound.get(no_ack=True), None)]


def exists(conn, queue=None, exchange=None):
    ch = conn.channel()
    try:
        if queue:
            ch.queue_declare(queue, passive=True)
        else:
            ch.exchange_declare(exchange, 'direct', passive=True)
        return True
    except amqp.exceptions.NotFound:
        return False
    finally:
        if ch.is_open:
            ch.close()


@check
def simple_queue():
    """SimpleQueue: put a dict, get it back as JSON; kombu declares a same-named direct exchange."""
    name = 'kombu.simple'
    cleanup([name], [name])
    with Connection(URL, transport_options={'confirm_publish': True}) as conn:
        q = conn.SimpleQueue(name)
        q.put({'hello': 'world', 'n': 1}, headers={'h': 'v'})
        q.put({'hello': 'again', 'n': 2})
        size = q.qsize()
        first = q.get(block=True, timeout=2)
        first.ack()
        second = q.get(block=True, timeout=2)
        second.requeue()
        again = q.get(block=True, timeout=2)
        again.ack()
        try:
            q.get_nowait()
            empty = 'got something'
        except q.Empty:
            empty = 'Empty'
        out = {'size': size, 'first': first.payload, 'content_type': first.content_type,
               'content_encoding': first.content_encoding, 'headers': first.headers,
               'delivery_mode': first.properties.get('delivery_mode'),
               'routing_key': first.delivery_info.get('routing_key'), 'exchange': first.delivery_info.get('exchange'),
               'requeued': [again.payload, again.delivery_info.get('redelivered')], 'empty': empty,
               'exchange_declared': exists(conn, exchange=name)}
        # the exchange kombu declared is durable and direct: a fanout redeclare is refused
        try:
            Exchange(name, 'fanout').declare(channel=conn.channel())
            out['fanout_redeclare'] = 'no error'
        except amqp.exceptions.PreconditionFailed as exc:
            out['fanout_redeclare'] = error_info(exc)
        q.close()
        emit('simple_queue', **out)
    cleanup([name], [name])


@check
def producer_consumer():
    """Producer.publish(declare=[...]) and a Consumer on two queues of a direct exchange."""
    media = Exchange('kombu.media', 'direct', durable=True)
    video = Queue('kombu.video', exchange=media, routing_key='video')
    image = Queue('kombu.image', exchange=media, routing_key='image')
    cleanup(['kombu.video', 'kombu.image'], ['kombu.media'])
    with Connection(URL) as conn:
        producer = Producer(conn.channel(), exchange=media, serializer='json')
        for kind, n in (('video', 1), ('image', 2), ('video', 3), ('audio', 4)):
            producer.publish({'kind': kind, 'n': n}, routing_key=kind, declare=[video, image], retry=True)
        got = []

        def on_message(body, message):
            got.append({'body': body, 'queue_key': message.delivery_info['routing_key'],
                        'content_type': message.content_type, 'delivery_mode': message.properties['delivery_mode']})
            message.ack()

        with Consumer(conn, [video, image], callbacks=[on_message], accept=['json']):
            drain(conn, lambda: len(got) >= 3)
        emit('producer_consumer', got=sorted(got, key=lambda g: g['body']['n']),
             declared=[exists(conn, queue='kombu.video'), exists(conn, queue='kombu.image')])
    cleanup(['kombu.video', 'kombu.image'], ['kombu.media'])


@check
def work_queue():
    """Two workers, prefetch_count=1, manual ack: a busy worker gets nothing more."""
    tasks = Queue('kombu.tasks', Exchange('kombu.tasks', 'direct'), routing_key='task')
    cleanup(['kombu.tasks'], ['kombu.tasks'])
    with Connection(URL) as conn:
        producer = conn.Producer(serializer='json')
        for i in range(5):
            producer.publish({'task': i}, exchange=tasks.exchange, routing_key='task', declare=[tasks])
    busy_conn, free_conn = Connection(URL), Connection(URL)
    busy_got, free_got = [], []

    def on_free(body, message):
        free_got.append(body['task'])
        message.ack()

    busy = Consumer(busy_conn, [tasks], callbacks=[lambda body, m: busy_got.append(m)], prefetch_count=1)
    busy.consume()
    drain(busy_conn, lambda: len(busy_got) >= 1)
    free = Consumer(free_conn, [tasks], callbacks=[on_free], prefetch_count=1)
    free.consume()
    drain(free_conn, lambda: len(free_got) >= 4)
    drain(busy_conn, lambda: False, timeout=0.3)
    busy_bodies = [m.payload['task'] for m in busy_got]
    for m in busy_got:
        m.ack()
    emit('work_queue', busy=busy_bodies, free=free_got)
    busy.cancel()
    free.cancel()
    busy_conn.release()
    free_conn.release()
    cleanup(['kombu.tasks'], ['kombu.tasks'])


@check
def topic_and_broadcast():
    """A queue with several topic bindings, and kombu's Broadcast (fanout, one queue per consumer)."""
    logs = Exchange('kombu.topic', 'topic', durable=False)
    q = Queue('kombu.topic_q', bindings=[binding(logs, routing_key='*.error'), binding(logs, routing_key='kern.#')],
              auto_delete=True)
    cleanup(['kombu.topic_q'], ['kombu.topic', 'kombu.broadcast'])
    out = {}
    with Connection(URL) as conn:
        got = []
        with Consumer(conn, [q], callbacks=[lambda body, m: (got.append(m.delivery_info['routing_key']), m.ack())]):
            producer = conn.Producer()
            for key in ('app.error', 'kern.info', 'kern.disk.error', 'app.info', 'error', 'kern'):
                producer.publish(key, exchange=logs, routing_key=key)
            drain(conn, lambda: len(got) >= 4)
        out['topic'] = got
        # the auto-delete queue went with its last consumer
        out['topic_queue_gone'] = not exists(conn, queue='kombu.topic_q')

        # as in two processes: each has its own Broadcast, so its own bcast.<uuid> queue
        conns = [Connection(URL), Connection(URL)]
        seen = [[], []]
        consumers = []
        for i, c in enumerate(conns):
            bcast = Broadcast('kombu.broadcast')
            cons = Consumer(c, [bcast], callbacks=[lambda body, m, i=i: (seen[i].append(body), m.ack())])
            cons.consume()
            consumers.append(cons)
        conn.Producer().publish('to everyone', exchange=bcast.exchange, routing_key='')
        for i, c in enumerate(conns):
            drain(c, lambda i=i: len(seen[i]) >= 1)
        out['broadcast'] = seen
        names = [cons.queues[0].name for cons in consumers]
        out['broadcast_queue_names'] = [n.startswith('bcast.') for n in names] + [names[0] != names[1]]
        for cons, c in zip(consumers, conns):
            cons.cancel()
            c.release()
    emit('topic_and_broadcast', **out)
    cleanup(exchanges=['kombu.topic', 'kombu.broadcast'])


@check
def rpc():
    """RPC: an exclusive callback queue, reply_to and correlation_id; the server answers through ''."""
    requests = Queue('kombu.rpc', routing_key='kombu.rpc')
    cleanup(['kombu.rpc'])
    server_conn, client_conn = Connection(URL), Connection(URL)
    seen = []

    def serve(body, message):
        seen.append(message.properties.get('reply_to'))
        server_conn.Producer().publish({'result': body['n'] * 2}, exchange='', routing_key=message.properties['reply_to'],
                                       correlation_id=message.properties['correlation_id'])
        message.ack()

    server = Consumer(server_conn, [requests], callbacks=[serve], prefetch_count=1)
    server.consume()
    callback_queue = Queue(uuid.uuid4().hex, exclusive=True, auto_delete=True)
    replies = {}
    client = Consumer(client_conn, [callback_queue], no_ack=True,
                      callbacks=[lambda body, m: replies.__setitem__(m.properties['correlation_id'], body['result'])])
    client.consume()
    ids = {}
    for n in (4, 21):
        cid = uuid.uuid4().hex
        ids[cid] = n
        client_conn.Producer().publish({'n': n}, exchange='', routing_key='kombu.rpc', reply_to=callback_queue.name,
                                       correlation_id=cid, declare=[requests])
    drain(server_conn, lambda: len(replies) >= 2, timeout=5, others=[client_conn], step=0.05)
    emit('rpc', results=sorted([ids[cid], r] for cid, r in replies.items()),
         reply_to_ok=seen == [callback_queue.name] * 2)
    server.cancel()
    client.cancel()
    server_conn.release()
    client_conn.release()
    cleanup(['kombu.rpc'])


@check
def dead_letter():
    """queue_arguments x-dead-letter-exchange/-routing-key; publish(expiration=...) in seconds."""
    dlx = Exchange('kombu.dlx', 'direct')
    dead = Queue('kombu.dl.dead', dlx, routing_key='dead')
    work = Queue('kombu.dl.work', routing_key='kombu.dl.work',
                 queue_arguments={'x-dead-letter-exchange': 'kombu.dlx', 'x-dead-letter-routing-key': 'dead'})
    cleanup(['kombu.dl.dead', 'kombu.dl.work'], ['kombu.dlx'])
    with Connection(URL) as conn:
        producer = conn.Producer(serializer='json')
        producer.publish({'m': 'expire'}, exchange='', routing_key='kombu.dl.work', expiration=0.05, declare=[dead, work])
        producer.publish({'m': 'reject'}, exchange='', routing_key='kombu.dl.work')
        time.sleep(0.3)
        bound_work = work(conn.default_channel)
        m = bound_work.get()
        on_work = m.payload['m']
        m.reject()
        bound_dead = dead(conn.default_channel)
        dead_msgs = []
        deadline = time.time() + 3
        while len(dead_msgs) < 2 and time.time() < deadline:
            d = bound_dead.get(no_ack=True)
            if d is None:
                time.sleep(0.02)
                continue
            death = d.headers['x-death'][0]
            dead_msgs.append({'m': d.payload['m'], 'routing_key': d.delivery_info['routing_key'],
                              'reason': death['reason'], 'count': death['count'], 'queue': death['queue'],
                              'routing_keys': death['routing-keys'],
                              'original_expiration': death.get('original-expiration'),
                              'first_death_reason': d.headers.get('x-first-death-reason')})
        emit('dead_letter', on_work=on_work, dead=dead_msgs)
    cleanup(['kombu.dl.dead', 'kombu.dl.work'], ['kombu.dlx'])


@check
def queue_options():
    """kombu's Queue options become x-arguments: message_ttl, max_length, max_priority, expires."""
    q = Queue('kombu.opts', routing_key='kombu.opts', max_length=3, max_priority=5, expires=30, message_ttl=60)
    cleanup(['kombu.opts'])
    with Connection(URL) as conn:
        bound = q(conn.default_channel)
        declared = bound.declare()
        again = bound.queue_declare()
        producer = conn.Producer()
        for i, prio in enumerate((1, 5, 3, 0, 4)):
            producer.publish('p%d-%d' % (i, prio), exchange='', routing_key='kombu.opts', priority=prio)
        time.sleep(0.1)
        got = bodies(bound)
        try:
            Queue('kombu.opts', routing_key='kombu.opts', max_length=4)(conn.channel()).declare()
            mismatch = 'no error'
        except amqp.exceptions.PreconditionFailed as exc:
            mismatch = error_info(exc)
        emit('queue_options', declared=declared, again=list(again),
             by_priority=got, mismatch=mismatch)
    cleanup(['kombu.opts'])


@check
def reject_requeue():
    """Message.requeue() comes back redelivered; Message.reject() drops it; get() on empty is None."""
    q = Queue('kombu.reject', routing_key='kombu.reject')
    cleanup(['kombu.reject'])
    with Connection(URL) as conn:
        bound = q(conn.default_channel)
        bound.declare()
        conn.Producer().publish({'x': 1}, exchange='', routing_key='kombu.reject', serializer='json')
        time.sleep(0.05)
        first = bound.get()
        first.requeue()
        second = bound.get()
        second.reject()
        emit('reject_requeue', first=[first.payload, first.delivery_info['redelivered']],
             second=[second.payload, second.delivery_info['redelivered'], second.acknowledged],
             empty=bound.get() is None, purged=bound.purge())
    cleanup(['kombu.reject'])


@check
def mandatory_return():
    """Producer(on_return=...) with mandatory=True: the message comes back as 312 NO_ROUTE."""
    with Connection(URL) as conn:
        returned = []

        def on_return(exc, exchange, routing_key, message):
            returned.append({'reply_code': exc.reply_code, 'reply_text': exc.reply_text, 'exchange': exchange,
                             'routing_key': routing_key, 'body': text(message.body)})

        producer = Producer(conn.channel(), on_return=on_return)
        producer.publish('nobody home', exchange='', routing_key='kombu.nowhere', mandatory=True)
        drain(conn, lambda: returned, timeout=2)
        emit('mandatory_return', returned=returned)


@check
def confirm_publish():
    """transport_options confirm_publish: publish waits for the ack; a missing exchange raises 404."""
    q = Queue('kombu.confirm', routing_key='kombu.confirm')
    cleanup(['kombu.confirm'])
    with Connection(URL, transport_options={'confirm_publish': True}) as conn:
        producer = conn.Producer()
        producer.publish('sure', exchange='', routing_key='kombu.confirm', declare=[q])
        count = q(conn.default_channel).queue_declare(passive=True).message_count
        try:
            producer.publish('lost', exchange='kombu.no-such-exchange', routing_key='x')
            missing = 'no error'
        except conn.channel_errors as exc:
            missing = error_info(exc)
        emit('confirm_publish', count=count, missing=missing)
    cleanup(['kombu.confirm'])


@check
def errors():
    """Passive declares of missing things, an exclusive queue of another connection, a bad password."""
    out = {}
    with Connection(URL) as conn:
        try:
            Queue('kombu.no-such-queue', no_declare=True)(conn.channel()).queue_declare(passive=True)
            out['passive_queue'] = 'no error'
        except conn.channel_errors as exc:
            out['passive_queue'] = error_info(exc)
        try:
            Exchange('kombu.no-such-exchange', 'direct', passive=True)(conn.channel()).declare()
            out['passive_exchange'] = 'no error'
        except conn.channel_errors as exc:
            out['passive_exchange'] = error_info(exc)
        owned = Queue('kombu.exclusive', exclusive=True)
        owned(conn.channel()).declare()
        with Connection(URL) as other:
            try:
                Queue('kombu.exclusive', exclusive=True)(other.channel()).declare()
                out['exclusive'] = 'no error'
            except other.channel_errors as exc:
                out['exclusive'] = error_info(exc)
        out['connection_usable'] = conn.connected and exists(conn, queue='kombu.exclusive')
    bad = URL.replace('guest:guest@', 'guest:wrong@')
    conn = Connection(bad, connect_timeout=5)
    try:
        conn.connect()
        out['wrong_password'] = 'connected'
    except conn.connection_errors as exc:
        out['wrong_password'] = error_info(exc)
        out['wrong_password']['is_connection_error'] = True
    except Exception as exc:
        out['wrong_password'] = {'exception': type(exc).__name__, 'text': str(exc)}
    emit('errors', **out)


@check
def consumer_cancelled():
    """The queue is deleted under a kombu Consumer: drain_events raises ConsumerCancelled."""
    q = Queue('kombu.cancel', routing_key='kombu.cancel')
    cleanup(['kombu.cancel'])
    with Connection(URL) as conn:
        with Consumer(conn, [q], callbacks=[lambda body, m: None]) as consumer:
            tag = list(consumer._active_tags.values())[0]
            with Connection(URL) as admin:
                admin.default_channel.queue_delete('kombu.cancel')
            try:
                drain(conn, lambda: False, timeout=1)
                raised = None
            except amqp.exceptions.ConsumerCancelled as exc:
                raised = {'exception': type(exc).__name__, 'tag': tag in exc.args,
                          'recoverable': isinstance(exc, conn.recoverable_connection_errors)}
        # deleting the queue from the consumer's own channel returns first; the cancel surfaces on the next drain
        with Consumer(conn, [q], callbacks=[lambda body, m: None]) as consumer:
            try:
                deleted = q(consumer.channel).delete()
            except amqp.exceptions.ConsumerCancelled as exc:
                deleted = type(exc).__name__
            try:
                drain(conn, lambda: False, timeout=0.5)
                later = None
            except amqp.exceptions.ConsumerCancelled as exc:
                later = type(exc).__name__
        emit('consumer_cancelled', raised=raised, own_channel={'delete': deleted, 'later': later})


@check
def headers_exchange():
    """A headers exchange with x-match binding_arguments."""
    hx = Exchange('kombu.headers', 'headers')
    q_all = Queue('kombu.h_all', hx, binding_arguments={'x-match': 'all', 'format': 'pdf', 'type': 'report'})
    q_any = Queue('kombu.h_any', hx, binding_arguments={'x-match': 'any', 'format': 'pdf', 'type': 'log'})
    cleanup(['kombu.h_all', 'kombu.h_any'], ['kombu.headers'])
    with Connection(URL, transport_options={'confirm_publish': True}) as conn:
        producer = conn.Producer()
        for name, hdrs in (('both', {'format': 'pdf', 'type': 'report'}), ('pdf', {'format': 'pdf'}),
                           ('log', {'type': 'log'}), ('zip', {'format': 'zip'})):
            producer.publish(name, exchange=hx, routing_key='', headers=hdrs, declare=[q_all, q_any])
        got = {}
        for label, q in (('all', q_all), ('any', q_any)):
            got[label] = bodies(q(conn.default_channel))
        emit('headers_exchange', **got)
    cleanup(['kombu.h_all', 'kombu.h_any'], ['kombu.headers'])


@check
def exchange_bindings():
    """Exchange.bind_to (exchange-to-exchange), unbind, delete(if_unused) and queue delete(if_empty)."""
    up, down = Exchange('kombu.upstream', 'topic'), Exchange('kombu.downstream', 'fanout')
    q = Queue('kombu.e2e', down)
    cleanup(['kombu.e2e'], ['kombu.upstream', 'kombu.downstream'])
    out = {}
    with Connection(URL, transport_options={'confirm_publish': True}) as conn:
        ch = conn.default_channel
        for e in (up, down):
            e(ch).declare()
        maybe_declare(q, ch)
        down(ch).bind_to(up, routing_key='a.*')
        producer = conn.Producer()
        producer.publish('via', exchange=up, routing_key='a.b')
        producer.publish('not', exchange=up, routing_key='b.b')
        bound = q(ch)
        out['routed'] = bodies(bound)
        down(ch).unbind_from(up, routing_key='a.*')
        producer.publish('after unbind', exchange=up, routing_key='a.b')
        out['after_unbind'] = bound.get(no_ack=True) is None
        producer.publish('stay', exchange=down, routing_key='')
        for what, op in (('exchange_if_unused', lambda c: c.exchange_delete('kombu.downstream', if_unused=True)),
                         ('queue_if_empty', lambda c: c.queue_delete('kombu.e2e', if_empty=True))):
            try:
                op(conn.channel())
                out[what] = 'no error'
            except amqp.exceptions.PreconditionFailed as exc:
                out[what] = error_info(exc)
        out['queue_delete_count'] = ch.queue_delete('kombu.e2e')
    emit('exchange_bindings', **out)
    cleanup(['kombu.e2e'], ['kombu.upstream', 'kombu.downstream'])


@check
def mailbox():
    """celery's remote control: a kombu pidbox Mailbox (fanout, x-expires/x-message-ttl queues, a
    reply exchange) with a worker node answering 'ping' from another connection."""
    box = pidbox.Mailbox('kombu', type='fanout', queue_ttl=300.0, queue_expires=10.0,
                         reply_queue_ttl=300.0, reply_queue_expires=10.0)
    cleanup(['worker1.kombu.pidbox'], ['kombu.pidbox', 'reply.kombu.pidbox'])
    stop, listening = threading.Event(), threading.Event()
    seen = []

    def worker():
        with Connection(URL) as wconn:
            node = box(wconn).Node('worker1', channel=wconn.default_channel,
                                   handlers={'ping': lambda state, **kw: seen.append(kw) or 'pong'})
            consumer = node.listen()
            listening.set()
            while not stop.is_set():
                try:
                    wconn.drain_events(timeout=0.1)
                except socket.timeout:
                    pass
            consumer.cancel()

    t = threading.Thread(target=worker, daemon=True)
    t.start()
    listening.wait(5)
    with Connection(URL) as conn:
        replies = box(conn)._broadcast('ping', {'x': 1}, reply=True, timeout=3, limit=1)
        out = {'replies': replies, 'handler_args': seen}
    stop.set()
    t.join(5)
    emit('mailbox', **out)
    cleanup(['worker1.kombu.pidbox'], ['kombu.pidbox', 'reply.kombu.pidbox'])


@check
def celery_qos():
    """A Consumer on two queues with qos(prefetch_count=1) before consuming: apply_global=True limits the
    channel (RabbitMQ's global), False each consumer. celery picks apply_global from
    qos_semantics_matches_spec, which kombu decides from the server's product and version."""
    qs = [Queue('kombu.qos_a', routing_key='kombu.qos_a'), Queue('kombu.qos_b', routing_key='kombu.qos_b')]
    cleanup([q.name for q in qs])
    out = {}
    with Connection(URL, transport_options={'confirm_publish': True}) as conn:
        producer = conn.Producer()
        for q in qs:
            for i in range(3):
                producer.publish('m%d' % i, exchange='', routing_key=q.name, declare=[q])
        out['qos_semantics_matches_spec'] = conn.qos_semantics_matches_spec
        for apply_global in (True, False):
            with Connection(URL) as c:
                got = []
                consumer = Consumer(c, qs, callbacks=[lambda body, m: got.append(m.delivery_info['routing_key'])])
                consumer.qos(prefetch_count=1, apply_global=apply_global)
                consumer.consume()
                drain(c, lambda: False, timeout=0.4)
                out['global' if apply_global else 'per_consumer'] = len(got)
    emit('celery_qos', **out)
    cleanup([q.name for q in qs])


if __name__ == '__main__':
    main()
