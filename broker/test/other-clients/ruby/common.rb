# Shared by the Bunny programs: where the broker is, one JSON line per observation, and the wait of a
# program that consumes until it has seen enough.
require "bunny"
require "json"

$stdout.sync = true

def amqp_url
  ENV["AMQP_URL"] || "amqp://guest:guest@#{ENV.fetch("AMQP_HOST", "127.0.0.1")}:#{ENV.fetch("AMQP_PORT", "5672")}"
end

# Recovery off: a test wants to see a failure, not a client quietly reconnecting over it.
def connect(**opts)
  conn = Bunny.new(amqp_url, automatically_recover: false, **opts)
  conn.start
  conn
end

def emit(hash)
  puts JSON.generate(hash)
end

def env_f(name, default)
  Float(ENV.fetch(name, default.to_s))
end

# For a program that consumes until it has handled `max` messages: READY (and `ready` after it) once
# its consumer is set up, then it waits until the block's count reaches `max` or TIMEOUT runs out,
# prints {"done": "count" | "timeout", "count": n, **done} and closes the connection.
def consume_until(connection, max, ready: nil, **done)
  puts ["READY", ready].compact.join(" ")
  finished = wait_for(env_f("TIMEOUT", 10)) { yield >= max }
  emit(done: finished ? "count" : "timeout", count: yield, **done)
  connection.close
end

# Ruby 3.1's Queue#pop has no timeout: poll until the block is true or the time is up.
def wait_for(seconds)
  deadline = Time.now + seconds
  until yield
    return false if Time.now > deadline
    sleep 0.02
  end
  true
end
