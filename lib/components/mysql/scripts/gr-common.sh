# shellcheck shell=sh
# Functions shared by the MYSQL_8_4 (Group Replication / InnoDB Cluster) pod scripts. Sourced, never run.
# Every member is addressed by its stable pod DNS name (report_host), never by an IP address: the InnoDB Cluster
# metadata and the group keep the names, and a pod that comes back with a new address keeps its name.
# Passwords reach the clients only through option files in RUN_DIR (a memory emptyDir, mode 0600) or mysqlsh's
# --passwords-from-stdin, never through a command line, which any process of the pod can read in /proc.

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

ordinal() {
  printf '%s' "${POD_NAME##*-}"
}

member_host() {
  printf '%s-%s.%s.%s.svc.%s' "$MYSQL_STATEFULSET" "$1" "$MYSQL_SERVICE" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

# The address of a member as the InnoDB Cluster metadata and cluster.status() name it: report_host:port.
member_address() {
  printf '%s:%s' "$(member_host "$1")" "$MYSQL_PORT"
}

# shellcheck disable=SC2034 # SELF_HOST, SELF_ADDRESS and METADATA_SCHEMA are read by the scripts that source this file
{
  SELF_HOST=$(member_host "$(ordinal)")
  SELF_ADDRESS=$(member_address "$(ordinal)")
  METADATA_SCHEMA=mysql_innodb_cluster_metadata
}
SOCKET="$RUN_DIR/mysqld.sock"
# Seconds one client call may take: an unreachable peer must never hang a probe, a hook or the agent.
CLIENT_TIMEOUT_SECONDS=${CLIENT_TIMEOUT_SECONDS:-10}

# sql_string VALUE: VALUE as a single-quoted SQL string literal (backslash and quote escaped).
sql_string() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\\\']/\\\\&/g")"
}

# option_value VALUE: VALUE quoted for a MySQL option file, which reads \\ as one backslash inside quotes and has
# no escape for the quote character itself: a value holding both quote characters (or a line break) is refused.
option_value() {
  case "$1" in
    *'
'* | *"$(printf '\r')"*)
      log "an option value contains a line break"
      return 1
      ;;
  esac
  option_escaped=$(printf '%s' "$1" | sed 's/\\/\\\\/g')
  case "$1" in
    *'"'*"'"* | *"'"*'"'*)
      log "an option value contains both quote characters"
      return 1
      ;;
    *'"'*) printf "'%s'" "$option_escaped" ;;
    *) printf '"%s"' "$option_escaped" ;;
  esac
}

# client_options NAME USER PASSWORD: writes $RUN_DIR/client-NAME.cnf, the [client] options of one account, and
# prints its path. Rewritten on each call from the environment, so a rotated Secret takes effect at the next call.
client_options() {
  client_file="$RUN_DIR/client-$1.cnf"
  client_password=$(option_value "$3") || return 1
  (
    umask 077
    printf '[client]\nuser=%s\npassword=%s\nsocket=%s\n' "$2" "$client_password" "$SOCKET" >"$client_file.next"
  )
  mv "$client_file.next" "$client_file"
  printf '%s' "$client_file"
}

# local_sql SQL: one statement on the local server through the socket as root; rows tab-separated, no header.
local_sql() {
  local_options=$(client_options root root "$MYSQL_ROOT_PASSWORD") || return 1
  timeout "$CLIENT_TIMEOUT_SECONDS" mysql --defaults-extra-file="$local_options" --protocol=SOCKET -N -B -e "$1"
}

# monitor_sql SQL: one statement on the local server through the socket as the monitor account (the probes).
monitor_sql() {
  monitor_options=$(client_options monitor "$MONITOR_USER" "$MYSQL_MONITOR_PASSWORD") || return 1
  timeout "$CLIENT_TIMEOUT_SECONDS" mysql --defaults-extra-file="$monitor_options" --protocol=SOCKET -N -B -e "$1"
}

# peer_sql HOST SQL: one statement on a member over TCP as the cluster administrator account.
peer_sql() {
  peer_options=$(client_options admin "$REPLICATION_USER" "$MYSQL_REPLICATION_PASSWORD") || return 1
  timeout "$CLIENT_TIMEOUT_SECONDS" mysql --defaults-extra-file="$peer_options" --protocol=TCP -h "$1" -P "$MYSQL_PORT" \
    --connect-timeout=3 -N -B -e "$2"
}

# adminapi HOST SECONDS CODE: MySQL Shell JavaScript on a session to HOST as the cluster administrator account,
# with the wizards (prompts) off, bounded by SECONDS. AdminAPI connects to the other members with the same account
# and password (it is the same on every member). stdout and stderr are both printed: mysqlsh writes results with
# println() to stdout, and its NOTE/WARNING lines and an uncaught error ("Cluster.rejoinInstance: ... (MYSQLSH n)")
# to stderr, which the callers match.
adminapi() {
  printf '%s\n' "$MYSQL_REPLICATION_PASSWORD" |
    timeout "$2" mysqlsh --no-wizard --js --passwords-from-stdin --uri "$REPLICATION_USER@$1:$MYSQL_PORT" -e "$3" 2>&1
}

# gtid_set TEXT: a GTID set as the client prints it, on one line (the server breaks sets of several UUIDs at each
# comma, and `mysql -B` prints that line break as \n).
gtid_set() {
  printf '%s' "$1" | sed 's/\\n//g' | tr -d '\n '
}

# gtid_count SET: the number of transactions in a GTID set (uuid:1-5:7,uuid2:1-3 holds 8; a tag of 8.4's tagged
# GTIDs, uuid:tag:1-3, is not a range), the measure mysql-operator uses to pick the most advanced member
# (mysqloperator/controller/mysqlutils.py count_gtids).
gtid_count() {
  printf '%s\n' "$1" | tr ',' '\n' | awk -F: '
    { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+(-[0-9]+)?$/) { n = split($i, r, "-"); total += (n == 2 ? r[2] - r[1] + 1 : 1) } }
    END { printf "%d", total }'
}
