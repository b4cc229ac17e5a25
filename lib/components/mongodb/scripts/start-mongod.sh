#!/bin/sh
# start-mongod.sh: the mongod container's command. It execs mongod, which stays PID 1 of the container and gets the
# kubelet's SIGTERM. On a volume without data (a new member, or one whose volume was lost), the set must first stop
# counting on this member's vote: rs-agent.js pre-start asks the primary to take it away and returns only once no vote
# this member could cast without data remains (or no member answers with a set: a new set, which only the agent's
# gate may initiate).
set -eu
# shellcheck source=mongodb-common.sh
. "$SCRIPTS_DIR/mongodb-common.sh"

PRE_START_RETRY_SECONDS=${PRE_START_RETRY_SECONDS:-5}

if [ ! -e "$DATA_DIR/WiredTiger" ]; then
  log "$DATA_DIR holds no data: checking with the replica set before mongod starts"
  until agent pre-start; do
    sleep "$PRE_START_RETRY_SECONDS"
  done
fi
exec mongod --config "$CONFIG_DIR/mongod.conf"
