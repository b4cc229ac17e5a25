#!/bin/sh
# The database container's command (MYSQL_8_4). Writes what only this pod knows into $RUN_DIR/pod.cnf (my.cnf from
# the ConfigMap ends with `!include /run/mysqld/pod.cnf`), initializes an empty data directory, and exec's mysqld so
# that it is PID 1 and gets the kubelet's SIGTERM directly.
#
# It never starts Group Replication: group_replication_start_on_boot=OFF (my.cnf, and AdminAPI's
# manualStartOnBoot), so a restarted server comes up outside the group and gr-agent.sh decides whether it rejoins,
# joins by clone, creates the cluster (pod 0 of a new set only) or waits for the runbook (reboot-cluster-mysql.sh).
#
# Manual recovery: with the file $DATA_DIR/sleep-forever present, no mysqld starts and the container only sleeps
# (the probes and the agent stand aside too), so an operator can work on the data volume through `kubectl exec`.
set -eu
# shellcheck source=gr-common.sh
. "$SCRIPTS_DIR/gr-common.sh"

if [ -e "$DATA_DIR/sleep-forever" ]; then
  log "$DATA_DIR/sleep-forever exists: manual recovery, mysqld is not started"
  exec sleep infinity
fi

ORDINAL=$(ordinal)
SERVER_ID=$((SERVER_ID_OFFSET + ORDINAL + 1))
# admin_address takes one address and no wildcard: the pod's own (POD_IP, from the downward API), since its DNS name
# is published by the headless Service only some time after the pod starts.
ADMIN_ADDRESS=$POD_IP

seeds=''
i=0
while [ "$i" -lt "$MEMBERS" ]; do
  if [ "$i" != "$ORDINAL" ]; then
    seeds="$seeds${seeds:+,}$(member_address "$i")"
  fi
  i=$((i + 1))
done

mkdir -p "$RUN_DIR"
{
  printf '# Written by start-mysql.sh for %s; read through the !include at the end of %s/my.cnf.\n' "$POD_NAME" "$CONFIG_DIR"
  printf '[mysqld]\n'
  printf 'server_id=%s\n' "$SERVER_ID"
  printf 'report_host=%s\n' "$SELF_HOST"
  printf 'report_port=%s\n' "$MYSQL_PORT"
  printf 'admin_address=%s\n' "$ADMIN_ADDRESS"
  # The MYSQL communication stack carries the group over the server's own SQL port: the local address must be one
  # the server listens on (port), and the seeds are the other members' SQL addresses.
  printf 'group_replication_local_address=%s\n' "$SELF_ADDRESS"
  printf 'group_replication_group_seeds=%s\n' "$seeds"
} >"$RUN_DIR/pod.cnf.next"
mv "$RUN_DIR/pod.cnf.next" "$RUN_DIR/pod.cnf"

# A persisted group_replication_bootstrap_group=ON makes the next START GROUP_REPLICATION (the agent's rejoin)
# bootstrap a second group of the same name (refman, "Bootstrapping the Group"). Nothing of ours persists it; a server
# whose mysqld-auto.cnf holds it (a manual SET PERSIST) must not start until someone removes it.
if [ -f "$DATA_DIR/mysqld-auto.cnf" ] && grep -q '"group_replication_bootstrap_group"' "$DATA_DIR/mysqld-auto.cnf"; then
  log "$DATA_DIR/mysqld-auto.cnf persists group_replication_bootstrap_group: remove it (RESET PERSIST group_replication_bootstrap_group, or edit the file) before this server may start"
  exit 1
fi

# identifier NAME: NAME as a backquoted SQL identifier.
identifier() {
  # shellcheck disable=SC2016 # the backquotes are the SQL identifier quotes, not a command substitution
  printf '`%s`' "$(printf '%s' "$1" | sed 's/`/``/g')"
}

# The accounts every member needs before it is a member: AdminAPI connects to a joining server as the cluster
# administrator before cloning onto it, and the probes and the exporter use the monitor account from the start.
# Written with sql_log_bin=0, so initialization leaves gtid_executed empty, the sign gr-agent.sh reads as "this
# server holds no data"; a joiner gets the same accounts (and the cluster's data) from its clone donor.
write_init_file() {
  printf 'SET SESSION sql_log_bin = 0;\n'
  printf "ALTER USER 'root'@'localhost' IDENTIFIED BY %s;\n" "$(sql_string "$MYSQL_ROOT_PASSWORD")"
  # AdminAPI's cluster administrator (dba.configureInstance's clusterAdmin): it creates each member's recovery
  # account (mysql_innodb_cluster_<server_id>) and the router account itself, and clones with BACKUP_ADMIN and
  # CLONE_ADMIN, so it holds every privilege, with GRANT OPTION.
  printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\n" "$(sql_string "$REPLICATION_USER")" "$(sql_string "$MYSQL_REPLICATION_PASSWORD")"
  printf "GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION;\n" "$(sql_string "$REPLICATION_USER")"
  printf "CREATE USER %s@'%%' IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS 10;\n" "$(sql_string "$MONITOR_USER")" "$(sql_string "$MYSQL_MONITOR_PASSWORD")"
  printf "GRANT PROCESS, REPLICATION CLIENT ON *.* TO %s@'%%';\n" "$(sql_string "$MONITOR_USER")"
  printf "GRANT SELECT ON performance_schema.* TO %s@'%%';\n" "$(sql_string "$MONITOR_USER")"
  printf 'CREATE DATABASE %s;\n' "$(identifier "$APPLICATION_DATABASE")"
  printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\n" "$(sql_string "$APPLICATION_USER")" "$(sql_string "$MYSQL_APPLICATION_PASSWORD")"
  printf "GRANT ALL PRIVILEGES ON %s.* TO %s@'%%';\n" "$(identifier "$APPLICATION_DATABASE")" "$(sql_string "$APPLICATION_USER")"
}

# The mysql system schema directory exists once an initialization finished (it is moved into place last).
if [ ! -d "$DATA_DIR/mysql" ]; then
  # mysqld --initialize refuses a directory that is not empty, and a new volume may hold lost+found: initialize into
  # a subdirectory and move the result up. A leftover from an initialization that was interrupted is discarded.
  staging="$DATA_DIR/.initializing"
  rm -rf "$staging"
  mkdir -p "$staging"
  init_file="$RUN_DIR/init.sql"
  trap 'rm -f "$init_file"' EXIT
  (
    umask 077
    write_init_file >"$init_file"
  )
  log "initializing the empty data directory $DATA_DIR"
  # --no-defaults: my.cnf loads the group_replication and clone plugins and sets their variables, which a server in
  # initialization mode does not need; nothing in it has to be fixed at initialization (page size, table name case).
  mysqld --no-defaults --initialize-insecure --datadir="$staging" --init-file="$init_file" --tmpdir=/tmp
  rm -f "$init_file"
  for entry in "$staging"/* "$staging"/.[!.]*; do
    [ -e "$entry" ] || continue
    [ "${entry##*/}" = mysql ] || mv -f "$entry" "$DATA_DIR/"
  done
  mv "$staging/mysql" "$DATA_DIR/mysql"
  rmdir "$staging"
  log "data directory initialized; its accounts exist only on this server (not in the binary log)"
fi

log "starting mysqld as server_id $SERVER_ID, report_host $SELF_HOST"
exec mysqld --defaults-file="$CONFIG_DIR/my.cnf"
