#!/bin/sh
# Starts a sentinel from the state it persisted (the last master it knew, the replicas and sentinels, the epochs),
# so that after a full outage the set comes back with the master the sentinels last agreed on. A sentinel
# without state asks its peers, and only a brand-new set falls back to Redis pod 0.
set -eu
# shellcheck source=common.sh
. "$SCRIPTS_DIR/common.sh"

SELF=$(sentinel_host "$(ordinal)")
STATE="$DATA_DIR/sentinel.conf"
NEXT="$DATA_DIR/sentinel.conf.next"

remembered_master() {
  [ -s "$STATE" ] || return 1
  sed -n "s/^sentinel monitor $MASTER_SET \([^ ]*\) .*/\1/p" "$STATE" | head -n 1
}

master_known_to_peers() {
  i=0
  while [ "$i" -lt "$SENTINELS" ]; do
    if [ "$i" != "$(ordinal)" ]; then
      answer=$(rcli "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_SET" 2>/dev/null | head -n 1 | tr -d '\r')
      case "$answer" in
        '' | ERR* | *' '*) ;;
        *)
          printf '%s' "$answer"
          return 0
          ;;
      esac
    fi
    i=$((i + 1))
  done
  return 1
}

# A pod that is being rescheduled has no DNS record for a while, and a peer that already failed over knows a master
# that resolves: wait for either, for a bounded time. A remembered master whose pod is not scheduled at all (a lost
# zone) may never resolve; Sentinel 7 monitors the name anyway and fails it over once a replica can take over.
RESOLVE_WAIT_SECONDS=4
resolvable() {
  getent hosts "$1" >/dev/null 2>&1
}

# Sentinels read INFO of the master and the replicas every 10 s by default (SENTINEL_INFO_PERIOD), and learn of a
# replica only from the master's INFO: a master killed within 10 s of a replica's first sync left the sentinels
# knowing no replica (or its priority 0), the failover was refused, and retried only after twice failover-timeout,
# with the same outcome, since a dead master reports no replicas. Once a second, they know every replica and its
# priority before the master can fail. SENTINEL DEBUG is not persisted, so it is set after every start.
INFO_PERIOD_MILLISECONDS=1000
set_info_period() {
  until [ "$(rcli 127.0.0.1 "$SENTINEL_PORT" SENTINEL DEBUG INFO-PERIOD "$INFO_PERIOD_MILLISECONDS" 2>/dev/null | tr -d '\r')" = OK ]; do
    sleep 0.2
  done
  log "INFO period ${INFO_PERIOD_MILLISECONDS} ms"
}

mkdir -p "$DATA_DIR"
PASSWORD_CONF=''
if [ -n "${REDIS_PASSWORD:-}" ]; then
  PASSWORD_CONF=$(conf_quote "$REDIS_PASSWORD")
fi
master=$(remembered_master || true)
resolve_deadline=$(($(date +%s) + RESOLVE_WAIT_SECONDS))
until [ -n "$master" ] && { resolvable "$master" || [ "$(date +%s)" -ge "$resolve_deadline" ]; }; do
  from_peers=$(master_known_to_peers || true)
  if [ -n "$from_peers" ]; then
    master=$from_peers
  elif [ -z "$master" ]; then
    master=$(redis_host 0)
  fi
  resolvable "$master" || {
    log "waiting for $master to resolve"
    sleep 2
  }
done
resolvable "$master" || log "$master does not resolve after ${RESOLVE_WAIT_SECONDS}s; monitoring it anyway"

umask 077
{
  cat "$CONFIG_DIR/sentinel.conf"
  printf 'sentinel announce-ip %s\n' "$SELF"
  printf 'sentinel announce-port %s\n' "$SENTINEL_PORT"
  accepted_passwords
  if [ -n "$PASSWORD_CONF" ]; then
    printf 'sentinel sentinel-pass %s\n' "$PASSWORD_CONF"
  fi
  printf 'dir %s\n' "$DATA_DIR"
  grep -E '^sentinel (myid|current-epoch) ' "$STATE" 2>/dev/null || true
  printf 'sentinel monitor %s %s %s %s\n' "$MASTER_SET" "$master" "$REDIS_PORT" "$QUORUM"
  grep -E "^sentinel (config-epoch|leader-epoch|known-replica|known-sentinel) $MASTER_SET " "$STATE" 2>/dev/null || true
  printf 'sentinel down-after-milliseconds %s %s\n' "$MASTER_SET" "$DOWN_AFTER_MILLISECONDS"
  printf 'sentinel failover-timeout %s %s\n' "$MASTER_SET" "$FAILOVER_TIMEOUT_MILLISECONDS"
  printf 'sentinel parallel-syncs %s %s\n' "$MASTER_SET" "$PARALLEL_SYNCS"
  if [ -n "$PASSWORD_CONF" ]; then
    printf 'sentinel auth-pass %s %s\n' "$MASTER_SET" "$PASSWORD_CONF"
  fi
} >"$NEXT"
mv "$NEXT" "$STATE"
log "monitoring $MASTER_SET at $master"
set_info_period &
exec redis-sentinel "$STATE"
