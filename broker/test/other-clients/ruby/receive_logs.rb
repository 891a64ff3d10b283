# Tutorials three to five, the subscriber: receive_logs.rb TYPE EXCHANGE [BINDING_KEY...].
# A server-named exclusive queue bound once per key; prints messages until MAX_MESSAGES or TIMEOUT.
require_relative "common"

type, name, *keys = ARGV
max = Integer(ENV.fetch("MAX_MESSAGES", "1000000"))
connection = connect
channel = connection.create_channel
exchange = channel.exchange(name, type: type.to_sym)
queue = channel.queue("", exclusive: true)
if keys.empty?
  queue.bind(exchange)
else
  keys.each { |key| queue.bind(exchange, routing_key: key) }
end
count = 0
queue.subscribe do |delivery_info, _properties, body|
  emit(routing_key: delivery_info.routing_key, body: body, exchange: delivery_info.exchange)
  count += 1
end
consume_until(connection, max, ready: queue.name, queue_prefix: queue.name[0, 8]) { count }
