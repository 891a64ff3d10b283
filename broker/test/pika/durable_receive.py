#!/usr/bin/env python3
"""Durability: consume what durable_send.py left in the durable queue.

Declares the same durable queue (QUEUE, default 'durable_queue'), prints a
JSON line with its message_count, then READY, then consumes with
prefetch_count=1 and manual acks, one JSON line per message (body, properties,
redelivered). With ACK=0 it does not ack, so the messages go back to the queue
when it closes. Stops after MAX_MESSAGES messages (0 = no limit), IDLE_TIMEOUT
seconds without a message (0 = never), or TIMEOUT seconds, then prints a final
JSON {"done": reason} line.
"""
import json
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))
queue = os.environ.get('QUEUE', 'durable_queue')
max_messages = int(os.environ.get('MAX_MESSAGES', '0'))
idle_timeout = float(os.environ.get('IDLE_TIMEOUT', '0'))
timeout = float(os.environ.get('TIMEOUT', '30'))
ack = os.environ.get('ACK', '1') != '0'


def main():
    connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
    channel = connection.channel()

    result = channel.queue_declare(queue=queue, durable=True)
    print(json.dumps({'queue': result.method.queue,
                      'message_count': result.method.message_count}), flush=True)

    received = []
    state = {'done': 'timeout', 'idle_timer': None}

    def stop(reason):
        state['done'] = reason
        channel.stop_consuming()

    def arm_idle_timer():
        if not idle_timeout:
            return
        if state['idle_timer'] is not None:
            connection.remove_timeout(state['idle_timer'])
        state['idle_timer'] = connection.call_later(idle_timeout, lambda: stop('idle'))

    def callback(ch, method, properties, body):
        if ack:
            ch.basic_ack(delivery_tag=method.delivery_tag)
        received.append(body)
        headers = properties.headers or {}
        print(json.dumps({
            'body': body.decode(),
            'redelivered': method.redelivered,
            'delivery_mode': properties.delivery_mode,
            'content_type': properties.content_type,
            'message_id': properties.message_id,
            'timestamp': properties.timestamp,
            'headers': {k: (v.decode() if isinstance(v, bytes) else v) for k, v in headers.items()},
        }), flush=True)
        if max_messages and len(received) >= max_messages:
            stop('count')
        else:
            arm_idle_timer()

    channel.basic_qos(prefetch_count=1 if ack else 0)
    channel.basic_consume(queue=queue, on_message_callback=callback)
    connection.call_later(timeout, lambda: stop('timeout'))
    arm_idle_timer()

    print(' [*] Waiting for messages. To exit press CTRL+C', file=sys.stderr)
    print('READY', flush=True)
    channel.start_consuming()
    connection.close()
    print(json.dumps({'done': state['done'], 'count': len(received)}), flush=True)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('Interrupted', file=sys.stderr)
        sys.exit(0)
