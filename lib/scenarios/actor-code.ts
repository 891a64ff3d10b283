// The program beside each actor: its pika or amqplib code with the scenario vhost's AMQP URL in
// place of `{{AMQP_URL}}`, ready to copy and run against the same broker. A built-in actor may
// carry hand-written code; otherwise the program is written from its spec here, in the style of
// RabbitMQ's tutorials (declare what it uses, then publish or consume), doing what the actor does.
import type { ActorSpec, ArgTable, ConsumerSpec, ProducerSpec, RpcClientSpec, RpcServerSpec, ScenarioFile } from './scenario-format';

export const AMQP_URL_PLACEHOLDER = '{{AMQP_URL}}';

export function actorCode(scenario: ScenarioFile, actor: string, client: 'pika' | 'amqplib', amqpUrl: string): string | undefined {
  const spec = scenario.actors.find((a) => a.name === actor);
  if (spec === undefined) return undefined;
  const code = spec.code?.[client] ?? (client === 'pika' ? pikaProgram(scenario, spec) : amqplibProgram(scenario, spec));
  return code.replaceAll(AMQP_URL_PLACEHOLDER, amqpUrl);
}

/** A Python literal of a JSON value (strings, numbers, booleans, objects, arrays). */
export function py(v: unknown): string {
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${py(k)}: ${py(x)}`).join(', ')}}`;
}

/** A JavaScript literal: JSON, with single-quoted strings as the tutorials write them. */
export function js(v: unknown): string {
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(js).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : js(k)}: ${js(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v);
}

const seconds = (ms: number) => String(Math.round(ms) / 1000);

function fill(template: string, actor: string): string {
  return template.replaceAll('{actor}', actor);
}

/** Declarations the actor makes before it works, as the tutorials repeat them in every program. */
function declares(scenario: ScenarioFile, spec: ActorSpec): { exchanges: ScenarioFile['topology']['exchanges']; queues: ScenarioFile['topology']['queues'] } {
  // a user with limited rights declares nothing: an administrator made the topology for it
  if (spec.user !== undefined) return { exchanges: [], queues: [] };
  const exchange = spec.kind === 'producer' ? spec.exchange : undefined;
  const exchanges = scenario.topology.exchanges.filter((e) => e.name === exchange || (spec.kind === 'consumer' && spec.bind?.some((b) => b.exchange === e.name)));
  const queueName = spec.kind === 'producer' ? (spec.exchange === '' ? spec.routingKey : undefined) : spec.kind === 'rpc-client' ? spec.routingKey : spec.queue;
  const queues = scenario.topology.queues.filter((q) => q.name === queueName);
  return { exchanges, queues };
}

// --- pika ----------------------------------------------------------------------------------------

function pikaHead(spec: ActorSpec, imports: string[]): string {
  return `#!/usr/bin/env python
${['pika', ...imports].sort().map((m) => `import ${m}`).join('\n')}

params = pika.URLParameters('${AMQP_URL_PLACEHOLDER}')
params.client_properties = {'connection_name': ${py(spec.name)}}
connection = pika.BlockingConnection(params)
channel = connection.channel()
`;
}

function pikaDeclares(scenario: ScenarioFile, spec: ActorSpec): string {
  const d = declares(scenario, spec);
  const lines = [
    ...d.exchanges.map((e) => `channel.exchange_declare(exchange=${py(e.name)}, exchange_type=${py(e.type)}${e.durable ? ', durable=True' : ''})`),
    ...d.queues.map((q) => `channel.queue_declare(queue=${py(q.name)}${q.durable ? ', durable=True' : ''}${q.arguments && Object.keys(q.arguments).length > 0 ? `, arguments=${py(q.arguments)}` : ''})`),
  ];
  return lines.length === 0 ? '' : `\n${lines.join('\n')}\n`;
}

function pikaProducer(scenario: ScenarioFile, p: ProducerSpec): string {
  const variants = (p.variants ?? [{ routingKey: p.routingKey }]).map((v) => [v.routingKey, fill(v.message ?? p.message, p.name), v.headers ?? p.headers ?? null]);
  const props = [
    p.persistent === true ? 'delivery_mode=pika.spec.PERSISTENT_DELIVERY_MODE' : '',
    'headers=headers',
    p.expiration === undefined ? '' : `expiration=${py(String(p.expiration))}`,
  ].filter((x) => x !== '').join(', ');
  const publish = `channel.basic_publish(
        exchange=${py(p.exchange)},
        routing_key=routing_key,
        body=message,
        properties=pika.BasicProperties(${props})${p.mandatory === true ? ',\n        mandatory=True' : ''})`;
  const send = p.mandatory === true
    ? `    try:
        ${publish}
        print(f" [x] Sent {routing_key}:{message}")
    except pika.exceptions.UnroutableError:
        print(f" [!] Returned unroutable {routing_key}:{message}")`
    : `    ${publish}
    print(f" [x] Sent {routing_key}:{message}")`;
  const confirms = p.mandatory === true
    ? '\n# with publisher confirms, an unroutable mandatory message raises UnroutableError\nchannel.confirm_delivery()\n'
    : p.user !== undefined
      ? '\n# with publisher confirms, a refused publish raises ChannelClosedByBroker (403) here, not silently later\nchannel.confirm_delivery()\n'
      : '';
  return `${pikaHead(p, ['time'])}${pikaDeclares(scenario, p)}${confirms}
messages = ${py(variants)}

n = 0
while ${p.count === undefined ? 'True' : `n < ${p.count}`}:
    n += 1
    routing_key, template, headers = messages[(n - 1) % len(messages)]
    message = template.replace('{n}', str(n))
${send}
    time.sleep(${seconds(1000 / p.rate)})
${p.count === undefined ? '' : 'connection.close()\n'}`;
}

function pikaOwnQueue(c: ConsumerSpec): string {
  const binds = (c.bind ?? []).map((b) => `channel.queue_bind(exchange=${py(b.exchange)}, queue=queue_name, routing_key=${py(b.routingKey)}${b.arguments ? `, arguments=${py(b.arguments)}` : ''})`);
  return `
result = channel.queue_declare(queue='', exclusive=True)
queue_name = result.method.queue
${binds.join('\n')}
`;
}

function pikaConsumer(scenario: ScenarioFile, c: ConsumerSpec): string {
  const settle: Record<ConsumerSpec['ack'], string> = {
    auto: '',
    ack: '    ch.basic_ack(delivery_tag=method.delivery_tag)\n',
    'nack-requeue': '    ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)\n',
    'nack-drop': '    ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)\n',
    'reject-requeue': '    ch.basic_reject(delivery_tag=method.delivery_tag, requeue=True)\n',
    'reject-drop': '    ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)\n',
  };
  const imports = [...(c.processingMs > 0 ? ['time'] : []), ...(c.crashAfter !== undefined ? ['os'] : [])];
  return `${pikaHead(c, imports)}${pikaDeclares(scenario, c)}${c.queue === '' ? pikaOwnQueue(c) : `\nqueue_name = ${py(c.queue)}\n`}${c.crashAfter === undefined ? '' : '\nreceived = 0\n'}
def callback(ch, method, properties, body):
    print(f" [x] Received {method.routing_key}:{body.decode()}")
${c.crashAfter === undefined ? '' : `    global received
    received += 1
    if received >= ${c.crashAfter}:
        print(" [!] Killed, holding what it received")
        os._exit(1)
`}${c.processingMs > 0 ? `    time.sleep(${seconds(c.processingMs)})\n` : ''}${c.poison === undefined ? '' : `    if ${py(c.poison)}.encode() in body:
        print(" [!] Poison: rejected without requeue")
        ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
        return
`}${settle[c.ack]}    print(" [x] Done")

${c.prefetch > 0 ? `channel.basic_qos(prefetch_count=${c.prefetch})\n` : ''}channel.basic_consume(queue=queue_name, on_message_callback=callback${c.ack === 'auto' ? ', auto_ack=True' : ''})

print(' [*] Waiting for messages. To exit press CTRL+C')
channel.start_consuming()
`;
}

function pikaRpcServer(scenario: ScenarioFile, s: RpcServerSpec): string {
  return `${pikaHead(s, s.processingMs > 0 ? ['time'] : [])}${pikaDeclares(scenario, s)}

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def on_request(ch, method, props, body):
    n = int(body)
    print(f" [.] fib({n})")
${s.processingMs > 0 ? `    time.sleep(${seconds(s.processingMs)})\n` : ''}    response = fib(n)
    ch.basic_publish(exchange='',
                     routing_key=props.reply_to,
                     properties=pika.BasicProperties(correlation_id=props.correlation_id),
                     body=str(response))
    ch.basic_ack(delivery_tag=method.delivery_tag)


${s.prefetch > 0 ? `channel.basic_qos(prefetch_count=${s.prefetch})\n` : ''}channel.basic_consume(queue=${py(s.queue)}, on_message_callback=on_request)

print(" [x] Awaiting RPC requests")
channel.start_consuming()
`;
}

function pikaRpcClient(scenario: ScenarioFile, c: RpcClientSpec): string {
  const replyQueue = c.replyTo === 'direct'
    ? `# direct reply-to: no reply queue; the broker hands the reply straight to this channel's consumer
callback_queue = 'amq.rabbitmq.reply-to'`
    : `result = channel.queue_declare(queue='', exclusive=True)
callback_queue = result.method.queue`;
  return `${pikaHead(c, ['time', 'uuid'])}${pikaDeclares(scenario, c)}
${replyQueue}
response = None
corr_id = None


def on_response(ch, method, props, body):
    global response
    if corr_id == props.correlation_id:
        response = body


channel.basic_consume(queue=callback_queue, on_message_callback=on_response, auto_ack=True)


def call(request):
    global response, corr_id
    response = None
    corr_id = str(uuid.uuid4())
    channel.basic_publish(
        exchange='',
        routing_key=${py(c.routingKey)},
        properties=pika.BasicProperties(reply_to=callback_queue, correlation_id=corr_id),
        body=request)
    while response is None:
        connection.process_data_events(time_limit=None)
    return response.decode()


n = 0
while ${c.count === undefined ? 'True' : `n < ${c.count}`}:
    n += 1
    request = ${py(fill(c.message, c.name))}.replace('{n}', str(n))
    print(f" [x] Requesting fib({request})")
    print(f" [.] Got {call(request)}")
    time.sleep(${seconds(1000 / c.rate)})
${c.count === undefined ? '' : 'connection.close()\n'}`;
}

function pikaProgram(scenario: ScenarioFile, spec: ActorSpec): string {
  switch (spec.kind) {
    case 'producer': return pikaProducer(scenario, spec);
    case 'consumer': return pikaConsumer(scenario, spec);
    case 'rpc-server': return pikaRpcServer(scenario, spec);
    case 'rpc-client': return pikaRpcClient(scenario, spec);
  }
}

// --- amqplib -------------------------------------------------------------------------------------

function jsHead(spec: ActorSpec, channel = 'createChannel'): string {
  return `const amqp = require('amqplib');

(async () => {
  const connection = await amqp.connect('${AMQP_URL_PLACEHOLDER}', { clientProperties: { connection_name: ${js(spec.name)} } });
  const channel = await connection.${channel}();
`;
}

function jsDeclares(scenario: ScenarioFile, spec: ActorSpec): string {
  const d = declares(scenario, spec);
  return [
    ...d.exchanges.map((e) => `  await channel.assertExchange(${js(e.name)}, ${js(e.type)}, { durable: ${e.durable} });\n`),
    ...d.queues.map((q) => `  await channel.assertQueue(${js(q.name)}, { durable: ${q.durable}${q.arguments && Object.keys(q.arguments).length > 0 ? `, arguments: ${js(q.arguments)}` : ''} });\n`),
  ].join('');
}

const sleepJs = (ms: number) => `    await new Promise((resolve) => setTimeout(resolve, ${Math.round(ms)}));\n`;

function jsProducer(scenario: ScenarioFile, p: ProducerSpec): string {
  const variants = (p.variants ?? [{ routingKey: p.routingKey }]).map((v) => ({ routingKey: v.routingKey, text: fill(v.message ?? p.message, p.name), headers: (v.headers ?? p.headers ?? {}) as ArgTable }));
  const opts = [p.persistent === true ? 'persistent: true' : '', p.mandatory === true ? 'mandatory: true' : '', 'headers', p.expiration === undefined ? '' : `expiration: ${js(String(p.expiration))}`].filter((x) => x !== '').join(', ');
  return `${jsHead(p)}${jsDeclares(scenario, p)}${p.mandatory === true ? `  // an unroutable mandatory message comes back as basic.return
  channel.on('return', (msg) => console.log(' [!] Returned unroutable %s:%s', msg.fields.routingKey, msg.content.toString()));
` : ''}  const messages = ${js(variants)};

  for (let n = 1; ${p.count === undefined ? 'true' : `n <= ${p.count}`}; n++) {
    const { routingKey, text, headers } = messages[(n - 1) % messages.length];
    const msg = text.replaceAll('{n}', String(n));
    channel.publish(${js(p.exchange)}, routingKey, Buffer.from(msg), { ${opts} });
    console.log(' [x] Sent %s:%s', routingKey, msg);
${sleepJs(1000 / p.rate)}  }
${p.count === undefined ? '' : '  await channel.close();\n  await connection.close();\n'}})();
`;
}

function jsConsumer(scenario: ScenarioFile, c: ConsumerSpec): string {
  const settle: Record<ConsumerSpec['ack'], string> = {
    auto: '', ack: 'channel.ack(msg);', 'nack-requeue': 'channel.nack(msg, false, true);', 'nack-drop': 'channel.nack(msg, false, false);',
    'reject-requeue': 'channel.reject(msg, true);', 'reject-drop': 'channel.reject(msg, false);',
  };
  const own = c.queue === ''
    ? `  const { queue } = await channel.assertQueue('', { exclusive: true });
${(c.bind ?? []).map((b) => `  await channel.bindQueue(queue, ${js(b.exchange)}, ${js(b.routingKey)}${b.arguments ? `, ${js(b.arguments)}` : ''});\n`).join('')}`
    : `  const queue = ${js(c.queue)};\n`;
  const body = [
    c.poison === undefined ? '' : `      if (msg.content.includes(${js(c.poison)})) {
        console.log(' [!] Poison: rejected without requeue');
        channel.reject(msg, false);
        return;
      }`,
    settle[c.ack] === '' ? '' : `      ${settle[c.ack]}`,
    `      console.log(' [x] Done');`,
  ].filter((x) => x !== '').join('\n');
  return `${jsHead(c)}${jsDeclares(scenario, c)}${own}${c.prefetch > 0 ? `  await channel.prefetch(${c.prefetch});\n` : ''}${c.crashAfter === undefined ? '' : '  let received = 0;\n'}  console.log(' [*] Waiting for messages in %s. To exit press CTRL+C', queue);
  await channel.consume(queue, (msg) => {
    console.log(' [x] Received %s:%s', msg.fields.routingKey, msg.content.toString());
${c.crashAfter === undefined ? '' : `    if (++received >= ${c.crashAfter}) {
      console.log(' [!] Killed, holding what it received');
      process.exit(1);
    }
`}    setTimeout(() => {
${body}
    }, ${c.processingMs});
  }, { noAck: ${c.ack === 'auto'} });
})();
`;
}

function jsRpcServer(scenario: ScenarioFile, s: RpcServerSpec): string {
  return `${jsHead(s)}${jsDeclares(scenario, s)}  const fib = (n) => {
    let [a, b] = [0, 1];
    for (let i = 0; i < n; i++) [a, b] = [b, a + b];
    return a;
  };
${s.prefetch > 0 ? `  await channel.prefetch(${s.prefetch});\n` : ''}  console.log(' [x] Awaiting RPC requests');
  await channel.consume(${js(s.queue)}, (msg) => {
    const n = parseInt(msg.content.toString(), 10);
    console.log(' [.] fib(%d)', n);
    setTimeout(() => {
      channel.sendToQueue(msg.properties.replyTo, Buffer.from(String(fib(n))), { correlationId: msg.properties.correlationId });
      channel.ack(msg);
    }, ${s.processingMs});
  });
})();
`;
}

function jsRpcClient(scenario: ScenarioFile, c: RpcClientSpec): string {
  const replyQueue = c.replyTo === 'direct'
    ? `  // direct reply-to: no reply queue; the broker hands the reply straight to this channel's consumer
  const replyTo = 'amq.rabbitmq.reply-to';\n`
    : `  const { queue: replyTo } = await channel.assertQueue('', { exclusive: true });\n`;
  return `const { randomUUID } = require('node:crypto');
${jsHead(c)}${jsDeclares(scenario, c)}${replyQueue}  const waiting = new Map();
  await channel.consume(replyTo, (msg) => {
    const done = waiting.get(msg.properties.correlationId);
    waiting.delete(msg.properties.correlationId);
    if (done) done(msg.content.toString());
  }, { noAck: true });

  for (let n = 1; ${c.count === undefined ? 'true' : `n <= ${c.count}`}; n++) {
    const request = ${js(fill(c.message, c.name))}.replaceAll('{n}', String(n));
    const correlationId = randomUUID();
    const reply = new Promise((resolve) => waiting.set(correlationId, resolve));
    console.log(' [x] Requesting fib(%s)', request);
    channel.sendToQueue(${js(c.routingKey)}, Buffer.from(request), { replyTo, correlationId });
    console.log(' [.] Got %s', await reply);
${sleepJs(1000 / c.rate)}  }
${c.count === undefined ? '' : '  await connection.close();\n'}})();
`;
}

function amqplibProgram(scenario: ScenarioFile, spec: ActorSpec): string {
  switch (spec.kind) {
    case 'producer': return jsProducer(scenario, spec);
    case 'consumer': return jsConsumer(scenario, spec);
    case 'rpc-server': return jsRpcServer(scenario, spec);
    case 'rpc-client': return jsRpcClient(scenario, spec);
  }
}
