#!/usr/bin/env python3
"""Topic authorisation as a pika program meets it: publishes and binds on amq.topic, each on a
fresh channel, printing one JSON line per attempt ({"step": ..., "ok": bool, "code", "text"}).

Env: AMQP_HOST, AMQP_PORT, AMQP_VHOST, AMQP_USER, AMQP_PASSWORD.
Usage: topic_permissions.py publish:KEY ... bind:KEY ... unbind:KEY ...
"""
import json
import os
import sys

import pika

params = pika.ConnectionParameters(
    host=os.environ.get('AMQP_HOST', 'localhost'),
    port=int(os.environ.get('AMQP_PORT', '5672')),
    virtual_host=os.environ.get('AMQP_VHOST', '/'),
    credentials=pika.PlainCredentials(os.environ['AMQP_USER'], os.environ['AMQP_PASSWORD']),
)
connection = pika.BlockingConnection(params)

for step in sys.argv[1:]:
    action, key = step.split(':', 1)
    channel = connection.channel()
    channel.confirm_delivery()
    out = {'step': step}
    try:
        if action == 'publish':
            channel.basic_publish('amq.topic', key, b'hello')
        else:
            queue = channel.queue_declare('', exclusive=True).method.queue
            if action == 'bind':
                channel.queue_bind(queue, 'amq.topic', key)
            else:
                channel.queue_unbind(queue, 'amq.topic', key)
        out['ok'] = True
        channel.close()
    except pika.exceptions.ChannelClosedByBroker as e:
        out.update(ok=False, code=e.reply_code, text=e.reply_text)
    print(json.dumps(out), flush=True)

connection.close()
