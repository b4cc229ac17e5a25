#!/bin/sh
# probe-mongod.sh readiness|liveness: the mongod container's probes.
# - readiness: the member is PRIMARY or SECONDARY (or the arbiter of a set): a member in STARTUP2 (initial sync) or
#   RECOVERING serves no reads a client should see. Only this member is asked: a probe that waited for the others
#   would keep pod 1 from starting under an ordered start (mongodb/mongodb-kubernetes-operator#953).
# - liveness: mongod answers ping. Never the replication state: an initial sync takes hours, and killing the pod
#   restarts it.
set -eu
# shellcheck source=mongodb-common.sh
. "$SCRIPTS_DIR/mongodb-common.sh"

case "${1:-}" in
  readiness)
    local_mongosh 'const h = db.hello();
const state = h.isWritablePrimary ? "PRIMARY" : h.secondary ? "SECONDARY" : h.arbiterOnly && h.setName ? "ARBITER" : "";
print(state || "not PRIMARY, SECONDARY or ARBITER: " + (h.info || "initial sync or recovery"));
quit(state ? 0 : 1);'
    ;;
  liveness)
    local_mongosh 'quit(db.adminCommand({ ping: 1 }).ok === 1 ? 0 : 1);'
    ;;
  *)
    log "usage: probe-mongod.sh readiness|liveness (got '${1:-}')"
    exit 2
    ;;
esac
