# shellcheck shell=sh
# Functions shared by the MongoDB pod scripts. Sourced, never run.

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

# local_mongosh JS: runs JS against this pod's mongod (no authentication: hello and ping need none). mongosh writes
# its logs under HOME, which the manifests point at a writable volume.
local_mongosh() {
  mongosh "mongodb://127.0.0.1:$MONGODB_PORT/?directConnection=true&serverSelectionTimeoutMS=5000" --quiet --norc --eval "$1"
}

# agent MODE: rs-agent.js in mongosh, without a connection of its own (it opens one per member it asks).
agent() {
  AGENT_MODE=$1 mongosh --nodb --quiet --norc --file "$SCRIPTS_DIR/rs-agent.js"
}
