#!/bin/sh
# preStop hook of the database container (MYSQL_8_4): leave the group cleanly before the kubelet's SIGTERM.
# 1. The primary hands over first: group_replication_set_as_primary() to the most caught-up ONLINE secondary, the one
#    that has applied the most transactions (its gtid_executed, read on it), then the one with the shortest applier
#    queue (performance_schema.replication_group_member_stats). With group_replication_consistency
#    BEFORE_ON_PRIMARY_FAILOVER a new primary holds new transactions until it has applied its backlog, so the most
#    caught-up one takes writes soonest. Transactions still running on the old primary get HANDOVER_TIMEOUT_SECONDS
#    (the function's timeout argument), then their clients are disconnected; the whole call is bounded too.
#    Without a secondary, or when the call fails, STOP GROUP_REPLICATION below leaves the election to the group.
# 2. STOP GROUP_REPLICATION: the others see a member leave at once instead of suspecting it for
#    group_replication_member_expel_timeout; the server turns super_read_only on.
# 3. SHUTDOWN: a clean stop (InnoDB flushed), so the next start needs no crash recovery.
# Removing the member from the metadata (Percona's ps-pre-stop.sh runs removeInstance on every stop) is deliberately
# not done: the member comes back as (MISSING) and rejoins incrementally, instead of copying the whole data set again.
set -eu
# shellcheck source=gr-common.sh
. "$SCRIPTS_DIR/gr-common.sh"

if [ -e "$DATA_DIR/sleep-forever" ]; then
  exit 0
fi

role=$(local_sql "SELECT COALESCE((SELECT CONCAT(MEMBER_STATE, ' ', MEMBER_ROLE) FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid), 'OFFLINE')" 2>/dev/null) || {
  log "the local mysqld does not answer: nothing to hand over"
  exit 0
}

# The ONLINE secondary that has applied the most transactions, then the one with the shortest applier queue:
# prints "uuid host". Every secondary that does not answer is skipped.
best_secondary() {
  local_sql "SELECT m.MEMBER_ID, m.MEMBER_HOST, s.COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE
      FROM performance_schema.replication_group_members m
      JOIN performance_schema.replication_group_member_stats s ON s.MEMBER_ID = m.MEMBER_ID
      WHERE m.MEMBER_STATE = 'ONLINE' AND m.MEMBER_ROLE = 'SECONDARY'" |
    while read -r uuid host queue; do
      if executed=$(peer_sql "$host" 'SELECT @@GLOBAL.gtid_executed' 2>/dev/null); then
        printf '%s %s %s %s\n' "$(gtid_count "$(gtid_set "$executed")")" "$queue" "$uuid" "$host"
      fi
    done | sort -k1,1nr -k2,2n -k4,4 | head -n 1 | awk '{ print $3, $4 }'
}

if [ "$role" = 'ONLINE PRIMARY' ]; then
  if candidate=$(best_secondary) && [ -n "$candidate" ]; then
    uuid=${candidate%% *}
    host=${candidate#* }
    log "handing the primary role over to $host ($uuid), with $HANDOVER_TIMEOUT_SECONDS s for running transactions"
    if answer=$(CLIENT_TIMEOUT_SECONDS=$((HANDOVER_TIMEOUT_SECONDS + 10)) local_sql \
      "SELECT group_replication_set_as_primary($(sql_string "$uuid"), $HANDOVER_TIMEOUT_SECONDS)" 2>&1); then
      log "$answer: handed over to $host"
    else
      log "the handover to $host failed ($answer): leaving the election to the group"
    fi
  else
    log "no ONLINE secondary answers: leaving the election to the group"
  fi
fi

case "$role" in
  ONLINE* | RECOVERING*)
    log "leaving the group (STOP GROUP_REPLICATION)"
    CLIENT_TIMEOUT_SECONDS=$((HANDOVER_TIMEOUT_SECONDS + 10)) local_sql 'STOP GROUP_REPLICATION' || log "STOP GROUP_REPLICATION failed"
    ;;
esac
log "shutting mysqld down"
local_sql 'SHUTDOWN' || log "SHUTDOWN failed; the kubelet's SIGTERM stops mysqld"
