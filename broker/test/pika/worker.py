#!/usr/bin/env python3
"""Tutorial two, "Work queues": the worker.

As in RabbitMQ's tutorial (durable 'task_queue', prefetch_count=1, manual ack,
sleeps once per '.' in the body), except that:
  - SECONDS_PER_DOT (default 1, as in the tutorial) sets how long one dot takes,
    so a test can run a fast and a slow worker side by side;
  - it stops by itself after MAX_MESSAGES messages (0 = no limit), after
    IDLE_TIMEOUT seconds without a message (0 = never), or after TIMEOUT seconds.
Prints READY once it consumes, one JSON line per finished (acked) task, and a
final JSON {"done": reason} line.
"""
import json
import os
import sys
import time

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))
seconds_per_dot = float(os.environ.get('SECONDS_PER_DOT', '1'))
max_messages = int(os.environ.get('MAX_MESSAGES', '0'))
idle_timeout = float(os.environ.get('IDLE_TIMEOUT', '0'))
timeout = float(os.environ.get('TIMEOUT', '30'))


def main():
    connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
    channel = connection.channel()

    channel.queue_declare(queue='task_queue', durable=True)
    print(' [*] Waiting for messages. To exit press CTRL+C', file=sys.stderr)

    done = []
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
        print(" [x] Received %r" % body.decode(), file=sys.stderr)
        time.sleep(body.count(b'.') * seconds_per_dot)
        print(" [x] Done", file=sys.stderr)
        ch.basic_ack(delivery_tag=method.delivery_tag)
        done.append(body)
        print(json.dumps({'body': body.decode(),
                          'redelivered': method.redelivered,
                          'delivery_mode': properties.delivery_mode}), flush=True)
        if max_messages and len(done) >= max_messages:
            stop('count')
        else:
            arm_idle_timer()

    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue='task_queue', on_message_callback=callback)
    connection.call_later(timeout, lambda: stop('timeout'))
    arm_idle_timer()

    print('READY', flush=True)
    channel.start_consuming()
    connection.close()
    print(json.dumps({'done': state['done'], 'count': len(done)}), flush=True)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('Interrupted', file=sys.stderr)
        sys.exit(0)
