#!/bin/sh
# Init container of a broker (RackSource.NODE_LABEL): reads the zone label of the pod's node from the Kubernetes API
# and writes it to RACK_FILE, which start-kafka.sh turns into broker.rack. It fails closed: a node without the label,
# or an API that does not answer, keeps the broker from starting, since a broker without its zone could hold every
# copy of a partition in one zone. The token is a projected one, mounted in this container only; the ClusterRole bound
# to the service account allows `get` on nodes and nothing else.
set -eu

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

: "${NODE_NAME:?the downward API gives spec.nodeName}"
api_host=$KUBERNETES_SERVICE_HOST
case "$api_host" in
  *:*) api_host="[$api_host]" ;;
esac
url="https://$api_host:$KUBERNETES_SERVICE_PORT/api/v1/nodes/$NODE_NAME"

if ! node=$(curl --silent --show-error --fail --max-time 10 --retry 5 --retry-delay 2 --retry-connrefused \
  --cacert "$TOKEN_DIR/ca.crt" --header "Authorization: Bearer $(cat "$TOKEN_DIR/token")" "$url" 2>&1); then
  log "cannot read node $NODE_NAME from the Kubernetes API: $node"
  exit 1
fi

# Label values are at most 63 letters, digits, "-", "_" and ".": no escapes to undo in the JSON string.
label_pattern="\"$(printf '%s' "$ZONE_LABEL" | sed 's/[.]/\\./g')\"[[:space:]]*:[[:space:]]*\"[A-Za-z0-9._-]*\""
zone=$(printf '%s' "$node" | tr -d '\n' | grep -o "$label_pattern" | head -n 1 | sed 's/.*:[[:space:]]*"\(.*\)"$/\1/' || true)
if [ -z "$zone" ]; then
  log "node $NODE_NAME has no label $ZONE_LABEL: the broker cannot know its zone and does not start (label the node, or choose another rackSource)"
  exit 1
fi
printf '%s\n' "$zone" >"$RACK_FILE.new"
mv "$RACK_FILE.new" "$RACK_FILE"
log "node $NODE_NAME is in zone $zone"
