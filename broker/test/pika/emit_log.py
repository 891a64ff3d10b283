#!/usr/bin/env python3
"""Tutorial three, "Publish/Subscribe": the producer.

As in RabbitMQ's tutorial: publishes to the fanout exchange 'logs'.
Host and port come from AMQP_HOST / AMQP_PORT.
Usage: emit_log.py [message ...]
"""
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))

connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
channel = connection.channel()

channel.exchange_declare(exchange='logs', exchange_type='fanout')

message = ' '.join(sys.argv[1:]) or "info: Hello World!"
channel.basic_publish(exchange='logs', routing_key='', body=message)
print(" [x] Sent %r" % message, file=sys.stderr)
connection.close()
