# The RabbitMQ features Bunny users lean on, one check each: confirms, returns, basic.get,
# nack/reject, dead-lettering and TTL, the errors a client turns into exceptions (404, 405, 406,
# 403, failed login), headers exchanges, consumer cancel notifications and large messages.
# Prints {"check": name, "ok": true, ...what it saw} per check and {"done": "all"} at the end.
# CHECKS=a,b runs only those checks.
require_relative "common"

PREFIX = "bunny.f."

def check(name)
  only = ENV["CHECKS"].to_s.split(",")
  return unless only.empty? || only.include?(name)
  result = yield
  emit({ check: name, ok: true }.merge(result || {}))
rescue Exception => e # a failing check must not stop the others
  emit(check: name, ok: false, error: "#{e.class}: #{e.message}")
end

# Bunny's channel-level exceptions carry the server's channel.close
def close_info(e)
  c = e.respond_to?(:channel_close) ? e.channel_close : nil
  c ||= e.respond_to?(:connection_close) ? e.connection_close : nil
  { error_class: e.class.name, reply_code: c&.reply_code, reply_text: c&.reply_text, class_id: c&.class_id, method_id: c&.method_id }
end

def cleanup(conn, queues: [], exchanges: [])
  ch = conn.create_channel
  queues.each { |q| ch.queue_delete(PREFIX + q) }
  exchanges.each { |x| ch.exchange_delete(PREFIX + x) }
  ch.close
end

# A channel in confirm mode, once whatever an earlier run left of these queues and exchanges is gone
def confirm_channel(conn, **leftovers)
  cleanup(conn, **leftovers)
  ch = conn.create_channel
  ch.confirm_select
  ch
end

# A channel in confirm mode and a fresh queue PREFIX + name on it
def confirmed_queue(conn, name, **opts)
  ch = confirm_channel(conn, queues: [name])
  [ch, ch.queue(PREFIX + name, **opts)]
end

# The server's refusal of what the block does, as close_info; { raised: false } if it went through
def refusal
  yield
  { raised: false }
rescue Bunny::Exception => e
  close_info(e)
end

# basic.get until `count` messages came, or `seconds` passed: [delivery_info, properties, body] each
def pop_messages(queue, count, seconds)
  got = []
  wait_for(seconds) do
    di, props, body = queue.pop
    got << [di, props, body] if di
    got.size >= count
  end
  got
end

# basic.get until the queue is empty: the bodies
def pop_all(queue)
  bodies = []
  while (body = queue.pop[2])
    bodies << body
  end
  bodies
end

conn = connect

check("negotiated") do
  caps = conn.server_capabilities || {}
  {
    frame_max: conn.frame_max, channel_max: conn.channel_max, heartbeat: conn.heartbeat,
    capabilities: %w[publisher_confirms exchange_exchange_bindings basic.nack consumer_cancel_notify
                     connection.blocked authentication_failure_close per_consumer_qos direct_reply_to]
      .select { |k| caps[k] == true },
    mechanisms: conn.server_authentication_mechanisms.sort,
  }
end

check("durable_persistent") do
  ch, q = confirmed_queue(conn, "durable", durable: true)
  ch.default_exchange.publish("keep me", routing_key: q.name, persistent: true, content_type: "text/plain",
                              headers: { "attempt" => 1, "origin" => "bunny" }, message_id: "m-1", app_id: "features")
  confirmed = ch.wait_for_confirms
  other = connect
  och = other.create_channel
  q2 = och.queue(PREFIX + "durable", durable: true)
  depth = q2.message_count
  _di, props, body = q2.pop
  q2.delete
  other.close
  ch.close
  { confirmed: confirmed, depth: depth, durable: q2.durable?, body: body, delivery_mode: props&.delivery_mode,
    content_type: props&.content_type, headers: props&.headers, message_id: props&.message_id, app_id: props&.app_id }
end

check("redeclare_mismatch") do
  cleanup(conn, queues: %w[mismatch])
  conn.create_channel.queue(PREFIX + "mismatch", durable: true)
  # Bunny caches declared queues per channel: a second channel really redeclares
  ch = conn.create_channel
  refused = refusal { ch.queue(PREFIX + "mismatch", durable: false) }
  cleanup(conn, queues: %w[mismatch])
  refused.merge(channel_open: ch.open?, connection_open: conn.open?)
end

check("confirms") do
  ch, q = confirmed_queue(conn, "confirms")
  20.times { |i| q.publish("confirm #{i}") }
  all_acked = ch.wait_for_confirms
  depth = q.message_count
  nacked = ch.nacked_set.size
  q.delete
  ch.close
  { all_acked: all_acked, nacked: nacked, depth: depth, next_publish_seq_no: ch.next_publish_seq_no }
end

check("mandatory_return") do
  ch = confirm_channel(conn, exchanges: %w[unbound])
  x = ch.direct(PREFIX + "unbound")
  returned = nil
  acked_before_return = nil
  x.on_return do |info, props, body|
    returned = { reply_code: info.reply_code, reply_text: info.reply_text, exchange: info.exchange,
                 routing_key: info.routing_key, body: body, correlation_id: props.correlation_id }
  end
  x.publish("nowhere to go", routing_key: "nobody", mandatory: true, correlation_id: "c-1")
  acked = ch.wait_for_confirms
  # RabbitMQ sends basic.return before the basic.ack of the same message
  acked_before_return = returned.nil?
  wait_for(3) { returned }
  x.delete
  ch.close
  { returned: returned, acked: acked, return_came_first: !acked_before_return }
end

check("basic_get") do
  ch, q = confirmed_queue(conn, "get")
  empty = q.pop
  q.publish("first", priority: 0, type: "greeting")
  q.publish("second")
  ch.wait_for_confirms
  di, props, body = q.pop(manual_ack: true)
  # Bunny's GetResponse hides message_count; a depth check is what users do instead
  first = { body: body, depth: q.message_count, redelivered: di.redelivered, routing_key: di.routing_key,
            exchange: di.exchange, type: props.type, delivery_tag: di.delivery_tag.to_i }
  ch.ack(di.delivery_tag)
  di2, _props, body2 = q.pop
  second = { body: body2, delivery_tag: di2.delivery_tag.to_i }
  depth = q.message_count
  q.delete
  ch.close
  { empty: empty.compact.empty?, first: first, second: second, depth_after: depth }
end

check("nack_reject") do
  ch, q = confirmed_queue(conn, "requeue")
  q.publish("bounce")
  ch.wait_for_confirms
  seen = []
  di, _p, body = q.pop(manual_ack: true)
  seen << [body, di.redelivered?]
  ch.reject(di.delivery_tag, true)
  di, _p, body = q.pop(manual_ack: true)
  seen << [body, di.redelivered?]
  ch.nack(di.delivery_tag, false, true)
  di, _p, body = q.pop(manual_ack: true)
  seen << [body, di.redelivered?]
  ch.nack(di.delivery_tag, false, false)
  depth_after_drop = q.message_count
  q.publish("again")
  ch.wait_for_confirms
  di, _p, _body = q.pop(manual_ack: true)
  ch.reject(di.delivery_tag, false)
  depth_after_reject = q.message_count
  # nack with multiple: three in flight go back at once
  3.times { |i| q.publish("batch #{i}") }
  ch.wait_for_confirms
  tags = 3.times.map { q.pop(manual_ack: true)[0].delivery_tag }
  ch.nack(tags.last, true, true)
  depth_after_multiple = wait_for(2) { q.message_count == 3 } ? 3 : q.message_count
  # a consumer sees the requeued delivery again, flagged
  deliveries = []
  q.subscribe(manual_ack: true) do |info, _props, b|
    deliveries << [b, info.redelivered?]
    ch.ack(info.delivery_tag)
  end
  wait_for(3) { deliveries.size >= 3 }
  q.delete
  ch.close
  { seen: seen, depth_after_drop: depth_after_drop, depth_after_reject: depth_after_reject,
    depth_after_multiple: depth_after_multiple, consumed: deliveries }
end

check("dead_letter_ttl") do
  ch = confirm_channel(conn, queues: %w[dead ttl expiring rejects], exchanges: %w[dlx])
  dlx = ch.fanout(PREFIX + "dlx")
  dead = ch.queue(PREFIX + "dead").bind(dlx)
  ttl = ch.queue(PREFIX + "ttl", arguments: { "x-message-ttl" => 100, "x-dead-letter-exchange" => dlx.name })
  expiring = ch.queue(PREFIX + "expiring", arguments: { "x-dead-letter-exchange" => dlx.name })
  rejects = ch.queue(PREFIX + "rejects", arguments: { "x-dead-letter-exchange" => dlx.name,
                                                      "x-dead-letter-routing-key" => "rejected-key" })
  ttl.publish("queue ttl")
  expiring.publish("message ttl", expiration: "50")
  ch.wait_for_confirms
  dead_letters = pop_messages(dead, 2, 4)
  rejects.publish("refused")
  ch.wait_for_confirms
  di, = rejects.pop(manual_ack: true)
  ch.reject(di.delivery_tag, false)
  dead_letters += pop_messages(dead, 3 - dead_letters.size, 3)
  summary = dead_letters.map do |d, props, body|
    death = (props.headers || {})["x-death"]&.first || {}
    { body: body, routing_key: d.routing_key, exchange: d.exchange, reason: death["reason"], queue: death["queue"],
      count: death["count"], death_exchange: death["exchange"], routing_keys: death["routing-keys"],
      original_expiration: death["original-expiration"], expiration: props.expiration,
      first_death_reason: props.headers["x-first-death-reason"], first_death_queue: props.headers["x-first-death-queue"] }
  end.sort_by { |s| s[:body] }
  ttl_depth = ttl.message_count
  [dead, ttl, expiring, rejects].each(&:delete)
  dlx.delete
  ch.close
  { dead_letters: summary, ttl_depth: ttl_depth }
end

check("passive_missing") do
  ch = conn.create_channel
  refused = refusal { ch.queue(PREFIX + "missing", passive: true) }
  # the connection survives a channel error: a new channel works
  fresh = conn.create_channel
  works = fresh.queue("", exclusive: true).name.start_with?("amq.gen-")
  fresh.close
  refused.merge(channel_open: ch.open?, connection_open: conn.open?, new_channel_works: works)
end

check("exclusive_locked") do
  owner = connect
  och = owner.create_channel
  och.queue(PREFIX + "exclusive", exclusive: true)
  result = refusal { conn.create_channel.queue(PREFIX + "exclusive", exclusive: true) }
  ch = conn.create_channel
  result[:consume_error] = refusal { ch.basic_consume(PREFIX + "exclusive", ch.generate_consumer_tag, true) { |*| } }
  owner.close
  # an exclusive queue goes with its connection
  begin
    conn.create_channel.queue(PREFIX + "exclusive", passive: true)
    result[:gone_after_close] = false
  rescue Bunny::NotFound
    result[:gone_after_close] = true
  end
  result
end

check("reserved_name") do
  refusal { conn.create_channel.exchange("amq.bunny-test", type: :direct) }
end

check("unknown_delivery_tag") do
  ch = conn.create_channel
  error = nil
  ch.on_error { |_ch, close| error = close }
  ch.ack(99)
  wait_for(3) { error }
  { reply_code: error&.reply_code, reply_text: error&.reply_text, channel_open: ch.open?, connection_open: conn.open? }
end

check("wrong_password") do
  url = amqp_url.sub(/\/\/[^@]*@/, "//guest:not-the-password@")
  bad = Bunny.new(url, automatically_recover: false)
  begin
    bad.start
    bad.close
    { raised: false }
  rescue Bunny::Exception => e
    { error_class: e.class.name, auth_failure: e.is_a?(Bunny::PossibleAuthenticationFailureError) }
  end
end

check("headers_exchange") do
  ch = confirm_channel(conn, exchanges: %w[headers])
  x = ch.headers(PREFIX + "headers")
  all = ch.queue("", exclusive: true).bind(x, arguments: { "x-match" => "all", "format" => "pdf", "type" => "report" })
  any = ch.queue("", exclusive: true).bind(x, arguments: { "x-match" => "any", "format" => "zip", "type" => "log" })
  x.publish("pdf report", headers: { "format" => "pdf", "type" => "report" })
  x.publish("zip anything", headers: { "format" => "zip", "type" => "other" })
  x.publish("pdf log", headers: { "format" => "pdf", "type" => "log" })
  x.publish("pdf only", headers: { "format" => "pdf" })
  x.publish("no headers")
  ch.wait_for_confirms
  result = { all: pop_all(all), any: pop_all(any) }
  x.delete
  ch.close
  result
end

check("exchange_to_exchange") do
  ch = confirm_channel(conn, exchanges: %w[e2e-src e2e-dst])
  src = ch.topic(PREFIX + "e2e-src")
  dst = ch.fanout(PREFIX + "e2e-dst")
  dst.bind(src, routing_key: "audit.#")
  q = ch.queue("", exclusive: true).bind(dst)
  src.publish("audited", routing_key: "audit.login")
  src.publish("ignored", routing_key: "metrics.cpu")
  ch.wait_for_confirms
  got = pop_messages(q, 1, 2).map(&:last)
  sleep 0.1
  _d, _p, extra = q.pop
  got << extra if extra
  src.delete
  dst.delete
  ch.close
  { received: got }
end

check("cancel_notification") do
  cleanup(conn, queues: %w[cancel])
  ch = conn.create_channel
  q = ch.queue(PREFIX + "cancel")
  cancelled = nil
  consumer = q.subscribe(on_cancellation: ->(basic_cancel) { cancelled = basic_cancel.consumer_tag }) { |*| }
  conn.create_channel.queue_delete(PREFIX + "cancel")
  wait_for(3) { cancelled }
  still_open = ch.open?
  ch.close if still_open
  { notified: !cancelled.nil?, same_tag: cancelled == consumer.consumer_tag, tag_prefix: consumer.consumer_tag[0, 4], channel_open: still_open }
end

check("auto_delete") do
  ch = conn.create_channel
  q = ch.queue(PREFIX + "auto", auto_delete: true)
  consumer = q.subscribe { |*| }
  consumers = q.consumer_count
  consumer.cancel
  gone = begin
    wait_for(2) do
      conn.create_channel.queue(PREFIX + "auto", passive: true)
      false
    rescue Bunny::NotFound
      true
    end
  end
  ch.close if ch.open?
  { consumers: consumers, gone_after_cancel: gone }
end

check("max_length") do
  ch, q = confirmed_queue(conn, "bounded", arguments: { "x-max-length" => 2 })
  %w[one two three].each { |b| q.publish(b) }
  ch.wait_for_confirms
  depth = q.message_count
  bodies = 2.times.map { q.pop[2] }
  q.delete
  ch.close
  { depth: depth, kept: bodies }
end

check("quorum_queue") do
  ch = confirm_channel(conn, queues: %w[quorum quorum-dead])
  dead = ch.queue(PREFIX + "quorum-dead", durable: true)
  # poison-message handling: after two returns the message goes to the dead-letter queue
  q = ch.queue(PREFIX + "quorum", durable: true, arguments: {
    "x-queue-type" => "quorum", "x-delivery-limit" => 2,
    "x-dead-letter-exchange" => "", "x-dead-letter-routing-key" => dead.name,
  })
  q.publish("poison", headers: { "origin" => "bunny" })
  q.publish("fine")
  ch.wait_for_confirms
  seen = []
  consumer_ch = conn.create_channel
  consumer_ch.prefetch(1)
  consumer_ch.queue(q.name, durable: true, passive: true).subscribe(manual_ack: true) do |info, props, body|
    seen << [body, (props.headers || {})["x-delivery-count"], info.redelivered?]
    if body == "poison"
      consumer_ch.reject(info.delivery_tag, true)
    else
      consumer_ch.ack(info.delivery_tag)
    end
  end
  dead_letter = nil
  wait_for(5) do
    _d, props, body = dead.pop
    dead_letter = [body, props.headers["x-death"]&.first&.fetch("reason"), props.headers["x-first-death-reason"], props.headers["origin"]] if body
    dead_letter
  end
  consumer_ch.close
  q.delete
  dead.delete
  ch.close
  { deliveries: seen, dead_letter: dead_letter }
end

check("quorum_declare") do
  result = {}
  [["non_durable", { durable: false }], ["exclusive", { durable: true, exclusive: true }], ["server_named", { durable: true }]].each do |label, opts|
    ch = conn.create_channel
    begin
      ch.queue(label == "server_named" ? "" : PREFIX + "quorum-bad", **opts, arguments: { "x-queue-type" => "quorum" })
      result[label] = "declared"
    rescue Bunny::Exception => e
      result[label] = close_info(e).values_at(:reply_code, :reply_text)
    end
  end
  # x-queue-type classic is what a queue has anyway: redeclaring without it is fine
  ch = conn.create_channel
  ch.queue(PREFIX + "classic", arguments: { "x-queue-type" => "classic" })
  result["classic_redeclared"] = conn.create_channel.queue(PREFIX + "classic").name
  conn.create_channel.queue_delete(PREFIX + "classic")
  result
end

check("large_message") do
  ch, q = confirmed_queue(conn, "large")
  body = (0...(1024 * 1024 + 17)).map { |i| (97 + i % 26).chr }.join
  q.publish(body)
  acked = ch.wait_for_confirms
  got = nil
  q.subscribe { |_d, _p, b| got = b }
  wait_for(5) { got }
  q.delete
  ch.close
  { acked: acked, size: got&.bytesize, equal: got == body }
end

conn.close
emit(done: "all")
