import { k8s } from 'cdk8s-plus-28';
import { secretEnv } from '../../core/container';
import { DataClass, Tier } from '../../core/tier';
import { metricsSidecar } from '../../observability/component-monitoring';
import { grafanaDashboardModel, timeseriesPanel } from '../../observability/dashboard';
import { alertDelaySeconds, AlertRule, AlertSeverity, podSetSelector, withMatchers } from '../../observability/monitoring';
import { MysqlEngine } from './props';

/**
 * The exporter shipped: mysqld_exporter 0.20.0 (2026-08-12), the newest release. The tests run Debian's 0.14.0, which
 * predates the connection flags: 0.14 reads DATA_SOURCE_NAME (`user:password@unix(socket)/`) or a my.cnf and rejects
 * `--mysqld.address` and `--mysqld.username`, which 0.15 added when it dropped DATA_SOURCE_NAME. The collector flags and
 * the metric names the rules use are the same in both (see the fixtures' README).
 */
export const MYSQLD_EXPORTER_IMAGE = 'prom/mysqld-exporter:v0.20.0';
export const MYSQL_METRICS_PORT = 9104;

/** `app.kubernetes.io/component` of the pods whose series the rules select: the members, and HAProxy (MARIADB_11_4). */
export const MYSQL_MEMBERS_COMPONENT = 'mysql';
export const MYSQL_PROXY_COMPONENT = 'proxy';

/** The HAProxy backend behind the mysql-rw frontend (galera-config.ts): one Synced node at a time. */
export const GALERA_WRITER_BACKEND = 'writer';

/**
 * Group Replication throttles writers (flow_control_mode QUOTA) once a member's certifier or applier queue passes
 * group_replication_flow_control_certifier_threshold / _applier_threshold, both 25000 by default and left so by the
 * construct. MySQL 8.4 community has no flow-control status variables (the Gr_flow_control_* ones come with an
 * Enterprise component from 9.1), so the queues are the signal.
 */
const GROUP_FLOW_CONTROL_THRESHOLD = 25000;

/** Galera flow control: alert when replication was paused for more than this fraction of the last 5 minutes. */
const GALERA_FLOW_CONTROL_PAUSED_RATIO = 0.1;

/** wsrep_local_state of a member that is part of the primary component and up to date. */
const WSREP_SYNCED = 4;

/** What the exporter sidecar of a member pod needs. */
export interface MysqlExporterInput {
  readonly engine: MysqlEngine;
  readonly image: string;
  readonly port: number;
  /** The Secret with the key `monitor-password`. */
  readonly credentialsSecretName: string;
  /** The pod volume mounted at /run/mysqld in the database container: the exporter reaches the server by its socket. */
  readonly runVolumeName: string;
}

export const MYSQL_MONITOR_USER = 'monitor';
const MONITOR_PASSWORD_KEY = 'monitor-password';
const SOCKET = '/run/mysqld/mysqld.sock';

/**
 * The exporter's flags, without the connection ones (`--mysqld.*`), which mysqld_exporter 0.14 does not know: the
 * end-to-end test starts Debian's 0.14 with exactly these.
 */
export function mysqlExporterCollectorArgs(engine: MysqlEngine, port: number): string[] {
  return [
    `--web.listen-address=:${port}`,
    // SHOW GLOBAL STATUS carries wsrep_* (Galera); SHOW GLOBAL VARIABLES the durability settings the rules check.
    '--collect.global_status',
    '--collect.global_variables',
    // Neither engine has a classic replica channel, so SHOW REPLICA STATUS would only cost a query per scrape.
    '--no-collect.slave_status',
    '--collect.info_schema.processlist',
    ...(engine === MysqlEngine.MYSQL_8_4
      ? [
          '--collect.perf_schema.replication_group_members',
          '--collect.perf_schema.replication_group_member_stats',
          '--collect.perf_schema.replication_applier_status_by_worker',
        ]
      : []),
  ];
}

/**
 * The mysqld_exporter sidecar of a member pod. It connects through the server's socket in the shared RUN_DIR as the
 * monitor user; the password comes from the Secret as MYSQLD_EXPORTER_PASSWORD, which the exporter substitutes into its
 * built-in `[client]` section, so no my.cnf is written and nothing secret is on the command line. Its `--config.my-cnf`
 * default (`.my.cnf` in the working directory) may be absent, so the sidecar runs with a read-only root filesystem.
 */
export function mysqlExporterContainer(input: MysqlExporterInput, securityContext: k8s.SecurityContext): k8s.Container {
  return metricsSidecar({
    image: input.image,
    port: input.port,
    args: [`--mysqld.address=unix://${SOCKET}`, `--mysqld.username=${MYSQL_MONITOR_USER}`, ...mysqlExporterCollectorArgs(input.engine, input.port)],
    env: [secretEnv('MYSQLD_EXPORTER_PASSWORD', input.credentialsSecretName, MONITOR_PASSWORD_KEY)],
    volumeMounts: [{ name: input.runVolumeName, mountPath: '/run/mysqld', readOnly: true }],
    securityContext,
  });
}

/** What the alerts and the dashboard of a cluster depend on. */
export interface MysqlAlertInput {
  readonly name: string;
  readonly engine: MysqlEngine;
  readonly members: number;
  /** Members that must be connected for commits: a majority of `members`. */
  readonly quorum: number;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  /** Replicas of the writer endpoint: MySQL Router (MYSQL_8_4) or HAProxy (MARIADB_11_4). */
  readonly endpointReplicas: number;
  /** How long a member may be behind the cluster before it is reported; see `mysqlLagThresholdSeconds`. */
  readonly lagThresholdSeconds: number;
  readonly namespace?: string;
  /**
   * How long every condition must hold before its alert fires.
   *
   * @default alertDelaySeconds(tier)
   */
  readonly delaySeconds?: number;
}

/** How far behind a member may fall before it is reported, by tier: reads from it are that stale. */
export function mysqlLagThresholdSeconds(tier: Tier): number {
  switch (tier) {
    case Tier.CRITICAL:
      return 30;
    case Tier.HIGH:
      return 60;
    case Tier.STANDARD:
      return 120;
    case Tier.BEST_EFFORT:
      return 300;
  }
}

/** PromQL label matchers of the series of one cluster, as the PodMonitor (and kube-state-metrics, for Router) label them. */
export interface MysqlSeriesSelectors {
  /** The exporters of the members. */
  readonly members: string;
  /** HAProxy's own exporter (MARIADB_11_4). */
  readonly proxy: string;
  /** kube-state-metrics' series of the Router Deployment (MYSQL_8_4). */
  readonly routerDeployment: string;
}

export function mysqlSeriesSelectors(input: Pick<MysqlAlertInput, 'name' | 'namespace'>): MysqlSeriesSelectors {
  const namespace = input.namespace === undefined ? '' : `namespace="${input.namespace}", `;
  return {
    members: podSetSelector(input.namespace, input.name, MYSQL_MEMBERS_COMPONENT),
    proxy: podSetSelector(input.namespace, input.name, MYSQL_PROXY_COMPONENT),
    routerDeployment: `{${namespace}deployment="${input.name}-router"}`,
  };
}

/**
 * The alerts of a cluster. Both engines: a member down or missing, and for a SYSTEM_OF_RECORD a member whose
 * durability settings drifted from the construct's. Group Replication (MYSQL_8_4): a member not ONLINE, the group
 * below quorum or below its size, no primary a majority agrees on or more than one, flow control, applier lag, and
 * Router replicas unavailable. Galera (MARIADB_11_4): a member not Synced or outside the Primary component, the primary
 * component below quorum or below its size, no Primary component, flow control, a receive queue that does not drain,
 * and HAProxy without a writer or with missing pods. Each waits the tier's delay, longer than a normal failover or
 * member restart, so a handled failure does not page.
 */
export function mysqlAlertRules(input: MysqlAlertInput, selectors: MysqlSeriesSelectors): AlertRule[] {
  const delay = input.delaySeconds ?? alertDelaySeconds(input.tier);
  const members = selectors.members;
  const product = input.engine === MysqlEngine.MYSQL_8_4 ? 'MySQL' : 'MariaDB';
  const rules: AlertRule[] = [
    {
      alert: 'MysqlInstanceDown',
      expr: `mysql_up${members} == 0 or up${members} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${product} ${input.name}: {{ $labels.pod }} is down`,
      description: 'The exporter cannot reach the server through its socket, or Prometheus cannot scrape the pod.',
    },
    {
      alert: 'MysqlInstanceMissing',
      expr: `(count(up${members} == 1) or vector(0)) < ${input.members}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${product} ${input.name}: fewer than ${input.members} member pods are scraped`,
      description: 'A member pod vanished (not scheduled, deleted, or its scrape target is gone): the cluster runs with fewer copies.',
    },
    ...(input.engine === MysqlEngine.MYSQL_8_4 ? groupReplicationRules(input, selectors, delay) : galeraRules(input, selectors, delay)),
  ];
  if (input.dataClass === DataClass.SYSTEM_OF_RECORD) {
    // A cache runs with relaxed flushing on purpose; a system of record must not acknowledge a commit that is not on disk.
    const flush = `mysql_global_variables_innodb_flush_log_at_trx_commit${members}`;
    rules.push({
      alert: 'MysqlDurabilityDrift',
      expr:
        `(${flush} != 1 unless ${flush} == 3) or ` +
        `(mysql_global_variables_sync_binlog${members} != 1 and on (instance) mysql_global_variables_log_bin${members} == 1)`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${product} ${input.name}: {{ $labels.pod }} does not flush every commit to disk`,
      description:
        'innodb_flush_log_at_trx_commit is not 1 (or 3 on MariaDB), or the binary log is on and sync_binlog is not 1: someone ' +
        'changed the setting at runtime (SET GLOBAL) or the configuration differs from the one the construct renders. A crash ' +
        'of this member loses commits it acknowledged; restore the setting.',
    });
  }
  return rules;
}

function groupReplicationRules(input: MysqlAlertInput, selectors: MysqlSeriesSelectors, delay: number): AlertRule[] {
  const members = selectors.members;
  // Every member's exporter reports the whole group as that member sees it, one series per member.
  const memberInfo = (...matchers: string[]) =>
    `mysql_perf_schema_replication_group_member_info${matchers.length ? withMatchers(members, ...matchers) : members}`;
  const onlinePrimaries = memberInfo('member_role="PRIMARY"', 'member_state="ONLINE"');
  // The largest view: the members the best-connected member counts as ONLINE (a cut-off member only counts itself).
  const groupSize = `(max(count by (instance) (${memberInfo('member_state="ONLINE"')})) or vector(0))`;
  const router = selectors.routerDeployment;
  return [
    {
      alert: 'MysqlGroupMemberNotOnline',
      expr: `count by (member_host) (${memberInfo('member_state!="ONLINE"')})`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MySQL ${input.name}: {{ $labels.member_host }} is not ONLINE in the group`,
      description:
        'A member reports it, or itself, as RECOVERING, UNREACHABLE, ERROR or OFFLINE for longer than a restart and rejoin take: ' +
        'the group has one copy fewer, and one more loss may cost the quorum.',
    },
    {
      alert: 'MysqlGroupBelowQuorum',
      expr: `${groupSize} < ${input.quorum}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MySQL ${input.name}: no member sees a majority (${input.quorum} of ${input.members}) ONLINE`,
      description: 'The group has lost its quorum: commits block everywhere until enough members are back.',
    },
    {
      alert: 'MysqlGroupBelowMembers',
      expr: `${groupSize} < ${input.members}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MySQL ${input.name}: fewer than ${input.members} members are ONLINE`,
      description: `The group still has its quorum of ${input.quorum}, with less margin: bring the missing members back.`,
    },
    {
      alert: 'MysqlGroupNoPrimary',
      expr: `(max(count by (member_host) (${onlinePrimaries})) or vector(0)) < ${input.quorum}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MySQL ${input.name} has no primary that a majority of members agrees on`,
      description: 'No member is the ONLINE primary in the views of a majority: writes fail. The group did not elect one within the alert delay.',
    },
    {
      alert: 'MysqlGroupMultiplePrimaries',
      expr: `count(count by (member_host) (${onlinePrimaries})) > 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MySQL ${input.name}: members disagree on the primary`,
      description:
        'Two members are reported as the ONLINE primary: the group is split (a member cut off still believes in the old primary). ' +
        'Only the side with the majority commits; clients still connected to the other one get errors or stale reads.',
    },
    {
      alert: 'MysqlGroupFlowControl',
      expr:
        `mysql_perf_schema_transactions_in_queue${members} > ${GROUP_FLOW_CONTROL_THRESHOLD} or ` +
        `mysql_perf_schema_transactions_remote_in_applier_queue${members} > ${GROUP_FLOW_CONTROL_THRESHOLD}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MySQL ${input.name}: {{ $labels.pod }} throttles the group's writes`,
      description:
        `The certifier or applier queue of the member holds more than ${GROUP_FLOW_CONTROL_THRESHOLD} transactions, the flow-control ` +
        'threshold: the primary slows its commits down until the member catches up.',
    },
    {
      alert: 'MysqlGroupReplicationLag',
      expr:
        'max without (member_id) (time() - (mysql_perf_schema_applying_transaction_original_commit_timestamp_seconds' +
        `${withMatchers(members, 'channel_name="group_replication_applier"')} > 0)) > ${input.lagThresholdSeconds}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MySQL ${input.name}: {{ $labels.pod }} applies transactions more than ${input.lagThresholdSeconds}s after their commit`,
      description: 'The applier of the member is behind the primary: reads from it are stale, and a failover to it waits until it catches up.',
    },
    {
      alert: 'MysqlRouterUnavailable',
      expr: `kube_deployment_status_replicas_available${router} < 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MySQL ${input.name}: no Router pod is available`,
      description:
        'MySQL Router has no Prometheus endpoint; this comes from kube-state-metrics, and stays silent without it. No Router ' +
        'replica is available: clients cannot reach the cluster.',
    },
    {
      alert: 'MysqlRouterDegraded',
      expr: `kube_deployment_status_replicas_available${router} < ${input.endpointReplicas}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MySQL ${input.name}: fewer than ${input.endpointReplicas} Router pods are available`,
      description: 'From kube-state-metrics, silent without it. Clients still connect through the remaining Router pods.',
    },
  ];
}

function galeraRules(input: MysqlAlertInput, selectors: MysqlSeriesSelectors, delay: number): AlertRule[] {
  const members = selectors.members;
  const status = (name: string) => `mysql_global_status_wsrep_${name}${members}`;
  const primarySize = `(max(${status('cluster_size')} and on (instance) ${status('cluster_status')} == 1) or vector(0))`;
  const writerUp = `haproxy_backend_status${withMatchers(selectors.proxy, `proxy="${GALERA_WRITER_BACKEND}"`, 'state="UP"')}`;
  return [
    {
      alert: 'GaleraMemberNotSynced',
      expr: `${status('local_state')} != ${WSREP_SYNCED}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MariaDB ${input.name}: {{ $labels.pod }} is not Synced`,
      description:
        'wsrep_local_state is not 4 (Synced): the member is joining, donating a state transfer, desynced (a backup or FLUSH TABLES ' +
        'WITH READ LOCK) or outside the primary component. HAProxy sends it no traffic, and the cluster has one copy fewer.',
    },
    {
      alert: 'GaleraNonPrimaryComponent',
      expr: `${status('cluster_status')} != 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MariaDB ${input.name}: {{ $labels.pod }} is outside the Primary component`,
      description: 'The member runs but is in a non-Primary component (cut off from the majority, or disconnected): it refuses queries.',
    },
    {
      alert: 'GaleraNoPrimaryComponent',
      expr: `(count(${status('cluster_status')} == 1) or vector(0)) < 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MariaDB ${input.name} has no Primary component`,
      description:
        'No reachable member is in a Primary component: every write and read fails. If the members are up and only the quorum was ' +
        'lost, bootstrap the most advanced one (README, "A cluster without a Primary component").',
    },
    {
      alert: 'GaleraClusterBelowQuorum',
      expr: `${primarySize} < ${input.quorum}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MariaDB ${input.name}: the Primary component has fewer than ${input.quorum} of ${input.members} members`,
      description:
        'Either no Primary component is left, or members left it one by one until it is smaller than a majority of the cluster: ' +
        'the next failure stops it.',
    },
    {
      alert: 'GaleraClusterBelowMembers',
      expr: `${primarySize} < ${input.members}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MariaDB ${input.name}: the Primary component has fewer than ${input.members} members`,
      description: 'A member is missing from the Primary component; the cluster serves with less margin. Bring it back.',
    },
    {
      alert: 'GaleraFlowControlPaused',
      expr: `rate(${status('flow_control_paused_ns')}[5m]) / 1e9 > ${GALERA_FLOW_CONTROL_PAUSED_RATIO}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MariaDB ${input.name}: replication on {{ $labels.pod }} was paused by flow control more than ${GALERA_FLOW_CONTROL_PAUSED_RATIO * 100}% of the time`,
      description: 'A member applies writes more slowly than they arrive and asks the cluster to pause: every commit waits.',
    },
    {
      alert: 'GaleraReplicationLag',
      expr: `min_over_time(${status('local_recv_queue')}[${input.lagThresholdSeconds}s]) > 0`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MariaDB ${input.name}: {{ $labels.pod }} has not emptied its receive queue for ${input.lagThresholdSeconds}s`,
      description: 'Write-sets wait to be applied on the member the whole time: reads from it (mysql-ro) are behind the cluster.',
    },
    {
      alert: 'GaleraWriterEndpointDown',
      expr: `(count(${writerUp} == 1) or vector(0)) < 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MariaDB ${input.name}: no HAProxy pod has a writer`,
      description: `No scraped HAProxy pod has a usable server in its ${GALERA_WRITER_BACKEND} backend (or none is scraped): writes fail.`,
    },
    {
      alert: 'GaleraProxyWriterDown',
      expr: `${writerUp} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `MariaDB ${input.name}: HAProxy {{ $labels.pod }} has no writer`,
      description: `Every server of the ${GALERA_WRITER_BACKEND} backend of this HAProxy pod fails its check: clients routed to it cannot write.`,
    },
    {
      alert: 'GaleraProxyMissing',
      expr: `(count(up${selectors.proxy} == 1) or vector(0)) < ${input.endpointReplicas}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `MariaDB ${input.name}: fewer than ${input.endpointReplicas} HAProxy pods are scraped`,
      description: 'An HAProxy pod is gone or cannot be scraped; clients still connect through the others.',
    },
  ];
}

/** A Grafana dashboard of the cluster: members up, cluster membership, primary, queues and lag, durability, connections. */
export function mysqlDashboard(input: MysqlAlertInput, selectors: MysqlSeriesSelectors, title: string): object {
  const members = selectors.members;
  const engineSpecific =
    input.engine === MysqlEngine.MYSQL_8_4
      ? [
          timeseriesPanel(
            3,
            'ONLINE members, per member view',
            `count by (pod) (mysql_perf_schema_replication_group_member_info${withMatchers(members, 'member_state="ONLINE"')})`,
            '{{pod}}',
          ),
          timeseriesPanel(
            4,
            'Primary, per member view',
            `mysql_perf_schema_replication_group_member_info${withMatchers(members, 'member_role="PRIMARY"')}`,
            '{{pod}} sees {{member_host}} {{member_state}}',
          ),
          timeseriesPanel(5, 'Applier queue', `mysql_perf_schema_transactions_remote_in_applier_queue${members}`, '{{pod}}'),
          timeseriesPanel(6, 'Certification queue', `mysql_perf_schema_transactions_in_queue${members}`, '{{pod}}'),
          timeseriesPanel(
            7,
            'Applier lag',
            `max without (member_id) (time() - (mysql_perf_schema_applying_transaction_original_commit_timestamp_seconds${members} > 0))`,
            '{{pod}} {{channel_name}}',
            's',
          ),
          timeseriesPanel(8, 'Router replicas available', `kube_deployment_status_replicas_available${selectors.routerDeployment}`, '{{deployment}}'),
        ]
      : [
          timeseriesPanel(3, 'wsrep_local_state (4 = Synced)', `mysql_global_status_wsrep_local_state${members}`, '{{pod}}'),
          timeseriesPanel(
            4,
            'Primary component size',
            `mysql_global_status_wsrep_cluster_size${members} * mysql_global_status_wsrep_cluster_status${members}`,
            '{{pod}}',
          ),
          timeseriesPanel(5, 'Receive queue', `mysql_global_status_wsrep_local_recv_queue${members}`, '{{pod}}'),
          timeseriesPanel(
            6,
            'Paused by flow control',
            `rate(mysql_global_status_wsrep_flow_control_paused_ns${members}[5m]) / 1e9`,
            '{{pod}}',
            'percentunit',
          ),
          timeseriesPanel(
            7,
            'HAProxy writer backend up',
            `haproxy_backend_status${withMatchers(selectors.proxy, `proxy="${GALERA_WRITER_BACKEND}"`, 'state="UP"')}`,
            '{{pod}}',
          ),
          timeseriesPanel(
            8,
            'HAProxy writer servers',
            `haproxy_server_status${withMatchers(selectors.proxy, `proxy="${GALERA_WRITER_BACKEND}"`, 'state="UP"')}`,
            '{{pod}} {{server}}',
          ),
        ];
  return grafanaDashboardModel({
    title,
    uid: `sb-mysql-${input.name}`,
    tags: ['stability-blueprints', 'mysql', input.engine],
    panels: [
      timeseriesPanel(1, 'Up', `mysql_up${members}`, '{{pod}}'),
      timeseriesPanel(
        2,
        'Connections / max_connections',
        `mysql_global_status_threads_connected${members} / mysql_global_variables_max_connections${members}`,
        '{{pod}}',
        'percentunit',
      ),
      ...engineSpecific,
      timeseriesPanel(9, 'Queries per second', `rate(mysql_global_status_questions${members}[1m])`, '{{pod}}', 'ops'),
      timeseriesPanel(
        10,
        'innodb_flush_log_at_trx_commit (1 = every commit flushed)',
        `mysql_global_variables_innodb_flush_log_at_trx_commit${members}`,
        '{{pod}}',
      ),
    ],
  });
}
