import { haproxyTcpPreamble } from '../../core/haproxy';
import type { RedisSentinelPlan } from './plan';

/** Client connections one proxy of the master endpoint holds; with two 16 KiB buffers each, within its memory. */
export const MASTER_ENDPOINT_MAX_CONNECTIONS = 2000;

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

/**
 * haproxy.cfg of the master endpoint. Every Redis pod is a server, found by its stable DNS name at run time (a
 * rescheduled pod comes back with another address), and only the one that answers `role:master` gets connections.
 * QUIT is sent with INFO, so a replica's answer fails the check at once instead of at `timeout check`. Two failed
 * checks a second apart mark a server down and close its connections, so clients of a demoted master reconnect; one
 * passed check brings the new master in. start-haproxy.sh provides REDIS_AUTH_HEX and POD_NAMESPACE comes from the
 * downward API.
 */
export function renderMasterEndpointConf(plan: RedisSentinelPlan, clusterDomain: string, frontendPort: number, healthPort: number): string {
  const servers = Array.from(
    { length: plan.replicas },
    (_, ordinal) =>
      `  server ${plan.name}-redis-${ordinal} "${plan.name}-redis-${ordinal}.${plan.name}-redis-headless.\${POD_NAMESPACE}.svc.${clusterDomain}:${plan.redisPort}"`,
  );
  const authentication = plan.passwordSecret ? ['  tcp-check send-binary "${REDIS_AUTH_HEX}"', '  tcp-check expect string +OK'] : [];
  return [
    ...haproxyTcpPreamble({
      maxConnections: MASTER_ENDPOINT_MAX_CONNECTIONS,
      idleTimeout: '1h',
      idleTimeoutReason: 'Pooled connections idle for long, and BLPOP or XREAD block: an hour, with TCP keepalives to notice dead peers.',
    }),
    'frontend redis',
    `  bind :::${frontendPort} v4v6`,
    '  default_backend master',
    '',
    'backend master',
    '  option tcp-check',
    '  tcp-check connect',
    ...authentication,
    '  tcp-check send "INFO replication\\r\\nQUIT\\r\\n"',
    '  tcp-check expect string role:master',
    '  default-server check inter 1s fall 2 rise 1 on-marked-down shutdown-sessions resolvers cluster init-addr last,libc,none resolve-prefer ipv4',
    ...servers,
    '',
    'frontend health',
    '  mode http',
    '  timeout client 5s',
    `  bind :::${healthPort} v4v6`,
    '  monitor-uri /healthz',
    '',
  ].join('\n');
}
