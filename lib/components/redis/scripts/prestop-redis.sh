#!/bin/sh
# preStop of a Redis pod. A replica just stops. The master hands over before SIGTERM, so a deletion or a rolling
# update never waits out down-after-milliseconds and never loses an acknowledged write:
# 1. pause writes for longer than the rest of the grace period, and never unpause: the process must stop with
#    writes still paused, or a write taken after the failover would exist only on this dying node;
# 2. wait (bounded) until every replica has every write;
# 3. ask a sentinel to fail over (retried while another failover is in progress);
# 4. return once a majority of the sentinels names another master.
set -eu
# shellcheck source=common.sh
. "$SCRIPTS_DIR/common.sh"

# preStop output is not in the container log; the log of PID 1 is what an operator reads.
fail() {
  log "$*"
  log "$*" 2>/proc/1/fd/2 || true
  exit 1
}

SELF=$(redis_host "$(ordinal)")
replication=$(rcli 127.0.0.1 "$REDIS_PORT" INFO replication) || fail "cannot read the replication state; stopping without a handover"
[ "$(printf '%s' "$replication" | info_field role)" = master ] || exit 0

deadline=$(($(date +%s) + HANDOVER_TIMEOUT_SECONDS))
pause_milliseconds=$(((TERMINATION_GRACE_PERIOD_SECONDS + 60) * 1000))
rcli 127.0.0.1 "$REDIS_PORT" CLIENT PAUSE "$pause_milliseconds" WRITE >/dev/null || fail "cannot pause writes"

replicas_caught_up() {
  state=$(rcli 127.0.0.1 "$REDIS_PORT" INFO replication | tr -d '\r') || return 1
  master_offset=$(printf '%s\n' "$state" | info_field master_repl_offset)
  connected=$(printf '%s\n' "$state" | info_field connected_slaves)
  [ "${connected:-0}" -gt 0 ] || return 1
  lagging=$(printf '%s\n' "$state" | grep '^slave[0-9]*:' | grep -v "offset=$master_offset," || true)
  [ -z "$lagging" ]
}

until replicas_caught_up; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "replicas did not catch up within ${HANDOVER_TIMEOUT_SECONDS}s; failing over anyway is unsafe"
  sleep 0.2
done

# Never ask again once a failover is accepted or under way: a second request would demote the new master.
requested=''
while :; do
  master=$(consensus_master || true)
  if [ -n "$master" ] && [ "$master" != "$SELF" ]; then
    log "handed over to $master"
    exit 0
  fi
  [ "$(date +%s)" -lt "$deadline" ] || fail "a sentinel majority did not name a new master within ${HANDOVER_TIMEOUT_SECONDS}s"
  if [ -z "$requested" ]; then
    if request_failover; then
      requested=yes
    elif [ $? -eq 2 ]; then
      fail "sentinels found no replica to promote (-NOGOODSLAVE): this pod stops as the master of $MASTER_SET"
    fi
  fi
  sleep 0.5
done
