#!/bin/bash
# The probes of a Kafka pod: `probe-kafka.sh ROLE KIND`, ROLE broker or controller, KIND startup or readiness. What
# each answers, and why:
# - broker startup: the broker answers Kafka requests and the cluster's metadata lists it (kafka-broker-api-versions.sh
#   on its replication listener): log recovery and registration are over.
# - broker readiness: the broker state is RUNNING (3, from the JMX exporter agent in the JVM), and since this JVM
#   started it once had no under-replicated partition. A StatefulSet rolls the next broker only once this one is ready,
#   so a restarted broker that is still catching up (its partitions under-replicated) holds the roll; after that first
#   pass only the state counts, so another broker's trouble never takes this one out of the Service.
# - controller readiness: the metadata quorum has a leader and lists this controller among its voters
#   (kafka-metadata-quorum.sh): the next controller restarts only while the quorum can still decide.
# Liveness is a TCP check of the listener in the manifests: a JVM tool per liveness check would restart a busy broker.
# bash, for /dev/tcp: the apache/kafka image has neither curl nor wget.
set -eu
# shellcheck source=kafka-common.sh
. "$SCRIPTS_DIR/kafka-common.sh"

ROLE=${1:?usage: probe-kafka.sh broker|controller startup|readiness}
KIND=${2:?usage: probe-kafka.sh broker|controller startup|readiness}
NODE_ID=$(node_id "$ROLE" "$(ordinal)")
BROKER_STATE_RUNNING=3

# not_ready REASON: the probe fails and says why (kubelet records it in the pod's events).
not_ready() {
  printf '%s\n' "$*"
  exit 1
}

# metric NAME: the value of a series without labels from the JMX exporter agent, or nothing.
metric() {
  printf '%s\n' "$METRICS" | awk -v name="$1" '$1 == name || index($1, name "{") == 1 { print $2; exit }'
}

broker_startup() {
  if ! versions=$(kafka_tool kafka-broker-api-versions.sh --bootstrap-server "localhost:$REPLICATION_PORT" 2>&1); then
    not_ready "the broker does not answer Kafka requests on localhost:$REPLICATION_PORT yet: $(printf '%s' "$versions" | tail -n 1)"
  fi
  own=$(printf '%s\n' "$versions" | grep "(id: $NODE_ID rack: " || true)
  if [ -z "$own" ]; then
    not_ready "the cluster's metadata does not list broker $NODE_ID yet"
  fi
  case "$own" in
    *'-> ERROR'*) not_ready "broker $NODE_ID is listed but does not answer: $own" ;;
  esac
}

# scrape: the agent's metrics page, by HTTP/1.0 over /dev/tcp (the agent closes the connection after the answer).
scrape() {
  exec 3<>"/dev/tcp/127.0.0.1/$METRICS_PORT" || return 1
  printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  scrape_response=$(timeout 3 cat <&3) || return 1
  exec 3<&-
  case "$scrape_response" in
    'HTTP/1.'?' 200'*) printf '%s\n' "$scrape_response" | tr -d '\r' | sed '1,/^$/d' ;;
    *) return 1 ;;
  esac
}

broker_readiness() {
  if ! METRICS=$(scrape 2>/dev/null); then
    not_ready "the JMX exporter agent does not answer on port $METRICS_PORT"
  fi
  state=$(metric kafka_server_kafkaserver_brokerstate)
  if [ -z "$state" ]; then
    not_ready "no broker state in the metrics yet"
  fi
  if ! awk -v state="$state" -v running="$BROKER_STATE_RUNNING" 'BEGIN { exit !(state + 0 == running) }'; then
    not_ready "broker state $state, not RUNNING ($BROKER_STATE_RUNNING)"
  fi
  [ -f "$CAUGHT_UP_MARKER" ] && return 0
  under_replicated=$(metric kafka_server_replicamanager_underreplicatedpartitions)
  if [ -z "$under_replicated" ] || ! awk -v count="$under_replicated" 'BEGIN { exit !(count + 0 == 0) }'; then
    not_ready "catching up after its start: ${under_replicated:-an unknown number of} under-replicated partitions"
  fi
  : >"$CAUGHT_UP_MARKER"
}

controller_readiness() {
  if ! status=$(kafka_tool kafka-metadata-quorum.sh --bootstrap-controller "localhost:$CONTROLLER_PORT" describe --status 2>&1); then
    not_ready "the metadata quorum does not answer on localhost:$CONTROLLER_PORT: $(printf '%s' "$status" | tail -n 1)"
  fi
  leader=$(printf '%s\n' "$status" | sed -n 's/^LeaderId:[[:space:]]*//p')
  case "$leader" in
    '' | -* | *[!0-9]*) not_ready "the metadata quorum has no leader (LeaderId: ${leader:-missing})" ;;
  esac
  voters=$(printf '%s\n' "$status" | sed -n 's/^CurrentVoters:[[:space:]]*//p')
  case "$voters" in
    *"\"id\": $NODE_ID,"* | *"\"id\":$NODE_ID,"* | *"\"id\": $NODE_ID}"* | *"\"id\":$NODE_ID}"*) ;;
    *) not_ready "controller $NODE_ID is not among the quorum's voters: $voters" ;;
  esac
}

case "$ROLE $KIND" in
  'broker startup') broker_startup ;;
  'broker readiness') broker_readiness ;;
  'controller readiness') controller_readiness ;;
  *)
    printf 'no %s probe for a %s\n' "$KIND" "$ROLE" >&2
    exit 2
    ;;
esac
