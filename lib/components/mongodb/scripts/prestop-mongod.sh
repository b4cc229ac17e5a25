#!/bin/sh
# prestop-mongod.sh: the mongod container's preStop hook. A primary hands over before it stops: replSetStepDown waits
# up to STEP_DOWN_CATCH_UP_SECONDS for a secondary to hold every write, then steps down, so the next primary loses
# nothing and the roll costs one election. mongod would try the same on SIGTERM; doing it here, with the catch-up
# bounded, leaves the quiesce period and the shutdown the rest of the grace period.
set -eu
# shellcheck source=mongodb-common.sh
. "$SCRIPTS_DIR/mongodb-common.sh"

local_mongosh "const h = db.hello();
if (!h.isWritablePrimary) { print('not the primary: nothing to hand over'); quit(0); }
db.getSiblingDB('admin').auth(process.env.MONGODB_ROOT_USER, process.env.MONGODB_ROOT_PASSWORD);
try {
  db.adminCommand({ replSetStepDown: $STEP_DOWN_SECONDS, secondaryCatchUpPeriodSecs: $STEP_DOWN_CATCH_UP_SECONDS });
  print('stepped down: a caught-up secondary takes over');
} catch (error) {
  print('step-down failed (' + (error.codeName || error.name) + ': ' + error.message + '); mongod steps down on SIGTERM');
}"
