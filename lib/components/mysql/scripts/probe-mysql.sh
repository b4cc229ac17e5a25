#!/bin/sh
# probe-mysql.sh startup|liveness|readiness (MYSQL_8_4), as the monitor account through the socket.
# startup: mysqld answers a query (initialization, crash recovery and a clone's restart are over).
# liveness: mysqld answers, or refuses only because every connection slot is taken. The Group Replication state is
#   not looked at: a member that is recovering, outside the group, in a minority or in a complete outage is alive,
#   and restarting it helps nothing (in an outage it would only delay the runbook, which reads every member's GTIDs).
# readiness: this member is ONLINE in performance_schema.replication_group_members and sees a majority of the group
#   ONLINE: a member cut off in a minority still calls itself ONLINE, but commits nothing.
# With the file $DATA_DIR/sleep-forever present (manual recovery, see start-mysql.sh) every probe passes.
set -eu
# shellcheck source=gr-common.sh
. "$SCRIPTS_DIR/gr-common.sh"

if [ -e "$DATA_DIR/sleep-forever" ]; then
  exit 0
fi

case "${1:-}" in
  startup)
    monitor_sql 'SELECT 1' >/dev/null
    ;;
  liveness)
    if ! answer=$(monitor_sql 'SELECT 1' 2>&1); then
      case "$answer" in
        *'ERROR 1040'* | *'ERROR 1203'*) exit 0 ;;
      esac
      echo "$answer"
      exit 1
    fi
    ;;
  readiness)
    view=$(monitor_sql "SELECT CONCAT_WS('|',
      COALESCE((SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid), 'OFFLINE'),
      (SELECT COUNT(*) FROM performance_schema.replication_group_members WHERE MEMBER_STATE = 'ONLINE'),
      (SELECT COUNT(*) FROM performance_schema.replication_group_members))")
    state=$(printf '%s' "$view" | cut -d '|' -f 1)
    online=$(printf '%s' "$view" | cut -d '|' -f 2)
    members=$(printf '%s' "$view" | cut -d '|' -f 3)
    if [ "$state" != ONLINE ]; then
      echo "member state $state"
      exit 1
    fi
    if [ $((online * 2)) -le "$members" ]; then
      echo "ONLINE, but only $online of the $members members of the group are: no majority"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 startup|liveness|readiness" >&2
    exit 2
    ;;
esac
