#!/usr/bin/env python3
"""Tutorial five, "Topics": the producer.

As in RabbitMQ's tutorial: publishes to the topic exchange 'topic_logs' with
the given routing key. Host and port come from AMQP_HOST / AMQP_PORT.
Usage: emit_log_topic.py [routing_key] [message ...]
"""
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))

connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
channel = connection.channel()

channel.exchange_declare(exchange='topic_logs', exchange_type='topic')

routing_key = sys.argv[1] if len(sys.argv) > 1 else 'anonymous.info'
message = ' '.join(sys.argv[2:]) or 'Hello World!'
channel.basic_publish(exchange='topic_logs', routing_key=routing_key, body=message)
print(" [x] Sent %r:%r" % (routing_key, message), file=sys.stderr)
connection.close()
