# shellcheck shell=sh
# Functions shared by the Redis and Sentinel scripts. Sourced, never run.
# Every peer is addressed by its stable pod DNS name, never by an IP address: a pod that comes back with a new
# address keeps its name, so nothing stays pointed at a dead address.

# start-sentinel.sh has sentinels look at each replica every second; until it has (a sentinel that has just started)
# they look every 10 s (SENTINEL_INFO_PERIOD): a view older than that plus a margin is not coming.
# shellcheck disable=SC2034 # read by the scripts that source this file
SENTINEL_REFRESH_SECONDS=12

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
}

ordinal() {
  printf '%s' "${POD_NAME##*-}"
}

redis_host() {
  printf '%s-%s.%s.%s.svc.%s' "$REDIS_STATEFULSET" "$1" "$REDIS_SERVICE" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

sentinel_host() {
  printf '%s-%s.%s.%s.svc.%s' "$SENTINEL_STATEFULSET" "$1" "$SENTINEL_SERVICE" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

# rcli HOST PORT COMMAND...: one command with a bounded wait, so an unreachable peer never hangs a script.
rcli() {
  rcli_host=$1
  rcli_port=$2
  shift 2
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    REDISCLI_AUTH=$REDIS_PASSWORD timeout "${REDIS_CLI_TIMEOUT_SECONDS:-3}" redis-cli --no-auth-warning -h "$rcli_host" -p "$rcli_port" "$@"
  else
    timeout "${REDIS_CLI_TIMEOUT_SECONDS:-3}" redis-cli -h "$rcli_host" -p "$rcli_port" "$@"
  fi
}

# conf_quote VALUE: VALUE as a double-quoted string for redis.conf and sentinel.conf, whose parser reads \" and \\
# (and \n, \xHH, ...) as escapes: written verbatim, a password with a quote stops Redis, and one with a backslash
# silently becomes another password than the one clients send. A line break cannot be written at all.
conf_quote() {
  case "$1" in
    *'
'* | *"$(printf '\r')"*)
      log "a configuration value contains a line break"
      return 1
      ;;
  esac
  printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

# accepted_passwords: the configuration line that makes the server (Redis or a sentinel) require REDIS_PASSWORD, or
# either of REDIS_PASSWORD and REDIS_ALSO_ACCEPTED_PASSWORD while the password changes (ACL: two passwords of the
# default user). Nothing without a password.
accepted_passwords() {
  [ -n "${REDIS_PASSWORD:-}" ] || return 0
  if [ -n "${REDIS_ALSO_ACCEPTED_PASSWORD:-}" ] && [ "$REDIS_ALSO_ACCEPTED_PASSWORD" != "$REDIS_PASSWORD" ]; then
    accepted_current=$(conf_quote ">$REDIS_PASSWORD") || return 1
    accepted_also=$(conf_quote ">$REDIS_ALSO_ACCEPTED_PASSWORD") || return 1
    printf 'user default on %s %s ~* &* +@all\n' "$accepted_current" "$accepted_also"
  else
    accepted_current=$(conf_quote "$REDIS_PASSWORD") || return 1
    printf 'requirepass %s\n' "$accepted_current"
  fi
}

# info_field FIELD: reads FIELD from INFO output on stdin.
info_field() {
  tr -d '\r' | sed -n "s/^$1://p"
}

# The master that a majority of all sentinels name, or nothing (exit 1) when no majority agrees.
consensus_master() {
  consensus_votes=''
  consensus_i=0
  while [ "$consensus_i" -lt "$SENTINELS" ]; do
    consensus_answer=$(rcli "$(sentinel_host "$consensus_i")" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_SET" 2>/dev/null | head -n 1 | tr -d '\r')
    case "$consensus_answer" in
      '' | ERR* | *' '*) ;;
      *) consensus_votes="$consensus_votes$consensus_answer
" ;;
    esac
    consensus_i=$((consensus_i + 1))
  done
  consensus_top=$(printf '%s' "$consensus_votes" | sed '/^$/d' | sort | uniq -c | sort -rn | head -n 1)
  [ -n "$consensus_top" ] || return 1
  read -r consensus_count consensus_host <<VOTES
$consensus_top
VOTES
  [ "$consensus_count" -ge $((SENTINELS / 2 + 1)) ] || return 1
  printf '%s' "$consensus_host"
}

# sentinel_offset VIEW NAME: the replication offset of replica NAME (host:port) in a SENTINEL REPLICAS reply.
sentinel_offset() {
  printf '%s\n' "$1" | {
    key=''
    current=''
    while IFS= read -r line; do
      [ "$key" != name ] || current=$line
      if [ "$key" = slave-repl-offset ] && [ "$current" = "$2" ]; then
        printf '%s' "$line"
        return 0
      fi
      key=$line
    done
    return 1
  }
}

# A sentinel whose last look at every replica listed in LIVE_REPLICAS ("host:port offset" lines) saw that offset. Sentinels refresh a replica's state only
# every 10 s while the master is not known to be down, and pick the replica to promote by the offset they saw: asked
# with a stale view, a sentinel may promote a replica that lacks writes another replica acknowledged.
sentinel_with_current_view() {
  i=0
  while [ "$i" -lt "$SENTINELS" ]; do
    view=$(rcli "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL REPLICAS "$MASTER_SET" 2>/dev/null | tr -d '\r' || true)
    current=yes
    while read -r name offset; do
      [ "$(sentinel_offset "$view" "$name")" = "$offset" ] || current=''
    done <<REPLICAS
$LIVE_REPLICAS
REPLICAS
    if [ -n "$current" ]; then
      printf '%s' "$i"
      return 0
    fi
    i=$((i + 1))
  done
  return 1
}

# ask_failover INDEX: asks sentinel INDEX to fail the master over. Exit status 0 when it accepted or a failover is
# already under way, 2 when it has no replica to promote (-NOGOODSLAVE), 1 when it did not answer.
ask_failover() {
  failover_reply=$(rcli "$(sentinel_host "$1")" "$SENTINEL_PORT" SENTINEL FAILOVER "$MASTER_SET" 2>&1 || true)
  case "$failover_reply" in
    OK* | *INPROG*) return 0 ;;
    *NOGOODSLAVE*) return 2 ;;
  esac
  return 1
}

# Asks the sentinels, one after another, to fail the master over. Exit status 0 once one accepted or a failover is
# already under way, 2 when none accepted and a sentinel has no replica to promote (-NOGOODSLAVE), 1 when no
# sentinel answered. A -NOGOODSLAVE does not stop the round: a sentinel that has just started (or lost its state)
# knows no replica yet while the others do.
request_failover() {
  failover_i=0
  failover_refused=''
  while [ "$failover_i" -lt "$SENTINELS" ]; do
    if ask_failover "$failover_i"; then
      return 0
    elif [ $? -eq 2 ]; then
      failover_refused=yes
    fi
    failover_i=$((failover_i + 1))
  done
  [ -z "$failover_refused" ] || return 2
  return 1
}

# request_informed_failover VIEW_DEADLINE: asks a sentinel whose view of LIVE_REPLICAS is current to fail over, or
# any sentinel once VIEW_DEADLINE (epoch seconds) has passed. Exit status as ask_failover; 1 also while it waits.
request_informed_failover() {
  if informed_sentinel=$(sentinel_with_current_view); then
    ask_failover "$informed_sentinel"
  elif [ "$(date +%s)" -ge "$1" ]; then
    request_failover
  else
    return 1
  fi
}
