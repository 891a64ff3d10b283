# connection.blocked as Bunny users handle it: on_blocked / on_unblocked callbacks. Publishes with
# confirms until the broker says it is blocked (the test raises its memory alarm after READY),
# then waits to be unblocked and for every publish to be confirmed.
require_relative "common"

conn = connect
events = []
conn.on_blocked { |blocked| events << ["blocked", blocked.reason] }
conn.on_unblocked { events << ["unblocked"] }
ch = conn.create_channel
ch.confirm_select
q = ch.queue("", exclusive: true)
q.publish("before")
ch.wait_for_confirms
puts "READY"
sent = 1
until events.any? { |e| e[0] == "blocked" }
  q.publish("while blocking #{sent}")
  sent += 1
  sleep 0.05
  break if sent > 200
end
emit(check: "blocked", ok: !events.empty?, events: events.dup)
unblocked = wait_for(env_f("TIMEOUT", 10)) { events.any? { |e| e[0] == "unblocked" } }
confirmed = ch.wait_for_confirms
emit(check: "unblocked", ok: unblocked, events: events, confirmed: confirmed, depth: q.message_count, sent: sent)
conn.close
emit(done: "all")
