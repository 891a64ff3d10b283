#!/usr/bin/env python3
"""Tutorial six, "RPC": the client.

As in RabbitMQ's tutorial (exclusive server-named callback queue, a uuid
correlation_id per call, waits by polling connection.process_data_events),
except that it makes one call per number given on the command line (default
30, as in the tutorial), gives up on a call after TIMEOUT seconds, and prints
one JSON line per call.
Usage: rpc_client.py [n ...]
"""
import json
import os
import sys
import time
import uuid

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))
timeout = float(os.environ.get('TIMEOUT', '30'))


class FibonacciRpcClient(object):

    def __init__(self):
        self.connection = pika.BlockingConnection(
            pika.ConnectionParameters(host=host, port=port))

        self.channel = self.connection.channel()

        result = self.channel.queue_declare(queue='', exclusive=True)
        self.callback_queue = result.method.queue

        self.channel.basic_consume(
            queue=self.callback_queue,
            on_message_callback=self.on_response,
            auto_ack=True)

        self.response = None
        self.corr_id = None
        self.stray = 0

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body
        else:
            self.stray += 1

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key='rpc_queue',
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=self.corr_id,
            ),
            body=str(n))
        deadline = time.monotonic() + timeout
        while self.response is None:
            if time.monotonic() >= deadline:
                return None
            self.connection.process_data_events(time_limit=0.5)
        return int(self.response)


def main():
    numbers = [int(a) for a in sys.argv[1:]] or [30]
    fibonacci_rpc = FibonacciRpcClient()
    ok = True
    for n in numbers:
        print(" [x] Requesting fib(%d)" % n, file=sys.stderr)
        response = fibonacci_rpc.call(n)
        print(" [.] Got %r" % response, file=sys.stderr)
        if response is None:
            ok = False
            print(json.dumps({'n': n, 'error': 'timeout'}), flush=True)
            break
        print(json.dumps({'n': n, 'result': response,
                          'callback_queue': fibonacci_rpc.callback_queue,
                          'correlation_id': fibonacci_rpc.corr_id}), flush=True)
    fibonacci_rpc.connection.close()
    print(json.dumps({'done': 'count' if ok else 'timeout', 'stray': fibonacci_rpc.stray}), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
