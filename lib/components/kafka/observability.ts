import { majority } from '../../core/disruption-budget';
import { DataClass, Tier } from '../../core/tier';
import { grafanaDashboardModel, timeseriesPanel } from '../../observability/dashboard';
import {
  alertDelaySeconds,
  AlertRule,
  AlertSeverity,
  dataClaimsSelector,
  podSetSelector,
  volumeAlerts,
  volumeFreeShare,
  withMatchers,
} from '../../observability/monitoring';

/**
 * The image the init container copies the JMX exporter Java agent from: Adobe Koperator's (formerly Banzai Cloud's)
 * `jmx-javaagent`, alpine with jmx_prometheus_javaagent 1.5.0 built from the upstream release for Java 21
 * (adobe/koperator docker/jmx_exporter/Dockerfile at 994e42a5, "Upgrade jmx-exporter to v1.5.0"), and the operator's
 * own default (api/v1beta1/kafkacluster_types.go `DefaultMonitorImage`, whose init container copies the jar the same
 * way). The jmx_exporter project publishes the jar only, no image; apache/kafka does not ship it. The agent needs Java
 * 21, which apache/kafka 4.x runs (eclipse-temurin:21-jre-alpine). Taken from Koperator's source, not pulled here.
 */
export const JMX_EXPORTER_IMAGE = 'ghcr.io/adobe/koperator/jmx-javaagent:1.5.0';
/**
 * The jar in JMX_EXPORTER_IMAGE: a symbolic link to `/opt/jmx_exporter/jmx_prometheus_javaagent-1.5.0.jar`, the path
 * Koperator copies from (`defaultMonitorPathToJar`); `cp` copies the file it points to.
 */
export const JMX_EXPORTER_JAR_PATH = '/jmx_prometheus_javaagent.jar';
/** The agent's HTTP port on brokers and controllers, Strimzi's and the JMX exporter documentation's convention. */
export const KAFKA_METRICS_PORT = 9404;

/** `app.kubernetes.io/component` of the broker and controller pods, whose series the rules select. */
export const KAFKA_BROKER_COMPONENT = 'broker';
export const KAFKA_CONTROLLER_COMPONENT = 'controller';

/** BrokerState RUNNING: readiness and alerts use it. */
export const BROKER_STATE_RUNNING = 3;

/** Below this share of idle time the request handler threads of a node are nearly always busy: requests queue. */
const REQUEST_HANDLER_IDLE_RATIO = 0.2;

/*
 * The JMX exporter's rules. The agent matches each rule's pattern, wrapped in `^.*(?:pattern).*$`, against
 * `domain<key=value, ...><>attribute: value` for every attribute of every MBean it reads (the keys in the order Kafka
 * registers them: type, then name), and the first rule that matches names the series: `$n` replaced by the pattern's
 * groups, characters outside [a-zA-Z0-9:_] and runs of `_` replaced by one `_`, then lower case
 * (jmx_exporter 1.5.0 JmxCollector `recordBean`, `toSafeName`). MBeans no rule matches are dropped, and the agent only
 * reads those in includeObjectNames: Kafka registers several per partition and per client, which a scrape every 15
 * seconds should not walk. The rules follow Strimzi's kafka-metrics.yaml (packaging/examples/metrics), restricted to
 * the MBeans the readiness probe, the alerts and the dashboard read, and name them explicitly so each series has
 * exactly the name they query.
 */
const JMX_EXPORTER_CONFIG = String.raw`# The Prometheus JMX exporter Java agent's rules for Kafka (stability-blueprints).
lowercaseOutputName: true
includeObjectNames:
  - 'kafka.server:type=KafkaServer,name=BrokerState'
  - 'kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions'
  - 'kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount'
  - 'kafka.server:type=ReplicaManager,name=OfflineReplicaCount'
  - 'kafka.server:type=ReplicaManager,name=PartitionCount'
  - 'kafka.server:type=ReplicaManager,name=LeaderCount'
  - 'kafka.controller:type=KafkaController,name=ActiveControllerCount'
  - 'kafka.controller:type=KafkaController,name=OfflinePartitionsCount'
  - 'kafka.controller:type=KafkaController,name=GlobalPartitionCount'
  - 'kafka.log:type=LogManager,name=OfflineLogDirectoryCount'
  - 'kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent'
  - 'kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent'
  - 'kafka.server:type=raft-metrics'
rules:
  # kafka.server:type=KafkaServer,name=BrokerState (brokers; 3 = RUNNING): kafka_server_kafkaserver_brokerstate.
  - pattern: 'kafka.server<type=(KafkaServer), name=(BrokerState)><>Value'
    name: kafka_server_$1_$2
    type: GAUGE
  # kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions|UnderMinIsrPartitionCount|OfflineReplicaCount|
  # PartitionCount|LeaderCount (brokers; the first two count the partitions the broker leads).
  - pattern: 'kafka.server<type=(ReplicaManager), name=(UnderReplicatedPartitions|UnderMinIsrPartitionCount|OfflineReplicaCount|PartitionCount|LeaderCount)><>Value'
    name: kafka_server_$1_$2
    type: GAUGE
  # kafka.controller:type=KafkaController,name=ActiveControllerCount|OfflinePartitionsCount|GlobalPartitionCount
  # (controllers; 1 on the active one, the counts on every controller from the metadata log).
  - pattern: 'kafka.controller<type=(KafkaController), name=(ActiveControllerCount|OfflinePartitionsCount|GlobalPartitionCount)><>Value'
    name: kafka_controller_$1_$2
    type: GAUGE
  # kafka.log:type=LogManager,name=OfflineLogDirectoryCount (brokers).
  - pattern: 'kafka.log<type=(LogManager), name=(OfflineLogDirectoryCount)><>Value'
    name: kafka_log_$1_$2
    type: GAUGE
  # kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent (brokers and controllers): a meter of
  # idle nanoseconds per thread, so its one-minute rate is the idle share, 0 to 1.
  - pattern: 'kafka.server<type=(KafkaRequestHandlerPool), name=(RequestHandlerAvgIdlePercent)><>OneMinuteRate'
    name: kafka_server_$1_$2
    type: GAUGE
  # kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent (brokers and controllers): a gauge, 0 to 1.
  - pattern: 'kafka.network<type=(SocketServer), name=(NetworkProcessorAvgIdlePercent)><>Value'
    name: kafka_network_$1_$2
    type: GAUGE
  # kafka.server:type=raft-metrics, attribute current-state (every node; a string: leader, follower, candidate, ...):
  # kafka_server_raftmetrics_current_state{state="<the state>"} 1.
  - pattern: 'kafka.server<type=raft-metrics><>(current-state): (\w+)'
    name: kafka_server_raftmetrics_$1
    value: 1
    type: UNTYPED
    labels:
      state: '$2'
  # kafka.server:type=raft-metrics, attributes current-leader (the leader's node id, -1 if unknown) and high-watermark.
  - pattern: 'kafka.server<type=raft-metrics><>(current-leader|high-watermark):'
    name: kafka_server_raftmetrics_$1
    type: GAUGE
`;

/** The exporter's rules file (YAML text), mounted from the config ConfigMap as `jmx-exporter.yaml`. */
export function kafkaJmxExporterConfig(): string {
  return JMX_EXPORTER_CONFIG;
}

/** What the alerts and the dashboard of a cluster depend on. */
export interface KafkaAlertInput {
  /** The instance: the construct's name, `app.kubernetes.io/instance` of every pod. */
  readonly name: string;
  readonly brokers: number;
  readonly controllers: number;
  /** `min.insync.replicas`: copies an `acks=all` producer waits for. */
  readonly minInsyncReplicas: number;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly namespace?: string;
  /**
   * How long every condition must hold before its alert fires.
   *
   * @default alertDelaySeconds(tier)
   */
  readonly delaySeconds?: number;
}

/** PromQL label matchers of the series of one cluster: the agents' (as the PodMonitor labels them) and the kubelet's. */
export interface KafkaSeriesSelectors {
  readonly brokers: string;
  readonly controllers: string;
  /** kubelet_volume_stats_* of the brokers' `data` claims. */
  readonly brokerVolumes: string;
  /** kubelet_volume_stats_* of the controllers' `data` claims. */
  readonly controllerVolumes: string;
}

/** The selectors of a cluster (for the volumes, see dataClaimsSelector). */
export function kafkaSeriesSelectors(input: Pick<KafkaAlertInput, 'name' | 'namespace'>): KafkaSeriesSelectors {
  const pods = (component: string) => podSetSelector(input.namespace, input.name, component);
  const claims = (component: string) => dataClaimsSelector(input.namespace, `${input.name}-${component}`);
  return {
    brokers: pods(KAFKA_BROKER_COMPONENT),
    controllers: pods(KAFKA_CONTROLLER_COMPONENT),
    brokerVolumes: claims(KAFKA_BROKER_COMPONENT),
    controllerVolumes: claims(KAFKA_CONTROLLER_COMPONENT),
  };
}

/** What losing records costs, by data class. */
function recordsNote(dataClass: DataClass): string {
  return dataClass === DataClass.SYSTEM_OF_RECORD
    ? 'The records are a system of record: a lost one cannot be produced again.'
    : 'The records are a cache: producers can send lost ones again.';
}

/**
 * The alerts of a cluster: partitions under-replicated, under min.insync.replicas or offline; no single active
 * controller, no quorum leader; fewer RUNNING brokers than configured; a node not scraped or missing; an offline log
 * directory; busy request handlers; and data volumes filling up. Each waits the tier's delay, longer than a broker
 * restart or a controller election, so a handled failure does not page.
 */
export function kafkaAlertRules(input: KafkaAlertInput, selectors: KafkaSeriesSelectors): AlertRule[] {
  const delay = input.delaySeconds ?? alertDelaySeconds(input.tier);
  const { brokers, controllers } = selectors;
  const cluster = `Kafka ${input.name}`;
  const minIsr = input.minInsyncReplicas;
  const quorum = majority(input.controllers);
  const handlerIdle = 'kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent';
  const fullVolume =
    'A broker whose log directory fills up takes it offline and, with its only directory gone, stops: its replicas leave ' +
    'the ISR of their partitions. A controller whose metadata log cannot grow stops too. Records already acknowledged ' +
    'stay on disk; new ones cannot be written there.';
  return [
    {
      alert: 'KafkaUnderReplicatedPartitions',
      expr: `kafka_server_replicamanager_underreplicatedpartitions${brokers} > 0`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${cluster}: {{ $labels.pod }} leads under-replicated partitions`,
      description:
        'Partitions this broker leads have fewer in-sync replicas than replicas: a follower is down or cannot keep up. ' +
        `Producers with acks=all still succeed while ${minIsr} replicas are in sync, and records they were told are ` +
        'written are on that many copies; one more broker loss leaves some partitions below that.',
    },
    {
      alert: 'KafkaUnderMinIsrPartitions',
      expr: `kafka_server_replicamanager_underminisrpartitioncount${brokers} > 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: {{ $labels.pod }} leads partitions with fewer than ${minIsr} in-sync replicas`,
      description:
        `Partitions this broker leads have fewer in-sync replicas than min.insync.replicas (${minIsr}): producers with ` +
        'acks=all get NOT_ENOUGH_REPLICAS and nothing new is acknowledged there; records acknowledged before are on fewer ' +
        `copies than promised, and lost if those fail too. ${recordsNote(input.dataClass)}`,
    },
    {
      alert: 'KafkaOfflinePartitions',
      // Every controller counts them from the metadata log it replays.
      expr: `max(kafka_controller_kafkacontroller_offlinepartitionscount${controllers}) > 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster} has partitions without a leader`,
      description:
        'Partitions have no leader: no record can be written to or read from them. Unclean leader election is off, so ' +
        'each waits for a replica of its last ISR to come back rather than electing one that may miss acknowledged ' +
        'records: bring back the brokers that hold them. Should their volumes be lost, so are the records only they ' +
        `held. ${recordsNote(input.dataClass)}`,
    },
    {
      alert: 'KafkaActiveControllerCountAbnormal',
      expr: `(sum(kafka_controller_kafkacontroller_activecontrollercount${controllers}) or vector(0)) != 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: {{ $value }} active controllers instead of 1`,
      description:
        'No scraped controller is active (none was elected, or none can be scraped), or more than one believes it is. ' +
        'Without an active controller no metadata changes: the partitions a failing broker leads get no new leader, and no ' +
        'ISR shrinks, so producers with acks=all stall on a partition whose follower fails. Other partitions keep working.',
    },
    {
      alert: 'KafkaNoQuorumLeader',
      expr: `(count(kafka_server_raftmetrics_current_state${withMatchers(controllers, 'state="leader"')} == 1) or vector(0)) < 1`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: no controller leads the metadata quorum`,
      description:
        `No scraped controller is in the raft state leader: fewer than ${quorum} of ${input.controllers} controllers run ` +
        'and reach each other, or none can be scraped. The metadata log takes no writes, so no partition gets a new ' +
        'leader when a broker fails.',
    },
    {
      alert: 'KafkaBrokersNotRunning',
      expr: `(count(kafka_server_kafkaserver_brokerstate${brokers} == ${BROKER_STATE_RUNNING}) or vector(0)) < ${input.brokers}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: fewer than ${input.brokers} brokers are RUNNING`,
      description:
        'A broker is starting, recovering its logs, shutting down or gone: its replicas are out of the ISR of their ' +
        `partitions, which run on fewer copies; with fewer than ${minIsr} in sync, producers with acks=all fail.`,
    },
    {
      alert: 'KafkaNodeDown',
      expr: `up${brokers} == 0 or up${controllers} == 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: {{ $labels.pod }} is down`,
      description:
        'Prometheus cannot scrape the JMX exporter, which runs inside the Kafka JVM: the process is not running, is still ' +
        'starting, or does not answer.',
    },
    {
      alert: 'KafkaBrokersMissing',
      expr: `(count(up${brokers} == 1) or vector(0)) < ${input.brokers}`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: fewer than ${input.brokers} broker pods are scraped`,
      description: 'A broker pod vanished (not scheduled, deleted, or its scrape target is gone): the partitions it holds run on fewer copies.',
    },
    {
      alert: 'KafkaControllersMissing',
      expr: `(count(up${controllers} == 1) or vector(0)) < ${input.controllers}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${cluster}: fewer than ${input.controllers} controller pods are scraped`,
      description:
        `A controller pod vanished or cannot be scraped. The metadata quorum works while ${quorum} of ` +
        `${input.controllers} controllers run; KafkaNoQuorumLeader tells when it does not.`,
    },
    {
      alert: 'KafkaOfflineLogDirectories',
      expr: `kafka_log_logmanager_offlinelogdirectorycount${brokers} > 0`,
      forSeconds: delay,
      severity: AlertSeverity.CRITICAL,
      summary: `${cluster}: {{ $labels.pod }} has an offline log directory`,
      description:
        'The broker failed to read or write its log directory (a disk error, a full or read-only volume): the replicas in ' +
        'it are offline and their partitions run on fewer copies. Replace or repair the volume.',
    },
    {
      alert: 'KafkaRequestHandlersBusy',
      expr: `${handlerIdle}${brokers} < ${REQUEST_HANDLER_IDLE_RATIO} or ${handlerIdle}${controllers} < ${REQUEST_HANDLER_IDLE_RATIO}`,
      forSeconds: delay,
      severity: AlertSeverity.WARNING,
      summary: `${cluster}: the request handlers of {{ $labels.pod }} are idle less than ${REQUEST_HANDLER_IDLE_RATIO * 100}% of the time`,
      description:
        'The node handles requests nearly as fast as they come: requests queue and producers wait longer for ' +
        'acknowledgements, up to their delivery timeout. Add brokers or spread the partitions.',
    },
    ...volumeAlerts({
      prefix: 'Kafka',
      subject: cluster,
      volumes: [selectors.brokerVolumes, selectors.controllerVolumes],
      forSeconds: delay,
      consequence: fullVolume,
      remedy: 'Shorten retention or grow the volume.',
    }),
  ];
}

/** A Grafana dashboard of the cluster: nodes up, broker states, partitions at risk, controller and quorum, load, disk. */
export function kafkaDashboard(input: KafkaAlertInput, selectors: KafkaSeriesSelectors, title: string): object {
  const { brokers, controllers } = selectors;
  const bothRoles = (metric: string) => `${metric}${brokers} or ${metric}${controllers}`;
  return grafanaDashboardModel({
    title,
    uid: `sb-kafka-${input.name}`,
    tags: ['stability-blueprints', 'kafka'],
    panels: [
      timeseriesPanel(1, 'Up', bothRoles('up'), '{{pod}}'),
      timeseriesPanel(2, `Broker state (${BROKER_STATE_RUNNING} = RUNNING)`, `kafka_server_kafkaserver_brokerstate${brokers}`, '{{pod}}'),
      timeseriesPanel(3, 'Under-replicated partitions', `kafka_server_replicamanager_underreplicatedpartitions${brokers}`, '{{pod}}'),
      timeseriesPanel(
        4,
        `Partitions under min.insync.replicas (${input.minInsyncReplicas})`,
        `kafka_server_replicamanager_underminisrpartitioncount${brokers}`,
        '{{pod}}',
      ),
      timeseriesPanel(5, 'Offline partitions', `kafka_controller_kafkacontroller_offlinepartitionscount${controllers}`, '{{pod}}'),
      timeseriesPanel(6, 'Active controller', `kafka_controller_kafkacontroller_activecontrollercount${controllers}`, '{{pod}}'),
      timeseriesPanel(7, 'Raft state', `kafka_server_raftmetrics_current_state${controllers} == 1`, '{{pod}} {{state}}'),
      timeseriesPanel(8, 'Leaders per broker', `kafka_server_replicamanager_leadercount${brokers}`, '{{pod}}'),
      timeseriesPanel(
        9,
        'Request handler idle',
        bothRoles('kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent'),
        '{{pod}}',
        'percentunit',
      ),
      timeseriesPanel(10, 'Network processor idle', bothRoles('kafka_network_socketserver_networkprocessoravgidlepercent'), '{{pod}}', 'percentunit'),
      timeseriesPanel(
        11,
        'Data volume free',
        `${volumeFreeShare(selectors.brokerVolumes)} or ${volumeFreeShare(selectors.controllerVolumes)}`,
        '{{persistentvolumeclaim}}',
        'percentunit',
      ),
      timeseriesPanel(12, 'Offline log directories', `kafka_log_logmanager_offlinelogdirectorycount${brokers}`, '{{pod}}'),
    ],
  });
}
