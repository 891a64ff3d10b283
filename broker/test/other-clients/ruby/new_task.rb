# Tutorial two, the producer: persistent tasks on the durable "bunny.task_queue"; dots are seconds of work.
require_relative "common"

connection = connect
channel = connection.create_channel
queue = channel.queue("bunny.task_queue", durable: true)
tasks = ARGV.empty? ? ["Hello World!"] : ARGV
tasks.each do |task|
  queue.publish(task, persistent: true)
  emit(sent: task)
end
connection.close
