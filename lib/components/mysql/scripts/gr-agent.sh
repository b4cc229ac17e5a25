#!/bin/sh
# gr-agent.sh [--once]: the sidecar (same image as mysqld, which ships mysqlsh) that brings this server into the
# InnoDB Cluster and keeps it there. Every AGENT_INTERVAL_SECONDS it looks at the local server and at every peer,
# and takes at most one AdminAPI step (the flow of percona-server-mysql-operator cmd/bootstrap/gr/group_replication.go,
# made fail-safe where that flow can create a second cluster or wipe a member):
#
# - this server is ONLINE: nothing to do, except that the primary creates the router account once (setupRouterAccount);
# - a peer is ONLINE in a cluster with quorum (cluster.status() OK*):
#     this server is not in its topology: addInstance with recoveryMethod clone (it may hold nothing, or a copy of
#       another cluster: clone replaces it whole; the clone restarts mysqld, which the kubelet does here);
#     it is (MISSING) or in ERROR: rejoinInstance; when AdminAPI refuses because this server's GTID set is empty or
#       lacks transactions every member purged, removeInstance({force: true}) and addInstance by clone;
# - a peer is ONLINE without quorum (NO_QUORUM): wait; the lost members' return restores it;
# - no member is ONLINE:
#     createCluster only on pod 0, only while every member answers, and only when no member (this one included)
#       holds a GTID or the InnoDB Cluster metadata schema: a new set. Pod 0 whose volume was lost comes back empty
#       while the others hold the data; were it to create a cluster whenever it sees no ONLINE member, the others
#       would then be cloned from it, empty. And an unreachable peer may hold the data: wait for it;
#     otherwise (some member holds data): a complete outage. The agent never reboots the cluster: it logs that the
#       runbook is reboot-cluster-mysql.sh (which starts the group on the most advanced member) and waits.
#
# Group Replication is only ever started by AdminAPI (createCluster, addInstance, rejoinInstance, or the runbook's
# rebootClusterFromCompleteOutage), which sets group_replication_bootstrap_group with SET GLOBAL and back OFF around a
# bootstrap; nothing here persists it, and manualStartOnBoot keeps group_replication_start_on_boot OFF on every member.
# With the file $DATA_DIR/sleep-forever present (manual recovery) the agent does nothing.
# --once runs a single pass and exits 0 when this server is ONLINE, 1 otherwise (for `kubectl exec` and the tests).
set -eu
# shellcheck source=gr-common.sh
. "$SCRIPTS_DIR/gr-common.sh"

AGENT_INTERVAL_SECONDS=${AGENT_INTERVAL_SECONDS:-5}
# addInstance by clone copies the whole data set and waits for the restarted server: minutes for large volumes.
JOIN_TIMEOUT_SECONDS=${JOIN_TIMEOUT_SECONDS:-3600}
STATUS_TIMEOUT_SECONDS=30

# One row, '|'-separated (CONCAT_WS keeps an empty GTID set as an empty field): gtid_executed, the member state
# (OFFLINE while Group Replication is stopped), the member role, and whether the metadata schema exists.
SURVEY_SQL="SELECT CONCAT_WS('|', @@GLOBAL.gtid_executed,
  COALESCE((SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid), 'OFFLINE'),
  COALESCE((SELECT MEMBER_ROLE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid), ''),
  (SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '$METADATA_SCHEMA'))"

# field ROW N: the Nth '|'-separated field of a survey row.
field() {
  printf '%s' "$1" | cut -d '|' -f "$2"
}

# holds_data ROW: the server has executed a transaction or holds InnoDB Cluster metadata.
holds_data() {
  [ -n "$(gtid_set "$(field "$1" 1)")" ] || [ "$(field "$1" 4)" != 0 ]
}

# cluster_view HOST: "cluster <status>" then "member <address> <status> <role>" lines, as HOST sees the cluster.
cluster_view() {
  adminapi "$1" "$STATUS_TIMEOUT_SECONDS" "var r = dba.getCluster('$CLUSTER_NAME').status().defaultReplicaSet;
println('cluster ' + r.status);
for (var m in r.topology) { println('member ' + r.topology[m].address + ' ' + r.topology[m].status + ' ' + r.topology[m].memberRole); }"
}

# run_step HOST SECONDS DESCRIPTION CODE: one AdminAPI operation; its output is logged and kept in STEP_OUTPUT.
run_step() {
  log "$3"
  if STEP_OUTPUT=$(adminapi "$1" "$2" "$4"); then
    printf '%s\n' "$STEP_OUTPUT" >&2
    return 0
  fi
  printf '%s\n' "$STEP_OUTPUT" >&2
  log "failed: $3"
  return 1
}

configure_self() {
  run_step "$SELF_HOST" "$STATUS_TIMEOUT_SECONDS" "checking this server's configuration (dba.configureInstance)" \
    "dba.configureInstance(); println('configured');"
}

add_self() {
  configure_self &&
    run_step "$1" "$JOIN_TIMEOUT_SECONDS" "adding $SELF_ADDRESS to cluster $CLUSTER_NAME through $1, by clone" \
      "dba.getCluster('$CLUSTER_NAME').addInstance('$SELF_ADDRESS', {recoveryMethod: 'clone', localAddress: '$SELF_ADDRESS', recoveryProgress: 1}); println('added');"
}

# MySQL Shell 8.4 refuses to rejoin a member it cannot recover incrementally: with an empty GTID set it notes "has not
# been pre-provisioned (GTID set is empty)" (older shells: "has an empty GTID set"), and when the group purged
# transactions it lacks, "is missing transactions that were purged from all cluster members"; then it stops with
# "'recoveryMethod' option must be set to 'clone' or 'incremental'" (modules/adminapi/common/gtid_validations.cc).
rejoin_self() {
  configure_self || return 1
  if run_step "$1" "$JOIN_TIMEOUT_SECONDS" "rejoining $SELF_ADDRESS to cluster $CLUSTER_NAME through $1" \
    "dba.getCluster('$CLUSTER_NAME').rejoinInstance('$SELF_ADDRESS'); println('rejoined');"; then
    return 0
  fi
  case "$STEP_OUTPUT" in
    *'GTID set is empty'* | *'empty GTID set'* | *'purged from all cluster members'*)
      run_step "$1" "$STATUS_TIMEOUT_SECONDS" "$SELF_ADDRESS cannot be recovered incrementally: removing it from the metadata to add it again by clone" \
        "dba.getCluster('$CLUSTER_NAME').removeInstance('$SELF_ADDRESS', {force: true}); println('removed');" &&
        add_self "$1"
      ;;
    *) return 1 ;;
  esac
}

create_cluster() {
  configure_self &&
    run_step "$SELF_HOST" "$JOIN_TIMEOUT_SECONDS" "no member holds data and every member answers: creating cluster $CLUSTER_NAME on $SELF_ADDRESS" \
      "dba.createCluster('$CLUSTER_NAME', {communicationStack: 'MYSQL', groupName: '$GROUP_NAME', localAddress: '$SELF_ADDRESS', paxosSingleLeader: true, manualStartOnBoot: true}); println('created');"
}

# The primary creates the router account (replicated to every member) once, when it does not exist yet.
ensure_router_account() {
  if [ "$(local_sql "SELECT COUNT(*) FROM mysql.user WHERE user = $(sql_string "$ROUTER_USER")")" = 0 ]; then
    run_step "$SELF_HOST" "$STATUS_TIMEOUT_SECONDS" "creating the router account $ROUTER_USER" \
      "dba.getCluster('$CLUSTER_NAME').setupRouterAccount('$ROUTER_USER@%', {password: os.getenv('MYSQL_ROUTER_PASSWORD')}); println('router account');"
  fi
}

# One pass. Exit status 0 when this server is ONLINE, 1 otherwise.
reconcile() {
  if [ -e "$DATA_DIR/sleep-forever" ]; then
    log "$DATA_DIR/sleep-forever exists: manual recovery, the agent stands aside"
    return 1
  fi
  if ! self=$(local_sql "$SURVEY_SQL" 2>/dev/null); then
    log "waiting for the local mysqld to answer on $SOCKET"
    return 1
  fi
  case "$(field "$self" 2)" in
    ONLINE)
      if [ "$(field "$self" 3)" = PRIMARY ]; then
        ensure_router_account || return 1
      fi
      return 0
      ;;
    RECOVERING)
      log "$SELF_ADDRESS is RECOVERING (distributed recovery in progress)"
      return 1
      ;;
  esac

  answered=0
  peers_with_data=''
  quorum_host=''
  no_quorum_hosts=''
  i=0
  while [ "$i" -lt "$MEMBERS" ]; do
    if [ "$i" != "$(ordinal)" ]; then
      host=$(member_host "$i")
      if peer=$(peer_sql "$host" "$SURVEY_SQL" 2>/dev/null); then
        answered=$((answered + 1))
        if holds_data "$peer"; then
          peers_with_data="$peers_with_data $host"
        fi
        if [ -z "$quorum_host" ] && [ "$(field "$peer" 2)" = ONLINE ] && view=$(cluster_view "$host"); then
          case "$(printf '%s\n' "$view" | sed -n 's/^cluster //p')" in
            OK*)
              quorum_host=$host
              quorum_view=$view
              ;;
            *) no_quorum_hosts="$no_quorum_hosts $host" ;;
          esac
        fi
      fi
    fi
    i=$((i + 1))
  done

  if [ -n "$quorum_host" ]; then
    state=$(printf '%s\n' "$quorum_view" | awk -v self="$SELF_ADDRESS" '$1 == "member" && $2 == self { print $3 }')
    case "$state" in
      '')
        add_self "$quorum_host" || return 1
        ;;
      '(MISSING)' | ERROR | OFFLINE)
        rejoin_self "$quorum_host" || return 1
        ;;
      *)
        log "cluster $CLUSTER_NAME (through $quorum_host) lists $SELF_ADDRESS as $state while Group Replication is not running here: waiting for the group to notice"
        return 1
        ;;
    esac
    local_sql "$SURVEY_SQL" | grep -q '|ONLINE|' || return 1
    return 0
  fi

  if [ -n "$no_quorum_hosts" ]; then
    log "cluster $CLUSTER_NAME has no quorum (as seen from$no_quorum_hosts): waiting for its members to return; if a majority is lost for good, see reboot-cluster-mysql.sh and the MySQL Shell docs on cluster.forceQuorumUsingPartitionOf()"
    return 1
  fi

  if ! holds_data "$self" && [ -z "$peers_with_data" ]; then
    if [ "$(ordinal)" != 0 ]; then
      log "no member holds data: waiting for pod 0 to create cluster $CLUSTER_NAME"
      return 1
    fi
    if [ "$answered" -ne $((MEMBERS - 1)) ]; then
      log "no member that answers holds data, but only $answered of the $((MEMBERS - 1)) other members answer: waiting for every member before creating cluster $CLUSTER_NAME"
      return 1
    fi
    create_cluster || return 1
    return 0
  fi

  holders=$peers_with_data
  if holds_data "$self"; then
    holders=" $SELF_HOST$holders"
  fi
  log "no member of cluster $CLUSTER_NAME is ONLINE and members hold data ($holders ): a complete outage. This agent never reboots the cluster; the runbook is reboot-cluster-mysql.sh, once every member's mysqld is up"
  return 1
}

if [ "${1:-}" = --once ]; then
  reconcile
  exit
fi
while :; do
  reconcile || true
  sleep "$AGENT_INTERVAL_SECONDS"
done
