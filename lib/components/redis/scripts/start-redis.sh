#!/bin/sh
# Starts Redis in the role the sentinel majority gives this pod, so a restarted or empty node never comes back
# as a second master and never becomes the source that wipes its replicas:
# - the sentinels name another pod as master: start as its replica;
# - the sentinels have never seen a replica or a failover (a new set): ordinal 0 starts as the first master;
# - the sentinels name this pod (it restarted faster than down-after-milliseconds): while a replica is still
#   replicating from the lost process, or a peer was already promoted, wait for the sentinels to name the new master
#   and start as its replica; with neither and no failover under way, resume as master only when its data volume
#   holds the set's data (see DATA_MARKER). An empty CACHE pod starts empty after failover-timeout (every node lost
#   its data: a full outage of a cache); an empty SYSTEM_OF_RECORD pod waits.
set -eu
# shellcheck source=common.sh
. "$SCRIPTS_DIR/common.sh"

SELF=$(redis_host "$(ordinal)")
RUNTIME_CONFIG="$RUN_DIR/redis.conf"
PASSWORD_CONF=''
if [ -n "${REDIS_PASSWORD:-}" ]; then
  PASSWORD_CONF=$(conf_quote "$REDIS_PASSWORD")
fi
FAILOVER_TIMEOUT_SECONDS=$((FAILOVER_TIMEOUT_MILLISECONDS / 1000))

# Written on the data volume once the volume holds the set's data: after a replica's first complete sync, once the
# append-only file that sync produced is on disk, or when this pod starts a new set. Files alone prove nothing: Redis
# creates appendonlydir (an empty base and incr file) the moment it starts with appendonly yes, before any sync, and
# an emptied pod that crashed then would otherwise count as holding data, be promoted, and wipe the others.
DATA_MARKER="$DATA_DIR/stability-blueprints-synced"

data_present() {
  [ -s "$DATA_MARKER" ] && { [ -d "$DATA_DIR/appendonlydir" ] || [ -s "$DATA_DIR/dump.rdb" ]; }
}

# record_data REASON: marks the data volume as holding the set's data (the reason and the offset, for the logs).
record_data() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" >"$DATA_MARKER.next"
  mv "$DATA_MARKER.next" "$DATA_MARKER"
}

# write_config PRIORITY [REPLICAOF_HOST]: the static configuration plus what only this pod knows.
write_config() {
  umask 077
  {
    printf 'include %s/redis.conf\n' "$CONFIG_DIR"
    printf 'dir %s\n' "$DATA_DIR"
    printf 'replica-announce-ip %s\n' "$SELF"
    printf 'replica-announce-port %s\n' "$REDIS_PORT"
    printf 'replica-priority %s\n' "$1"
    accepted_passwords
    if [ -n "$PASSWORD_CONF" ]; then
      printf 'masterauth %s\n' "$PASSWORD_CONF"
    fi
    if [ $# -gt 1 ]; then
      printf 'replicaof %s %s\n' "$2" "$REDIS_PORT"
    fi
  } >"$RUNTIME_CONFIG"
}

# A replica that starts without data must not be promoted before it has copied the master once: promoted empty, it
# would wipe every other replica. Every replica starts with priority 0 (never promoted; see start_replica_of) and gets
# its priority as soon as it has synced, when its memory holds every write the master acknowledged. Every CACHE
# replica starts without data: after a full outage of a cache, the sentinels would otherwise promote one of the empty
# replicas (any of them) while the pod they name waits out failover-timeout for a replica that kept its data. Polled
# every 0.2 s: sentinels read the priority once a second at best, and a failover they start meanwhile is refused and
# retried only after twice failover-timeout.
# The link is up once synced, unless the master failed within the 0.2 s between two looks, the very moment a
# replica must be promotable: the replication id the server took from the master at the sync, in place of the one it
# had when this script first looked (STARTING_REPLID), shows the sync all the same.
synced() {
  replication=$(rcli 127.0.0.1 "$REDIS_PORT" INFO replication 2>/dev/null) || return 1
  replid=$(printf '%s' "$replication" | info_field master_replid)
  STARTING_REPLID=${STARTING_REPLID:-$replid}
  [ "$(printf '%s' "$replication" | info_field master_sync_in_progress)" = 0 ] || return 1
  [ "$(printf '%s' "$replication" | info_field master_link_status)" = up ] || [ "$replid" != "$STARTING_REPLID" ]
}

# After a full sync Redis rewrites the append-only file from the synced data; until the rewrite is done, the files on
# the volume do not hold it, and a pod restarted then would come back with the old ones. So the marker waits for the
# rewrite, but the priority does not: waiting for it left a large set unpromotable for as long as the rewrite took
# (minutes for gigabytes), and a master lost meanwhile was not failed over. A replica promoted before its rewrite is
# done is safe: the marker is removed when the sync is done, so if it crashes before the rewrite is, it restarts
# without one and never resumes as master (the sentinels fail over to a replica that synced from it); if it does not,
# it writes the marker as master.
persisted() {
  persistence=$(rcli 127.0.0.1 "$REDIS_PORT" INFO persistence 2>/dev/null) || return 1
  [ "$(printf '%s' "$persistence" | info_field aof_rewrite_in_progress)" = 0 ] &&
    [ "$(printf '%s' "$persistence" | info_field aof_rewrite_scheduled)" = 0 ] &&
    [ "$(printf '%s' "$persistence" | info_field aof_last_bgrewrite_status)" = ok ] &&
    [ "$(printf '%s' "$persistence" | info_field aof_last_write_status)" = ok ]
}

# The master's name does not resolve: the pod the sentinels remember is not scheduled (a lost zone, a full outage).
# A cache holds nothing worth waiting for, and a replica with the marker holds the set's data as of its last sync:
# after ABSENT_MASTER_GRACE_SECONDS they may be promoted, so the sentinels fail over to a running pod instead of
# waiting for one that may never come. An empty pod of a system of record waits: it must never become the source
# that the others copy.
ABSENT_MASTER_GRACE_SECONDS=2

raise_priority_once_synced() {
  absent_since=''
  while :; do
    sleep 0.2
    if synced; then
      # A marker from before this sync describes older data than the sync brought; kept while the rewrite runs, a
      # crash then would bring the pod back with the old files and a marker that vouches for them.
      if [ "$DATA_CLASS" != cache ]; then
        rm -f "$DATA_MARKER"
      fi
      if rcli 127.0.0.1 "$REDIS_PORT" CONFIG SET replica-priority "$REPLICA_PRIORITY" >/dev/null; then
        break
      fi
    elif getent hosts "$1" >/dev/null 2>&1; then
      absent_since=''
    elif [ -z "$absent_since" ]; then
      absent_since=$(date +%s)
      if [ "$DATA_CLASS" != cache ] && ! data_present; then
        log "the master $1 does not resolve (its pod is not scheduled); this pod has no copy of the data yet and stays unpromotable until it has synced from the master"
      fi
    elif { [ "$DATA_CLASS" = cache ] || data_present; } && [ $(($(date +%s) - absent_since)) -ge "$ABSENT_MASTER_GRACE_SECONDS" ] &&
      rcli 127.0.0.1 "$REDIS_PORT" CONFIG SET replica-priority "$REPLICA_PRIORITY" >/dev/null; then
      log "the master $1 has not resolved for ${ABSENT_MASTER_GRACE_SECONDS}s (its pod is not scheduled); this pod may be promoted: replica-priority $REPLICA_PRIORITY"
      return 0
    fi
  done
  log "first sync done; replica-priority $REPLICA_PRIORITY"
  if [ "$DATA_CLASS" != cache ]; then
    offset=$(printf '%s' "$replication" | info_field master_repl_offset)
    until persisted; do
      sleep 0.2
    done
    record_data "first sync from $1 done, offset $offset"
    log "the append-only file rewritten after the first sync is on disk: this volume holds the set's data"
  fi
}

# Every replica starts at priority 0, with data or without, until it has synced from the master it is given: after a
# full outage the sentinels, which see every replica within a second, would otherwise promote a replica while the
# master they remember, which may hold writes no replica has, is still starting.
start_replica_of() {
  write_config 0 "$1"
  raise_priority_once_synced "$1" &
  log "starting as a replica of $1"
  exec redis-server "$RUNTIME_CONFIG"
}

start_master() {
  write_config "$REPLICA_PRIORITY"
  log "starting as master: $1"
  exec redis-server "$RUNTIME_CONFIG"
}

# A new set only when every sentinel that answers, and at least a majority of them, has never seen a replica or a
# failover. One sentinel is not enough: a sentinel that lost its volume (or has not reached the master since it
# started) knows no replica either, and would have an empty pod 0 start as master and wipe its replicas.
new_set() {
  i=0
  fresh=0
  while [ "$i" -lt "$SENTINELS" ]; do
    if answer=$(rcli "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL MASTER "$MASTER_SET" 2>/dev/null) && [ -n "$answer" ]; then
      answer=$(printf '%s\n' "$answer" | tr -d '\r')
      [ "$(printf '%s\n' "$answer" | sed -n '/^num-slaves$/{n;p;q;}')" = 0 ] || return 1
      [ "$(printf '%s\n' "$answer" | sed -n '/^config-epoch$/{n;p;q;}')" = 0 ] || return 1
      fresh=$((fresh + 1))
    fi
    i=$((i + 1))
  done
  [ "$fresh" -ge $((SENTINELS / 2 + 1)) ]
}

# A peer is still replicating from the lost process (this pod): it holds everything this pod acknowledged, and its
# offset is frozen until a failover.
live_replica_exists() {
  i=0
  while [ "$i" -lt "$REPLICAS" ]; do
    if [ "$i" != "$(ordinal)" ]; then
      replication=$(rcli "$(redis_host "$i")" "$REDIS_PORT" INFO replication 2>/dev/null || true)
      offset=$(printf '%s' "$replication" | info_field master_repl_offset)
      if [ "$(printf '%s' "$replication" | info_field role)" = slave ] &&
        [ "$(printf '%s' "$replication" | info_field master_host)" = "$SELF" ] &&
        [ "${offset:-0}" -gt 0 ] 2>/dev/null; then
        return 0
      fi
    fi
    i=$((i + 1))
  done
  return 1
}

# promoted_peer: prints the name of a peer that answers role:master. The leader of a failover ends it as soon as it
# has promoted a replica and pointed the others at it; until its hello reaches them, a majority of sentinels still
# names this pod, and no replica of this pod and no failover under way is left to see.
promoted_peer() {
  i=0
  while [ "$i" -lt "$REPLICAS" ]; do
    if [ "$i" != "$(ordinal)" ]; then
      peer=$(redis_host "$i")
      if [ "$(rcli "$peer" "$REDIS_PORT" INFO replication 2>/dev/null | info_field role)" = master ]; then
        printf '%s' "$peer"
        return 0
      fi
    fi
    i=$((i + 1))
  done
  return 1
}

# A sentinel is running a failover of the master set.
failover_in_progress() {
  i=0
  while [ "$i" -lt "$SENTINELS" ]; do
    flags=$(rcli "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL MASTER "$MASTER_SET" 2>/dev/null | tr -d '\r' | sed -n '/^flags$/{n;p;q;}')
    case ",$flags," in
      *,failover_in_progress,*) return 0 ;;
    esac
    i=$((i + 1))
  done
  return 1
}

mkdir -p "$DATA_DIR" "$RUN_DIR"
# A CACHE persists nothing, but a replica's full sync leaves the master's snapshot in dump.rdb, and the emptyDir
# keeps it across container restarts: loaded, it would bring back old values (and data_present would take it for
# this pod's data). A CACHE always starts empty.
if [ "$DATA_CLASS" = cache ]; then
  rm -f "$DATA_DIR/dump.rdb"
fi
cache_bootstrap_after=''
while :; do
  if ! master=$(consensus_master); then
    log "waiting for a majority of the $SENTINELS sentinels to name the master of $MASTER_SET"
    sleep 2
    continue
  fi
  if [ "$master" != "$SELF" ]; then
    start_replica_of "$master"
  fi
  if new_set; then
    record_data "a new set"
    start_master "a new set"
  fi
  # This pod's server is not running, so the sentinels find the master down after down-after-milliseconds and fail it
  # over themselves: an elected leader picks the replica by the offsets it reads every second once the master is
  # objectively down. Asking a sentinel for a failover as well would race with that election (two leaders of two
  # epochs promote two replicas and each demotes the other's: a replication loop without a master). A failover that
  # finds no replica to promote is retried after twice failover-timeout; resuming as master meanwhile would make two
  # masters, and the replicas, resyncing from this pod, would drop writes it lost.
  if live_replica_exists || failover_in_progress; then
    log "waiting for the sentinels to promote a replica of this pod"
    sleep 2
    continue
  fi
  if peer=$(promoted_peer); then
    log "the sentinels still name this pod, but $peer answers role:master: waiting for the sentinels to name it"
    sleep 1
    continue
  fi
  if data_present; then
    start_master "no replica holds newer data than this pod's data directory ($(cat "$DATA_MARKER"))"
  fi
  # Whichever pod the sentinels name: its replicas started empty too, and cannot be promoted before it serves.
  if [ "$DATA_CLASS" = cache ]; then
    now=$(date +%s)
    cache_bootstrap_after=${cache_bootstrap_after:-$((now + FAILOVER_TIMEOUT_SECONDS))}
    if [ "$now" -ge "$cache_bootstrap_after" ]; then
      start_master "every node of the cache is empty"
    fi
  fi
  log "the sentinels name this empty pod as master and no replica can take over; waiting"
  sleep 2
done
