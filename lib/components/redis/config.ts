import type { RedisSentinelPlan } from './plan';

/**
 * The static part of redis.conf. What only the pod knows (its announced name, its role, the password) is added by
 * start-redis.sh into a runtime file that `include`s this one, so no password is ever written to a manifest.
 */
export function renderRedisConf(plan: RedisSentinelPlan): string {
  const durability = plan.persistentData
    ? ['appendonly yes', `appendfsync ${plan.appendFsync}`, 'aof-use-rdb-preamble yes', 'save ""']
    : ['appendonly no', 'save ""'];
  const replicaBufferMiB = Math.floor(plan.replicaOutputBufferBytes / (1024 * 1024));
  return [
    `port ${plan.redisPort}`,
    'bind * -::*',
    'protected-mode no',
    'daemonize no',
    'logfile ""',
    ...durability,
    `maxmemory ${plan.maxmemoryBytes}`,
    `maxmemory-policy ${plan.evictionPolicy}`,
    `min-replicas-to-write ${plan.minReplicasToWrite}`,
    `min-replicas-max-lag ${plan.minReplicasMaxLagSeconds}`,
    `client-output-buffer-limit replica ${replicaBufferMiB}mb ${Math.floor(replicaBufferMiB / 2)}mb 60`,
    `repl-backlog-size ${plan.replicationBacklogBytes}`,
    'repl-diskless-sync yes',
    'replica-read-only yes',
    `shutdown-timeout ${plan.shutdownTimeoutSeconds}`,
    '',
  ].join('\n');
}

/** The static part of sentinel.conf; start-sentinel.sh adds the persisted state and the monitored master. */
export function renderSentinelConf(plan: RedisSentinelPlan): string {
  return [
    `port ${plan.sentinelPort}`,
    'protected-mode no',
    'daemonize no',
    'logfile ""',
    'sentinel resolve-hostnames yes',
    'sentinel announce-hostnames yes',
    '',
  ].join('\n');
}
