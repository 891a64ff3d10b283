#!/usr/bin/env python3
"""Tutorial five, "Topics": the consumer.

As in RabbitMQ's tutorial (server-named exclusive queue bound to 'topic_logs'
once per binding key given), except that it stops by itself after MAX_MESSAGES
messages (0 = no limit) or TIMEOUT seconds. Prints READY once bound and
consuming, one JSON line per message, and a final JSON {"done": reason} line.
Usage: receive_logs_topic.py [binding_key]...
"""
import json
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))
max_messages = int(os.environ.get('MAX_MESSAGES', '0'))
timeout = float(os.environ.get('TIMEOUT', '30'))


def main():
    connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
    channel = connection.channel()

    channel.exchange_declare(exchange='topic_logs', exchange_type='topic')

    result = channel.queue_declare('', exclusive=True)
    queue_name = result.method.queue

    binding_keys = sys.argv[1:]
    if not binding_keys:
        sys.stderr.write("Usage: %s [binding_key]...\n" % sys.argv[0])
        sys.exit(1)

    for binding_key in binding_keys:
        channel.queue_bind(exchange='topic_logs', queue=queue_name, routing_key=binding_key)

    print(' [*] Waiting for logs. To exit press CTRL+C', file=sys.stderr)

    received = []
    state = {'done': 'timeout'}

    def callback(ch, method, properties, body):
        received.append(body)
        print(json.dumps({'queue': queue_name,
                          'routing_key': method.routing_key,
                          'body': body.decode()}), flush=True)
        if max_messages and len(received) >= max_messages:
            state['done'] = 'count'
            ch.stop_consuming()

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)
    connection.call_later(timeout, channel.stop_consuming)

    print('READY ' + queue_name, flush=True)
    channel.start_consuming()
    connection.close()
    print(json.dumps({'done': state['done'], 'count': len(received)}), flush=True)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('Interrupted', file=sys.stderr)
        sys.exit(0)
