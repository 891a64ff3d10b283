#!/bin/bash
# A shell pipeline as amqp-tools users write one: declare a durable queue, feed it lines, take
# three with amqp-consume, the last with amqp-get, then see it empty and delete it.
# QUEUE names the queue (default tools.pipeline). One JSON line per step, then {"done": "all"}.
set -u
HERE=$(dirname "$0")
URL=${AMQP_URL:-amqp://guest:guest@${AMQP_HOST:-127.0.0.1}:${AMQP_PORT:-5672}}
QUEUE=${QUEUE:-tools.pipeline}

step() { # step NAME RC OUTPUT
  jq -cn --arg check "$1" --argjson rc "$2" --arg out "$3" '{check: $check, rc: $rc, out: $out}'
}

amqp-delete-queue -u "$URL" -q "$QUEUE" >/dev/null 2>&1
out=$(amqp-declare-queue -u "$URL" -q "$QUEUE" -d 2>&1); step declare $? "$out"
out=$(printf 'first line\nsecond line\nthird line\nfourth line\n' | amqp-publish -u "$URL" -r "$QUEUE" -l -p 2>&1)
step publish_lines $? "$out"
out=$(amqp-consume -u "$URL" -q "$QUEUE" -c 3 -p 1 "$HERE/print-body.sh" 2>&1); rc=$?
step consume $rc "$out"
echo "$out" | grep '^{' # pass the message lines through
out=$(amqp-get -u "$URL" -q "$QUEUE" 2>&1); step get $? "$out"
out=$(amqp-get -u "$URL" -q "$QUEUE" 2>&1); step get_empty $? "$out"
out=$(amqp-declare-queue -u "$URL" -q "$QUEUE" 2>&1); step redeclare_not_durable $? "$out"
out=$(amqp-delete-queue -u "$URL" -q "$QUEUE" 2>&1); step delete $? "$out"
out=$(amqp-get -u "$URL" -q "$QUEUE" 2>&1); step get_deleted $? "$out"
out=$(amqp-get -u "${URL/guest:guest@/guest:wrong@}" -q "$QUEUE" 2>&1); step wrong_password $? "$out"
echo '{"done":"all"}'
