# Tutorial one, the receiver: prints what arrives on "bunny.hello" until MAX_MESSAGES or TIMEOUT.
require_relative "common"

max = Integer(ENV.fetch("MAX_MESSAGES", "1"))
connection = connect
channel = connection.create_channel
queue = channel.queue("bunny.hello")
count = 0
queue.subscribe do |delivery_info, _properties, body|
  emit(routing_key: delivery_info.routing_key, body: body, redelivered: delivery_info.redelivered?)
  count += 1
end
consume_until(connection, max) { count }
