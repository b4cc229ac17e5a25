# shellcheck shell=sh
# Functions shared by the Kafka pod scripts. Sourced, never run.
# Every node is addressed by its stable pod DNS name, never by an IP address: clients cache the advertised addresses,
# and a pod that comes back with a new IP keeps its name.

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

# ordinal: the pod's index in its StatefulSet, from its name (`<set>-<n>`).
ordinal() {
  ordinal_value=${POD_NAME##*-}
  case "$ordinal_value" in
    '' | *[!0-9]*)
      log "cannot read an ordinal from the pod name $POD_NAME"
      return 1
      ;;
  esac
  printf '%s' "$ordinal_value"
}

# node_id ROLE ORDINAL: brokers take their ordinal, controllers CONTROLLER_NODE_ID_OFFSET plus theirs.
node_id() {
  if [ "$1" = controller ]; then
    printf '%s' "$((CONTROLLER_NODE_ID_OFFSET + $2))"
  else
    printf '%s' "$2"
  fi
}

pod_host() {
  printf '%s.%s.%s.svc.%s' "$POD_NAME" "$HEADLESS_SERVICE" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

controller_host() {
  printf '%s-%s.%s.%s.svc.%s' "$CONTROLLER_STATEFULSET" "$1" "$CONTROLLER_SERVICE" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

# quorum_voters: `controller.quorum.voters`, the static quorum every node of the cluster is started with.
quorum_voters() {
  voters=''
  voter=0
  while [ "$voter" -lt "$CONTROLLERS" ]; do
    voters="$voters${voters:+,}$((CONTROLLER_NODE_ID_OFFSET + voter))@$(controller_host "$voter"):$CONTROLLER_PORT"
    voter=$((voter + 1))
  done
  printf '%s' "$voters"
}

# property FILE KEY: the value of KEY in a properties file (the last one, as Java reads it), or nothing.
property() {
  sed -n "s/^[[:space:]]*$(printf '%s' "$2" | sed 's/\./\\./g')[[:space:]]*[=:][[:space:]]*//p" "$1" | tail -n 1
}

# kafka_tool TOOL ARGS...: a Kafka command-line tool in a JVM of its own. The server's KAFKA_OPTS would load the JMX
# exporter agent a second time (its port is taken: the tool dies) and KAFKA_HEAP_OPTS would give the tool the broker's
# heap, so both are replaced; the timeout keeps a hung tool from outliving its probe.
kafka_tool() {
  kafka_tool_name=$1
  shift
  KAFKA_OPTS='' KAFKA_HEAP_OPTS="-Xms32m -Xmx${TOOL_HEAP_MEBIBYTES:-128}m" KAFKA_JMX_OPTS='' \
    timeout "${TOOL_TIMEOUT_SECONDS:-20}" "$BIN_DIR/$kafka_tool_name" "$@"
}
