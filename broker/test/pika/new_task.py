#!/usr/bin/env python3
"""Tutorial two, "Work queues": the producer.

As in RabbitMQ's tutorial: a persistent message to the durable 'task_queue'.
Host and port come from AMQP_HOST / AMQP_PORT.
Usage: new_task.py [message ...]   (each '.' in it is a second of work)
"""
import os
import sys

import pika

host = os.environ.get('AMQP_HOST', 'localhost')
port = int(os.environ.get('AMQP_PORT', '5672'))

connection = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=port))
channel = connection.channel()

channel.queue_declare(queue='task_queue', durable=True)

message = ' '.join(sys.argv[1:]) or "Hello World!"
channel.basic_publish(
    exchange='',
    routing_key='task_queue',
    body=message,
    properties=pika.BasicProperties(
        delivery_mode=2,  # make message persistent (pika.DeliveryMode.Persistent in pika >= 1.3)
    ))
print(" [x] Sent %r" % message, file=sys.stderr)
connection.close()
