#!/usr/bin/env python3
"""Tutorial one, "Hello World!": the consumer.

As in RabbitMQ's tutorial, except that it stops by itself: after MAX_MESSAGES
messages (0 = no limit) or TIMEOUT seconds. Prints READY once it consumes, one
JSON line per message, and a final JSON {"done": reason} line.
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

    channel.queue_declare(queue='hello')

    received = []
    state = {'done': 'timeout'}

    def callback(ch, method, properties, body):
        received.append(body)
        print(json.dumps({'routing_key': method.routing_key,
                          'body': body.decode(),
                          'redelivered': method.redelivered}), flush=True)
        if max_messages and len(received) >= max_messages:
            state['done'] = 'count'
            ch.stop_consuming()

    channel.basic_consume(queue='hello', on_message_callback=callback, auto_ack=True)
    connection.call_later(timeout, channel.stop_consuming)

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
