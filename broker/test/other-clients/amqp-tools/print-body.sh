#!/bin/sh
# The command amqp-consume runs once per message, with the body on stdin: one JSON line per message.
exec jq -Rsc '{body: .}'
