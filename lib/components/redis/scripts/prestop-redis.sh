#!/bin/sh
# preStop of a Redis pod. A replica just stops. The master hands over before SIGTERM, so a deletion or a rolling
# update never waits out down-after-milliseconds and never loses an acknowledged write:
# 1. pause writes for longer than the rest of the grace period, and never unpause: the process must stop with
#    writes still paused, or a write taken after the failover would exist only on this dying node;
# 2. wait (bounded) until every online replica has every write;
# 3. ask a sentinel to fail over: -INPROG counts as under way; -NOGOODSLAVE is asked again until the deadline, then
#    fails loudly in the container log, since the pod then stops as master and the set waits out down-after;
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

# Every online replica has every write. A replica still in its first full sync is not waited for: it cannot be
# promoted anyway, and its sync may outlast the grace period.
replicas_caught_up() {
  state=$(rcli 127.0.0.1 "$REDIS_PORT" INFO replication | tr -d '\r') || return 1
  master_offset=$(printf '%s\n' "$state" | info_field master_repl_offset)
  online=$(printf '%s\n' "$state" | grep '^slave[0-9]*:.*state=online' || true)
  [ -n "$online" ] || return 1
  lagging=$(printf '%s\n' "$online" | grep -v "offset=$master_offset," || true)
  [ -z "$lagging" ]
}

until replicas_caught_up; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "replicas did not catch up within ${HANDOVER_TIMEOUT_SECONDS}s; failing over anyway is unsafe"
  sleep 0.2
done

# The online replicas, as "host:port offset" lines: a sentinel that still sees an older offset for one of them may
# promote another replica than the ones that have every write, so the failover goes to a sentinel with a current view.
LIVE_REPLICAS=$(rcli 127.0.0.1 "$REDIS_PORT" INFO replication | tr -d '\r' |
  sed -n 's/^slave[0-9]*:ip=\([^,]*\),port=\([0-9]*\),state=online,offset=\([0-9]*\),.*/\1:\2 \3/p')
view_deadline=$(($(date +%s) + SENTINEL_REFRESH_SECONDS))

# Never ask again once a failover is accepted or under way: a second request would demote the new master.
# -NOGOODSLAVE is asked again until the deadline: sentinels refresh a replica's priority and link state once a
# second (every 10 s until start-sentinel.sh has set the period), so a replica that has just synced (priority 0
# until then) or reconnected is promotable a moment later.
requested=''
refused=''
while :; do
  master=$(consensus_master || true)
  if [ -n "$master" ] && [ "$master" != "$SELF" ]; then
    log "handed over to $master"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    [ -z "$refused" ] || fail "sentinels found no replica to promote (-NOGOODSLAVE) within ${HANDOVER_TIMEOUT_SECONDS}s: this pod stops as the master of $MASTER_SET"
    fail "a sentinel majority did not name a new master within ${HANDOVER_TIMEOUT_SECONDS}s"
  fi
  if [ -z "$requested" ]; then
    request_informed_failover "$view_deadline" && asked=0 || asked=$?
    if [ "$asked" -eq 0 ]; then
      requested=yes
    elif [ "$asked" -eq 2 ]; then
      refused=yes
    fi
  fi
  sleep 0.5
done
