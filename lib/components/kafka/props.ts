import type { Size } from 'cdk8s';
import type { MonitoringProps, PodPlacementProps } from '../../core/component-props';
import type { DataClass, Tier } from '../../core/tier';

/** Where a broker learns its zone, which Kafka calls its rack and uses to put the replicas of a partition in different zones. */
export enum RackSource {
  /**
   * An init container reads the zone label of the pod's node from the Kubernetes API and the broker starts with it as
   * `broker.rack`; a node without the label keeps the broker from starting. Needs a ClusterRole allowing `get` on
   * nodes, bound to the brokers' service account, and a scenario `namespace` (the binding names the account's).
   */
  NODE_LABEL = 'node-label',
  /**
   * The downward API reads the zone label from the pod itself: clusters whose API server runs the PodTopologyLabels
   * admission plugin copy the node's topology labels onto each pod at binding. No RBAC; a pod without the label
   * keeps the broker from starting.
   */
  POD_LABEL = 'pod-label',
  /** No `broker.rack`: Kafka may put every replica of a partition in one zone. Not allowed in the CRITICAL tier. */
  NONE = 'none',
}

export interface KafkaClusterProps extends PodPlacementProps, MonitoringProps {
  /**
   * Whether the records are a system of record (an acknowledged record must survive the loss of a broker or a zone)
   * or can be produced again.
   *
   * @default DataClass.SYSTEM_OF_RECORD
   */
  readonly dataClass?: DataClass;

  /**
   * The tier whose profile sets spread, priority and alert delays.
   *
   * @default - the scenario's tier
   */
  readonly tier?: Tier;

  /**
   * Dedicated KRaft controllers, the voters of the metadata quorum: 3 (survives the loss of one) or 5 (of two).
   *
   * @default 3
   */
  readonly controllers?: number;

  /**
   * Brokers, which hold the partitions: at least 3, and at least the scenario's zones in the CRITICAL tier so each
   * zone holds replicas.
   *
   * @default 3
   */
  readonly brokers?: number;

  /**
   * The cluster id every volume is formatted with: 22 characters of URL-safe base64 for 16 bytes, as
   * `kafka-storage.sh random-uuid` prints. A volume formatted for another id keeps its pod from starting.
   *
   * @default - derived from the scenario's namespace and name and the construct id: the same on every synthesis
   */
  readonly clusterId?: string;

  /**
   * `default.replication.factor`: copies of each partition of a topic created without one.
   *
   * @default 3
   */
  readonly replicationFactor?: number;

  /**
   * `min.insync.replicas`: copies that must hold a record before an `acks=all` producer hears OK. Below the
   * replication factor, so a partition keeps accepting records while one copy is down.
   *
   * @default 2
   */
  readonly minInsyncReplicas?: number;

  /**
   * Where each broker reads its zone (`broker.rack`).
   *
   * @default RackSource.NODE_LABEL
   */
  readonly rackSource?: RackSource;

  /**
   * The node (or pod) label that holds the zone.
   *
   * @default 'topology.kubernetes.io/zone'
   */
  readonly zoneLabel?: string;

  /**
   * The Kafka image of brokers and controllers.
   *
   * @default KAFKA_IMAGE
   */
  readonly image?: string;

  /**
   * The image of the init container that reads the node's zone (RackSource.NODE_LABEL): it needs `sh` and `curl`.
   *
   * @default RACK_INIT_IMAGE
   */
  readonly rackInitImage?: string;

  /**
   * The image holding the Prometheus JMX exporter Java agent, which an init container copies next to Kafka. The agent
   * also serves the broker state that readiness reads, so it runs even when `metrics` is false.
   *
   * @default JMX_EXPORTER_IMAGE
   */
  readonly jmxExporterImage?: string;

  /**
   * The memory request and limit of a broker container; the JVM heap takes `brokerHeapSize` of it and the page cache
   * the rest.
   *
   * @default Size.gibibytes(4)
   */
  readonly brokerMemory?: Size;

  /**
   * The broker's JVM heap (`-Xms` and `-Xmx`). At most 75% of `brokerMemory`.
   *
   * @default - a quarter of `brokerMemory`, at least 512Mi: Kafka reads and writes through the page cache
   */
  readonly brokerHeapSize?: Size;

  /**
   * The CPU request of a broker container, in millicores.
   *
   * @default 1000
   */
  readonly brokerCpuMillis?: number;

  /**
   * The memory request and limit of a controller container.
   *
   * @default Size.gibibytes(2)
   */
  readonly controllerMemory?: Size;

  /**
   * The controller's JVM heap. At most 75% of `controllerMemory`.
   *
   * @default - half of `controllerMemory`
   */
  readonly controllerHeapSize?: Size;

  /**
   * The CPU request of a controller container, in millicores.
   *
   * @default 500
   */
  readonly controllerCpuMillis?: number;

  /**
   * The volume of each broker.
   *
   * @default Size.gibibytes(100)
   */
  readonly brokerStorageSize?: Size;

  /**
   * The volume of each controller, which holds the metadata log only.
   *
   * @default Size.gibibytes(10)
   */
  readonly controllerStorageSize?: Size;

  /**
   * The storage class of the volumes; use a zonal class with `WaitForFirstConsumer` binding.
   *
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;

  /**
   * The brokers' grace period. SIGTERM starts a controlled shutdown, which moves the leadership of every partition the
   * broker leads to another replica in the ISR before the process stops; SIGKILL at the end of the period skips it and
   * the partitions stay leaderless until the session times out.
   *
   * @default 180
   */
  readonly terminationGracePeriodSeconds?: number;

  /**
   * `delivery.timeout.ms` of the client profile: how long a producer retries a record before it reports the failure.
   * It must cover a broker's session timeout and a leader election.
   *
   * @default 120000
   */
  readonly deliveryTimeoutMilliseconds?: number;
}
