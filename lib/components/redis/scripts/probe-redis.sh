#!/bin/sh
# probe-redis.sh liveness|readiness
# liveness: the process answers, loading data or waiting for its master included: restarting it would not help.
# readiness: PONG, and on a replica a synced replication link: a replica still copying its master serves stale or
# empty data, and a rolling update must not move on while the copy is incomplete.
set -eu
# shellcheck source=common.sh
. "$SCRIPTS_DIR/common.sh"

pong=$(rcli 127.0.0.1 "$REDIS_PORT" PING 2>&1 | tr -d '\r') || pong=unreachable
case "$1" in
  liveness)
    case "$pong" in
      PONG | LOADING* | MASTERDOWN* | BUSY*) exit 0 ;;
      *)
        echo "$pong"
        exit 1
        ;;
    esac
    ;;
  readiness)
    [ "$pong" = PONG ] || {
      echo "$pong"
      exit 1
    }
    replication=$(rcli 127.0.0.1 "$REDIS_PORT" INFO replication)
    [ "$(printf '%s' "$replication" | info_field role)" = master ] && exit 0
    [ "$(printf '%s' "$replication" | info_field master_link_status)" = up ] &&
      [ "$(printf '%s' "$replication" | info_field master_sync_in_progress)" = 0 ] && exit 0
    echo "replication link to $(printf '%s' "$replication" | info_field master_host) is not synced"
    exit 1
    ;;
  *)
    echo "usage: $0 liveness|readiness" >&2
    exit 2
    ;;
esac
