#!/usr/bin/env python3
"""Tutorial four, "Routing": the producer.

As in RabbitMQ's tutorial: publishes to the direct exchange 'direct_logs' with
the severity as routing key. Host and port come from AMQP_HOST / AMQP_PORT.
Usage: emit_log_direct.py [severity] [message ...]
"""
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))

connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
channel = connection.channel()

channel.exchange_declare(exchange='direct_logs', exchange_type='direct')

severity = sys.argv[1] if len(sys.argv) > 1 else 'info'
message = ' '.join(sys.argv[2:]) or 'Hello World!'
channel.basic_publish(exchange='direct_logs', routing_key=severity, body=message)
print(" [x] Sent %r:%r" % (severity, message), file=sys.stderr)
connection.close()
