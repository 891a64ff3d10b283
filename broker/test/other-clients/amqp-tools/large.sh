#!/bin/bash
# A 1 MiB body through amqp-publish (stdin) and back through amqp-get: frames split and joined.
set -u
URL=${AMQP_URL:-amqp://guest:guest@${AMQP_HOST:-127.0.0.1}:${AMQP_PORT:-5672}}
QUEUE=${QUEUE:-tools.large}
body=$(mktemp)
trap 'rm -f "$body"' EXIT
head -c 1048576 /dev/zero | tr '\0' 'x' > "$body"
echo end >> "$body"
amqp-declare-queue -u "$URL" -q "$QUEUE" >/dev/null
amqp-publish -u "$URL" -r "$QUEUE" -C application/octet-stream < "$body"
publish_rc=$?
got=$(amqp-get -u "$URL" -q "$QUEUE" | sha256sum | cut -d' ' -f1)
get_rc=${PIPESTATUS[0]}
sent=$(sha256sum < "$body" | cut -d' ' -f1)
amqp-delete-queue -u "$URL" -q "$QUEUE" >/dev/null
jq -cn --argjson p "$publish_rc" --argjson g "$get_rc" --arg sent "$sent" --arg got "$got" --argjson size "$(stat -c %s "$body")" \
  '{check: "large", publish_rc: $p, get_rc: $g, size: $size, same: ($sent == $got)}'
echo '{"done":"all"}'
