# Hello world over TLS, as pika's documentation connects: an ssl.SSLContext that trusts the test CA,
# with a client certificate when TLS_CERT is set, and EXTERNAL credentials when EXTERNAL=1 (the
# broker takes the user from the certificate). Sends one message to `tls-hello`, consumes it, and
# prints {"body": ..., "user": <the login>} as JSON.
import json
import os
import ssl

import pika
from pika.credentials import ExternalCredentials, PlainCredentials

context = ssl.create_default_context(cafile=os.environ['TLS_CA'])
if os.environ.get('TLS_CERT'):
    context.load_cert_chain(os.environ['TLS_CERT'], os.environ['TLS_KEY'])
external = os.environ.get('EXTERNAL') == '1'
parameters = pika.ConnectionParameters(
    host='127.0.0.1',
    port=int(os.environ['AMQP_PORT']),
    ssl_options=pika.SSLOptions(context, 'localhost'),
    credentials=ExternalCredentials() if external else PlainCredentials('guest', 'guest'),
    connection_attempts=1,
    socket_timeout=5,
)
connection = pika.BlockingConnection(parameters)
channel = connection.channel()
channel.queue_declare(queue='tls-hello')
channel.basic_publish(exchange='', routing_key='tls-hello', body=b'Hello World!')
received = None
for method, properties, body in channel.consume('tls-hello', auto_ack=True, inactivity_timeout=5):
    received = None if body is None else body.decode()
    break
channel.cancel()
print(json.dumps({'body': received, 'mechanism': 'EXTERNAL' if external else 'PLAIN'}), flush=True)
connection.close()
