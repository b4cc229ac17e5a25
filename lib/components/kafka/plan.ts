import { createHash } from 'node:crypto';
import { Size } from 'cdk8s';
import { MonitoringPlan, PodPlacementPlan, resolveMonitoring, resolvePodPlacement } from '../../core/component-props';
import { majority } from '../../core/disruption-budget';
import { propValidator, resolveTierAndDataClass } from '../../core/prop-validation';
import { DataClass, Tier, tierProfile } from '../../core/tier';
import type { BusinessScenario } from '../../scenario/business-scenario';
import { JMX_EXPORTER_IMAGE, KAFKA_METRICS_PORT } from './observability';
import { KafkaClusterProps, RackSource } from './props';

/** The Kafka image shipped. No Kafka runs on these machines: the scripts are tested against a stand-in (see the README). */
export const KAFKA_IMAGE = 'apache/kafka:4.1.1';
/** curl and a POSIX shell, for the init container that reads the node's zone from the Kubernetes API. */
export const RACK_INIT_IMAGE = 'curlimages/curl:8.17.0';

export const KAFKA_CLIENT_PORT = 9092;
export const KAFKA_REPLICATION_PORT = 9091;
export const KAFKA_CONTROLLER_PORT = 9093;
/** Controllers take node ids from here up, brokers from 0: the ranges never meet (brokers are at most MAX_BROKERS). */
export const KAFKA_CONTROLLER_NODE_ID_OFFSET = 9000;
const MAX_BROKERS = 1000;

/** The image's own fallback (docker/resources/common-scripts/configureDefaults): every cluster formatted with it shares an id. */
export const KAFKA_IMAGE_DEFAULT_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';
/** 16 bytes in URL-safe base64 without padding: the last character carries 2 bits, so only 16 of the 64 letters fit. */
const CLUSTER_ID = /^[A-Za-z0-9_-]{21}[AEIMQUYcgkosw048]$/;
/** Kafka reserves the all-zero id and the metadata topic's id (Uuid.RESERVED). */
const RESERVED_CLUSTER_IDS = ['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAQ'];

/** `<name>-controller-headless` must stay a DNS label (63 characters). */
const MAX_NAME_LENGTH = 40;
const MAX_HEAP_SHARE = 0.75;
/** broker.session.timeout.ms (Kafka's default, kept): the controllers fence a silent broker after it. */
export const KAFKA_BROKER_SESSION_TIMEOUT_MILLISECONDS = 9000;
/** Seconds from fencing to new leaders from the ISR, at most, on a quorum that keeps up. */
const LEADER_ELECTION_SECONDS = 3;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** What one role's pods get: memory, heap, CPU and volume. */
export interface KafkaRolePlan {
  readonly replicas: number;
  readonly memory: Size;
  readonly heapMebibytes: number;
  readonly cpuMillis: number;
  readonly storageSize: Size;
}

/** Every knob of a KafkaCluster, resolved once from props, scenario, tier and data class. */
export interface KafkaClusterPlan extends PodPlacementPlan, MonitoringPlan {
  readonly name: string;
  readonly tier: Tier;
  readonly dataClass: DataClass;
  readonly clusterId: string;
  readonly controllers: KafkaRolePlan;
  readonly brokers: KafkaRolePlan;
  /** Controllers that must be up for the metadata quorum to decide: a majority. */
  readonly controllerQuorum: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly rackSource: RackSource;
  readonly zoneLabel: string;
  readonly image: string;
  readonly rackInitImage: string;
  readonly storageClassName?: string;
  readonly terminationGracePeriodSeconds: number;
  readonly deliveryTimeoutMilliseconds: number;
  /** Seconds from the loss of a broker to records accepted again on the partitions it led, at most. */
  readonly failoverBudgetSeconds: number;
}

const RACK_CHOICES = 'RackSource.NODE_LABEL, RackSource.POD_LABEL, RackSource.NONE';

function isRackSource(value: unknown): value is RackSource {
  return (Object.values(RackSource) as unknown[]).includes(value);
}

/**
 * A cluster id derived from `parts`, so a cluster keeps its id across syntheses and machines: the first 16 bytes of
 * their SHA-256 in URL-safe base64. Kafka's own generator re-draws ids that start with "-" (KAFKA-15754: the tools
 * read them as a flag), and so does this one, with a counter.
 */
export function stableClusterId(...parts: string[]): string {
  for (let attempt = 0; ; attempt++) {
    const digest = createHash('sha256')
      .update([...parts, String(attempt)].join('\0'))
      .digest();
    const id = digest.subarray(0, 16).toString('base64url');
    if (!id.startsWith('-') && !RESERVED_CLUSTER_IDS.includes(id)) {
      return id;
    }
  }
}

export function resolveKafkaClusterPlan(path: string, id: string, props: KafkaClusterProps, scenario: BusinessScenario): KafkaClusterPlan {
  const validator = propValidator(path);
  const { fail, wholeNumber, mebibytes, imageReference } = validator;

  validator.dnsLabelId(id, MAX_NAME_LENGTH);
  const { tier, dataClass } = resolveTierAndDataClass(validator, props, scenario);
  const tierDefaults = tierProfile(tier);

  const controllers = props.controllers ?? 3;
  if (controllers !== 3 && controllers !== 5) {
    fail(
      'controllers',
      controllers,
      '3 or 5: an odd number of voters, so a majority survives the loss of one (two with 5) and an even split never stalls the quorum',
    );
  }
  const brokers = wholeNumber('brokers', props.brokers ?? 3, 3, MAX_BROKERS);
  if (tier === Tier.CRITICAL && scenario.zones < 3) {
    fail(
      'zones',
      scenario.zones,
      'at least 3 zones for a CRITICAL Kafka cluster (the scenario\'s "zones"): with 2, losing the zone with 2 controllers stops the quorum',
    );
  }
  if (tier === Tier.CRITICAL && brokers < scenario.zones) {
    fail('brokers', brokers, `at least one broker per zone (${scenario.zones}) in the CRITICAL tier, so every zone holds replicas`);
  }

  const replicationFactor = wholeNumber('replicationFactor', props.replicationFactor ?? 3, 1);
  const minInsyncReplicas = wholeNumber('minInsyncReplicas', props.minInsyncReplicas ?? 2, 1);
  if (dataClass === DataClass.SYSTEM_OF_RECORD && replicationFactor < 3) {
    fail(
      'replicationFactor',
      replicationFactor,
      'at least 3 for a DataClass.SYSTEM_OF_RECORD: with 2, one lost broker leaves a single copy of every acknowledged record',
    );
  }
  if (dataClass === DataClass.SYSTEM_OF_RECORD && minInsyncReplicas < 2) {
    fail(
      'minInsyncReplicas',
      minInsyncReplicas,
      'at least 2 for a DataClass.SYSTEM_OF_RECORD: with 1, a leader acknowledges records no other broker holds, and losing it loses them',
    );
  }
  if (minInsyncReplicas >= replicationFactor) {
    fail(
      'minInsyncReplicas',
      minInsyncReplicas,
      `below replicationFactor (${replicationFactor}): otherwise one broker down makes every acks=all producer fail`,
    );
  }
  if (replicationFactor > brokers) {
    fail('replicationFactor', replicationFactor, `at most brokers (${brokers}): each copy of a partition lives on another broker`);
  }

  const clusterId = props.clusterId ?? stableClusterId('stability-blueprints', scenario.namespace ?? '', scenario.scenarioName, id);
  if (typeof clusterId !== 'string' || !CLUSTER_ID.test(clusterId) || clusterId.startsWith('-') || RESERVED_CLUSTER_IDS.includes(clusterId)) {
    fail(
      'clusterId',
      clusterId,
      '22 characters of URL-safe base64 encoding 16 bytes, not starting with "-" and not a reserved id, as `kafka-storage.sh random-uuid` prints',
    );
  }
  if (clusterId === KAFKA_IMAGE_DEFAULT_CLUSTER_ID) {
    fail(
      'clusterId',
      clusterId,
      "an id of this cluster's own: this one is the apache/kafka image's fallback, which every cluster without an id shares",
    );
  }

  const rackSource = props.rackSource ?? RackSource.NODE_LABEL;
  if (!isRackSource(rackSource)) {
    fail('rackSource', rackSource, `one of ${RACK_CHOICES}`);
  }
  if (rackSource === RackSource.NONE && tier === Tier.CRITICAL) {
    fail('rackSource', rackSource, 'RackSource.NODE_LABEL or RackSource.POD_LABEL in the CRITICAL tier: without racks, one zone may hold every copy');
  }
  if (rackSource === RackSource.NODE_LABEL && scenario.namespace === undefined) {
    fail(
      'rackSource',
      rackSource,
      "RackSource.POD_LABEL or RackSource.NONE when the scenario has no namespace: the ClusterRoleBinding that lets the brokers read their node must name the service account's namespace",
    );
  }
  const zoneLabel = props.zoneLabel ?? 'topology.kubernetes.io/zone';
  if (typeof zoneLabel !== 'string' || !LABEL_KEY.test(zoneLabel) || zoneLabel.length > 316) {
    fail('zoneLabel', zoneLabel, 'a Kubernetes label key, e.g. "topology.kubernetes.io/zone"');
  }

  const role = (
    prefix: 'broker' | 'controller',
    replicas: number,
    defaults: { memory: Size; cpuMillis: number; storage: Size; heapShare: number },
  ): KafkaRolePlan => {
    const memory = props[`${prefix}Memory`] ?? defaults.memory;
    const memoryMebibytes = mebibytes(`${prefix}Memory`, memory, 1024);
    const heapProp = props[`${prefix}HeapSize`];
    const heapMebibytes =
      heapProp === undefined ? Math.max(512, Math.floor(memoryMebibytes * defaults.heapShare)) : mebibytes(`${prefix}HeapSize`, heapProp, 256);
    const heapLimit = Math.floor(memoryMebibytes * MAX_HEAP_SHARE);
    if (heapMebibytes > heapLimit) {
      fail(
        `${prefix}HeapSize`,
        `${heapMebibytes}Mi`,
        `at most 75% of ${prefix}Memory (${heapLimit}Mi of ${memoryMebibytes}Mi): the JVM needs room beyond its heap, and Kafka the page cache`,
      );
    }
    const storageSize = props[`${prefix}StorageSize`] ?? defaults.storage;
    mebibytes(`${prefix}StorageSize`, storageSize, 1024);
    return {
      replicas,
      memory,
      heapMebibytes,
      cpuMillis: wholeNumber(`${prefix}CpuMillis`, props[`${prefix}CpuMillis`] ?? defaults.cpuMillis, 1),
      storageSize,
    };
  };

  const terminationGracePeriodSeconds = wholeNumber('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 180, 60);
  const failoverBudgetSeconds = Math.ceil(KAFKA_BROKER_SESSION_TIMEOUT_MILLISECONDS / 1000) + LEADER_ELECTION_SECONDS;
  const deliveryTimeoutMilliseconds = wholeNumber('deliveryTimeoutMilliseconds', props.deliveryTimeoutMilliseconds ?? 120_000, 1000);
  if (deliveryTimeoutMilliseconds < failoverBudgetSeconds * 1000 * 2) {
    fail(
      'deliveryTimeoutMilliseconds',
      deliveryTimeoutMilliseconds,
      `at least ${failoverBudgetSeconds * 2000}, twice the ${failoverBudgetSeconds} s a broker loss stops a partition, so a producer retries through it`,
    );
  }

  const image = imageReference('image', props.image ?? KAFKA_IMAGE, KAFKA_IMAGE);
  const rackInitImage = imageReference('rackInitImage', props.rackInitImage ?? RACK_INIT_IMAGE, RACK_INIT_IMAGE);
  const jmxExporterImage = imageReference('jmxExporterImage', props.jmxExporterImage ?? JMX_EXPORTER_IMAGE, JMX_EXPORTER_IMAGE);

  return {
    name: id,
    tier,
    dataClass,
    clusterId,
    controllers: role('controller', controllers, { memory: Size.gibibytes(2), cpuMillis: 500, storage: Size.gibibytes(10), heapShare: 0.5 }),
    brokers: role('broker', brokers, { memory: Size.gibibytes(4), cpuMillis: 1000, storage: Size.gibibytes(100), heapShare: 0.25 }),
    controllerQuorum: majority(controllers),
    replicationFactor,
    minInsyncReplicas,
    rackSource,
    zoneLabel,
    image,
    rackInitImage,
    storageClassName: props.storageClassName,
    terminationGracePeriodSeconds,
    deliveryTimeoutMilliseconds,
    failoverBudgetSeconds,
    ...resolvePodPlacement(validator, props, tierDefaults, scenario),
    ...resolveMonitoring({ ...props, exporterImage: jmxExporterImage }, JMX_EXPORTER_IMAGE, KAFKA_METRICS_PORT),
  };
}
