/**
 * The MysqlReplication alerts, run by promtool against the series that mysqld_exporter, HAProxy's exporter,
 * kube-state-metrics and the PodMonitor produce. Each scenario describes the pods of a cluster over time, and the series
 * follow from it the way Prometheus would record them.
 *
 * Galera (MARIADB_11_4): every member's and HAProxy's series are taken from fixtures/mysql/*.prom, the output of
 * Debian's prometheus-mysqld-exporter 0.14 and HAProxy 2.6 recorded against real MariaDB Galera nodes in the states the
 * file names give (see fixtures/mysql/README.md); a scenario may change a value (a counter that grows, a setting that
 * drifts), never a name or a label. Group Replication (MYSQL_8_4) cannot run here: its series are built from the
 * metric and label names of the upstream mysqld_exporter source (collector/perf_schema_replication_group_members.go:
 * `mysql_perf_schema_replication_group_member_info` with one label per column of
 * performance_schema.replication_group_members, lower-cased; perf_schema_replication_group_member_stats.go:
 * `mysql_perf_schema_transactions_in_queue`, `..._transactions_remote_in_applier_queue`;
 * perf_schema_replication_applier_status_by_worker.go:
 * `mysql_perf_schema_applying_transaction_original_commit_timestamp_seconds{channel_name, member_id}`), and the Router
 * series from kube-state-metrics' `kube_deployment_status_replicas_available{namespace, deployment}`.
 */

import { join } from 'node:path';
import { DataClass, Tier } from '../../lib';
import { MysqlEngine } from '../../lib/components/mysql/props';
import { mysqlAlertRules, MysqlAlertInput, mysqlLagThresholdSeconds, mysqlSeriesSelectors } from '../../lib/components/mysql/observability';
import { alertDelaySeconds } from '../../lib/observability/monitoring';
import type { Exported, PodScrape } from '../support/exposition';
import { fixtureReader, targetSamples, withValues } from '../support/exposition';
import type { AlertSpec, CaseTiming, ExpectedAlert, Labels, RuleExpectation, Sample, Scenario } from '../support/promtool';
import {
  componentAlert as clusterAlert,
  firesAt,
  firesDelayed,
  promtoolAlertRuleTests,
  promtoolWorkDir,
  quietThroughout,
  scenarioTestGroup,
  seriesName,
  STEP,
} from '../support/promtool';

/** When trouble starts in a scenario: the samples before it give counters and ranges a history. */
const FAULT_AT = 300;
const ROUTING = { owner: 'team-orders', scenario: 'shop', component: 'mysql-replication' };
const FIXTURES = join(__dirname, 'fixtures', 'mysql');

/** What the rules and the series of one cluster depend on. */
interface Cluster {
  readonly input: MysqlAlertInput;
  readonly namespace: string;
  /** Second octet of the pods' IPs, so two clusters never share an `instance`. */
  readonly subnet: number;
}

/** The pods of a cluster over time; undefined while a pod does not exist. */
interface World {
  readonly member: (ordinal: number, seconds: number) => PodScrape | undefined;
  /** HAProxy pods (MARIADB_11_4). */
  readonly proxy: (ordinal: number, seconds: number) => PodScrape | undefined;
  /** Available Router replicas, as kube-state-metrics reports them; undefined without kube-state-metrics. */
  readonly routerAvailable: (seconds: number) => number | undefined;
}

interface CaseContext extends CaseTiming {
  readonly cluster: Cluster;
}

// ---------------------------------------------------------------------------------------------------------------
// Recorded exporter output.

const fixture = fixtureReader(FIXTURES);

/** The recorded output of a Galera node (0..2) in a recorded state. */
const galeraNode = (state: string, node: number) => fixture(`${state}-node${node}`);

// ---------------------------------------------------------------------------------------------------------------
// Series, as the PodMonitor labels them.

function targetLabels(cluster: Cluster, component: 'mysql' | 'proxy', ordinal: number, generation: number): Labels {
  const { name } = cluster.input;
  return {
    namespace: cluster.namespace,
    app_kubernetes_io_instance: name,
    app_kubernetes_io_component: component,
    pod: component === 'mysql' ? `${name}-mysql-${ordinal}` : `${name}-proxy-5d8c7-${ordinal}`,
    container: component === 'mysql' ? 'metrics' : 'proxy',
    endpoint: 'metrics',
    instance: `10.${cluster.subnet}.${generation}.${(component === 'mysql' ? 10 : 50) + ordinal}:${component === 'mysql' ? 9104 : 8405}`,
    job: `${cluster.namespace}/${name}-mysql-monitor`,
  };
}

const podSamples = (target: Labels, pod: PodScrape): Sample[] => targetSamples(target, pod.scraped ? pod.exported : undefined);

function scrape(cluster: Cluster, world: World, seconds: number): Sample[] {
  const samples: Sample[] = [];
  for (let ordinal = 0; ordinal < cluster.input.members; ordinal++) {
    const pod = world.member(ordinal, seconds);
    samples.push(...(pod ? podSamples(targetLabels(cluster, 'mysql', ordinal, pod.generation), pod) : []));
  }
  for (let ordinal = 0; ordinal < cluster.input.endpointReplicas; ordinal++) {
    const pod = world.proxy(ordinal, seconds);
    samples.push(...(pod ? podSamples(targetLabels(cluster, 'proxy', ordinal, pod.generation), pod) : []));
  }
  const available = world.routerAvailable(seconds);
  if (available !== undefined) {
    // kube-state-metrics' own target; its ServiceMonitor keeps the object's namespace (honorLabels).
    const labels = {
      namespace: cluster.namespace,
      deployment: `${cluster.input.name}-router`,
      job: 'kube-state-metrics',
      instance: '10.99.0.1:8080',
    };
    samples.push([seriesName('kube_deployment_status_replicas_available', labels), available]);
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------------------------
// Galera worlds, from the recorded states.

const scraped = (exported: readonly Exported[], generation = 0): PodScrape => ({ generation, scraped: true, exported });

/** The settings the construct renders (galera-config.ts): the binary log on, and flushing at commit for a system of record. */
function galeraConfigured(cluster: Cluster, exported: readonly Exported[]): Exported[] {
  const systemOfRecord = cluster.input.dataClass === DataClass.SYSTEM_OF_RECORD;
  const serving = exported.some((series) => series.name === 'mysql_up' && series.value === 1);
  return !serving
    ? [...exported]
    : withValues(exported, {
        mysql_global_variables_log_bin: 1,
        mysql_global_variables_sync_binlog: systemOfRecord ? 1 : 0,
        mysql_global_variables_innodb_flush_log_at_trx_commit: systemOfRecord ? 1 : 2,
      });
}

const galeraMember = (cluster: Cluster, state: string, ordinal: number) => scraped(galeraConfigured(cluster, galeraNode(state, ordinal)));
const haproxy = (state: string) => scraped(fixture(`haproxy-${state}`));

function galeraHealthy(cluster: Cluster): World {
  return {
    member: (ordinal) => galeraMember(cluster, 'healthy', ordinal),
    proxy: () => haproxy('healthy'),
    routerAvailable: () => undefined,
  };
}

/** From FAULT_AT on, the members are in `state` (node N of the recording is pod N) until `until` seconds after it. */
function galeraState(cluster: Cluster, state: string, until = Infinity): World {
  return {
    ...galeraHealthy(cluster),
    member: (ordinal, seconds) => galeraMember(cluster, seconds >= FAULT_AT && seconds < FAULT_AT + until ? state : 'healthy', ordinal),
  };
}

type Trouble<Pod> = (pod: Pod, ordinal: number, sinceFault: number) => Pod | undefined;

function memberTrouble(world: World, trouble: Trouble<PodScrape>): World {
  return {
    ...world,
    member: (ordinal, seconds) => {
      const pod = world.member(ordinal, seconds);
      return seconds < FAULT_AT || pod === undefined ? pod : trouble(pod, ordinal, seconds - FAULT_AT);
    },
  };
}

function proxyTrouble(world: World, trouble: Trouble<PodScrape>): World {
  return {
    ...world,
    proxy: (ordinal, seconds) => {
      const pod = world.proxy(ordinal, seconds);
      return seconds < FAULT_AT || pod === undefined ? pod : trouble(pod, ordinal, seconds - FAULT_AT);
    },
  };
}

/** Flow control paused every member `ratio` of the time since FAULT_AT (wsrep_flow_control_paused_ns counts nanoseconds). */
function galeraFlowControl(cluster: Cluster, ratio: number): World {
  return {
    ...galeraHealthy(cluster),
    member: (ordinal, seconds) =>
      scraped(
        withValues(galeraConfigured(cluster, galeraNode('healthy', ordinal)), {
          mysql_global_status_wsrep_flow_control_paused_ns: Math.max(0, seconds - FAULT_AT) * ratio * 1e9,
        }),
      ),
  };
}

/** Another cluster, in another namespace, in which every Galera alert would fire. */
function galeraBrokenNeighbour(): World {
  return {
    member: (ordinal, seconds) => {
      const pod = galeraNode('quorum-lost', ordinal);
      const flushing = { mysql_global_variables_innodb_flush_log_at_trx_commit: 0 };
      return scraped(ordinal === 0 ? withValues(pod, { ...flushing, mysql_global_status_wsrep_flow_control_paused_ns: seconds * 1e9 }) : pod);
    },
    proxy: (ordinal) => (ordinal === 0 ? haproxy('writer-down') : undefined),
    routerAvailable: () => 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Group Replication worlds, built from the upstream exporter's names.

type MemberState = 'ONLINE' | 'RECOVERING' | 'UNREACHABLE' | 'ERROR' | 'OFFLINE';

/** What one member sees and does at one moment. */
interface GroupMember {
  readonly generation: number;
  readonly scraped: boolean;
  readonly serving: boolean;
  /** The group as this member sees it: ordinal, state and whether it is the primary. */
  readonly view: readonly { readonly ordinal: number; readonly state: MemberState; readonly primary: boolean }[];
  readonly certifierQueue: number;
  readonly applierQueue: number;
  /** Seconds behind the primary of the transaction its applier works on; 0 while idle. */
  readonly applierLagSeconds: number;
  readonly syncBinlog: number;
  readonly flushLogAtTrxCommit: number;
}

function memberHost(cluster: Cluster, ordinal: number): string {
  const { name } = cluster.input;
  return `${name}-mysql-${ordinal}.${name}-mysql-headless.${cluster.namespace}.svc.cluster.local`;
}

function groupExport(cluster: Cluster, pod: GroupMember, seconds: number): PodScrape {
  if (!pod.serving) {
    return { generation: pod.generation, scraped: pod.scraped, exported: [{ name: 'mysql_up', labels: {}, value: 0 }] };
  }
  const info = pod.view.map(({ ordinal, state, primary }): Exported => ({
    name: 'mysql_perf_schema_replication_group_member_info',
    labels: {
      channel_name: 'group_replication_applier',
      member_id: `6a0d0f5e-0000-4000-8000-00000000000${ordinal}`,
      member_host: memberHost(cluster, ordinal),
      member_port: '3306',
      member_state: state,
      member_role: primary ? 'PRIMARY' : 'SECONDARY',
      member_version: '8.4.8',
      member_communication_stack: 'MYSQL',
    },
    value: 1,
  }));
  // Two applier workers; the exporter reports 0 for a worker with no transaction in progress.
  const workers = ['1', '2'].map((worker, index): Exported => ({
    name: 'mysql_perf_schema_applying_transaction_original_commit_timestamp_seconds',
    labels: { channel_name: 'group_replication_applier', member_id: worker },
    value: index === 0 && pod.applierLagSeconds > 0 ? seconds - pod.applierLagSeconds : 0,
  }));
  return {
    generation: pod.generation,
    scraped: pod.scraped,
    exported: [
      { name: 'mysql_up', labels: {}, value: 1 },
      ...info,
      ...workers,
      { name: 'mysql_perf_schema_transactions_in_queue', labels: {}, value: pod.certifierQueue },
      { name: 'mysql_perf_schema_transactions_remote_in_applier_queue', labels: {}, value: pod.applierQueue },
      { name: 'mysql_global_variables_log_bin', labels: {}, value: 1 },
      { name: 'mysql_global_variables_sync_binlog', labels: {}, value: pod.syncBinlog },
      { name: 'mysql_global_variables_innodb_flush_log_at_trx_commit', labels: {}, value: pod.flushLogAtTrxCommit },
    ],
  };
}

function healthyGroupMember(cluster: Cluster, primary = 0): GroupMember {
  const systemOfRecord = cluster.input.dataClass === DataClass.SYSTEM_OF_RECORD;
  return {
    generation: 0,
    scraped: true,
    serving: true,
    view: Array.from({ length: cluster.input.members }, (_, ordinal) => ({ ordinal, state: 'ONLINE' as const, primary: ordinal === primary })),
    certifierQueue: 0,
    applierQueue: 0,
    applierLagSeconds: 0,
    syncBinlog: 1,
    flushLogAtTrxCommit: systemOfRecord ? 1 : 2,
  };
}

function groupWorld(cluster: Cluster, trouble: Trouble<GroupMember> = (pod) => pod, routerAvailable?: (sinceFault: number) => number): World {
  return {
    member: (ordinal, seconds) => {
      const healthy = healthyGroupMember(cluster);
      const pod = seconds < FAULT_AT ? healthy : trouble(healthy, ordinal, seconds - FAULT_AT);
      return pod && groupExport(cluster, pod, seconds);
    },
    proxy: () => undefined,
    routerAvailable: (seconds) =>
      seconds < FAULT_AT || routerAvailable === undefined ? cluster.input.endpointReplicas : routerAvailable(seconds - FAULT_AT),
  };
}

/** The members whose ordinals are in `killed` are down; the others expel them after 5 s, unless too few remain. */
function groupMembersKilled(cluster: Cluster, killed: readonly number[], recoverAfter = Infinity): World {
  const remaining = cluster.input.members - killed.length;
  const majority = remaining >= cluster.input.quorum;
  return groupWorld(cluster, (pod, ordinal, sinceFault) => {
    if (sinceFault >= recoverAfter) {
      return pod;
    }
    if (killed.includes(ordinal)) {
      return { ...pod, serving: false };
    }
    const survivingPrimary = killed.includes(0)
      ? Math.min(...pod.view.map((member) => member.ordinal).filter((other) => !killed.includes(other)))
      : 0;
    const view = majority
      ? pod.view.filter((member) => !killed.includes(member.ordinal)).map((member) => ({ ...member, primary: member.ordinal === survivingPrimary }))
      : pod.view.map((member) => (killed.includes(member.ordinal) ? { ...member, state: 'UNREACHABLE' as const } : member));
    return { ...pod, view };
  });
}

/** The last member is recovering (distributed recovery after a restart) for `seconds` after FAULT_AT. */
function groupMemberRecovering(cluster: Cluster, seconds: number): World {
  const last = cluster.input.members - 1;
  return groupWorld(cluster, (pod, _, sinceFault) =>
    sinceFault < seconds
      ? { ...pod, view: pod.view.map((member) => (member.ordinal === last ? { ...member, state: 'RECOVERING' as const } : member)) }
      : pod,
  );
}

function groupBrokenNeighbour(cluster: Cluster): World {
  return groupWorld(
    cluster,
    (pod, ordinal) => ({
      ...pod,
      view: pod.view.map((member) => (member.ordinal === 0 ? member : { ...member, state: 'UNREACHABLE' as const, primary: ordinal !== 0 })),
      certifierQueue: 30000,
      applierLagSeconds: 600,
      syncBinlog: 0,
    }),
    () => 0,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The cases of each alert.

/** Quiet until the rule's `for` has passed since the condition began (pending, for a rule with one), then firing. */
const firesAfterDelay = (delay: number, scenario: Scenario<World>, alerts: ExpectedAlert[], onset = 0) =>
  firesDelayed(FAULT_AT + onset, delay, scenario, alerts);

const memberPod = (cluster: Cluster, ordinal: number) => `${cluster.input.name}-mysql-${ordinal}`;
const product = (cluster: Cluster) => (cluster.input.engine === MysqlEngine.MYSQL_8_4 ? 'MySQL' : 'MariaDB');
const memberAlert = (cluster: Cluster, ordinal: number, summary: string, labels: Labels = {}): ExpectedAlert => ({
  labels: { ...targetLabels(cluster, 'mysql', ordinal, 0), ...labels },
  summary,
});
/** An alert on HAProxy's writer backend keeps the backend's labels. */
const writerBackendAlert = (cluster: Cluster, ordinal: number, summary: string): ExpectedAlert => ({
  labels: { ...targetLabels(cluster, 'proxy', ordinal, 0), proxy: 'writer', state: 'UP' },
  summary,
});

/** The member killed and restarted within the alert delay, or killed for good: the same shapes on both engines. */
function memberKilled(cluster: Cluster, ordinal: number, backAfter = Infinity): Scenario<World> {
  const name = `${memberPod(cluster, ordinal)} is killed${backAfter === Infinity ? '' : ` and back ${backAfter}s later`}`;
  if (cluster.input.engine === MysqlEngine.MYSQL_8_4) {
    return { name, world: groupMembersKilled(cluster, [ordinal], backAfter) };
  }
  if (ordinal !== 2) {
    throw new Error('the recording killed node 2');
  }
  return { name, world: galeraState(cluster, 'one-node-killed', backAfter) };
}

const COMMON_ALERTS: Record<string, AlertSpec<CaseContext, World>> = {
  MysqlInstanceDown: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const last = cluster.input.members - 1;
      const galera = cluster.input.engine === MysqlEngine.MARIADB_11_4;
      return [
        firesAfterDelay(delay, galera ? memberKilled(cluster, 2) : memberKilled(cluster, last), [
          memberAlert(cluster, galera ? 2 : last, `${product(cluster)} ${cluster.input.name}: ${memberPod(cluster, galera ? 2 : last)} is down`),
        ]),
        firesAfterDelay(
          delay,
          {
            name: `the exporter of ${memberPod(cluster, 1)} cannot be scraped`,
            world: memberTrouble(galera ? galeraHealthy(cluster) : groupWorld(cluster), (pod, ordinal) =>
              ordinal === 1 ? { ...pod, scraped: false } : pod,
            ),
          },
          [memberAlert(cluster, 1, `${product(cluster)} ${cluster.input.name}: ${memberPod(cluster, 1)} is down`)],
        ),
        quietThroughout(horizon, memberKilled(cluster, galera ? 2 : last, delay - 2 * STEP)),
      ];
    },
  },
  MysqlInstanceMissing: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const base = cluster.input.engine === MysqlEngine.MYSQL_8_4 ? groupWorld(cluster) : galeraHealthy(cluster);
      const summary = `${product(cluster)} ${cluster.input.name}: fewer than ${cluster.input.members} member pods are scraped`;
      return [
        firesAfterDelay(
          delay,
          {
            name: `${memberPod(cluster, 1)} is deleted and not replaced`,
            world: memberTrouble(base, (pod, ordinal) => (ordinal === 1 ? undefined : pod)),
          },
          [clusterAlert(summary)],
        ),
        quietThroughout(horizon, {
          name: `${memberPod(cluster, 1)} is replaced, with a new IP, within the alert delay`,
          world: memberTrouble(base, (pod, ordinal, sinceFault) =>
            ordinal !== 1 ? pod : sinceFault < delay - 2 * STEP ? undefined : { ...pod, generation: 1 },
          ),
        }),
      ];
    },
  },
  MysqlDurabilityDrift: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => {
      const summary = (ordinal: number) =>
        `${product(cluster)} ${cluster.input.name}: ${memberPod(cluster, ordinal)} does not flush every commit to disk`;
      if (cluster.input.engine === MysqlEngine.MYSQL_8_4) {
        return [
          firesAfterDelay(
            delay,
            {
              name: `SET GLOBAL sync_binlog=0 on ${memberPod(cluster, 1)} and innodb_flush_log_at_trx_commit=2 on ${memberPod(cluster, 2)}`,
              world: groupWorld(cluster, (pod, ordinal) =>
                ordinal === 1 ? { ...pod, syncBinlog: 0 } : ordinal === 2 ? { ...pod, flushLogAtTrxCommit: 2 } : pod,
              ),
            },
            [1, 2].map((ordinal) => memberAlert(cluster, ordinal, summary(ordinal))),
          ),
        ];
      }
      const drift = (values: Record<string, number>) => (pod: PodScrape, ordinal: number) =>
        ordinal === 1 ? scraped(withValues(pod.exported, values)) : pod;
      return [
        firesAfterDelay(
          delay,
          {
            name: `SET GLOBAL innodb_flush_log_at_trx_commit=2 on ${memberPod(cluster, 1)}`,
            world: memberTrouble(galeraHealthy(cluster), drift({ mysql_global_variables_innodb_flush_log_at_trx_commit: 2 })),
          },
          [memberAlert(cluster, 1, summary(1))],
        ),
        firesAfterDelay(
          delay,
          {
            name: `SET GLOBAL sync_binlog=0 on ${memberPod(cluster, 1)}, whose binary log is on`,
            world: memberTrouble(galeraHealthy(cluster), drift({ mysql_global_variables_sync_binlog: 0 })),
          },
          [memberAlert(cluster, 1, summary(1))],
        ),
        quietThroughout(horizon, {
          name: `${memberPod(cluster, 1)} flushes at prepare and commit (MariaDB's innodb_flush_log_at_trx_commit=3)`,
          world: memberTrouble(galeraHealthy(cluster), drift({ mysql_global_variables_innodb_flush_log_at_trx_commit: 3 })),
        }),
        quietThroughout(horizon, {
          name: `${memberPod(cluster, 1)} runs as recorded: the binary log off, so sync_binlog=0 does not matter`,
          world: memberTrouble(galeraHealthy(cluster), (pod, ordinal) =>
            ordinal === 1 ? scraped(withValues(galeraNode('healthy', 1), { mysql_global_variables_innodb_flush_log_at_trx_commit: 1 })) : pod,
          ),
        }),
      ];
    },
  },
};

const GALERA_ALERTS: Record<string, AlertSpec<CaseContext, World>> = {
  GaleraMemberNotSynced: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, { name: 'FLUSH TABLES WITH READ LOCK desyncs node 2', world: galeraState(cluster, 'desynced-by-ftwrl') }, [
        memberAlert(cluster, 2, `MariaDB ${cluster.input.name}: ${memberPod(cluster, 2)} is not Synced`),
      ]),
      quietThroughout(horizon, {
        name: 'node 2 is desynced for less than the delay',
        world: galeraState(cluster, 'desynced-by-ftwrl', delay - 2 * STEP),
      }),
      quietThroughout(horizon, memberKilled(cluster, 2)),
    ],
  },
  GaleraNonPrimaryComponent: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, { name: 'nodes 1 and 2 are killed: node 0 is left non-Primary', world: galeraState(cluster, 'quorum-lost') }, [
        memberAlert(cluster, 0, `MariaDB ${cluster.input.name}: ${memberPod(cluster, 0)} is outside the Primary component`),
      ]),
      quietThroughout(horizon, memberKilled(cluster, 2)),
    ],
  },
  GaleraNoPrimaryComponent: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, { name: 'nodes 1 and 2 are killed', world: galeraState(cluster, 'quorum-lost') }, [
        clusterAlert(`MariaDB ${cluster.input.name} has no Primary component`),
      ]),
      quietThroughout(horizon, memberKilled(cluster, 2)),
      quietThroughout(horizon, {
        name: 'nodes 1 and 2 are killed and back within the delay',
        world: galeraState(cluster, 'quorum-lost', delay - 2 * STEP),
      }),
    ],
  },
  GaleraClusterBelowQuorum: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, { name: 'nodes 1 and 2 are killed', world: galeraState(cluster, 'quorum-lost') }, [
        clusterAlert(
          `MariaDB ${cluster.input.name}: the Primary component has fewer than ${cluster.input.quorum} of ${cluster.input.members} members`,
        ),
      ]),
      quietThroughout(horizon, memberKilled(cluster, 2)),
    ],
  },
  GaleraClusterBelowMembers: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, memberKilled(cluster, 2), [
        clusterAlert(`MariaDB ${cluster.input.name}: the Primary component has fewer than ${cluster.input.members} members`),
      ]),
      quietThroughout(horizon, memberKilled(cluster, 2, delay - 2 * STEP)),
    ],
  },
  GaleraFlowControlPaused: {
    severity: 'warning',
    // rate() over 5 minutes passes 10% about 75 s after a pause of half the time begins; checked once it is well past.
    cases: ({ cluster, delay, horizon }) => [
      firesAt(
        FAULT_AT + delay,
        FAULT_AT + 150 + delay,
        { name: 'flow control pauses replication half of the time', world: galeraFlowControl(cluster, 0.5) },
        [0, 1, 2].map((ordinal) =>
          memberAlert(
            cluster,
            ordinal,
            `MariaDB ${cluster.input.name}: replication on ${memberPod(cluster, ordinal)} was paused by flow control more than 10% of the time`,
          ),
        ),
      ),
      quietThroughout(horizon, { name: 'flow control pauses replication 5% of the time', world: galeraFlowControl(cluster, 0.05) }),
    ],
  },
  GaleraReplicationLag: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => {
      const lag = cluster.input.lagThresholdSeconds;
      const queue = (values: (sinceFault: number) => number) =>
        memberTrouble(galeraHealthy(cluster), (pod, ordinal, sinceFault) =>
          ordinal === 2 ? scraped(withValues(pod.exported, { mysql_global_status_wsrep_local_recv_queue: values(sinceFault) })) : pod,
        );
      return [
        // Checked a step earlier than the others: whether a range's first sample counts differs between Prometheus versions.
        firesAt(
          FAULT_AT + lag + delay - 2 * STEP,
          FAULT_AT + lag + delay,
          { name: 'node 2 keeps 399 write-sets queued (as recorded while desynced)', world: queue(() => 399) },
          [memberAlert(cluster, 2, `MariaDB ${cluster.input.name}: ${memberPod(cluster, 2)} has not emptied its receive queue for ${lag}s`)],
        ),
        quietThroughout(horizon, {
          name: 'node 2 queues write-sets under load but empties its queue every other scrape',
          world: queue((sinceFault) => (sinceFault % (2 * STEP) === 0 ? 0 : 12)),
        }),
      ];
    },
  },
  GaleraWriterEndpointDown: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const summary = `MariaDB ${cluster.input.name}: no HAProxy pod has a writer`;
      return [
        firesAfterDelay(
          delay,
          { name: 'every HAProxy pod fails the checks of every server', world: proxyTrouble(galeraHealthy(cluster), () => haproxy('writer-down')) },
          [clusterAlert(summary)],
        ),
        firesAfterDelay(delay, { name: 'every HAProxy pod is gone', world: proxyTrouble(galeraHealthy(cluster), () => undefined) }, [
          clusterAlert(summary),
        ]),
        quietThroughout(horizon, {
          name: 'the writer fails over to a backup server on every HAProxy pod',
          world: proxyTrouble(galeraHealthy(cluster), () => haproxy('writer-on-backup')),
        }),
        quietThroughout(horizon, {
          name: 'one HAProxy pod has no writer, the other has',
          world: proxyTrouble(galeraHealthy(cluster), (pod, ordinal) => (ordinal === 0 ? haproxy('writer-down') : pod)),
        }),
      ];
    },
  },
  GaleraProxyWriterDown: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: 'HAProxy pod 0 fails the checks of every server',
          world: proxyTrouble(galeraHealthy(cluster), (pod, ordinal) => (ordinal === 0 ? haproxy('writer-down') : pod)),
        },
        [writerBackendAlert(cluster, 0, `MariaDB ${cluster.input.name}: HAProxy ${targetLabels(cluster, 'proxy', 0, 0).pod} has no writer`)],
      ),
      quietThroughout(horizon, {
        name: 'the writer fails over to a backup server',
        world: proxyTrouble(galeraHealthy(cluster), () => haproxy('writer-on-backup')),
      }),
    ],
  },
  GaleraProxyMissing: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        { name: 'HAProxy pod 1 is gone', world: proxyTrouble(galeraHealthy(cluster), (pod, ordinal) => (ordinal === 1 ? undefined : pod)) },
        [clusterAlert(`MariaDB ${cluster.input.name}: fewer than ${cluster.input.endpointReplicas} HAProxy pods are scraped`)],
      ),
      quietThroughout(horizon, {
        name: 'HAProxy pod 1 is replaced within the delay',
        world: proxyTrouble(galeraHealthy(cluster), (pod, ordinal, sinceFault) =>
          ordinal !== 1 ? pod : sinceFault < delay - 2 * STEP ? undefined : { ...pod, generation: 1 },
        ),
      }),
    ],
  },
};

/** A near miss of both primary alerts: a new primary that every member agrees on. */
const primaryKilled = (cluster: Cluster): Scenario<World> => ({
  name: 'the primary is killed and the others elect a new one',
  world: groupMembersKilled(cluster, [0]),
});

const GROUP_ALERTS: Record<string, AlertSpec<CaseContext, World>> = {
  MysqlGroupMemberNotOnline: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const last = cluster.input.members - 1;
      return [
        firesAfterDelay(delay, { name: `${memberPod(cluster, last)} stays RECOVERING`, world: groupMemberRecovering(cluster, Infinity) }, [
          clusterAlert(`MySQL ${cluster.input.name}: ${memberHost(cluster, last)} is not ONLINE in the group`, {
            member_host: memberHost(cluster, last),
          }),
        ]),
        quietThroughout(horizon, {
          name: `${memberPod(cluster, last)} recovers within the delay`,
          world: groupMemberRecovering(cluster, delay - 2 * STEP),
        }),
        quietThroughout(horizon, memberKilled(cluster, last)),
      ];
    },
  },
  MysqlGroupBelowQuorum: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const lost = Array.from({ length: cluster.input.members - cluster.input.quorum + 1 }, (_, index) => cluster.input.members - 1 - index);
      const kept = Array.from({ length: cluster.input.members - cluster.input.quorum }, (_, index) => cluster.input.members - 1 - index);
      return [
        firesAfterDelay(delay, { name: `${lost.length} members are killed`, world: groupMembersKilled(cluster, lost) }, [
          clusterAlert(`MySQL ${cluster.input.name}: no member sees a majority (${cluster.input.quorum} of ${cluster.input.members}) ONLINE`),
        ]),
        quietThroughout(horizon, { name: `${kept.length} members are killed, a majority remains`, world: groupMembersKilled(cluster, kept) }),
      ];
    },
  },
  MysqlGroupBelowMembers: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, memberKilled(cluster, 1), [
        clusterAlert(`MySQL ${cluster.input.name}: fewer than ${cluster.input.members} members are ONLINE`),
      ]),
      quietThroughout(horizon, memberKilled(cluster, 1, delay - 2 * STEP)),
    ],
  },
  MysqlGroupNoPrimary: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const others = Array.from({ length: cluster.input.members - 1 }, (_, index) => index + 1);
      return [
        firesAfterDelay(
          delay,
          { name: 'every member but the primary is killed: it stays primary of a minority', world: groupMembersKilled(cluster, others) },
          [clusterAlert(`MySQL ${cluster.input.name} has no primary that a majority of members agrees on`)],
        ),
        quietThroughout(horizon, primaryKilled(cluster)),
      ];
    },
  },
  MysqlGroupMultiplePrimaries: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `the primary ${memberPod(cluster, 0)} is cut off: it still sees itself primary, the others elect ${memberPod(cluster, 1)}`,
          world: groupWorld(cluster, (pod, ordinal) =>
            ordinal === 0
              ? { ...pod, view: pod.view.map((member) => (member.ordinal === 0 ? member : { ...member, state: 'UNREACHABLE' as const })) }
              : { ...pod, view: pod.view.filter((member) => member.ordinal !== 0).map((member) => ({ ...member, primary: member.ordinal === 1 })) },
          ),
        },
        [clusterAlert(`MySQL ${cluster.input.name}: members disagree on the primary`)],
      ),
      quietThroughout(horizon, primaryKilled(cluster)),
    ],
  },
  MysqlGroupFlowControl: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `the applier queue of ${memberPod(cluster, 2)} holds 30000 transactions`,
          world: groupWorld(cluster, (pod, ordinal) => (ordinal === 2 ? { ...pod, applierQueue: 30000 } : pod)),
        },
        [memberAlert(cluster, 2, `MySQL ${cluster.input.name}: ${memberPod(cluster, 2)} throttles the group's writes`)],
      ),
      firesAfterDelay(
        delay,
        {
          name: `the certifier queue of ${memberPod(cluster, 1)} holds 26000 transactions`,
          world: groupWorld(cluster, (pod, ordinal) => (ordinal === 1 ? { ...pod, certifierQueue: 26000 } : pod)),
        },
        [memberAlert(cluster, 1, `MySQL ${cluster.input.name}: ${memberPod(cluster, 1)} throttles the group's writes`)],
      ),
      quietThroughout(horizon, {
        name: 'the queues hold 20000 transactions, below the flow-control threshold',
        world: groupWorld(cluster, (pod) => ({ ...pod, applierQueue: 20000, certifierQueue: 20000 })),
      }),
    ],
  },
  MysqlGroupReplicationLag: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => {
      const lag = cluster.input.lagThresholdSeconds;
      return [
        firesAfterDelay(
          delay,
          {
            name: `${memberPod(cluster, 2)} applies transactions ${lag + 60}s after their commit`,
            world: groupWorld(cluster, (pod, ordinal) => (ordinal === 2 ? { ...pod, applierLagSeconds: lag + 60 } : pod)),
          },
          [
            memberAlert(
              cluster,
              2,
              `MySQL ${cluster.input.name}: ${memberPod(cluster, 2)} applies transactions more than ${lag}s after their commit`,
              {
                channel_name: 'group_replication_applier',
              },
            ),
          ],
        ),
        quietThroughout(horizon, {
          name: `${memberPod(cluster, 2)} applies transactions ${lag / 2}s after their commit`,
          world: groupWorld(cluster, (pod, ordinal) => (ordinal === 2 ? { ...pod, applierLagSeconds: lag / 2 } : pod)),
        }),
      ];
    },
  },
  MysqlRouterUnavailable: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: 'no Router replica is available',
          world: groupWorld(
            cluster,
            (pod) => pod,
            () => 0,
          ),
        },
        [
          {
            labels: {
              namespace: cluster.namespace,
              deployment: `${cluster.input.name}-router`,
              job: 'kube-state-metrics',
              instance: '10.99.0.1:8080',
            },
            summary: `MySQL ${cluster.input.name}: no Router pod is available`,
          },
        ],
      ),
      quietThroughout(horizon, {
        name: 'one Router replica of two is available',
        world: groupWorld(
          cluster,
          (pod) => pod,
          () => 1,
        ),
      }),
      quietThroughout(horizon, { name: 'kube-state-metrics is not installed', world: { ...groupWorld(cluster), routerAvailable: () => undefined } }),
    ],
  },
  MysqlRouterDegraded: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: 'one Router replica of two is available',
          world: groupWorld(
            cluster,
            (pod) => pod,
            () => 1,
          ),
        },
        [
          {
            labels: {
              namespace: cluster.namespace,
              deployment: `${cluster.input.name}-router`,
              job: 'kube-state-metrics',
              instance: '10.99.0.1:8080',
            },
            summary: `MySQL ${cluster.input.name}: fewer than ${cluster.input.endpointReplicas} Router pods are available`,
          },
        ],
      ),
      quietThroughout(horizon, {
        name: 'a Router pod is replaced within the delay',
        world: groupWorld(
          cluster,
          (pod) => pod,
          (sinceFault) => (sinceFault < delay - 2 * STEP ? 1 : 2),
        ),
      }),
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Rules and promtool.

interface ClusterUnderTest {
  readonly title: string;
  readonly engine: MysqlEngine;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly members: number;
}

const CLUSTERS: readonly ClusterUnderTest[] = [
  {
    title: 'a CRITICAL SYSTEM_OF_RECORD Galera cluster',
    engine: MysqlEngine.MARIADB_11_4,
    tier: Tier.CRITICAL,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    members: 3,
  },
  { title: 'a STANDARD CACHE Galera cluster', engine: MysqlEngine.MARIADB_11_4, tier: Tier.STANDARD, dataClass: DataClass.CACHE, members: 3 },
  {
    title: 'a CRITICAL SYSTEM_OF_RECORD group of 3',
    engine: MysqlEngine.MYSQL_8_4,
    tier: Tier.CRITICAL,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    members: 3,
  },
  { title: 'a HIGH CACHE group of 5', engine: MysqlEngine.MYSQL_8_4, tier: Tier.HIGH, dataClass: DataClass.CACHE, members: 5 },
];

function clusterOf(spec: ClusterUnderTest, namespace: string, subnet: number): Cluster {
  return {
    namespace,
    subnet,
    input: {
      name: 'orders',
      engine: spec.engine,
      members: spec.members,
      quorum: Math.floor(spec.members / 2) + 1,
      tier: spec.tier,
      dataClass: spec.dataClass,
      endpointReplicas: 2,
      lagThresholdSeconds: mysqlLagThresholdSeconds(spec.tier),
      namespace,
    },
  };
}

/** A promtool test group of the scenario, next to the broken neighbour, with the expectations of some rules. */
function clusterTestGroup(
  cluster: Cluster,
  neighbour: readonly [Cluster, World],
  scenario: Scenario<World>,
  horizon: number,
  expectations: readonly RuleExpectation[],
): object {
  return scenarioTestGroup(scenario, cluster, [neighbour], scrape, horizon, { ...ROUTING, tier: cluster.input.tier }, expectations);
}

const workDir = promtoolWorkDir('mysql-alerts-');

describe('the recorded fixtures', () => {
  test('hold the series the Galera rules read, as Debian mysqld_exporter 0.14 and HAProxy 2.6 print them', () => {
    const names = (file: string) => new Set(fixture(file).map((series) => series.name));
    expect([...names('healthy-node0')].sort()).toEqual(
      expect.arrayContaining([
        'mysql_up',
        'mysql_global_status_wsrep_local_state',
        'mysql_global_status_wsrep_cluster_size',
        'mysql_global_status_wsrep_cluster_status',
        'mysql_global_status_wsrep_flow_control_paused_ns',
        'mysql_global_status_wsrep_local_recv_queue',
        'mysql_global_variables_sync_binlog',
        'mysql_global_variables_log_bin',
        'mysql_global_variables_innodb_flush_log_at_trx_commit',
      ]),
    );
    expect(fixture('one-node-killed-node2')).toEqual([{ name: 'mysql_up', labels: {}, value: 0 }]);
    expect(fixture('haproxy-writer-down').filter((series) => series.name === 'haproxy_backend_status')).toEqual([
      { name: 'haproxy_backend_status', labels: { proxy: 'writer', state: 'DOWN' }, value: 1 },
      { name: 'haproxy_backend_status', labels: { proxy: 'writer', state: 'UP' }, value: 0 },
    ]);
  });
});

describe.each(CLUSTERS)('promtool on the alerts of $title', (spec) => {
  const cluster = clusterOf(spec, 'shop', 1);
  const neighbourCluster = clusterOf(spec, 'staging', 2);
  const neighbour = [
    neighbourCluster,
    spec.engine === MysqlEngine.MYSQL_8_4 ? groupBrokenNeighbour(neighbourCluster) : galeraBrokenNeighbour(),
  ] as const;
  const rules = mysqlAlertRules(cluster.input, mysqlSeriesSelectors(cluster.input));
  const specs: Record<string, AlertSpec<CaseContext, World>> = {
    ...COMMON_ALERTS,
    ...(spec.engine === MysqlEngine.MYSQL_8_4 ? GROUP_ALERTS : GALERA_ALERTS),
  };
  const delay = alertDelaySeconds(spec.tier);
  // Long enough to see the slowest condition (a lag window, then the delay) fire, and shorter ones pass without firing.
  const horizon = FAULT_AT + cluster.input.lagThresholdSeconds + 2 * delay + 300;

  promtoolAlertRuleTests(
    join(workDir, spec.title.replace(/\W+/g, '-')),
    { name: 'mysql-replication.shop.orders', rules, labels: { ...ROUTING, tier: spec.tier } },
    () => {
      const healthy = spec.engine === MysqlEngine.MYSQL_8_4 ? groupWorld(cluster) : galeraHealthy(cluster);
      const restart = memberKilled(cluster, 2, delay - 2 * STEP);
      const routine = [{ name: 'a healthy cluster', world: healthy }, restart];
      if (spec.engine === MysqlEngine.MYSQL_8_4) {
        routine.push({
          name: 'the primary is killed, the others elect a new one, and it rejoins within the delay',
          world: groupMembersKilled(cluster, [0], delay - 2 * STEP),
        });
      }
      return {
        horizon,
        routine,
        specs,
        context: () => ({ cluster, delay, horizon }),
        testGroup: (scenario, expectations) => clusterTestGroup(cluster, neighbour, scenario, horizon, expectations),
      };
    },
    {
      routine: 'no alert fires for a healthy cluster next to a broken one in another namespace, nor for a member restart within the delay',
      specsName: 'the alert specs',
    },
  );
});
