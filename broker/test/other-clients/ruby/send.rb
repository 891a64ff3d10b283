# Tutorial one, the sender: one message to "bunny.hello" through the default exchange.
require_relative "common"

message = ARGV.empty? ? "Hello World!" : ARGV.join(" ")
connection = connect
channel = connection.create_channel
queue = channel.queue("bunny.hello")
channel.default_exchange.publish(message, routing_key: queue.name)
emit(sent: message)
connection.close
