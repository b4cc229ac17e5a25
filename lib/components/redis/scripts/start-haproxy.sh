#!/bin/sh
# Starts the master endpoint's HAProxy in the foreground, as PID 1. Its health check authenticates with the password
# as a RESP command sent in hex (tcp-check send-binary): HAProxy's configuration parser would otherwise read quotes,
# spaces and backslashes in a password as syntax, and a password the check mangles marks every server down.
set -eu

if [ -n "${REDIS_PASSWORD:-}" ]; then
  length=$(printf '%s' "$REDIS_PASSWORD" | wc -c | tr -d ' ')
  # The dollar signs are RESP's bulk-string markers, not expansions.
  # shellcheck disable=SC2016
  REDIS_AUTH_HEX=$(printf '*2\r\n$4\r\nAUTH\r\n$%s\r\n%s\r\n' "$length" "$REDIS_PASSWORD" | od -An -v -tx1 | tr -d ' \n')
  export REDIS_AUTH_HEX
fi
exec haproxy -db -f "$CONFIG_DIR/haproxy.cfg"
