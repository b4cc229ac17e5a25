#!/bin/sh
# install-keyfile.sh: the init container that copies the replica set's keyFile from its Secret to the in-memory volume
# mongod reads it from, readable by the pods' user alone (0400). mongod refuses a key file the group or others may
# read, and the kubelet makes a Secret volume group-readable when the pod has an fsGroup. A key MongoDB would refuse
# stops the pod here, with the reason, rather than in mongod's log after every restart.
set -eu
# shellcheck source=mongodb-common.sh
. "$SCRIPTS_DIR/mongodb-common.sh"

source_file=$KEYFILE_SECRET_DIR/keyfile
if [ ! -r "$source_file" ]; then
  log "the Secret $KEYFILE_SECRET_NAME has no key 'keyfile': create it with the replica set's key (e.g. openssl rand -base64 756)"
  exit 1
fi
# mongod reads the key without white space, as base64 characters (6 to 1024 of them).
key=$(tr -d ' \t\r\n' <"$source_file")
length=${#key}
if [ "$length" -lt 6 ] || [ "$length" -gt 1024 ]; then
  log "the key in Secret $KEYFILE_SECRET_NAME has $length characters besides white space; MongoDB takes 6 to 1024"
  exit 1
fi
case "$key" in
  *[!A-Za-z0-9+/=]*)
    log "the key in Secret $KEYFILE_SECRET_NAME holds characters outside the base64 alphabet (A-Z, a-z, 0-9, +, /, =), which MongoDB refuses"
    exit 1
    ;;
esac
install -m 0400 "$source_file" "$KEYFILE"
log "installed the replica set key as $KEYFILE (mode 0400)"
