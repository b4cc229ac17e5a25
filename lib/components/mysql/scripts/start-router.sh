#!/bin/sh
# The MySQL Router container's command (MYSQL_8_4 writer endpoint). Bootstraps a configuration from the InnoDB
# Cluster metadata with the router account (created by the primary's agent with cluster.setupRouterAccount), then
# exec's mysqlrouter so that it is PID 1. Router follows the primary by itself from then on (metadata cache and
# Group Replication notifications): classic protocol read-write on 6446, read-only on 6447.
#
# A bootstrap needs a member of a group with quorum ("The provided server is currently not in a InnoDB cluster group
# with quorum", canonical/mysql-k8s-operator#260): it tries each member in turn and, while none can serve it (the
# cluster does not exist yet, has no quorum, or is in a complete outage), waits and tries again.
#
# The password goes to `mysqlrouter --bootstrap` on stdin, twice: once for the bootstrap session and once for the
# account Router runs as (--account, the same router account; mysql-operator's router-entrypoint-run.sh.tpl does the
# same). Bootstrap keeps it in its keyring under ROUTER_DIR, a writable directory under /tmp (the root filesystem is
# read-only).
set -eu

ROUTER_DIR=${ROUTER_DIR:-/tmp/mysqlrouter}
ROUTER_RETRY_SECONDS=${ROUTER_RETRY_SECONDS:-5}

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

# bootstrap HOST: one bootstrap against HOST; its output is logged.
bootstrap() {
  if output=$(printf '%s\n%s\n' "$MYSQL_ROUTER_PASSWORD" "$MYSQL_ROUTER_PASSWORD" |
    mysqlrouter --bootstrap "$ROUTER_USER@$1:$MYSQL_PORT" --directory "$ROUTER_DIR" --force \
      --account "$ROUTER_USER" --account-create never --conf-bind-address 0.0.0.0 2>&1); then
    printf '%s\n' "$output" >&2
    return 0
  fi
  printf '%s\n' "$output" >&2
  return 1
}

while :; do
  i=0
  while [ "$i" -lt "$MEMBERS" ]; do
    host="$MYSQL_STATEFULSET-$i.$MYSQL_SERVICE.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN"
    log "bootstrapping from $host"
    if bootstrap "$host"; then
      # An empty logging_folder sends Router's log to the console (the container log) instead of a file.
      sed -i 's/^logging_folder=.*$/logging_folder=/' "$ROUTER_DIR/mysqlrouter.conf"
      log "bootstrapped from $host; starting mysqlrouter"
      exec mysqlrouter -c "$ROUTER_DIR/mysqlrouter.conf"
    fi
    i=$((i + 1))
  done
  log "no member of cluster $CLUSTER_NAME could serve a bootstrap (no cluster yet, no quorum, or a complete outage): retrying in ${ROUTER_RETRY_SECONDS}s"
  sleep "$ROUTER_RETRY_SECONDS"
done
