#!/usr/bin/env python3
"""Tutorial one, "Hello World!": the producer.

As in RabbitMQ's tutorial; host and port come from AMQP_HOST / AMQP_PORT.
Usage: send.py [message ...]
"""
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))

connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
channel = connection.channel()

channel.queue_declare(queue='hello')

message = ' '.join(sys.argv[1:]) or 'Hello World!'
channel.basic_publish(exchange='', routing_key='hello', body=message)
print(" [x] Sent %r" % message, file=sys.stderr)
connection.close()
