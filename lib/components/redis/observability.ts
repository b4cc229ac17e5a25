import type { k8s } from 'cdk8s-plus-28';
import { secretEnv } from '../../core/container';
import { metricsSidecar } from '../../observability/component-monitoring';
import { grafanaDashboardModel, timeseriesPanel } from '../../observability/dashboard';
import { DataClass } from '../../core/tier';
import { alertDelaySeconds, AlertRule, AlertSeverity, podSetSelector } from '../../observability/monitoring';
import type { RedisSentinelPlan } from './plan';

/** The exporter shipped; the end-to-end alert test runs Debian's prometheus-redis-exporter 1.45 (see the README). */
export const REDIS_EXPORTER_IMAGE = 'oliver006/redis_exporter:v1.88.0';

/** PromQL label matchers that select the series of one set of pods, as the PodMonitor labels them. */
export interface SeriesSelectors {
  readonly redis: string;
  readonly sentinel: string;
}

export function seriesSelectors(plan: RedisSentinelPlan, namespace: string | undefined): SeriesSelectors {
  return { redis: podSetSelector(namespace, plan.name, 'redis'), sentinel: podSetSelector(namespace, plan.name, 'sentinel') };
}

/**
 * A redis_exporter sidecar for the Redis or Sentinel server of the pod. Pointed at a sentinel, the exporter detects
 * sentinel mode and exports the `redis_sentinel_*` series.
 */
export function exporterContainer(plan: RedisSentinelPlan, serverPort: number, securityContext: k8s.SecurityContext): k8s.Container {
  return metricsSidecar({
    image: plan.exporterImage,
    port: plan.metricsPort,
    env: [
      { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${serverPort}` },
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${plan.metricsPort}` },
      ...(plan.passwordSecret ? [secretEnv('REDIS_PASSWORD', plan.passwordSecret.name, plan.passwordSecret.key)] : []),
    ],
    securityContext,
  });
}

/**
 * The alerts of a set: instance down or vanished, no master or more than one, replication broken, sentinel quorum at
 * risk or lost, rejected connections, and for a SYSTEM_OF_RECORD memory near maxmemory, a set waiting for a master pod that is
 * gone, and persistence errors. Each waits the
 * tier's delay, longer than a normal failover, so a handled failure does not page.
 */
export function redisAlertRules(plan: RedisSentinelPlan, selectors: SeriesSelectors): AlertRule[] {
  const delay = alertDelaySeconds(plan.tier);
  const { redis, sentinel } = selectors;
  const systemOfRecord = plan.dataClass === DataClass.SYSTEM_OF_RECORD;
  const rules: AlertRule[] = [
    {
      alert: 'RedisInstanceDown',
      expr: `redis_up${redis} == 0 or up${redis} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `Redis ${plan.name}: {{ $labels.pod }} is down`,
      description: 'The exporter cannot reach Redis, or Prometheus cannot scrape the pod.',
    },
    {
      alert: 'RedisInstanceMissing',
      expr: `(count(up${redis} == 1) or vector(0)) < ${plan.replicas}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `Redis ${plan.name}: fewer than ${plan.replicas} pods are scraped`,
      description: 'A pod vanished (not scheduled, deleted, or its scrape target is gone): the set runs with fewer copies.',
    },
    {
      alert: 'RedisNoMaster',
      expr: `(count(redis_instance_info${withRole(redis, 'master')} and on (instance) redis_up${redis} == 1) or vector(0)) < 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `Redis ${plan.name} has no master`,
      description: 'No reachable Redis of the set is master: writes fail. Sentinels did not fail over within the alert delay.',
    },
    {
      alert: 'RedisMultipleMasters',
      expr: `count(redis_instance_info${withRole(redis, 'master')} and on (instance) redis_up${redis} == 1) > 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `Redis ${plan.name} has more than one master`,
      description: 'Two nodes accept writes: writes to the one that is not the sentinels master will be lost.',
    },
    {
      alert: 'RedisReplicationBroken',
      expr: `redis_master_link_up${redis} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `Redis ${plan.name}: replica {{ $labels.pod }} is not replicating`,
      description: 'The replication link of a replica is down: it serves stale data and cannot take over without losing writes.',
    },
    {
      alert: 'RedisSentinelQuorumAtRisk',
      expr: `max(redis_sentinel_master_ok_sentinels${sentinel}) <= ${plan.quorum} or (count(redis_up${sentinel} == 1) or vector(0)) <= ${plan.quorum}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `Redis ${plan.name}: one more lost sentinel stops failover`,
      description: `At most ${plan.quorum} of ${plan.sentinels} sentinels are healthy; the quorum is ${plan.quorum}.`,
    },
    {
      alert: 'RedisSentinelQuorumLost',
      expr: `max(redis_sentinel_master_ok_sentinels${sentinel}) < ${plan.quorum} or (count(redis_up${sentinel} == 1) or vector(0)) < ${plan.quorum}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `Redis ${plan.name}: sentinels cannot fail over`,
      description: `Fewer than ${plan.quorum} sentinels are healthy: a master failure would not be handled.`,
    },
    {
      alert: 'RedisRejectedConnections',
      expr: `increase(redis_rejected_connections_total${redis}[5m]) > 0`,
      forSeconds: 0,
      severity: AlertSeverity.WARNING,
      summary: `Redis ${plan.name}: {{ $labels.pod }} rejected connections`,
      description: 'maxclients was reached; clients got errors.',
    },
  ];
  if (systemOfRecord) {
    // A full cache is its normal state (it evicts); a full system of record refuses writes.
    rules.push(
      {
        alert: 'RedisMemoryNearMaxmemory',
        expr: `redis_memory_used_bytes${redis} / redis_memory_max_bytes${redis} > 0.9 and redis_memory_max_bytes${redis} > 0`,
        forSeconds: delay,
        severity: AlertSeverity.CRITICAL,
        summary: `Redis ${plan.name}: {{ $labels.pod }} uses over 90% of maxmemory`,
        description: 'With noeviction, writes fail once maxmemory is reached.',
      },
      {
        alert: 'RedisWaitingForMissingMaster',
        expr:
          `max by (master_pod) (label_replace(redis_master_link_up${redis} == 0, "master_pod", "$1", "master_host", "([^.]+)[.].*") ` +
          `unless on (master_pod) label_replace(up${redis}, "master_pod", "$1", "pod", "(.+)")) ` +
          `and on () ((count(redis_instance_info${withRole(redis, 'master')} and on (instance) redis_up${redis} == 1) or vector(0)) < 1)`,
        forSeconds: delay,
        severity: AlertSeverity.CRITICAL,
        summary: `Redis ${plan.name} waits for {{ $labels.master_pod }}, which holds its data and is not running`,
        description:
          'No pod is master, and the replicas that run follow the master named in the summary, whose pod is gone (not scheduled: a lost ' +
          'node or zone, or a volume that cannot attach). A system of record never promotes a pod without a copy of the data, ' +
          'so the set waits, and the start logs say so. Bring that pod back (its node, its zone or its volume); only if its ' +
          'data is lost for good, promote a replica by hand, losing the writes only the lost pod had (README, "A master that ' +
          'never comes back").',
      },
      {
        alert: 'RedisPersistenceFailing',
        expr: `redis_aof_last_write_status${redis} == 0 or redis_aof_last_bgrewrite_status${redis} == 0 or redis_rdb_last_bgsave_status${redis} == 0`,
        forSeconds: 0,
        severity: AlertSeverity.CRITICAL,
        summary: `Redis ${plan.name}: {{ $labels.pod }} failed to persist`,
        description:
          'An AOF write, the last AOF rewrite or a snapshot failed (disk full, permissions): Redis refuses writes, or data written ' +
          'now may not survive a restart.',
      },
    );
  }
  return rules;
}

function withRole(selector: string, role: string): string {
  return `${selector.slice(0, -1)}, role="${role}"}`;
}

/** A Grafana dashboard of the set: up, roles, replication, memory, clients and sentinel health. */
export function redisDashboard(plan: RedisSentinelPlan, selectors: SeriesSelectors, title: string): object {
  const { redis, sentinel } = selectors;
  return grafanaDashboardModel({
    title,
    uid: `sb-redis-${plan.name}`,
    tags: ['stability-blueprints', 'redis'],
    panels: [
      timeseriesPanel(1, 'Up', `redis_up${redis}`, '{{pod}}'),
      timeseriesPanel(2, 'Role (1 = master)', `redis_instance_info${withRole(redis, 'master')}`, '{{pod}}'),
      timeseriesPanel(3, 'Connected replicas', `redis_connected_slaves${redis}`, '{{pod}}'),
      timeseriesPanel(4, 'Replication link up', `redis_master_link_up${redis}`, '{{pod}}'),
      timeseriesPanel(5, 'Memory used / maxmemory', `redis_memory_used_bytes${redis} / redis_memory_max_bytes${redis}`, '{{pod}}', 'percentunit'),
      timeseriesPanel(6, 'Commands per second', `rate(redis_commands_processed_total${redis}[1m])`, '{{pod}}', 'ops'),
      timeseriesPanel(7, 'Clients and rejected connections', `redis_connected_clients${redis}`, '{{pod}}'),
      timeseriesPanel(8, 'Healthy sentinels', `redis_sentinel_master_ok_sentinels${sentinel}`, '{{pod}}'),
    ],
  });
}
