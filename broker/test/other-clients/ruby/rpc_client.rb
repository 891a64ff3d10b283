# Tutorial six, the client: rpc_client.rb N... calls fib(N) on RPC_QUEUE ("bunny.rpc_queue") and waits for each
# answer by correlation_id. REPLY_TO=direct uses RabbitMQ's amq.rabbitmq.reply-to pseudo-queue,
# otherwise a server-named exclusive callback queue.
require_relative "common"
require "securerandom"

class FibonacciClient
  attr_reader :reply_queue_name

  def initialize(channel, direct)
    @channel = channel
    @exchange = channel.default_exchange
    @replies = {}
    @lock = Mutex.new
    handler = proc do |_delivery_info, properties, body|
      @lock.synchronize { @replies[properties.correlation_id] = body }
    end
    if direct
      @reply_queue_name = "amq.rabbitmq.reply-to"
      # direct reply-to needs a no-ack consumer before the first request goes out
      channel.basic_consume(@reply_queue_name, channel.generate_consumer_tag, true, &handler)
    else
      queue = channel.queue("", exclusive: true)
      queue.subscribe(&handler)
      @reply_queue_name = queue.name
    end
  end

  def call(n, timeout)
    correlation_id = SecureRandom.uuid
    @exchange.publish(n.to_s, routing_key: ENV.fetch("RPC_QUEUE", "bunny.rpc_queue"), correlation_id: correlation_id, reply_to: @reply_queue_name)
    answered = wait_for(timeout) { @lock.synchronize { @replies.key?(correlation_id) } }
    answered ? @lock.synchronize { @replies.delete(correlation_id) } : nil
  end
end

connection = connect
channel = connection.create_channel
client = FibonacciClient.new(channel, ENV["REPLY_TO"] == "direct")
ARGV.each do |arg|
  answer = client.call(Integer(arg), env_f("TIMEOUT", 5))
  emit(n: Integer(arg), body: answer, reply_queue_prefix: client.reply_queue_name[0, 21])
end
emit(done: "all")
connection.close
