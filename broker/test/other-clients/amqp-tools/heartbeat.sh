#!/bin/bash
# amqp-consume asks for a 2 s heartbeat and waits IDLE seconds for its one message; librabbitmq
# beats while it waits and drops a broker that stays silent for two intervals, so the message
# only arrives if both sides kept the connection alive.
set -u
HERE=$(dirname "$0")
URL=${AMQP_URL:-amqp://guest:guest@${AMQP_HOST:-127.0.0.1}:${AMQP_PORT:-5672}}
QUEUE=${QUEUE:-tools.heartbeat}
IDLE=${IDLE:-7}
amqp-delete-queue -u "$URL" -q "$QUEUE" >/dev/null 2>&1
amqp-declare-queue -u "$URL" -q "$QUEUE" >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
amqp-consume -u "$URL" --heartbeat=2 -q "$QUEUE" -c 1 "$HERE/print-body.sh" > "$out" 2>&1 &
consumer=$!
sleep "$IDLE"
amqp-publish -u "$URL" -r "$QUEUE" -b "after ${IDLE}s of silence"
# the consumer exits after its one message; give it a moment, then stop waiting
for _ in $(seq 50); do kill -0 "$consumer" 2>/dev/null || break; sleep 0.1; done
kill "$consumer" 2>/dev/null
wait "$consumer"
rc=$?
amqp-delete-queue -u "$URL" -q "$QUEUE" >/dev/null 2>&1
jq -cn --argjson rc "$rc" --arg out "$(cat "$out")" '{check: "idle", consume_rc: $rc, out: $out}'
echo '{"done":"all"}'
