#!/usr/bin/env python3
"""Durability: publish persistent messages to a durable queue.

What tutorial two teaches ("Message durability"): a durable queue and
delivery_mode=2, here with publisher confirms so that when this program exits
the broker has taken responsibility for every message (reusable by a test that
restarts the broker between durable_send.py and durable_receive.py).

Queue name: QUEUE (default 'durable_queue'). Host and port: AMQP_HOST/AMQP_PORT.
Usage: durable_send.py [message ...]   (one message per argument; default one
"Hello durable!"). Prints one JSON line per confirmed message and a final
JSON {"done": ...} line.
"""
import json
import os
import sys
import time

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))
queue = os.environ.get('QUEUE', 'durable_queue')

connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
channel = connection.channel()

result = channel.queue_declare(queue=queue, durable=True)
print(json.dumps({'queue': result.method.queue,
                  'message_count': result.method.message_count}), flush=True)

channel.confirm_delivery()

messages = sys.argv[1:] or ['Hello durable!']
for i, message in enumerate(messages):
    # raises pika.exceptions.NackError / UnroutableError if the broker refuses it
    channel.basic_publish(
        exchange='',
        routing_key=queue,
        body=message,
        properties=pika.BasicProperties(
            delivery_mode=2,  # persistent
            content_type='text/plain',
            message_id='msg-%d' % i,
            timestamp=int(time.time()),
            headers={'seq': i, 'source': 'durable_send.py'},
        ),
        mandatory=True)
    print(json.dumps({'body': message, 'confirmed': True}), flush=True)

connection.close()
print(json.dumps({'done': 'count', 'count': len(messages)}), flush=True)
