# Tutorial six, the server: computes fib(n) for requests on RPC_QUEUE ("bunny.rpc_queue"), one at a time,
# answering to reply_to with the request's correlation_id. Stops after MAX_REQUESTS or TIMEOUT.
require_relative "common"

def fib(n)
  a, b = 0, 1
  n.times { a, b = b, a + b }
  a
end

max = Integer(ENV.fetch("MAX_REQUESTS", "1000000"))
connection = connect
channel = connection.create_channel
queue = channel.queue(ENV.fetch("RPC_QUEUE", "bunny.rpc_queue"))
channel.prefetch(1)
count = 0
queue.subscribe(manual_ack: true) do |delivery_info, properties, body|
  n = Integer(body)
  channel.default_exchange.publish(fib(n).to_s, routing_key: properties.reply_to, correlation_id: properties.correlation_id)
  channel.ack(delivery_info.delivery_tag)
  emit(request: n, reply_to: properties.reply_to)
  count += 1
end
consume_until(connection, max) { count }
