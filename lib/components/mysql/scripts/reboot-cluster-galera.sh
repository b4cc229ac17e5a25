#!/bin/sh
# Runbook for a Galera cluster with no primary component that cannot form one by itself (start-galera.sh logs which
# case it is waiting in): a node lost for good after a crash of all, or a crash that left no gvwstate.dat and no
# safe_to_bootstrap. Run in the database container of a pod (kubectl exec ... -c mysql -- sh /scripts/...):
#   report                  this pod's position (uuid:seqno, recovered after a crash) and every peer's, as their agents
#                           report them; run it on any pod to see where every node stands.
#   bootstrap [--accept-unreachable]
#                           makes this pod bootstrap the cluster, refused unless its position is at least every other
#                           node's: no peer in a primary component, none of another cluster, none ahead, none other
#                           with safe_to_bootstrap: 1, and every peer with data answering (--accept-unreachable: the
#                           ones that do not are gone for good; whatever they alone held is lost).
#                           A node whose mariadbd runs, waiting for the members of its last primary component, is told
#                           to form a primary component of its own (pc.bootstrap); a node whose start script waits
#                           gets safe_to_bootstrap: 1 and an approval for its position, and bootstraps within seconds.
set -eu
# shellcheck source=galera-common.sh
. "$SCRIPTS_DIR/galera-common.sh"

ORDINAL=$(ordinal)

# Sets UUID, SEQNO, SAFE, PHASE, RUNNING (1: mariadbd answers) and PRIMARY from the running server or, while the
# start script decides or waits, from the position it published (recovered after a crash).
local_position() {
  PRIMARY=0
  SAFE=$(grastate_value safe_to_bootstrap)
  if status=$(wsrep_status 2>/dev/null) && [ -n "$status" ]; then
    RUNNING=1
    PHASE=running
    UUID=$(printf '%s\n' "$status" | status_value wsrep_cluster_state_uuid)
    SEQNO=$(printf '%s\n' "$status" | status_value wsrep_last_committed)
    [ "$(printf '%s\n' "$status" | status_value wsrep_cluster_status)" != Primary ] || PRIMARY=1
    return 0
  fi
  RUNNING=0
  PHASE=$(state_value phase <"$STATE_FILE" 2>/dev/null || true)
  UUID=$(state_value uuid <"$STATE_FILE" 2>/dev/null || true)
  SEQNO=$(state_value seqno <"$STATE_FILE" 2>/dev/null || true)
}

report() {
  local_position
  printf '%s phase=%s position=%s:%s safe_to_bootstrap=%s primary=%s (this pod)\n' "$POD_NAME" "${PHASE:-unknown}" "${UUID:-none}" "${SEQNO:--1}" \
    "${SAFE:-0}" "$PRIMARY"
  i=0
  while [ "$i" -lt "$MEMBERS" ]; do
    if [ "$i" != "$ORDINAL" ]; then
      host=$(member_host "$i")
      if state=$(agent_get "$host" /state); then
        printf '%s phase=%s position=%s:%s safe_to_bootstrap=%s primary=%s empty=%s\n' "$host" "$(printf '%s\n' "$state" | state_value phase)" \
          "$(printf '%s\n' "$state" | state_value uuid)" "$(printf '%s\n' "$state" | state_value seqno)" \
          "$(printf '%s\n' "$state" | state_value safe_to_bootstrap)" "$(printf '%s\n' "$state" | state_value primary)" \
          "$(printf '%s\n' "$state" | state_value empty)"
      else
        printf '%s does not answer\n' "$host"
      fi
    fi
    i=$((i + 1))
  done
}

refuse() {
  log "refused: $*"
  exit 1
}

bootstrap() {
  local_position
  [ "$PRIMARY" != 1 ] || refuse "this node is in a primary component already"
  [ "$RUNNING" = 1 ] || [ "$PHASE" != starting ] ||
    refuse "mariadbd is starting and does not answer yet (recovery, a state transfer, or waiting for the members of its last primary component); wait, or restart this container and run this again while its start script waits"
  if [ -z "$UUID" ] || [ "$UUID" = "$ZERO_UUID" ] || [ -z "$SEQNO" ] || [ "$SEQNO" = -1 ]; then
    refuse "this node's position is not known (phase ${PHASE:-unknown}, ${UUID:-no uuid}:${SEQNO:--1}); an empty node never bootstraps"
  fi
  unreachable=''
  i=0
  while [ "$i" -lt "$MEMBERS" ]; do
    if [ "$i" != "$ORDINAL" ]; then
      host=$(member_host "$i")
      state=$(agent_get "$host" /state) || state=''
      peer_phase=$(printf '%s\n' "$state" | state_value phase)
      [ "$(printf '%s\n' "$state" | state_value primary)" != 1 ] || refuse "$host is in a primary component: restart this pod to join it"
      if [ "$(printf '%s\n' "$state" | state_value empty)" = 1 ]; then
        : # never joined a cluster: holds nothing
      elif [ -z "$peer_phase" ] || { [ "$peer_phase" = starting ] && [ "$(printf '%s\n' "$state" | state_value server)" != 1 ]; }; then
        unreachable="$unreachable $host"
      else
        peer_uuid=$(printf '%s\n' "$state" | state_value uuid)
        peer_seqno=$(printf '%s\n' "$state" | state_value seqno)
        [ "$peer_uuid" = "$UUID" ] || refuse "$host holds a position of another cluster ($peer_uuid:$peer_seqno; this node: $UUID:$SEQNO)"
        [ "$peer_seqno" != -1 ] || unreachable="$unreachable $host"
        [ "$peer_seqno" -le "$SEQNO" ] || refuse "$host is ahead ($peer_uuid:$peer_seqno; this node: $UUID:$SEQNO): run bootstrap there"
        [ "$(printf '%s\n' "$state" | state_value safe_to_bootstrap)" != 1 ] || refuse "$host has safe_to_bootstrap: 1 at $peer_seqno: run bootstrap there"
      fi
    fi
    i=$((i + 1))
  done
  if [ -n "$unreachable" ] && [ "${1:-}" != --accept-unreachable ]; then
    refuse "the position of$unreachable is not known; if they are gone for good, run again with --accept-unreachable"
  fi
  if [ "$RUNNING" = 1 ]; then
    log "forming a primary component of this node at $UUID:$SEQNO (pc.bootstrap); the others join it"
    MYSQL_PWD=$MYSQL_ROOT_PASSWORD timeout 10 mariadb --no-defaults --protocol=socket -S "$SOCKET" -u root \
      -e "SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'"
  else
    [ -f "$GRASTATE" ] || refuse "$GRASTATE is missing"
    printf '%s:%s' "$UUID" "$SEQNO" >"$BOOTSTRAP_APPROVAL"
    sed 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$GRASTATE" >"$GRASTATE.next"
    mv "$GRASTATE.next" "$GRASTATE"
    log "safe_to_bootstrap: 1 at $UUID:$SEQNO; start-galera.sh bootstraps this node within seconds, and the others join it"
  fi
}

case "${1:-}" in
  report) report ;;
  bootstrap) bootstrap "${2:-}" ;;
  *)
    echo "usage: reboot-cluster-galera.sh report | bootstrap [--accept-unreachable]" >&2
    exit 2
    ;;
esac
