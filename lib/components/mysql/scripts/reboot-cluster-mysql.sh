#!/bin/sh
# reboot-cluster-mysql.sh [--dry-run] [--force-partial ORDINALS]: the runbook for a complete outage of a MYSQL_8_4
# cluster (no member ONLINE: every member crashed, or the group dissolved). The agents never do this by themselves,
# because only a person can know that a member that does not answer is really gone and not about to come back with
# transactions nobody else has.
#
# Run it where the agent runs (`kubectl exec <name>-mysql-0 -c agent -- sh /scripts/reboot-cluster-mysql.sh`), or as
# a Job with the agent container's environment (the same env and Secret keys, POD_NAME from the downward API) and
# the scripts ConfigMap mounted at /scripts and an emptyDir at RUN_DIR (the client option files are written there),
# command `sh /scripts/reboot-cluster-mysql.sh`.
#
# What it does:
# 1. Asks every member (over TCP, as the cluster administrator) for @@GLOBAL.gtid_executed and its member state.
#    It refuses when a member is ONLINE or RECOVERING (not a complete outage: the agents rejoin the others to it).
# 2. It refuses when a member does not answer, unless --force-partial names the ordinals (comma-separated, e.g. 0,2)
#    of exactly the members that answer: the operator's statement that the others are gone. A listed member that
#    does not answer, or an unlisted one that does, is refused too (the list is stale).
# 3. Picks the member with the most transactions (mysql-operator's count_gtids) and checks on it, with GTID_SUBSET,
#    that every other answering member's set is contained in its own. A member with transactions the candidate lacks
#    (diverged sets, errant transactions) is refused: which data to keep is a decision for a person.
# 4. Runs dba.rebootClusterFromCompleteOutage() on that member only, with {primary: <it>} (and {force: true} for a
#    partial reboot). The member starts the group (AdminAPI sets group_replication_bootstrap_group with SET GLOBAL and
#    back OFF) and rejoins the members that answer; the agents rejoin or re-clone any other.
# --dry-run stops after step 3 and passes AdminAPI's dryRun, which validates without changing anything.
set -eu
# shellcheck source=gr-common.sh
. "$SCRIPTS_DIR/gr-common.sh"

dry_run=''
partial=''
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=yes ;;
    --force-partial)
      [ $# -ge 2 ] || {
        echo "--force-partial needs the ordinals of the members to reboot from, e.g. --force-partial 0,2" >&2
        exit 2
      }
      partial=",$2,"
      shift
      ;;
    *)
      echo "usage: $0 [--dry-run] [--force-partial ORDINALS]" >&2
      exit 2
      ;;
  esac
  shift
done

survey=''
missing=''
i=0
while [ "$i" -lt "$MEMBERS" ]; do
  host=$(member_host "$i")
  if row=$(peer_sql "$host" "SELECT CONCAT_WS('|', @@GLOBAL.gtid_executed,
      COALESCE((SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid), 'OFFLINE'))" 2>/dev/null); then
    gtids=$(gtid_set "${row%|*}")
    state=${row##*|}
    count=$(gtid_count "$gtids")
    log "member $i ($host): $state, $count transactions: ${gtids:-(empty)}"
    case "$state" in
      ONLINE | RECOVERING)
        log "refused: member $i is $state, so this is no complete outage; the agents rejoin the other members to it"
        exit 1
        ;;
    esac
    if [ -n "$partial" ]; then
      case "$partial" in
        *",$i,"*) ;;
        *)
          log "refused: member $i answers but is not in --force-partial ${partial#,}; list every member that answers"
          exit 1
          ;;
      esac
    fi
    survey="$survey$count $i $host $gtids
"
  else
    log "member $i ($host) does not answer"
    missing="$missing $i"
    case "$partial" in
      *",$i,"*)
        log "refused: member $i is listed in --force-partial but does not answer"
        exit 1
        ;;
    esac
  fi
  i=$((i + 1))
done

if [ -n "$missing" ] && [ -z "$partial" ]; then
  log "refused: members$missing do not answer. A reboot without them may lose the transactions only they have. Start them, or, if they are gone for good, run again with --force-partial and the ordinals of the members that answer"
  exit 1
fi
if [ -z "$survey" ]; then
  log "refused: no member answers"
  exit 1
fi

best=$(printf '%s' "$survey" | sort -k1,1nr -k2,2n | head -n 1)
best_ordinal=$(printf '%s' "$best" | awk '{ print $2 }')
best_host=$(printf '%s' "$best" | awk '{ print $3 }')
diverged=$(printf '%s' "$survey" | while read -r count ordinal host gtids; do
  [ "$ordinal" != "$best_ordinal" ] || continue
  contained=$(peer_sql "$best_host" "SELECT GTID_SUBSET($(sql_string "$gtids"), @@GLOBAL.gtid_executed)") || contained=unknown
  if [ "$contained" != 1 ]; then
    log "member $ordinal ($host, $count transactions) has transactions that member $best_ordinal may lack (GTID_SUBSET: $contained)"
    echo "$ordinal"
  fi
done)
if [ -n "$diverged" ]; then
  log "refused: the members' GTID sets diverged, so no member holds every transaction; decide which data to keep (MySQL Shell docs, \"Rebooting a Cluster from a Major Outage\") and reboot by hand"
  exit 1
fi

options="primary: '$(member_address "$best_ordinal")'"
if [ -n "$partial" ]; then
  options="$options, force: true"
fi
if [ -n "$dry_run" ]; then
  options="$options, dryRun: true"
fi
log "rebooting cluster $CLUSTER_NAME from member $best_ordinal ($best_host), the most advanced${dry_run:+ (dry run)}"
adminapi "$best_host" 3600 "dba.rebootClusterFromCompleteOutage('$CLUSTER_NAME', {$options}); println('rebooted');"
