#!/usr/bin/env python3
"""Things pika users commonly do beyond the tutorials.

Each check prints one JSON line {"check": name, ...observations} (or
{"check": name, "error": "..."} if it blew up unexpectedly); the test asserts
on them. Host and port come from AMQP_HOST / AMQP_PORT. Queues it uses start
with 'pika_features.' and are deleted at the start and the end.
Usage: client_features.py [check ...]   (default: all)
"""
import json
import os
import sys
import traceback
import uuid

import pika
import pika.exceptions

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))

Q = 'pika_features.q'
Q_EXCL = 'pika_features.exclusive'
Q_FLAGS = 'pika_features.flags'
MISSING_EXCHANGE = 'pika_features.no-such-exchange'
MISSING_QUEUE = 'pika_features.no-such-queue'


def params(**kwargs):
    return pika.ConnectionParameters(host=host, port=port, **kwargs)


def connect(**kwargs):
    return pika.BlockingConnection(params(**kwargs))


def emit(name, **fields):
    fields = dict(check=name, **fields)
    print(json.dumps(fields, default=str), flush=True)


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def closed_info(exc):
    return {'exception': type(exc).__name__, 'reply_code': exc.reply_code, 'reply_text': exc.reply_text}


def fresh_queue(ch, name=Q, **kwargs):
    ch.queue_delete(queue=name)
    return ch.queue_declare(queue=name, **kwargs)


@check
def tune():
    """heartbeat as a callable sees the server's proposal; frame_max, channel_max, capabilities."""
    seen = {}

    def heartbeat(conn, server_value):
        seen['server_heartbeat'] = server_value
        return 10

    conn = connect(heartbeat=heartbeat)
    impl = conn._impl
    emit('tune',
         server_heartbeat=seen.get('server_heartbeat'),
         heartbeat=impl.params.heartbeat,
         frame_max=impl.params.frame_max,
         channel_max=impl.params.channel_max,
         capabilities=impl.server_capabilities,
         product=impl.server_properties.get('product', b'').decode() if isinstance(
             impl.server_properties.get('product'), bytes) else impl.server_properties.get('product'))
    conn.close()


@check
def heartbeat():
    """a short heartbeat is negotiated and both sides keep the idle connection alive."""
    conn = connect(heartbeat=2)
    negotiated = conn._impl.params.heartbeat
    conn.sleep(3.2)  # idle: only heartbeats flow
    checker = conn._impl._heartbeat_checker
    received = checker._heartbeat_frames_received if checker else None
    sent = checker._heartbeat_frames_sent if checker else None
    still_open = conn.is_open
    ch = conn.channel()  # the connection still works
    ch.close()
    conn.close()

    conn0 = connect(heartbeat=0)
    disabled = conn0._impl.params.heartbeat
    checker0 = conn0._impl._heartbeat_checker
    conn0.close()
    emit('heartbeat', negotiated=negotiated, received=received, sent=sent, open_after_idle=still_open,
         disabled_value=disabled, disabled_checker=checker0 is not None)


@check
def blocked_connection_timeout():
    """blocked_connection_timeout plus blocked/unblocked callbacks; the connection works normally."""
    conn = connect(blocked_connection_timeout=5)
    events = []
    conn.add_on_connection_blocked_callback(lambda c, m: events.append('blocked'))
    conn.add_on_connection_unblocked_callback(lambda c, m: events.append('unblocked'))
    ch = conn.channel()
    fresh_queue(ch)
    ch.basic_publish(exchange='', routing_key=Q, body=b'not blocked')
    method, props, body = None, None, None
    for _ in range(20):
        method, props, body = ch.basic_get(queue=Q, auto_ack=True)
        if method:
            break
        conn.sleep(0.05)
    ch.queue_delete(queue=Q)
    conn.close()
    emit('blocked_connection_timeout', body=body.decode() if body else None, events=events,
         param=conn._impl.params.blocked_connection_timeout)


@check
def basic_get():
    """basic_get with and without auto_ack, message_count, empty queue."""
    conn = connect()
    ch = conn.channel()
    fresh_queue(ch)
    ch.confirm_delivery()  # so the publishes below are in the queue when the passive declare counts
    for i in range(3):
        ch.basic_publish(exchange='', routing_key=Q, body='m%d' % i,
                         properties=pika.BasicProperties(content_type='text/plain', headers={'i': i}))
    declared = ch.queue_declare(queue=Q, passive=True).method.message_count
    gets = []
    for auto_ack in (False, True, False):
        method, props, body = ch.basic_get(queue=Q, auto_ack=auto_ack)
        gets.append({'body': body.decode(), 'message_count': method.message_count,
                     'delivery_tag': method.delivery_tag, 'redelivered': method.redelivered,
                     'exchange': method.exchange, 'routing_key': method.routing_key,
                     'content_type': props.content_type, 'headers': props.headers})
        if not auto_ack:
            ch.basic_ack(delivery_tag=method.delivery_tag)
    empty = ch.basic_get(queue=Q)
    after = ch.queue_declare(queue=Q, passive=True).method.message_count
    ch.queue_delete(queue=Q)
    conn.close()
    emit('basic_get', declared_count=declared, gets=gets, empty=[x is None for x in empty], after=after)


@check
def basic_reject():
    """reject with requeue=True comes back redelivered; requeue=False drops it."""
    conn = connect()
    ch = conn.channel()
    fresh_queue(ch)
    ch.basic_publish(exchange='', routing_key=Q, body=b'r1')
    m1, _, b1 = ch.basic_get(queue=Q)
    ch.basic_reject(delivery_tag=m1.delivery_tag, requeue=True)
    m2, _, b2 = ch.basic_get(queue=Q)
    ch.basic_reject(delivery_tag=m2.delivery_tag, requeue=False)
    m3 = ch.basic_get(queue=Q)[0]
    count = ch.queue_declare(queue=Q, passive=True).method.message_count
    ch.queue_delete(queue=Q)
    conn.close()
    emit('basic_reject', first={'body': b1.decode(), 'redelivered': m1.redelivered},
         second={'body': b2.decode(), 'redelivered': m2.redelivered},
         after_reject_get=m3 is not None, after_reject_count=count)


@check
def basic_nack():
    """nack(multiple=True, requeue=True) returns all, in order; then nack(multiple, requeue=False) drops all."""
    conn = connect()
    ch = conn.channel()
    fresh_queue(ch)
    for i in range(3):
        ch.basic_publish(exchange='', routing_key=Q, body='n%d' % i)
    first = [ch.basic_get(queue=Q) for _ in range(3)]
    tags = [m.delivery_tag for m, _, _ in first]
    ch.basic_nack(delivery_tag=tags[-1], multiple=True, requeue=True)
    again = [ch.basic_get(queue=Q) for _ in range(3)]
    again_info = [{'body': b.decode(), 'redelivered': m.redelivered, 'delivery_tag': m.delivery_tag}
                  for m, _, b in again if m]
    if again and again[-1][0]:
        ch.basic_nack(delivery_tag=again[-1][0].delivery_tag, multiple=True, requeue=False)
    count = ch.queue_declare(queue=Q, passive=True).method.message_count
    # the consume() generator, as pika users write it, then nack one by one
    for i in range(2):
        ch.basic_publish(exchange='', routing_key=Q, body='c%d' % i)
    consumed = []
    for method, props, body in ch.consume(Q, inactivity_timeout=1):
        if method is None:
            break
        consumed.append(body.decode())
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
        if len(consumed) == 2:
            break
    requeued = ch.cancel()
    final = ch.queue_declare(queue=Q, passive=True).method.message_count
    ch.queue_delete(queue=Q)
    conn.close()
    emit('basic_nack', first=[b.decode() for _, _, b in first], tags=tags, again=again_info,
         after_nack_count=count, consumed=consumed, requeued_on_cancel=requeued, final_count=final)


@check
def confirms():
    """confirm_delivery: mandatory + unroutable raises UnroutableError (312 NO_ROUTE); routable is fine."""
    conn = connect()
    ch = conn.channel()
    fresh_queue(ch)
    ch.confirm_delivery()
    ch.basic_publish(exchange='', routing_key=Q, body=b'routable', mandatory=True)
    routable_ok = True
    unroutable = None
    try:
        ch.basic_publish(exchange='', routing_key='pika_features.nowhere.' + uuid.uuid4().hex,
                         body=b'lost', mandatory=True)
    except pika.exceptions.UnroutableError as e:
        returned = e.messages[0]
        unroutable = {'exception': type(e).__name__, 'count': len(e.messages),
                      'reply_code': returned.method.reply_code, 'reply_text': returned.method.reply_text,
                      'exchange': returned.method.exchange, 'body': returned.body.decode()}
    unroutable_amq_direct = None
    try:
        ch.basic_publish(exchange='amq.direct', routing_key='pika_features.nowhere', body=b'lost2',
                         mandatory=True)
    except pika.exceptions.UnroutableError as e:
        unroutable_amq_direct = {'reply_code': e.messages[0].method.reply_code,
                                 'exchange': e.messages[0].method.exchange}
    # not mandatory: silently dropped, still confirmed
    non_mandatory_ok = True
    try:
        ch.basic_publish(exchange='', routing_key='pika_features.nowhere', body=b'dropped')
    except pika.exceptions.AMQPError:
        non_mandatory_ok = False
    count = ch.queue_declare(queue=Q, passive=True).method.message_count
    channel_open = ch.is_open
    # publishing to a missing exchange with confirms: the channel is closed with 404
    missing = None
    try:
        ch.basic_publish(exchange=MISSING_EXCHANGE, routing_key='x', body=b'x')
    except pika.exceptions.ChannelClosedByBroker as e:
        missing = closed_info(e)
    ch2 = conn.channel()
    ch2.queue_delete(queue=Q)
    conn.close()
    emit('confirms', routable_ok=routable_ok, unroutable=unroutable,
         unroutable_amq_direct=unroutable_amq_direct, non_mandatory_ok=non_mandatory_ok,
         queue_count=count, channel_open=channel_open, missing_exchange=missing)


@check
def passive_declare():
    """passive declares of missing things close the channel with 404, not the connection."""
    conn = connect()
    ch = conn.channel()
    ch.exchange_delete(exchange=MISSING_EXCHANGE)
    ex = None
    try:
        ch.exchange_declare(exchange=MISSING_EXCHANGE, passive=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        ex = closed_info(e)
    ex_channel_closed = ch.is_closed
    conn_open_after = conn.is_open

    ch = conn.channel()
    q = None
    try:
        ch.queue_declare(queue=MISSING_QUEUE, passive=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        q = closed_info(e)

    ch = conn.channel()
    ch.exchange_declare(exchange='amq.direct', passive=True)  # exists
    ch.exchange_declare(exchange='amq.topic', exchange_type='topic', passive=True)
    existing_ok = ch.is_open

    # basic_publish is asynchronous: the 404 for a missing exchange shows on the next sync call
    later = None
    ch.basic_publish(exchange=MISSING_EXCHANGE, routing_key='x', body=b'x')
    try:
        ch.queue_declare(queue='', exclusive=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        later = closed_info(e)
    conn.close()
    emit('passive_declare', exchange=ex, exchange_channel_closed=ex_channel_closed,
         connection_open=conn_open_after, queue=q, existing_ok=existing_ok, publish_missing=later)


@check
def declare_errors():
    """server-named queue, 405 on another connection's exclusive queue, 406 on inequivalent flags."""
    conn = connect()
    ch = conn.channel()
    server_named = ch.queue_declare(queue='', exclusive=True).method.queue
    ch.queue_declare(queue=Q_EXCL, exclusive=True)
    other = connect()
    och = other.channel()
    locked = None
    try:
        och.queue_declare(queue=Q_EXCL, passive=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        locked = closed_info(e)
    other.close()

    ch.queue_delete(queue=Q_FLAGS)
    ch.queue_declare(queue=Q_FLAGS, durable=False)
    inequivalent = None
    try:
        ch.queue_declare(queue=Q_FLAGS, durable=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        inequivalent = closed_info(e)
    ch = conn.channel()
    ch.queue_delete(queue=Q_FLAGS)
    conn.close()

    # the exclusive queue went away with its connection
    conn = connect()
    ch = conn.channel()
    gone = None
    try:
        ch.queue_declare(queue=Q_EXCL, passive=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        gone = closed_info(e)
    conn.close()
    emit('declare_errors', server_named=server_named, locked=locked, inequivalent=inequivalent,
         exclusive_after_close=gone)


@check
def close_cleanly():
    """channel.close() and connection.close() are clean; closing twice is a client-side error."""
    conn = connect()
    ch = conn.channel()
    ch.close()
    channel_closed = ch.is_closed
    conn.close()
    twice = None
    try:
        conn.close()
    except pika.exceptions.ConnectionWrongStateError as e:
        twice = type(e).__name__
    emit('close_cleanly', channel_closed=channel_closed, connection_closed=conn.is_closed, close_twice=twice)


@check
def transactions():
    """tx_select: publishes and acks take effect on tx_commit and vanish on tx_rollback."""
    conn = connect()
    ch = conn.channel()
    fresh_queue(ch)
    ch.tx_select()
    ch.basic_publish(exchange='', routing_key=Q, body=b'rolled back')
    ch.tx_rollback()
    after_rollback = ch.queue_declare(queue=Q, passive=True).method.message_count
    ch.basic_publish(exchange='', routing_key=Q, body=b't1')
    ch.basic_publish(exchange='', routing_key=Q, body=b't2')
    before_commit = ch.queue_declare(queue=Q, passive=True).method.message_count
    ch.tx_commit()
    after_commit = ch.queue_declare(queue=Q, passive=True).method.message_count
    method, _, body = ch.basic_get(queue=Q)
    ch.tx_commit()  # the get itself is not transactional
    ch.basic_ack(method.delivery_tag)
    ch.tx_rollback()  # the ack is undone: the message stays unacked
    ch.basic_ack(method.delivery_tag)
    ch.tx_commit()
    left = ch.queue_declare(queue=Q, passive=True).method.message_count
    ch.queue_delete(queue=Q)
    conn.close()
    emit('transactions', after_rollback=after_rollback, before_commit=before_commit,
         after_commit=after_commit, got=body.decode(), left=left)


@check
def channel_flow():
    """channel.flow(active=True) is answered with flow-ok(True)."""
    conn = connect()
    ch = conn.channel()
    active = ch.flow(True)
    conn.close()
    emit('channel_flow', active=active)


def main():
    wanted = set(sys.argv[1:])
    failed = False
    for fn in CHECKS:
        if wanted and fn.__name__ not in wanted:
            continue
        try:
            fn()
        except Exception as e:  # report and go on with the next check
            failed = True
            emit(fn.__name__, error='%s: %s' % (type(e).__name__, e), trace=traceback.format_exc())
    print(json.dumps({'done': 'error' if failed else 'ok'}), flush=True)


if __name__ == '__main__':
    main()
