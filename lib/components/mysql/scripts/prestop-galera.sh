#!/bin/sh
# preStop of the database container: takes the node out of HAProxy's writer and reader backends before it stops, so
# clients move to another node without a failed write. The SIGTERM that follows the hook shuts mariadbd down cleanly:
# it leaves the primary component gracefully (the others keep quorum without waiting for a timeout), and the last node
# to leave records safe_to_bootstrap: 1. The drain takes at most half of the grace period, so the shutdown keeps the
# other half before the SIGKILL at its end.
set -eu
# shellcheck source=galera-common.sh
. "$SCRIPTS_DIR/galera-common.sh"
# The kubelet keeps no output of a successful hook: log where the container's log goes.
exec 2>>/proc/1/fd/2

: >"$DRAIN_MARKER"
# A node that is not synced fails HAProxy's checks already: nothing to wait for.
if status=$(wsrep_status) && [ "$(printf '%s\n' "$status" | status_value wsrep_local_state)" = 4 ]; then
  # HAProxy marks a server down after PROXY_CHECK_FALL failed checks PROXY_CHECK_INTERVAL_MILLISECONDS apart; the
  # margin covers a check already in flight (timeout check 2 s) and the rounding.
  drain_seconds=$(((PROXY_CHECK_INTERVAL_MILLISECONDS * PROXY_CHECK_FALL + 999) / 1000 + 3))
  # Leave at least half of the grace period for the shutdown itself.
  if [ "$drain_seconds" -gt $((TERMINATION_GRACE_PERIOD_SECONDS / 2)) ]; then
    drain_seconds=$((TERMINATION_GRACE_PERIOD_SECONDS / 2))
  fi
  log "draining: /writer and /reader answer 503; waiting ${drain_seconds}s for HAProxy to move clients away"
  sleep "$drain_seconds"
fi
# The kubelet sends SIGTERM to PID 1 (mariadbd) as soon as this hook returns: a clean shutdown, in which the node
# leaves the primary component and writes its position to grastate.dat.
log "drained; mariadbd shuts down on the SIGTERM that follows"
