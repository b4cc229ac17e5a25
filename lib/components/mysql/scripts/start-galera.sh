#!/bin/sh
# Starts this pod's MariaDB Galera node, and decides how, so that no node ever creates a second cluster or
# bootstraps from less than the newest data:
# - a peer is in a primary component: join it (IST, or SST by mariabackup when this data directory is empty or too
#   far behind);
# - the first boot of the cluster: pod 0 alone creates it, and only once every peer answers with an empty data
#   directory;
# - a full outage after a crash of the whole primary component (gvwstate.dat): start once every peer answers, and
#   Galera forms the last primary component again by itself (pc.recovery) when all of its members see each other;
# - a full outage after a graceful stop (the last node to leave has safe_to_bootstrap: 1): that node bootstraps once
#   every peer answers and none holds a newer position; the others join it;
# - anything else: wait, and say so; reboot-cluster-galera.sh is the runbook.
# An empty data directory never bootstraps (but on the very first boot), and neither does a node some peer is ahead
# of. Ends by exec'ing mariadbd, which is then PID 1.
set -eu
# shellcheck source=galera-common.sh
. "$SCRIPTS_DIR/galera-common.sh"

ORDINAL=$(ordinal)
SELF=$(member_host "$ORDINAL")
SERVER_ID=$((SERVER_ID_OFFSET + ORDINAL + 1))
# Written on the data volume once mariadb-install-db (and the accounts in it) completed: a data directory with
# system tables but without this marker is a first boot that was cut short, never data.
INSTALLED_MARKER="$DATA_DIR/stability-blueprints-installed"
# How often the reason for waiting is logged again while it stays the same.
WAIT_LOG_SECONDS=30

umask 077
mkdir -p "$DATA_DIR" "$RUN_DIR"
# RUN_DIR outlives a container restart: what it says about the previous container (its position, a drain, that its
# server answered) is stale.
rm -f "$STATE_FILE" "$DRAIN_MARKER" "$ANSWERED_MARKER"

write_pod_cnf() {
  cluster_address=''
  i=0
  while [ "$i" -lt "$MEMBERS" ]; do
    cluster_address="$cluster_address${cluster_address:+,}$(member_host "$i"):$GALERA_PORT"
    i=$((i + 1))
  done
  sst_auth=$(cnf_quote "$REPLICATION_USER:$MYSQL_REPLICATION_PASSWORD")
  {
    printf '!include %s/my.cnf\n' "$CONFIG_DIR"
    printf '[mysqld]\n'
    printf 'datadir=%s\n' "$DATA_DIR"
    printf 'socket=%s\n' "$SOCKET"
    printf 'pid_file=%s/mysqld.pid\n' "$RUN_DIR"
    printf 'server_id=%s\n' "$SERVER_ID"
    printf 'gtid_domain_id=%s\n' "$SERVER_ID"
    printf 'report_host=%s\n' "$SELF"
    printf 'wsrep_node_name=%s\n' "$POD_NAME"
    printf 'wsrep_node_address=%s:%s\n' "$SELF" "$GALERA_PORT"
    printf 'wsrep_cluster_address=gcomm://%s\n' "$cluster_address"
    printf 'wsrep_sst_receive_address=%s:%s\n' "$SELF" "$SST_PORT"
    printf 'wsrep_sst_auth=%s\n' "$sst_auth"
  } >"$POD_CNF.next"
  mv "$POD_CNF.next" "$POD_CNF"
}

# Sets UUID, SEQNO (-1: unknown), SAFE_TO_BOOTSTRAP and EMPTY (1: this node never joined a cluster) from
# grastate.dat; after a crash (seqno -1) the position is recovered from InnoDB by `mariadbd --wsrep-recover`.
read_position() {
  UUID=$(grastate_value uuid)
  SEQNO=$(grastate_value seqno)
  SAFE_TO_BOOTSTRAP=$(grastate_value safe_to_bootstrap)
  SAFE_TO_BOOTSTRAP=${SAFE_TO_BOOTSTRAP:-0}
  START_POSITION=''
  if [ -z "$UUID" ] || [ "$UUID" = "$ZERO_UUID" ]; then
    EMPTY=1
    UUID=''
    SEQNO=-1
    return 0
  fi
  EMPTY=0
  if [ "${SEQNO:--1}" = -1 ]; then
    log "grastate.dat has no position (a crash): recovering it with mariadbd --wsrep-recover"
    recovered=''
    if mariadbd --defaults-file="$POD_CNF" --wsrep-recover --skip-networking --log-error="$RUN_DIR/wsrep-recover.log"; then
      recovered=$(sed -n 's/.*WSREP: Recovered position: *//p' "$RUN_DIR/wsrep-recover.log" | tail -n 1)
    fi
    # uuid:seqno, and since 10.8 the node's GTID after a comma.
    recovered=${recovered%%,*}
    case "$recovered" in
      "$UUID":*)
        SEQNO=${recovered#*:}
        START_POSITION=$recovered
        log "recovered position $recovered"
        ;;
      *)
        SEQNO=-1
        log "could not recover the position (got '${recovered}'); see $RUN_DIR/wsrep-recover.log"
        ;;
    esac
  fi
}

publish() {
  write_state "$1" "uuid=$UUID" "seqno=$SEQNO" "safe_to_bootstrap=$SAFE_TO_BOOTSTRAP" "empty=$EMPTY"
}

# Asks every peer's agent for its state. Sets PRIMARY_PEER (a peer in a primary component), UNKNOWN_PEERS (peers
# whose position is not known: no answer, or a server starting that does not answer yet), ABSENT_PEERS (peers that
# will not take part in forming a primary component now: no answer, or neither a start script deciding nor a mariadbd
# running, as when the database container crash-loops), AHEAD_PEER (a newer position of this cluster, or a position of
# another cluster), SAFE_PEER (another node with safe_to_bootstrap: 1) and DATA_PEERS (peers that hold data).
survey() {
  PRIMARY_PEER=''
  UNKNOWN_PEERS=''
  ABSENT_PEERS=''
  AHEAD_PEER=''
  SAFE_PEER=''
  DATA_PEERS=''
  i=0
  while [ "$i" -lt "$MEMBERS" ]; do
    if [ "$i" != "$ORDINAL" ]; then
      survey_peer "$(member_host "$i")"
    fi
    i=$((i + 1))
  done
}

survey_peer() {
  if ! state=$(agent_get "$1" /state) || [ -z "$(printf '%s\n' "$state" | state_value phase)" ]; then
    UNKNOWN_PEERS="$UNKNOWN_PEERS $1"
    ABSENT_PEERS="$ABSENT_PEERS $1"
    return 0
  fi
  if [ "$(printf '%s\n' "$state" | state_value primary)" = 1 ]; then
    PRIMARY_PEER=$1
  fi
  phase=$(printf '%s\n' "$state" | state_value phase)
  # A server that answers reports its live position; one that does not (yet) may be ahead of what it published
  # before it started.
  case "$phase" in
    deciding | waiting) ;;
    *)
      if [ "$(printf '%s\n' "$state" | state_value server)" != 1 ]; then
        UNKNOWN_PEERS="$UNKNOWN_PEERS $1"
        [ "$(printf '%s\n' "$state" | state_value galera)" = 1 ] || ABSENT_PEERS="$ABSENT_PEERS $1"
        return 0
      fi
      ;;
  esac
  [ "$(printf '%s\n' "$state" | state_value empty)" = 1 ] && return 0
  DATA_PEERS="$DATA_PEERS $1"
  peer_uuid=$(printf '%s\n' "$state" | state_value uuid)
  peer_seqno=$(printf '%s\n' "$state" | state_value seqno)
  if [ "$(printf '%s\n' "$state" | state_value safe_to_bootstrap)" = 1 ]; then
    SAFE_PEER=$1
  fi
  if [ "$peer_seqno" = -1 ] || [ -z "$peer_seqno" ]; then
    UNKNOWN_PEERS="$UNKNOWN_PEERS $1"
  elif [ "$peer_uuid" != "$UUID" ] || [ "$peer_seqno" -gt "$SEQNO" ]; then
    AHEAD_PEER="$1 ($peer_uuid:$peer_seqno)"
  fi
}

# wait_because REASON: logs REASON when it changes, and again every WAIT_LOG_SECONDS while it lasts.
wait_because() {
  now=$(date +%s)
  if [ "$1" != "${LAST_REASON:-}" ] || [ "$now" -ge "${NEXT_LOG:-0}" ]; then
    log "waiting: $1"
    LAST_REASON=$1
    NEXT_LOG=$((now + WAIT_LOG_SECONDS))
  fi
  publish waiting
  sleep 2
}

sql_quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\\\']/\\\\&/g")"
}

# The accounts, created once, by the first node of a new cluster at its first start (mariadbd --init-file):
# replicated from there, and copied to every joiner by its SST. Idempotent, since a crash before the cluster's first
# state is written runs them again. The file holds passwords: in RUN_DIR (memory, mode 0600), removed as soon as the
# server has read it.
ACCOUNTS_SQL="$RUN_DIR/accounts.sql"

write_accounts_sql() {
  replication=$(sql_quote "$REPLICATION_USER")
  monitor=$(sql_quote "$MONITOR_USER")
  application=$(sql_quote "$APPLICATION_USER")
  # shellcheck disable=SC2016 # backquotes of an SQL identifier
  database=$(printf '`%s`' "$(printf '%s' "$APPLICATION_DATABASE" | sed 's/`/``/g')")
  {
    printf "ALTER USER 'root'@'localhost' IDENTIFIED BY %s;\n" "$(sql_quote "$MYSQL_ROOT_PASSWORD")"
    # The SST donor's mariabackup connects through the socket.
    printf "CREATE USER IF NOT EXISTS %s@'localhost' IDENTIFIED BY %s;\n" "$replication" "$(sql_quote "$MYSQL_REPLICATION_PASSWORD")"
    printf "GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, REPLICATION SLAVE ON *.* TO %s@'localhost';\n" "$replication"
    # An asynchronous replica outside the cluster (another site) connects over the network.
    printf "CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s;\n" "$replication" "$(sql_quote "$MYSQL_REPLICATION_PASSWORD")"
    printf "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO %s@'%%';\n" "$replication"
    printf "CREATE USER IF NOT EXISTS %s@'localhost' IDENTIFIED BY %s WITH MAX_USER_CONNECTIONS 10;\n" "$monitor" "$(sql_quote "$MYSQL_MONITOR_PASSWORD")"
    printf "GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO %s@'localhost';\n" "$monitor"
    printf "GRANT SELECT ON performance_schema.* TO %s@'localhost';\n" "$monitor"
    printf 'CREATE DATABASE IF NOT EXISTS %s;\n' "$database"
    printf "CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s;\n" "$application" "$(sql_quote "$MYSQL_APPLICATION_PASSWORD")"
    printf "GRANT ALL ON %s.* TO %s@'%%';\n" "$database" "$application"
  } >"$ACCOUNTS_SQL"
}

# Removes the accounts file once the server has read it (the monitor account it creates answers).
forget_accounts_sql() {
  while [ -f "$ACCOUNTS_SQL" ]; do
    sleep 1
    if local_sql 'SELECT 1' >/dev/null 2>&1; then
      rm -f "$ACCOUNTS_SQL"
    fi
  done
}

install_data_dir() {
  if [ -f "$INSTALLED_MARKER" ]; then
    return 0
  fi
  if [ -d "$DATA_DIR/mysql" ]; then
    log "removing the system tables of a first boot that was cut short (no $INSTALLED_MARKER, never joined a cluster)"
    find "$DATA_DIR" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
  fi
  log "creating the system tables"
  if ! mariadb-install-db --defaults-file="$POD_CNF" --skip-test-db --skip-name-resolve >&2; then
    log "mariadb-install-db failed"
    exit 1
  fi
  date -u +%Y-%m-%dT%H:%M:%SZ >"$INSTALLED_MARKER"
}

# start_server REASON [OPTION...]: exec's mariadbd with the pod's configuration.
start_server() {
  log "starting mariadbd: $1"
  shift
  publish starting
  if [ -n "$START_POSITION" ]; then
    set -- "$@" "--wsrep_start_position=$START_POSITION"
  fi
  exec mariadbd --defaults-file="$POD_CNF" "$@"
}

bootstrap() {
  # A restored primary-component view would make the new cluster wait for members of the old one.
  rm -f "$DATA_DIR/gvwstate.dat" "$BOOTSTRAP_APPROVAL"
  reason=$1
  shift
  start_server "bootstrapping the cluster from this node ($reason)" --wsrep-new-cluster "$@"
}

write_pod_cnf
read_position
publish deciding
while :; do
  survey
  if [ -n "$PRIMARY_PEER" ]; then
    if [ "$EMPTY" = 1 ]; then
      start_server "joining the primary component through $PRIMARY_PEER; this data directory is empty: a full copy (SST) follows"
    fi
    start_server "joining the primary component through $PRIMARY_PEER at $UUID:$SEQNO"
  fi
  if [ "$EMPTY" = 1 ]; then
    if [ "$ORDINAL" = 0 ] && [ -z "$UNKNOWN_PEERS" ] && [ -z "$DATA_PEERS" ]; then
      install_data_dir
      write_accounts_sql
      forget_accounts_sql &
      bootstrap "the first boot: every peer answered with an empty data directory" --init-file="$ACCOUNTS_SQL"
    fi
    if [ -n "$DATA_PEERS" ]; then
      wait_because "this data directory is empty; it joins by SST once a primary component exists (peers with data:$DATA_PEERS; if none of them can start, see $RUNBOOK)"
    elif [ "$ORDINAL" = 0 ]; then
      wait_because "this data directory is empty; it creates the cluster once every peer answers with an empty data directory (position not known:$UNKNOWN_PEERS)"
    else
      wait_because "this data directory is empty; waiting for pod 0 to create the cluster, or for a primary component to join"
    fi
    continue
  fi
  # reboot-cluster-galera.sh bootstrap may have set it meanwhile.
  SAFE_TO_BOOTSTRAP=$(grastate_value safe_to_bootstrap)
  SAFE_TO_BOOTSTRAP=${SAFE_TO_BOOTSTRAP:-0}
  if [ "$SAFE_TO_BOOTSTRAP" = 1 ] && [ -z "$AHEAD_PEER" ] && [ -z "$SAFE_PEER" ]; then
    if [ -z "$UNKNOWN_PEERS" ]; then
      bootstrap "safe_to_bootstrap: 1 at $UUID:$SEQNO, every peer answered and none is ahead"
    fi
    if [ -f "$BOOTSTRAP_APPROVAL" ] && [ "$(cat "$BOOTSTRAP_APPROVAL")" = "$UUID:$SEQNO" ]; then
      bootstrap "approved by $RUNBOOK at $UUID:$SEQNO; position unknown:$UNKNOWN_PEERS"
    fi
  fi
  # mariadbd restoring the last primary component waits for all of its members, without answering; so it starts only
  # when every peer takes part too (a peer lost meanwhile: the startup probe restarts this container after its
  # budget, and the start script waits here, where the runbook can bootstrap it).
  if [ -f "$DATA_DIR/gvwstate.dat" ] && [ -z "$ABSENT_PEERS" ]; then
    start_server "the primary component crashed as a whole (gvwstate.dat); every peer takes part, so its members can form it again (pc.recovery) at $UUID:$SEQNO"
  fi
  if [ -n "$AHEAD_PEER" ]; then
    wait_because "no primary component; $AHEAD_PEER is ahead of this node ($UUID:$SEQNO) and must start first (see $RUNBOOK)"
  elif [ -n "$ABSENT_PEERS" ] && [ -f "$DATA_DIR/gvwstate.dat" ]; then
    wait_because "the primary component crashed as a whole (gvwstate.dat), and$ABSENT_PEERS does not take part; it forms again once every member is back (if one is lost for good, see $RUNBOOK)"
  elif [ -n "$UNKNOWN_PEERS" ]; then
    wait_because "no primary component; the position of$UNKNOWN_PEERS is not known, so this node ($UUID:$SEQNO, safe_to_bootstrap: $SAFE_TO_BOOTSTRAP) cannot tell it holds the newest data (see $RUNBOOK)"
  else
    wait_because "no primary component and no node may bootstrap by itself (no safe_to_bootstrap, no gvwstate.dat); this node is at $UUID:$SEQNO; run $RUNBOOK report on every pod, then bootstrap on the most advanced"
  fi
done
