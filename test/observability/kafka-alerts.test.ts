/**
 * The KafkaCluster alerts, run by promtool against the series that the JMX exporter agent in each Kafka JVM, the
 * kubelet and the PodMonitor produce; and the agent's rules file, run through a matcher that applies the rules the way
 * jmx_exporter does. Each scenario describes the pods of a cluster over time, and the series follow from it the way
 * Prometheus would record them.
 *
 * No Kafka runs on this machine, so the agent's series are taken from fixtures/kafka/*.prom: constructed, they are what
 * the agent prints with kafkaJmxExporterConfig() for the MBeans the Kafka design names (see fixtures/kafka/README.md).
 * A scenario may change a value, and the raft `state` label the agent takes from the current-state value, never a name
 * or another label. The rules-file tests below tie the two together: each MBean of the design becomes, under the rules,
 * the series these fixtures hold.
 */

import { join } from 'node:path';
import { parse } from 'yaml';
import { DataClass, Tier } from '../../lib';
import {
  BROKER_STATE_RUNNING,
  KAFKA_BROKER_COMPONENT,
  KAFKA_CONTROLLER_COMPONENT,
  KAFKA_METRICS_PORT,
  kafkaAlertRules,
  KafkaAlertInput,
  kafkaDashboard,
  kafkaJmxExporterConfig,
  kafkaSeriesSelectors,
} from '../../lib/components/kafka/observability';
import { alertDelaySeconds } from '../../lib/observability/monitoring';
import type { Exported, PodScrape } from '../support/exposition';
import { fixtureReader, kubeletVolumeLabels, kubeletVolumeSamples, targetSamples, withValues } from '../support/exposition';
import type { AlertSpec, CaseTiming, ExpectedAlert, Labels, RuleExpectation, Sample, Scenario } from '../support/promtool';
import {
  componentAlert as clusterAlert,
  firesDelayed,
  promtoolAlertRuleTests,
  promtoolWorkDir,
  quietThroughout,
  scenarioTestGroup,
  STEP,
} from '../support/promtool';

/** When trouble starts in a scenario. */
const FAULT_AT = 300;
const ROUTING = { owner: 'team-orders', scenario: 'shop', component: 'kafka-cluster' };
const FIXTURES = join(__dirname, 'fixtures', 'kafka');

type Role = typeof KAFKA_BROKER_COMPONENT | typeof KAFKA_CONTROLLER_COMPONENT;
const ROLES: readonly Role[] = [KAFKA_BROKER_COMPONENT, KAFKA_CONTROLLER_COMPONENT];

/** What the rules and the series of one cluster depend on. */
interface Cluster {
  readonly input: KafkaAlertInput;
  readonly namespace: string;
  /** Second octet of the pods' IPs, so two clusters never share an `instance`. */
  readonly subnet: number;
}

/** The pods of a cluster over time. */
interface World {
  /** Undefined while the pod does not exist. */
  readonly node: (role: Role, ordinal: number, seconds: number) => PodScrape | undefined;
  /** The free share of the pod's data volume, which the kubelet reports while the pod exists; undefined without the kubelet's series. */
  readonly volumeFree: (role: Role, ordinal: number, seconds: number) => number | undefined;
}

interface CaseContext extends CaseTiming {
  readonly cluster: Cluster;
}

const nodes = (cluster: Cluster, role: Role) => (role === KAFKA_BROKER_COMPONENT ? cluster.input.brokers : cluster.input.controllers);

// ---------------------------------------------------------------------------------------------------------------
// Constructed exporter output.

const fixture = fixtureReader(FIXTURES);

const AGENT_FIXTURES = ['broker', 'controller-active', 'controller-standby'];

type RaftState = 'leader' | 'follower' | 'candidate' | 'unattached';

/** A controller in a raft state: the agent's `state` label follows the current-state attribute. */
function controllerIn(state: RaftState, active = state === 'leader'): Exported[] {
  const exported = state === 'leader' ? fixture('controller-active') : fixture('controller-standby');
  const withState = exported.map((series) =>
    series.name === 'kafka_server_raftmetrics_current_state' ? { ...series, labels: { ...series.labels, state } } : series,
  );
  // Only a follower or the leader knows the leader; the others report -1.
  const leader = state === 'leader' || state === 'follower' ? 9000 : -1;
  return withValues(withState, {
    kafka_server_raftmetrics_current_leader: leader,
    kafka_controller_kafkacontroller_activecontrollercount: active ? 1 : 0,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Series, as the PodMonitor and the kubelet's scrape job label them.

function targetLabels(cluster: Cluster, role: Role, ordinal: number, generation: number): Labels {
  const { name } = cluster.input;
  return {
    namespace: cluster.namespace,
    app_kubernetes_io_instance: name,
    app_kubernetes_io_component: role,
    pod: `${name}-${role}-${ordinal}`,
    container: 'kafka',
    endpoint: 'metrics',
    instance: `10.${cluster.subnet}.${generation}.${(role === KAFKA_BROKER_COMPONENT ? 10 : 50) + ordinal}:${KAFKA_METRICS_PORT}`,
    job: `${cluster.namespace}/${name}-kafka-monitor`,
  };
}

/** The labels of a claim's volume series; pod N runs on node N of the cluster's subnet. */
const volumeLabels = (cluster: Cluster, role: Role, ordinal: number): Labels =>
  kubeletVolumeLabels(cluster.namespace, `data-${cluster.input.name}-${role}-${ordinal}`, {
    instance: `192.168.${cluster.subnet}.${ordinal + 1}`,
    node: `node-${cluster.subnet}-${ordinal}`,
  });

const volumeSamples = (cluster: Cluster, role: Role, ordinal: number, free: number): Sample[] =>
  kubeletVolumeSamples(fixture('kubelet-volume'), volumeLabels(cluster, role, ordinal), free);

const podSamples = (target: Labels, pod: PodScrape): Sample[] => targetSamples(target, pod.scraped ? pod.exported : undefined);

function scrape(cluster: Cluster, world: World, seconds: number): Sample[] {
  return ROLES.flatMap((role) =>
    Array.from({ length: nodes(cluster, role) }, (_, ordinal) => {
      const pod = world.node(role, ordinal, seconds);
      if (pod === undefined) {
        return [];
      }
      const free = world.volumeFree(role, ordinal, seconds);
      return [
        ...podSamples(targetLabels(cluster, role, ordinal, pod.generation), pod),
        ...(free === undefined ? [] : volumeSamples(cluster, role, ordinal, free)),
      ];
    }).flat(),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Worlds.

const HEALTHY_FREE = 0.6;

/** Controller 0 is the active controller, the others follow it; every broker is RUNNING. */
function healthyNode(role: Role, ordinal: number, generation = 0): PodScrape {
  const exported = role === KAFKA_BROKER_COMPONENT ? fixture('broker') : controllerIn(ordinal === 0 ? 'leader' : 'follower');
  return { generation, scraped: true, exported };
}

const healthyWorld = (): World => ({ node: (role, ordinal) => healthyNode(role, ordinal), volumeFree: () => HEALTHY_FREE });

type Trouble = (pod: PodScrape, role: Role, ordinal: number, sinceFault: number) => PodScrape | undefined;

/** From FAULT_AT on, each existing pod becomes what `trouble` makes of it. */
function nodeTrouble(trouble: Trouble): World {
  const world = healthyWorld();
  return {
    ...world,
    node: (role, ordinal, seconds) => {
      const pod = world.node(role, ordinal, seconds);
      return seconds < FAULT_AT || pod === undefined ? pod : trouble(pod, role, ordinal, seconds - FAULT_AT);
    },
  };
}

/** From FAULT_AT on, the data volume of one pod has `free` of its space left. */
function volumeTrouble(role: Role, ordinal: number, free: number): World {
  return {
    ...healthyWorld(),
    volumeFree: (each, eachOrdinal, seconds) => (seconds >= FAULT_AT && each === role && eachOrdinal === ordinal ? free : HEALTHY_FREE),
  };
}

const withPodValues = (pod: PodScrape, values: Record<string, number>): PodScrape => ({ ...pod, exported: withValues(pod.exported, values) });

/** From FAULT_AT on, one broker reports these values, for `seconds` (for good by default). */
function brokerReports(ordinal: number, values: Record<string, number>, seconds = Infinity): World {
  return nodeTrouble((pod, role, each, sinceFault) =>
    role === KAFKA_BROKER_COMPONENT && each === ordinal && sinceFault < seconds ? withPodValues(pod, values) : pod,
  );
}

/** From FAULT_AT on, every controller reports these values, for `seconds` (for good by default). */
function controllersReport(values: Record<string, number>, seconds = Infinity): World {
  return nodeTrouble((pod, role, _, sinceFault) => (role === KAFKA_CONTROLLER_COMPONENT && sinceFault < seconds ? withPodValues(pod, values) : pod));
}

/** The pod is deleted at FAULT_AT; the StatefulSet's replacement, with a new IP, runs `backAfter` seconds later. */
function podReplaced(role: Role, ordinal: number, backAfter = Infinity): Trouble {
  return (pod, each, eachOrdinal, sinceFault) => {
    if (each !== role || eachOrdinal !== ordinal) {
      return pod;
    }
    return sinceFault < backAfter ? undefined : healthyNode(role, ordinal, 1);
  };
}

const BROKER_STATE_STARTING = 1;
const BROKER_STATE_RECOVERY = 2;

/**
 * A broker pod is deleted; until its replacement has caught up, the partitions the others lead are under-replicated.
 * The replacement starts (STARTING) for one scrape, then runs.
 */
function brokerRestarted(cluster: Cluster, ordinal: number, backAfter = Infinity): Scenario<World> {
  const pod = `${cluster.input.name}-broker-${ordinal}`;
  return {
    name: `${pod} is deleted${backAfter === Infinity ? ' and not replaced' : ` and its replacement runs ${backAfter + STEP}s later`}`,
    world: nodeTrouble((node, role, each, sinceFault) => {
      if (role !== KAFKA_BROKER_COMPONENT) {
        return node;
      }
      if (each === ordinal) {
        if (sinceFault < backAfter) {
          return undefined;
        }
        const replacement = healthyNode(role, ordinal, 1);
        return sinceFault < backAfter + STEP
          ? withPodValues(replacement, { kafka_server_kafkaserver_brokerstate: BROKER_STATE_STARTING })
          : replacement;
      }
      return sinceFault < backAfter + STEP ? withPodValues(node, { kafka_server_replicamanager_underreplicatedpartitions: 20 }) : node;
    }),
  };
}

/**
 * The active controller's pod is deleted: the others are candidates for one scrape, then controller 1 leads; the
 * replacement follows it `backAfter` seconds later.
 */
function controllerFailover(cluster: Cluster, backAfter: number): Scenario<World> {
  return {
    name: `the active controller ${cluster.input.name}-controller-0 is deleted, 1 is elected, and the replacement follows ${backAfter}s later`,
    world: nodeTrouble((node, role, ordinal, sinceFault) => {
      if (role !== KAFKA_CONTROLLER_COMPONENT) {
        return node;
      }
      if (ordinal === 0) {
        return sinceFault < backAfter ? undefined : { generation: 1, scraped: true, exported: controllerIn('follower') };
      }
      const state = sinceFault < STEP ? 'candidate' : ordinal === 1 ? 'leader' : 'follower';
      return { ...node, exported: controllerIn(state) };
    }),
  };
}

/** A majority of the controllers, the active one among them, is deleted; the rest cannot win an election. */
function quorumLost(cluster: Cluster): Scenario<World> {
  const lost = cluster.input.controllers - Math.floor(cluster.input.controllers / 2);
  return {
    name: `${lost} of ${cluster.input.controllers} controllers are deleted and not replaced (their zone is down)`,
    world: nodeTrouble((node, role, ordinal) => {
      if (role !== KAFKA_CONTROLLER_COMPONENT) {
        return node;
      }
      return ordinal < lost ? undefined : { ...node, exported: controllerIn('candidate') };
    }),
  };
}

const noControllerScraped = (): Scenario<World> => ({
  name: 'no controller agent can be scraped',
  world: nodeTrouble((node, role) => (role === KAFKA_CONTROLLER_COMPONENT ? { ...node, scraped: false } : node)),
});

/**
 * Another cluster, inconsistent on purpose so that every alert would fire on its series: its last broker and controller
 * are gone, broker 1 cannot be scraped, and the others report every fault at once (two controllers claim to be active).
 */
function brokenNeighbour(cluster: Cluster): World {
  return {
    node: (role, ordinal) => {
      if (ordinal === nodes(cluster, role) - 1) {
        return undefined;
      }
      if (role === KAFKA_BROKER_COMPONENT && ordinal === 1) {
        return { generation: 0, scraped: false, exported: [] };
      }
      const busy = { kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent: 0.05 };
      const exported =
        role === KAFKA_BROKER_COMPONENT
          ? withValues(fixture('broker'), {
              ...busy,
              kafka_server_kafkaserver_brokerstate: BROKER_STATE_RECOVERY,
              kafka_server_replicamanager_underreplicatedpartitions: 9,
              kafka_server_replicamanager_underminisrpartitioncount: 9,
              kafka_log_logmanager_offlinelogdirectorycount: 1,
            })
          : withValues(controllerIn('candidate', true), { ...busy, kafka_controller_kafkacontroller_offlinepartitionscount: 5 });
      return { generation: 0, scraped: true, exported };
    },
    volumeFree: () => 0.01,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The cases of each alert.

/** Quiet until the rule's `for` has passed since FAULT_AT (pending), then firing. */
const firesAfterDelay = (delay: number, scenario: Scenario<World>, alerts: ExpectedAlert[]) => firesDelayed(FAULT_AT, delay, scenario, alerts);

const podName = (cluster: Cluster, role: Role, ordinal: number) => `${cluster.input.name}-${role}-${ordinal}`;
const claimName = (cluster: Cluster, role: Role, ordinal: number) => `data-${podName(cluster, role, ordinal)}`;
const podAlert = (cluster: Cluster, role: Role, ordinal: number, summary: string): ExpectedAlert => ({
  labels: targetLabels(cluster, role, ordinal, 0),
  summary,
});
const volumeAlert = (cluster: Cluster, role: Role, ordinal: number, summary: string): ExpectedAlert => ({
  labels: volumeLabels(cluster, role, ordinal),
  summary,
});
const kafka = (cluster: Cluster) => `Kafka ${cluster.input.name}`;

const B = KAFKA_BROKER_COMPONENT;
const C = KAFKA_CONTROLLER_COMPONENT;
const lastBroker = (cluster: Cluster) => cluster.input.brokers - 1;
const lastController = (cluster: Cluster) => cluster.input.controllers - 1;

const ALERTS: Record<string, AlertSpec<CaseContext, World>> = {
  KafkaUnderReplicatedPartitions: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `the followers of 7 partitions ${podName(cluster, B, 0)} leads stop fetching`,
          world: brokerReports(0, { kafka_server_replicamanager_underreplicatedpartitions: 7 }),
        },
        [podAlert(cluster, B, 0, `${kafka(cluster)}: ${podName(cluster, B, 0)} leads under-replicated partitions`)],
      ),
      quietThroughout(horizon, brokerRestarted(cluster, lastBroker(cluster), delay - 3 * STEP)),
    ],
  },
  KafkaUnderMinIsrPartitions: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const underMinIsr = { kafka_server_replicamanager_underreplicatedpartitions: 7, kafka_server_replicamanager_underminisrpartitioncount: 7 };
      const summary = `${kafka(cluster)}: ${podName(cluster, B, 0)} leads partitions with fewer than 2 in-sync replicas`;
      return [
        firesAfterDelay(
          delay,
          { name: `both followers of 7 partitions ${podName(cluster, B, 0)} leads stop fetching`, world: brokerReports(0, underMinIsr) },
          [podAlert(cluster, B, 0, summary)],
        ),
        quietThroughout(horizon, {
          name: `both followers of 7 partitions ${podName(cluster, B, 0)} leads catch up within the delay`,
          world: brokerReports(0, underMinIsr, delay - 2 * STEP),
        }),
        quietThroughout(horizon, {
          name: `one follower of 7 partitions ${podName(cluster, B, 0)} leads stops fetching: under-replicated, still at min.insync.replicas`,
          world: brokerReports(0, { kafka_server_replicamanager_underreplicatedpartitions: 7 }),
        }),
      ];
    },
  },
  KafkaOfflinePartitions: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `the ISR of 4 partitions had shrunk to ${podName(cluster, B, lastBroker(cluster))}, which is deleted`,
          world: nodeTrouble((pod, role, ordinal) => {
            if (role === C) {
              return withPodValues(pod, { kafka_controller_kafkacontroller_offlinepartitionscount: 4 });
            }
            return ordinal === lastBroker(cluster) ? undefined : pod;
          }),
        },
        [clusterAlert(`${kafka(cluster)} has partitions without a leader`)],
      ),
      quietThroughout(horizon, {
        name: 'a broker crashes and the controller elects new leaders from the ISR within a scrape',
        world: controllersReport({ kafka_controller_kafkacontroller_offlinepartitionscount: 21 }, STEP),
      }),
    ],
  },
  KafkaActiveControllerCountAbnormal: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const summary = (count: number) => `${kafka(cluster)}: ${count} active controllers instead of 1`;
      return [
        firesAfterDelay(delay, quorumLost(cluster), [clusterAlert(summary(0))]),
        firesAfterDelay(delay, noControllerScraped(), [clusterAlert(summary(0))]),
        firesAfterDelay(
          delay,
          {
            name: `${podName(cluster, C, 1)} also reports itself active`,
            world: nodeTrouble((pod, role, ordinal) => (role === C && ordinal === 1 ? { ...pod, exported: controllerIn('leader') } : pod)),
          },
          [clusterAlert(summary(2))],
        ),
        quietThroughout(horizon, controllerFailover(cluster, delay - 2 * STEP)),
      ];
    },
  },
  KafkaNoQuorumLeader: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const alert = clusterAlert(`${kafka(cluster)}: no controller leads the metadata quorum`);
      return [
        firesAfterDelay(delay, quorumLost(cluster), [alert]),
        firesAfterDelay(delay, noControllerScraped(), [alert]),
        quietThroughout(horizon, controllerFailover(cluster, delay - 2 * STEP)),
      ];
    },
  },
  KafkaBrokersNotRunning: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const alert = clusterAlert(`${kafka(cluster)}: fewer than ${cluster.input.brokers} brokers are RUNNING`);
      return [
        firesAfterDelay(
          delay,
          {
            name: `${podName(cluster, B, 1)} recovers its logs (RECOVERY) for longer than the delay`,
            world: brokerReports(1, { kafka_server_kafkaserver_brokerstate: BROKER_STATE_RECOVERY }),
          },
          [alert],
        ),
        firesAfterDelay(delay, brokerRestarted(cluster, lastBroker(cluster)), [alert]),
        quietThroughout(horizon, brokerRestarted(cluster, lastBroker(cluster), delay - 3 * STEP)),
      ];
    },
  },
  KafkaNodeDown: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const controller = lastController(cluster);
      const unscraped = (pod: PodScrape, role: Role, ordinal: number) =>
        (role === B && ordinal === 1) || (role === C && ordinal === controller) ? { ...pod, scraped: false } : pod;
      return [
        firesAfterDelay(
          delay,
          {
            name: `the agents of ${podName(cluster, B, 1)} and ${podName(cluster, C, controller)} cannot be scraped`,
            world: nodeTrouble(unscraped),
          },
          [
            podAlert(cluster, B, 1, `${kafka(cluster)}: ${podName(cluster, B, 1)} is down`),
            podAlert(cluster, C, controller, `${kafka(cluster)}: ${podName(cluster, C, controller)} is down`),
          ],
        ),
        quietThroughout(horizon, {
          name: `the Kafka containers of ${podName(cluster, B, 1)} and ${podName(cluster, C, controller)} restart within the delay`,
          world: nodeTrouble((pod, role, ordinal, sinceFault) => (sinceFault < delay - 2 * STEP ? unscraped(pod, role, ordinal) : pod)),
        }),
      ];
    },
  },
  KafkaBrokersMissing: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(delay, brokerRestarted(cluster, lastBroker(cluster)), [
        clusterAlert(`${kafka(cluster)}: fewer than ${cluster.input.brokers} broker pods are scraped`),
      ]),
      quietThroughout(horizon, brokerRestarted(cluster, lastBroker(cluster), delay - 2 * STEP)),
    ],
  },
  KafkaControllersMissing: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => [
      firesAfterDelay(
        delay,
        {
          name: `${podName(cluster, C, lastController(cluster))} is deleted and not replaced`,
          world: nodeTrouble(podReplaced(C, lastController(cluster))),
        },
        [clusterAlert(`${kafka(cluster)}: fewer than ${cluster.input.controllers} controller pods are scraped`)],
      ),
      quietThroughout(horizon, {
        name: `${podName(cluster, C, lastController(cluster))} is replaced, with a new IP, within the delay`,
        world: nodeTrouble(podReplaced(C, lastController(cluster), delay - 2 * STEP)),
      }),
    ],
  },
  KafkaOfflineLogDirectories: {
    severity: 'critical',
    cases: ({ cluster, delay }) => [
      firesAfterDelay(
        delay,
        {
          name: `${podName(cluster, B, 1)} takes its log directory offline after an I/O error`,
          world: brokerReports(1, { kafka_log_logmanager_offlinelogdirectorycount: 1, kafka_server_replicamanager_offlinereplicacount: 62 }),
        },
        [podAlert(cluster, B, 1, `${kafka(cluster)}: ${podName(cluster, B, 1)} has an offline log directory`)],
      ),
    ],
  },
  KafkaRequestHandlersBusy: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => {
      const idle = (brokerIdle: number, controllerIdle: number, seconds = Infinity) =>
        nodeTrouble((pod, role, ordinal, sinceFault) => {
          if (sinceFault >= seconds || ordinal !== (role === B ? 0 : 1)) {
            return pod;
          }
          return withPodValues(pod, { kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent: role === B ? brokerIdle : controllerIdle });
        });
      const summary = (role: Role, ordinal: number) =>
        `${kafka(cluster)}: the request handlers of ${podName(cluster, role, ordinal)} are idle less than 20% of the time`;
      return [
        firesAfterDelay(
          delay,
          {
            name: `the request handlers of ${podName(cluster, B, 0)} are idle 12% of the time, those of ${podName(cluster, C, 1)} 15%`,
            world: idle(0.12, 0.15),
          },
          [podAlert(cluster, B, 0, summary(B, 0)), podAlert(cluster, C, 1, summary(C, 1))],
        ),
        quietThroughout(horizon, { name: 'the request handlers of a broker and a controller are idle 25% of the time', world: idle(0.25, 0.25) }),
        quietThroughout(horizon, {
          name: 'a burst keeps the request handlers idle 10% of the time, shorter than the delay',
          world: idle(0.1, 0.1, delay - 2 * STEP),
        }),
      ];
    },
  },
  KafkaVolumeFillingUp: {
    severity: 'warning',
    cases: ({ cluster, delay, horizon }) => {
      const summary = (role: Role, ordinal: number) => `${kafka(cluster)}: ${claimName(cluster, role, ordinal)} has less than 15% free space`;
      return [
        firesAfterDelay(delay, { name: `the volume of ${podName(cluster, B, 1)} has 10% free`, world: volumeTrouble(B, 1, 0.1) }, [
          volumeAlert(cluster, B, 1, summary(B, 1)),
        ]),
        firesAfterDelay(delay, { name: `the volume of ${podName(cluster, C, 0)} has 12% free`, world: volumeTrouble(C, 0, 0.12) }, [
          volumeAlert(cluster, C, 0, summary(C, 0)),
        ]),
        quietThroughout(horizon, { name: `the volume of ${podName(cluster, B, 1)} has 16% free`, world: volumeTrouble(B, 1, 0.16) }),
        quietThroughout(horizon, { name: 'the kubelet reports no volume statistics', world: { ...healthyWorld(), volumeFree: () => undefined } }),
      ];
    },
  },
  KafkaVolumeAlmostFull: {
    severity: 'critical',
    cases: ({ cluster, delay, horizon }) => {
      const last = lastBroker(cluster);
      return [
        firesAfterDelay(delay, { name: `the volume of ${podName(cluster, B, last)} has 3% free`, world: volumeTrouble(B, last, 0.03) }, [
          volumeAlert(cluster, B, last, `${kafka(cluster)}: ${claimName(cluster, B, last)} has less than 5% free space`),
        ]),
        firesAfterDelay(delay, { name: `the volume of ${podName(cluster, C, 2)} has 4% free`, world: volumeTrouble(C, 2, 0.04) }, [
          volumeAlert(cluster, C, 2, `${kafka(cluster)}: ${claimName(cluster, C, 2)} has less than 5% free space`),
        ]),
        quietThroughout(horizon, { name: `the volume of ${podName(cluster, B, last)} has 10% free`, world: volumeTrouble(B, last, 0.1) }),
      ];
    },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The rules file, applied as the agent applies it.

/** One rule of the agent's configuration, compiled as JmxCollector compiles it. */
interface ExporterRule {
  readonly pattern: RegExp;
  readonly name?: string;
  readonly value?: string;
  /** Sorted by name, as JmxCollector keeps them (a TreeMap). */
  readonly labels: readonly (readonly [string, string])[];
}

interface ExporterConfig {
  readonly lowercaseOutputName: boolean;
  readonly includeObjectNames: readonly string[];
  readonly rules: readonly ExporterRule[];
}

function exporterConfig(yaml: any): ExporterConfig {
  return {
    lowercaseOutputName: yaml.lowercaseOutputName === true,
    includeObjectNames: yaml.includeObjectNames ?? [],
    rules: (yaml.rules ?? []).map((rule: any) => ({
      // The agent does not anchor a pattern: `^.*(?:pattern).*$` (JmxCollector, loading the rules).
      pattern: new RegExp(`^.*(?:${rule.pattern}).*$`),
      name: rule.name,
      value: rule.value === undefined ? undefined : String(rule.value),
      labels: Object.entries<string>(rule.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    })),
  };
}

/** Java's Matcher.replaceAll on a whole-input match: `$n` is the group, taking as many digits as name a group. */
function substitute(template: string, groups: RegExpExecArray): string {
  return template.replace(/\$(\d+)/g, (_, digits: string) => {
    let length = digits.length;
    while (length > 1 && Number(digits.slice(0, length)) >= groups.length) {
      length--;
    }
    const index = Number(digits.slice(0, length));
    if (index >= groups.length) {
      throw new Error(`no group ${index} in ${template}`);
    }
    return (groups[index] ?? '') + digits.slice(length);
  });
}

/** JmxCollector.toSafeName: characters outside [a-zA-Z0-9:_] become `_`, runs of `_` one, and a leading digit gets one. */
function toSafeName(name: string): string {
  let safe = /^[0-9]/.test(name) ? '_' : '';
  let previousUnderscore = false;
  for (const char of name) {
    if (/[a-zA-Z0-9:]/.test(char)) {
      safe += char;
      previousUnderscore = false;
    } else if (!previousUnderscore) {
      safe += '_';
      previousUnderscore = true;
    }
  }
  return safe;
}

interface MBeanAttribute {
  /** As Kafka registers it: `domain:type=...,name=...`, keys in registration order. */
  readonly objectName: string;
  readonly attribute: string;
  readonly value: number | string;
}

/** What the agent matches rules against: `domain<key=value, ...><>attribute: value` (JmxCollector.Receiver.recordBean). */
function canonicalForm({ objectName, attribute, value }: MBeanAttribute): string {
  const [domain, properties] = objectName.split(':');
  return `${domain}<${properties.split(',').join(', ')}><>${attribute}: ${value}`;
}

/** The series the agent prints for an attribute, or undefined when it drops it; the first matching rule decides. */
function exporterOutput(config: ExporterConfig, mbean: MBeanAttribute): Exported | undefined {
  const matchName = canonicalForm(mbean);
  for (const rule of config.rules) {
    const groups = rule.pattern.exec(matchName);
    if (groups === null) {
      continue;
    }
    if (rule.name === undefined) {
      throw new Error('a rule without a name exports under the default format, which this matcher does not model');
    }
    // A string attribute is only exported with a rule's `value`; either way the first matching rule ends the search.
    const value = rule.value !== undefined ? Number(substitute(rule.value, groups)) : typeof mbean.value === 'number' ? mbean.value : NaN;
    if (Number.isNaN(value)) {
      return undefined;
    }
    const name = toSafeName(substitute(rule.name, groups));
    const labels: Labels = {};
    for (const [labelName, labelValue] of rule.labels) {
      const safeLabel = toSafeName(substitute(labelName, groups));
      const substituted = substitute(labelValue, groups);
      if (safeLabel !== '' && substituted !== '') {
        labels[safeLabel] = substituted;
      }
    }
    return { name: config.lowercaseOutputName ? name.toLowerCase() : name, labels, value };
  }
  return undefined;
}

interface SpecMBean extends MBeanAttribute {
  readonly metric: string;
  readonly labels?: Labels;
  /** What the agent prints, when not the attribute's value. */
  readonly printed?: number;
}

const gauge = (objectName: string, metric: string, value = 0): SpecMBean => ({ objectName, attribute: 'Value', value, metric });

/** The MBeans of the Kafka design (/tmp/kafka-spec.md, "Metrics") and the series each must become. */
const SPEC_MBEANS: readonly SpecMBean[] = [
  gauge('kafka.server:type=KafkaServer,name=BrokerState', 'kafka_server_kafkaserver_brokerstate', BROKER_STATE_RUNNING),
  gauge('kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions', 'kafka_server_replicamanager_underreplicatedpartitions'),
  gauge('kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount', 'kafka_server_replicamanager_underminisrpartitioncount'),
  gauge('kafka.server:type=ReplicaManager,name=OfflineReplicaCount', 'kafka_server_replicamanager_offlinereplicacount'),
  gauge('kafka.server:type=ReplicaManager,name=PartitionCount', 'kafka_server_replicamanager_partitioncount', 62),
  gauge('kafka.server:type=ReplicaManager,name=LeaderCount', 'kafka_server_replicamanager_leadercount', 21),
  gauge('kafka.controller:type=KafkaController,name=ActiveControllerCount', 'kafka_controller_kafkacontroller_activecontrollercount', 1),
  gauge('kafka.controller:type=KafkaController,name=OfflinePartitionsCount', 'kafka_controller_kafkacontroller_offlinepartitionscount'),
  gauge('kafka.controller:type=KafkaController,name=GlobalPartitionCount', 'kafka_controller_kafkacontroller_globalpartitioncount', 62),
  gauge('kafka.log:type=LogManager,name=OfflineLogDirectoryCount', 'kafka_log_logmanager_offlinelogdirectorycount'),
  {
    objectName: 'kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent',
    attribute: 'OneMinuteRate',
    value: 0.93,
    metric: 'kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent',
  },
  gauge('kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent', 'kafka_network_socketserver_networkprocessoravgidlepercent', 0.97),
  ...['leader', 'follower', 'candidate', 'unattached', 'voted', 'observer', 'resigned'].map((state): SpecMBean => ({
    objectName: 'kafka.server:type=raft-metrics',
    attribute: 'current-state',
    value: state,
    metric: 'kafka_server_raftmetrics_current_state',
    labels: { state },
    printed: 1,
  })),
  { objectName: 'kafka.server:type=raft-metrics', attribute: 'current-leader', value: 9000, metric: 'kafka_server_raftmetrics_current_leader' },
  { objectName: 'kafka.server:type=raft-metrics', attribute: 'high-watermark', value: 4127, metric: 'kafka_server_raftmetrics_high_watermark' },
];

/** Neighbours of the design's MBeans, which the agent must drop. */
const OTHER_MBEANS: readonly MBeanAttribute[] = [
  { objectName: 'kafka.server:type=ReplicaManager,name=AtMinIsrPartitionCount', attribute: 'Value', value: 0 },
  { objectName: 'kafka.server:type=ReplicaManager,name=IsrShrinksPerSec', attribute: 'Count', value: 3 },
  { objectName: 'kafka.controller:type=KafkaController,name=FencedBrokerCount', attribute: 'Value', value: 0 },
  { objectName: 'kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent', attribute: 'MeanRate', value: 0.9 },
  { objectName: 'kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent', attribute: 'Count', value: 812345 },
  { objectName: 'kafka.server:type=raft-metrics', attribute: 'current-vote', value: 9000 },
  { objectName: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=orders', attribute: 'Count', value: 120 },
];

// ---------------------------------------------------------------------------------------------------------------
// PromQL scoping.

const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'count', 'avg', 'by', 'without', 'on', 'ignoring', 'or', 'and', 'unless', 'vector', 'rate']);

/** The selectors of an expression that are not one of `scopes` (possibly with more matchers), and metric names without a selector. */
function unscopedSelectors(expr: string, scopes: readonly string[]): string[] {
  const unscoped: string[] = [];
  const rest = expr.replace(/[a-zA-Z_:][\w:]*(\{[^}]*\})/g, (selector, matchers: string) => {
    if (!scopes.some((scope) => matchers === scope || matchers.startsWith(`${scope.slice(0, -1)}, `))) {
      unscoped.push(selector);
    }
    return ' ';
  });
  return [...unscoped, ...(rest.match(/[a-zA-Z_:][\w:]*/g) ?? []).filter((word) => !PROMQL_WORDS.has(word))];
}

// ---------------------------------------------------------------------------------------------------------------
// Clusters and promtool.

interface ClusterUnderTest {
  readonly title: string;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly brokers: number;
  readonly controllers: number;
}

const CLUSTERS: readonly ClusterUnderTest[] = [
  {
    title: 'a CRITICAL SYSTEM_OF_RECORD cluster of 3 brokers and 3 controllers',
    tier: Tier.CRITICAL,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    brokers: 3,
    controllers: 3,
  },
  {
    title: 'a HIGH SYSTEM_OF_RECORD cluster of 5 brokers and 5 controllers',
    tier: Tier.HIGH,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    brokers: 5,
    controllers: 5,
  },
  { title: 'a STANDARD CACHE cluster of 4 brokers and 3 controllers', tier: Tier.STANDARD, dataClass: DataClass.CACHE, brokers: 4, controllers: 3 },
];

function clusterOf(spec: ClusterUnderTest, name: string, namespace: string, subnet: number): Cluster {
  return {
    namespace,
    subnet,
    input: {
      name,
      brokers: spec.brokers,
      controllers: spec.controllers,
      minInsyncReplicas: 2,
      tier: spec.tier,
      dataClass: spec.dataClass,
      namespace,
    },
  };
}

/**
 * Clusters whose every alert would fire: one of the same name in another namespace, and one in the same namespace named
 * like this cluster's broker StatefulSet, whose claims (`data-orders-broker-controller-0`) start like this one's.
 */
function neighbours(spec: ClusterUnderTest): (readonly [Cluster, World])[] {
  const threeAndThree = { ...spec, brokers: 3, controllers: 3 };
  return [clusterOf(threeAndThree, 'orders', 'staging', 2), clusterOf(threeAndThree, 'orders-broker', 'shop', 3)].map(
    (cluster) => [cluster, brokenNeighbour(cluster)] as const,
  );
}

/** A promtool test group of the scenario, next to the broken neighbours, with the expectations of some rules. */
function clusterTestGroup(
  cluster: Cluster,
  spec: ClusterUnderTest,
  scenario: Scenario<World>,
  horizon: number,
  expectations: readonly RuleExpectation[],
): object {
  return scenarioTestGroup(scenario, cluster, neighbours(spec), scrape, horizon, { ...ROUTING, tier: cluster.input.tier }, expectations);
}

const workDir = promtoolWorkDir('kafka-alerts-');

describe('the JMX exporter rules file', () => {
  const config = exporterConfig(parse(kafkaJmxExporterConfig()));

  test('the matcher applies rules as jmx_exporter does (two of its own JmxCollectorTest cases)', () => {
    // GIVEN the bean of jmx_exporter's testNameAndLabelsFromPattern and testNameAndLabelSanitized
    const bean = { objectName: 'hadoop:service=DataNode,name=DataNodeActivity-ams-hdd001-50010', attribute: 'replaceBlockOpMinTime', value: 200 };
    const fromPattern = exporterConfig({
      rules: [
        {
          pattern: '^hadoop<(service)=(DataNode), name=DataNodeActivity-ams-hdd001-50010><>(replaceBlockOpMinTime):',
          name: 'hadoop_$3',
          labels: { $1: '$2' },
        },
      ],
    });
    const sanitized = exporterConfig({
      rules: [
        { pattern: '^(hadoop<service=DataNode, )name=DataNodeActivity-ams-hdd001-50010><>replaceBlockOpMinTime:', name: '$1', labels: { $1: '$1' } },
      ],
    });

    // WHEN the matcher applies each rule
    // THEN it names the series as the upstream test expects
    expect(exporterOutput(fromPattern, bean)).toEqual({ name: 'hadoop_replaceBlockOpMinTime', labels: { service: 'DataNode' }, value: 200 });
    expect(exporterOutput(sanitized, bean)).toEqual({
      name: 'hadoop_service_DataNode_',
      labels: { hadoop_service_DataNode_: 'hadoop<service=DataNode, ' },
      value: 200,
    });
  });

  test('lower-cases the names and reads only the MBeans of the design', () => {
    // GIVEN the parsed rules file
    // WHEN its options are read
    // THEN names are lower-cased and the agent queries exactly the design's object names
    expect(config.lowercaseOutputName).toBe(true);
    expect([...config.includeObjectNames].sort()).toEqual([...new Set(SPEC_MBEANS.map((mbean) => mbean.objectName))].sort());
  });

  test.each(SPEC_MBEANS.map((mbean) => ({ ...mbean, form: canonicalForm(mbean) })))('$form becomes $metric', (mbean) => {
    // GIVEN an MBean attribute of the design, in the form the agent matches
    // WHEN the rules are applied to it
    const output = exporterOutput(config, mbean);

    // THEN the first matching rule names it as the design, the readiness probe and the alerts expect
    expect(output).toEqual({ name: mbean.metric, labels: mbean.labels ?? {}, value: mbean.printed ?? mbean.value });
  });

  test('has no rule that exports none of the design MBeans', () => {
    // GIVEN the rule that names each MBean of the design
    const used = new Set(SPEC_MBEANS.map((mbean) => config.rules.findIndex((rule) => rule.pattern.test(canonicalForm(mbean)))));

    // WHEN the rules are compared with them
    // THEN every rule is the first match of one
    expect([...used].sort((a, b) => a - b)).toEqual(config.rules.map((_, index) => index));
  });

  test.each(OTHER_MBEANS.map((mbean) => ({ ...mbean, form: canonicalForm(mbean) })))('drops $form', (mbean) => {
    // GIVEN an MBean attribute outside the design
    // WHEN the rules are applied to it
    // THEN no series comes out, so the names stay exactly the design's
    expect(exporterOutput(config, mbean)).toBeUndefined();
  });
});

describe('the constructed fixtures', () => {
  const produced = SPEC_MBEANS.map((mbean) => exporterOutput(exporterConfig(parse(kafkaJmxExporterConfig())), mbean));

  test.each(AGENT_FIXTURES)('%s.prom holds only series the rules file produces from the design MBeans', (file) => {
    // GIVEN the series the rules produce from the design's MBeans
    const shapes = new Set(produced.map((series) => `${series?.name}{${Object.keys(series?.labels ?? {}).join(',')}}`));

    // WHEN a fixture's series are compared with them
    // THEN each has the name and the label names of one of them
    for (const series of fixture(file)) {
      expect(shapes).toContain(`${series.name}{${Object.keys(series.labels).join(',')}}`);
    }
  });

  test('broker.prom is a RUNNING broker, the controller files an active and a standby controller', () => {
    const value = (file: string, name: string) => fixture(file).find((series) => series.name === name);
    expect(value('broker', 'kafka_server_kafkaserver_brokerstate')?.value).toBe(BROKER_STATE_RUNNING);
    expect(value('broker', 'kafka_server_raftmetrics_current_state')?.labels).toEqual({ state: 'observer' });
    expect(value('controller-active', 'kafka_controller_kafkacontroller_activecontrollercount')?.value).toBe(1);
    expect(value('controller-active', 'kafka_server_raftmetrics_current_state')?.labels).toEqual({ state: 'leader' });
    expect(value('controller-standby', 'kafka_controller_kafkacontroller_activecontrollercount')?.value).toBe(0);
    expect(value('controller-standby', 'kafka_server_raftmetrics_current_state')?.labels).toEqual({ state: 'follower' });
    expect(fixture('kubelet-volume').map((series) => [series.name, Object.keys(series.labels)])).toEqual([
      ['kubelet_volume_stats_available_bytes', ['namespace', 'persistentvolumeclaim']],
      ['kubelet_volume_stats_capacity_bytes', ['namespace', 'persistentvolumeclaim']],
    ]);
  });
});

describe('the alert rules and the dashboard', () => {
  const input: KafkaAlertInput = {
    name: 'orders',
    brokers: 3,
    controllers: 3,
    minInsyncReplicas: 2,
    tier: Tier.HIGH,
    dataClass: DataClass.SYSTEM_OF_RECORD,
    namespace: 'shop',
  };
  const selectors = kafkaSeriesSelectors(input);
  const scopes = Object.values(selectors);

  test('every alert and every dashboard query selects only this cluster', () => {
    // GIVEN the rules and the dashboard of a cluster
    const rules = kafkaAlertRules(input, selectors);
    const dashboard = kafkaDashboard(input, selectors, 'Kafka orders') as { panels: { targets: { expr: string }[] }[] };

    // WHEN their expressions are taken apart
    const exprs = [...rules.map((rule) => rule.expr), ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))];

    // THEN every series selector is one of the cluster's, and no metric is read without one
    expect(dashboard.panels).toHaveLength(12);
    expect(exprs.map((expr) => ({ expr, unscoped: unscopedSelectors(expr, scopes) }))).toEqual(exprs.map((expr) => ({ expr, unscoped: [] })));
    expect(selectors).toEqual({
      brokers: '{namespace="shop", app_kubernetes_io_instance="orders", app_kubernetes_io_component="broker"}',
      controllers: '{namespace="shop", app_kubernetes_io_instance="orders", app_kubernetes_io_component="controller"}',
      brokerVolumes: '{namespace="shop", persistentvolumeclaim=~"data-orders-broker-[0-9]+"}',
      controllerVolumes: '{namespace="shop", persistentvolumeclaim=~"data-orders-controller-[0-9]+"}',
    });
  });

  test('every alert waits the tier delay, or the one given', () => {
    // GIVEN a cluster without and with an explicit delay
    // WHEN its rules are built
    // THEN each waits that delay
    expect(new Set(kafkaAlertRules(input, selectors).map((rule) => rule.forSeconds))).toEqual(new Set([alertDelaySeconds(Tier.HIGH)]));
    expect(new Set(kafkaAlertRules({ ...input, delaySeconds: 90 }, selectors).map((rule) => rule.forSeconds))).toEqual(new Set([90]));
  });
});

describe.each(CLUSTERS)('promtool on the alerts of $title', (spec) => {
  const cluster = clusterOf(spec, 'orders', 'shop', 1);
  const rules = kafkaAlertRules(cluster.input, kafkaSeriesSelectors(cluster.input));
  const delay = alertDelaySeconds(spec.tier);
  // Long enough to see a condition that outlasts the delay fire, and a shorter one pass without firing.
  const horizon = FAULT_AT + 2 * delay + 300;

  promtoolAlertRuleTests(
    join(workDir, spec.title.replace(/\W+/g, '-')),
    { name: 'kafka-cluster.shop.orders', rules, labels: { ...ROUTING, tier: spec.tier } },
    () => ({
      horizon,
      routine: [
        { name: 'a healthy cluster', world: healthyWorld() },
        brokerRestarted(cluster, lastBroker(cluster), delay - 3 * STEP),
        controllerFailover(cluster, delay - 2 * STEP),
      ],
      specs: ALERTS,
      context: () => ({ cluster, delay, horizon }),
      testGroup: (scenario, expectations) => clusterTestGroup(cluster, spec, scenario, horizon, expectations),
    }),
    {
      routine:
        'no alert fires for a healthy cluster next to broken ones (same name elsewhere, a similar name here), nor for a broker restart or a controller failover within the delay',
      specsName: 'ALERTS',
    },
  );
});
