#!/usr/bin/env python3
"""Tutorial six, "RPC": the server.

As in RabbitMQ's tutorial ('rpc_queue', prefetch_count=1, replies to reply_to
with the request's correlation_id, then acks), except that it stops by itself
after MAX_MESSAGES requests (0 = no limit) or TIMEOUT seconds. Prints READY
once consuming, one JSON line per request answered, and a final JSON
{"done": reason} line.
"""
import json
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))
max_messages = int(os.environ.get('MAX_MESSAGES', '0'))
timeout = float(os.environ.get('TIMEOUT', '30'))


def fib(n):
    if n == 0:
        return 0
    elif n == 1:
        return 1
    else:
        return fib(n - 1) + fib(n - 2)


def main():
    connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
    channel = connection.channel()

    channel.queue_declare(queue='rpc_queue')

    answered = []
    state = {'done': 'timeout'}

    def on_request(ch, method, props, body):
        n = int(body)

        print(" [.] fib(%s)" % n, file=sys.stderr)
        response = fib(n)

        ch.basic_publish(exchange='',
                         routing_key=props.reply_to,
                         properties=pika.BasicProperties(correlation_id=props.correlation_id),
                         body=str(response))
        ch.basic_ack(delivery_tag=method.delivery_tag)

        answered.append(n)
        print(json.dumps({'n': n, 'result': response,
                          'reply_to': props.reply_to,
                          'correlation_id': props.correlation_id}), flush=True)
        if max_messages and len(answered) >= max_messages:
            state['done'] = 'count'
            ch.stop_consuming()

    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue='rpc_queue', on_message_callback=on_request)
    connection.call_later(timeout, channel.stop_consuming)

    print(" [x] Awaiting RPC requests", file=sys.stderr)
    print('READY', flush=True)
    channel.start_consuming()
    connection.close()
    print(json.dumps({'done': state['done'], 'count': len(answered)}), flush=True)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('Interrupted', file=sys.stderr)
        sys.exit(0)
