#!/bin/sh
# Starts this pod's Kafka node (broker or KRaft controller, the first argument), with the cluster's static quorum:
# - writes the effective server.properties: the role's file from the ConfigMap, then node.id (the ordinal; controllers
#   from CONTROLLER_NODE_ID_OFFSET), controller.quorum.voters, and for brokers advertised.listeners at the pod's DNS
#   name and broker.rack (the zone, RACK_SOURCE); a broker whose zone is unknown does not start;
# - formats the volume once: a volume without meta.properties is formatted for CLUSTER_ID; one with it starts only
#   when its cluster.id and node.id are this pod's, so a volume formatted for another cluster (or moved to another
#   ordinal) never joins this one;
# - ends by exec'ing kafka-server-start.sh, which is then PID 1 and gets SIGTERM (a controlled shutdown).
set -eu
# shellcheck source=kafka-common.sh
. "$SCRIPTS_DIR/kafka-common.sh"

ROLE=${1:?usage: start-kafka.sh broker|controller}
case "$ROLE" in
  broker | controller) ;;
  *)
    log "unknown role $ROLE: broker or controller"
    exit 2
    ;;
esac
ORDINAL=$(ordinal)
NODE_ID=$(node_id "$ROLE" "$ORDINAL")
META="$DATA_DIR/meta.properties"

umask 077
mkdir -p "$RUN_DIR" "$DATA_DIR"
# RUN_DIR outlives a container restart: what the readiness gate remembers belongs to the previous JVM.
rm -f "$CAUGHT_UP_MARKER"

rack() {
  case "$RACK_SOURCE" in
    node-label)
      rack_value=$(cat "$RACK_FILE" 2>/dev/null || true)
      rack_origin="$RACK_FILE (written by rack-from-node.sh)"
      ;;
    pod-label)
      rack_value=${POD_ZONE:-}
      rack_origin="the pod label $ZONE_LABEL (downward API)"
      ;;
    *)
      return 0
      ;;
  esac
  if [ -z "$rack_value" ]; then
    log "refusing to start: no zone in $rack_origin; a broker without broker.rack could hold every copy of a partition in one zone"
    return 1
  fi
  printf 'broker.rack=%s\n' "$rack_value"
}

SERVER_PROPERTIES="$RUN_DIR/server.properties"
{
  cat "$CONFIG_DIR/$ROLE.properties"
  printf 'node.id=%s\n' "$NODE_ID"
  printf 'controller.quorum.voters=%s\n' "$(quorum_voters)"
  if [ "$ROLE" = broker ]; then
    SELF=$(pod_host)
    printf 'advertised.listeners=CLIENT://%s:%s,REPLICATION://%s:%s\n' "$SELF" "$CLIENT_PORT" "$SELF" "$REPLICATION_PORT"
  fi
} >"$SERVER_PROPERTIES.new"
if [ "$ROLE" = broker ]; then
  rack >>"$SERVER_PROPERTIES.new"
fi
mv "$SERVER_PROPERTIES.new" "$SERVER_PROPERTIES"

if [ -f "$META" ]; then
  stored_cluster=$(property "$META" cluster.id)
  stored_node=$(property "$META" node.id)
  if [ "$stored_cluster" != "$CLUSTER_ID" ]; then
    log "refusing to start: $DATA_DIR was formatted for cluster $stored_cluster, and this pod belongs to cluster $CLUSTER_ID; a volume of another cluster must never join this one (delete the claim only if its data is not needed)"
    exit 1
  fi
  if [ "$stored_node" != "$NODE_ID" ]; then
    log "refusing to start: $DATA_DIR holds node $stored_node of cluster $CLUSTER_ID, and this pod is node $NODE_ID; two nodes with one volume's identity would split its replicas"
    exit 1
  fi
  log "$DATA_DIR is formatted for cluster $CLUSTER_ID as node $NODE_ID: starting on it"
else
  log "formatting $DATA_DIR for cluster $CLUSTER_ID as node $NODE_ID (first start of this volume)"
  # `=` keeps an id starting with "-" from reading as a flag (KAFKA-15754).
  if ! kafka_format_output=$(TOOL_TIMEOUT_SECONDS=120 kafka_tool kafka-storage.sh format --cluster-id="$CLUSTER_ID" --config="$SERVER_PROPERTIES" 2>&1); then
    log "formatting failed: $kafka_format_output"
    exit 1
  fi
  log "$kafka_format_output"
  if [ "$(property "$META" cluster.id 2>/dev/null)" != "$CLUSTER_ID" ]; then
    log "refusing to start: kafka-storage.sh format reported success but $META does not hold cluster $CLUSTER_ID"
    exit 1
  fi
fi

KAFKA_OPTS="${KAFKA_OPTS:+$KAFKA_OPTS }-javaagent:$JMX_EXPORTER_JAR=$METRICS_PORT:$CONFIG_DIR/jmx-exporter.yaml"
KAFKA_HEAP_OPTS="-Xms${HEAP_MEBIBYTES}m -Xmx${HEAP_MEBIBYTES}m"
export KAFKA_OPTS KAFKA_HEAP_OPTS
exec "$BIN_DIR/kafka-server-start.sh" "$SERVER_PROPERTIES"
