#!/bin/sh
# rs-agent.sh [once]: the sidecar that brings this pod's mongod into the replica set and keeps its place there (see
# rs-agent.js). With "once", one pass: exit 0 when the member is in its place, 1 otherwise.
set -eu
# shellcheck source=mongodb-common.sh
. "$SCRIPTS_DIR/mongodb-common.sh"

if [ "${1:-}" = once ]; then
  agent once
else
  exec mongosh --nodb --quiet --norc --file "$SCRIPTS_DIR/rs-agent.js"
fi
