#!/bin/sh
# probe-sentinel.sh liveness|readiness
# liveness: the sentinel answers PING.
# readiness: it also names a master, so a client that asks it through the Service gets an answer.
set -eu
# shellcheck source=common.sh
. "$SCRIPTS_DIR/common.sh"

pong=$(rcli 127.0.0.1 "$SENTINEL_PORT" PING 2>&1 | tr -d '\r') || pong=unreachable
[ "$pong" = PONG ] || {
  echo "$pong"
  exit 1
}
case "$1" in
  liveness) exit 0 ;;
  readiness)
    master=$(rcli 127.0.0.1 "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_SET" | head -n 1 | tr -d '\r')
    [ -n "$master" ] || {
      echo "no master known for $MASTER_SET"
      exit 1
    }
    ;;
  *)
    echo "usage: $0 liveness|readiness" >&2
    exit 2
    ;;
esac
