# A connection that asks for a short heartbeat and then sits idle: it must survive the silence in
# both directions (Bunny gives up on a peer that sends nothing for 2.2 heartbeat intervals).
require_relative "common"

requested = Integer(ENV.fetch("HEARTBEAT", "2"))
idle = env_f("IDLE", 7)
conn = connect(heartbeat: requested)
ch = conn.create_channel
q = ch.queue("", exclusive: true)
emit(check: "negotiated", ok: true, heartbeat: conn.heartbeat)
started = Time.now
sleep idle
alive = conn.open? && ch.open?
ch.confirm_select
q.publish("still here")
confirmed = ch.wait_for_confirms
_d, _p, body = q.pop
emit(check: "idle", ok: alive && body == "still here", open_after_idle: alive, confirmed: confirmed, body: body,
     idle_seconds: (Time.now - started).round)
conn.close
emit(done: "all")
