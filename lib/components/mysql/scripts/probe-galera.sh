#!/bin/sh
# probe-galera.sh startup|readiness|liveness
# readiness: the node is Synced, ready and in the primary component: what HAProxy's checks ask too (the agent's GET
#   /reader), and what the StatefulSet's rolling update waits for before it restarts the next pod.
# startup: the server answers, or the start script is still deciding or waiting for its peers (it never hangs: every
#   step is bounded, and restarting it would only make it decide again). It fails while mariadbd itself starts
#   (InnoDB recovery, SST, IST, waiting inside Galera for the members of its last primary component): the kubelet's
#   startup budget, sized for a full SST of the volume, bounds that.
# liveness: the server answers; until it has answered once in this container, the node is starting, not hung, and
#   passes: a joiner receiving an SST, or a node waiting for a primary component, is never killed for being slow.
#   A server that answered once and then stops answering for the whole failure threshold is restarted.
set -eu
# shellcheck source=galera-common.sh
. "$SCRIPTS_DIR/galera-common.sh"

answers() {
  if MYSQL_PWD=$MYSQL_MONITOR_PASSWORD timeout 3 mariadb-admin --no-defaults --protocol=socket -S "$SOCKET" -u "$MONITOR_USER" \
    --connect-timeout=2 ping >/dev/null 2>&1; then
    : >"$ANSWERED_MARKER"
    return 0
  fi
  return 1
}

script_waiting() {
  case "$(state_value phase <"$STATE_FILE" 2>/dev/null)" in
    deciding | waiting) return 0 ;;
  esac
  return 1
}

case "${1:-}" in
  readiness)
    status=$(wsrep_status) || {
      echo "the server does not answer"
      exit 1
    }
    state=$(printf '%s\n' "$status" | status_value wsrep_local_state)
    cluster=$(printf '%s\n' "$status" | status_value wsrep_cluster_status)
    ready=$(printf '%s\n' "$status" | status_value wsrep_ready)
    if [ "$state" != 4 ] || [ "$cluster" != Primary ] || [ "$ready" != ON ]; then
      echo "not synced: wsrep_local_state=$state ($(printf '%s\n' "$status" | status_value wsrep_local_state_comment)) wsrep_cluster_status=$cluster wsrep_ready=$ready"
      exit 1
    fi
    ;;
  startup)
    answers || script_waiting || {
      echo "mariadbd is starting (recovery, SST, IST, or waiting for a primary component)"
      exit 1
    }
    ;;
  liveness)
    answers || [ ! -f "$ANSWERED_MARKER" ] || {
      echo "the server answered before and does not answer now"
      exit 1
    }
    ;;
  *)
    echo "usage: probe-galera.sh startup|readiness|liveness" >&2
    exit 2
    ;;
esac
