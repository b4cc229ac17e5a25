import type { Size } from 'cdk8s';
import type { MonitoringProps, PodPlacementProps } from '../../core/component-props';
import type { DataClass, Tier } from '../../core/tier';

/** How often Redis fsyncs its append-only file (SYSTEM_OF_RECORD only). */
export enum AppendFsync {
  /** At most one second of writes lost when the node, not only the process, crashes. */
  EVERY_SECOND = 'everysec',
  /** Every write is on disk before it is answered; slower by the disk's fsync latency. */
  ALWAYS = 'always',
}

/** What Redis does when `maxmemory` is reached. */
export enum EvictionPolicy {
  /** Writes fail; nothing is dropped. The only policy allowed for SYSTEM_OF_RECORD. */
  NO_EVICTION = 'noeviction',
  ALLKEYS_LRU = 'allkeys-lru',
  ALLKEYS_LFU = 'allkeys-lfu',
  VOLATILE_LRU = 'volatile-lru',
  VOLATILE_LFU = 'volatile-lfu',
  VOLATILE_TTL = 'volatile-ttl',
}

export interface RedisSentinelProps extends PodPlacementProps, MonitoringProps {
  /**
   * Whether the data is a disposable cache or a system of record; picks persistence, durability and eviction.
   *
   * @default DataClass.SYSTEM_OF_RECORD
   */
  readonly dataClass?: DataClass;

  /**
   * The tier whose profile sets replicas, spread, priority and failover timings.
   *
   * @default - the scenario's tier
   */
  readonly tier?: Tier;

  /**
   * Redis pods: one master, the rest replicas.
   *
   * @default - the tier's replicas (3; 2 for BEST_EFFORT)
   */
  readonly replicas?: number;

  /**
   * Sentinel pods. An odd number of at least 3, so a majority survives the loss of one.
   *
   * @default 3
   */
  readonly sentinels?: number;

  /**
   * Sentinels that must agree a master is down before a failover starts. Between a majority of the sentinels and
   * one fewer than all of them, so that neither a minority nor a single lost sentinel decides.
   *
   * @default - a majority of the sentinels
   */
  readonly quorum?: number;

  /**
   * The name sentinels know the set by; clients ask for the master by it.
   *
   * @default - the construct id
   */
  readonly masterSetName?: string;

  /**
   * How long a master must be unreachable before a sentinel considers it down (`down-after-milliseconds`).
   *
   * @default - the tier's failure detection time (5000 for CRITICAL and HIGH)
   */
  readonly downAfterMilliseconds?: number;

  /**
   * Sentinel `failover-timeout`. Also how long the empty CACHE pod the sentinels name as master waits before it
   * bootstraps a set whose every node lost its data.
   *
   * @default - the tier's failover timeout (10000 for CRITICAL, 30000 for HIGH)
   */
  readonly failoverTimeoutMilliseconds?: number;

  /**
   * Replicas that resynchronise with a new master at the same time after a failover.
   *
   * @default 1
   */
  readonly parallelSyncs?: number;

  /**
   * Replicas that must be connected and recent for the master to accept writes (`min-replicas-to-write`).
   *
   * @default - 1 for SYSTEM_OF_RECORD, 0 for CACHE
   */
  readonly minReplicasToWrite?: number;

  /**
   * How stale, in seconds, a replica may be and still count for `minReplicasToWrite` (`min-replicas-max-lag`).
   * At least 3 s below the sentinels' detection time, so an isolated master stops taking writes before a failover
   * starts: Redis counts the lag in whole seconds and recounts once a second, and the last acknowledgement and the
   * sentinels' last PONG can each be a second old when the master is cut off.
   *
   * @default - downAfterMilliseconds in seconds, minus 3, and at least 1
   */
  readonly minReplicasMaxLagSeconds?: number;

  /**
   * fsync policy of the append-only file. SYSTEM_OF_RECORD only: a CACHE has no persistence.
   *
   * @default AppendFsync.EVERY_SECOND
   */
  readonly appendFsync?: AppendFsync;

  /**
   * What happens when `maxmemory` is reached. SYSTEM_OF_RECORD allows only NO_EVICTION.
   *
   * @default - NO_EVICTION for SYSTEM_OF_RECORD, ALLKEYS_LRU for CACHE
   */
  readonly evictionPolicy?: EvictionPolicy;

  /**
   * Peak rate of replicated writes, in MiB of commands per second, that the replication backlog is sized for:
   * `repl-backlog-size` is this rate times `replicaOutageToResumeSeconds`. A replica that reconnects within that
   * time resumes with a partial resync; one away longer needs a full resync, during which it is not ready and
   * blocks drains through the disruption budget. Redis's own default backlog (1 MiB) covers about a second.
   *
   * @default 1
   */
  readonly peakWriteMebibytesPerSecond?: number;

  /**
   * How long a replica may be disconnected (a network blip, a restart of its pod) and still resume with a
   * partial resync; see `peakWriteMebibytesPerSecond`. The backlog must fit in a tenth of `memory`.
   *
   * @default 60 - or less when 60 s at the peak rate would not fit in a tenth of `memory`
   */
  readonly replicaOutageToResumeSeconds?: number;

  /**
   * Memory request of a Redis container; the limit equals it.
   *
   * @default Size.gibibytes(1)
   */
  readonly memory?: Size;

  /**
   * CPU request of a Redis container, in millicores. There is no CPU limit: throttling stalls replication.
   *
   * @default 500
   */
  readonly cpuMillis?: number;

  /**
   * Redis `maxmemory`. At most the memory request; the default leaves half of the request for replica output
   * buffers (20%) and for fork copy-on-write during AOF rewrites and full syncs plus allocator fragmentation (30%).
   *
   * @default - half of `memory`
   */
  readonly maxmemory?: Size;

  /**
   * Size of each Redis data volume (SYSTEM_OF_RECORD). A CACHE keeps no data on disk.
   *
   * @default - four times `memory`, room for the AOF and its rewrite
   */
  readonly storageSize?: Size;

  /**
   * Storage class of the Redis and Sentinel volumes. Use one with `volumeBindingMode: WaitForFirstConsumer`:
   * an `Immediate` class binds each volume to a zone before the pod is scheduled, defeating the zone spread.
   *
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;

  /**
   * Size of each sentinel's state volume (its rewritten sentinel.conf). Providers round it up to their minimum.
   *
   * @default Size.mebibytes(256)
   */
  readonly sentinelStorageSize?: Size;

  /**
   * Memory request and limit of a sentinel container.
   *
   * @default Size.mebibytes(128)
   */
  readonly sentinelMemory?: Size;

  /**
   * CPU request of a sentinel container, in millicores.
   *
   * @default 50
   */
  readonly sentinelCpuMillis?: number;

  /**
   * Require a password from clients, replicas and sentinels. The password is read from a Secret the team creates
   * (`passwordSecretName`); the construct never writes it to a manifest.
   *
   * @default true
   */
  readonly passwordAuthentication?: boolean;

  /**
   * Name of the Secret that holds the password.
   *
   * @default - `<id>-redis-auth`
   */
  readonly passwordSecretName?: string;

  /**
   * Key of the password in that Secret.
   *
   * @default 'password'
   */
  readonly passwordSecretKey?: string;

  /**
   * Key of a second password in the same Secret, which Redis and the sentinels accept as well as `passwordSecretKey`'s
   * but never send themselves. It lets the password change without a moment in which pods, or pods and clients,
   * disagree on it (see "Changing the password" in the README): put the new password here and roll the pods, then
   * swap the two keys and roll again, then remove this key and roll a last time. The key is optional in the Secret.
   *
   * @default 'also-accepted-password'
   */
  readonly passwordSecretAlsoAcceptedKey?: string;

  /**
   * A version of the password Secret, written on the pod templates of Redis, the sentinels and the master endpoint.
   * Pods read the Secret only when they start, and a change of the Secret alone changes nothing in the manifests:
   * changing this value rolls every pod, so each step of a password change takes effect.
   *
   * @default - no version: changing the Secret does not restart any pod
   */
  readonly passwordSecretVersion?: string;

  /**
   * A master endpoint for clients that are not Sentinel-aware: a Deployment of two HAProxy pods (spread, with a
   * disruption budget, restricted security) behind the ClusterIP Service `<id>-master`, which forwards each connection
   * to the Redis pod that answers `role:master` and closes the connections of a pod as soon as it stops answering so.
   * A connection that was open on a failed master fails; the client reconnects and reaches the new master.
   *
   * @default false
   */
  readonly masterEndpoint?: boolean;

  /**
   * The HAProxy image of the master endpoint. It needs HAProxy 2.6 or later (`tcp-check send-binary`, resolvers with
   * `parse-resolv-conf`, `monitor-uri`), `sh`, `od`, `tr` and `wc`, as the official Debian-based images have.
   *
   * @default HAPROXY_IMAGE (haproxy:3.2.19)
   */
  readonly masterEndpointImage?: string;

  /**
   * Upper bound of the master's preStop handover: pausing writes, waiting for replicas to catch up, and the
   * failover to another node.
   *
   * @default 30
   */
  readonly handoverTimeoutSeconds?: number;

  /**
   * Redis `shutdown-timeout`: how long a stopping master waits for its replicas to catch up.
   *
   * @default 10
   */
  readonly shutdownTimeoutSeconds?: number;

  /**
   * Grace period of a Redis pod. At least the handover budget plus `shutdownTimeoutSeconds` plus 5 s.
   *
   * @default - handoverTimeoutSeconds + shutdownTimeoutSeconds + 5
   */
  readonly terminationGracePeriodSeconds?: number;

  /**
   * Seconds a new Redis pod must stay ready before a rolling update moves on.
   *
   * @default 10
   */
  readonly minReadySeconds?: number;

  /**
   * The Redis image, used for Redis and Sentinel. The scripts need Redis 7.0 or later: multi-part AOF
   * (`appendonlydir`), `shutdown-timeout`, `SENTINEL DEBUG INFO-PERIOD`, `CLIENT PAUSE ... WRITE`,
   * `resolve-hostnames` / `announce-hostnames`, `CONFIG SET replica-priority`, and the INFO fields
   * `master_link_status`, `master_sync_in_progress`, `master_repl_offset`, `aof_rewrite_in_progress`,
   * `aof_rewrite_scheduled`, `aof_last_bgrewrite_status` and `aof_last_write_status`. The image must provide `sh`,
   * `redis-server`, `redis-sentinel`, `redis-cli`, `timeout`, `getent` and the coreutils the scripts use
   * (the official Debian-based `redis:<version>-bookworm` images do).
   *
   * @default REDIS_IMAGE (redis:7.4.11-bookworm)
   */
  readonly image?: string;

  /**
   * Redis port.
   *
   * @default 6379
   */
  readonly redisPort?: number;

  /**
   * Sentinel port.
   *
   * @default 26379
   */
  readonly sentinelPort?: number;

  /**
   * The redis_exporter image.
   *
   * @default REDIS_EXPORTER_IMAGE
   */
  readonly exporterImage?: string;

  /**
   * Port of the exporter sidecars.
   *
   * @default 9121
   */
  readonly metricsPort?: number;
}
