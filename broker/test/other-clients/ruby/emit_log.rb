# Tutorials three to five, the publisher: emit_log.rb TYPE EXCHANGE ROUTING_KEY MESSAGE...
# (fanout ignores the key; direct and topic route on it).
require_relative "common"

type, name, key, *words = ARGV
connection = connect
channel = connection.create_channel
exchange = channel.exchange(name, type: type.to_sym)
message = words.join(" ")
exchange.publish(message, routing_key: key)
emit(sent: message, routing_key: key)
connection.close
