# Tutorial two, the worker: prefetch 1 and manual acks, so a busy worker gets no new task.
# Stops after IDLE_TIMEOUT seconds without a task, or TIMEOUT in all.
require_relative "common"

connection = connect
channel = connection.create_channel
queue = channel.queue("bunny.task_queue", durable: true)
channel.prefetch(1)
per_dot = env_f("SECONDS_PER_DOT", 0.1)
last = Time.now
count = 0
busy = false
queue.subscribe(manual_ack: true) do |delivery_info, properties, body|
  busy = true
  sleep(body.count(".") * per_dot)
  emit(body: body, redelivered: delivery_info.redelivered?, persistent: properties.delivery_mode == 2)
  channel.ack(delivery_info.delivery_tag)
  count += 1
  last = Time.now
  busy = false
end
puts "READY"
idle = env_f("IDLE_TIMEOUT", 3)
deadline = Time.now + env_f("TIMEOUT", 15)
sleep 0.05 until (!busy && Time.now - last > idle) || Time.now > deadline
emit(done: Time.now > deadline ? "timeout" : "idle", count: count)
connection.close
