/** What the static part of a broker's and a controller's `server.properties` depends on. */
export interface KafkaConfigInput {
  readonly clusterName: string;
  readonly dataDir: string;
  readonly clientPort: number;
  readonly replicationPort: number;
  readonly controllerPort: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly brokerSessionTimeoutMilliseconds: number;
  /** Brokers know their zone: consumers may then fetch from a replica in their own zone. */
  readonly racks: boolean;
}

/** The copies Kafka's internal topics (offsets, transactions, share groups) keep, whatever the data class: losing them loses consumer positions. */
const INTERNAL_TOPIC_REPLICATION_FACTOR = 3;
const INTERNAL_TOPIC_MIN_ISR = 2;
/** Kafka's default, written out: the controllers fence a broker after broker.session.timeout.ms, several heartbeats. */
const BROKER_HEARTBEAT_INTERVAL_MILLISECONDS = 2000;

function properties(header: string, entries: readonly (readonly [string, string | number | boolean])[]): string {
  return `${header}\n${entries.map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

function listenerMap(listeners: readonly string[]): string {
  return listeners.map((listener) => `${listener}:PLAINTEXT`).join(',');
}

/**
 * A broker's `server.properties` without what differs per pod: the start script (start-kafka.sh) appends `node.id`,
 * `controller.quorum.voters`, `advertised.listeners` and `broker.rack`.
 *
 * Durability is explicit even where it matches a Kafka default, so a reader of the file (or a check rule) needs no
 * knowledge of the defaults: `default.replication.factor` and `min.insync.replicas` default to 1 in Kafka.
 */
export function renderBrokerProperties(input: KafkaConfigInput): string {
  return properties(
    `# Broker of Kafka cluster ${input.clusterName} (stability-blueprints). start-kafka.sh adds node.id, controller.quorum.voters,\n` +
      '# advertised.listeners and broker.rack for each pod.',
    [
      ['process.roles', 'broker'],
      ['controller.listener.names', 'CONTROLLER'],
      ['listeners', `CLIENT://:${input.clientPort},REPLICATION://:${input.replicationPort}`],
      ['inter.broker.listener.name', 'REPLICATION'],
      // Encryption in transit comes from the mesh; the NetworkPolicy admits only declared clients and the cluster's own pods.
      ['listener.security.protocol.map', listenerMap(['CLIENT', 'REPLICATION', 'CONTROLLER'])],
      ['log.dirs', input.dataDir],
      ['metadata.log.dir', input.dataDir],
      ['default.replication.factor', input.replicationFactor],
      ['min.insync.replicas', input.minInsyncReplicas],
      ['unclean.leader.election.enable', false],
      ['offsets.topic.replication.factor', INTERNAL_TOPIC_REPLICATION_FACTOR],
      ['transaction.state.log.replication.factor', INTERNAL_TOPIC_REPLICATION_FACTOR],
      ['transaction.state.log.min.isr', INTERNAL_TOPIC_MIN_ISR],
      ['share.coordinator.state.topic.replication.factor', INTERNAL_TOPIC_REPLICATION_FACTOR],
      ['share.coordinator.state.topic.min.isr', INTERNAL_TOPIC_MIN_ISR],
      // A typo in a topic name must fail, not create a topic with the defaults of the moment.
      ['auto.create.topics.enable', false],
      ['controlled.shutdown.enable', true],
      ['broker.heartbeat.interval.ms', BROKER_HEARTBEAT_INTERVAL_MILLISECONDS],
      ...(input.racks ? ([['replica.selector.class', 'org.apache.kafka.common.replica.RackAwareReplicaSelector']] as const) : []),
    ],
  );
}

/**
 * A controller's `server.properties` without `node.id` and `controller.quorum.voters`, which start-kafka.sh appends.
 * In KRaft the controllers create topics, elect partition leaders and fence brokers, so the settings for topics created
 * without their own (replication factor, min ISR, unclean election), leader rebalancing and the broker session timeout
 * take effect here, not on the brokers.
 */
export function renderControllerProperties(input: KafkaConfigInput): string {
  return properties(
    `# KRaft controller of Kafka cluster ${input.clusterName} (stability-blueprints). start-kafka.sh adds node.id and\n` +
      '# controller.quorum.voters for each pod.',
    [
      ['process.roles', 'controller'],
      ['controller.listener.names', 'CONTROLLER'],
      ['listeners', `CONTROLLER://:${input.controllerPort}`],
      ['listener.security.protocol.map', listenerMap(['CONTROLLER'])],
      ['log.dirs', input.dataDir],
      ['metadata.log.dir', input.dataDir],
      ['default.replication.factor', input.replicationFactor],
      ['min.insync.replicas', input.minInsyncReplicas],
      ['unclean.leader.election.enable', false],
      ['auto.leader.rebalance.enable', true],
      ['broker.session.timeout.ms', input.brokerSessionTimeoutMilliseconds],
    ],
  );
}

/** What producer and consumer teams configure their clients with. */
export interface KafkaClientProfile {
  readonly bootstrapServers: string;
  readonly deliveryTimeoutMilliseconds: number;
}

/** Kafka's limit for idempotent producers: more in-flight requests per connection could reorder records on retry. */
export const MAX_IN_FLIGHT_WITH_IDEMPOTENCE = 5;
/** Kafka's default request timeout; delivery.timeout.ms must be at least it plus linger.ms. */
export const CLIENT_REQUEST_TIMEOUT_MILLISECONDS = 30_000;

/** The client settings, by Kafka client property name, in the order the profile file lists them. */
export function clientSettings(profile: KafkaClientProfile): readonly (readonly [string, string])[] {
  return [
    ['bootstrap.servers', profile.bootstrapServers],
    ['security.protocol', 'PLAINTEXT'],
    ['acks', 'all'],
    ['enable.idempotence', 'true'],
    ['max.in.flight.requests.per.connection', String(MAX_IN_FLIGHT_WITH_IDEMPOTENCE)],
    ['delivery.timeout.ms', String(profile.deliveryTimeoutMilliseconds)],
    ['request.timeout.ms', String(CLIENT_REQUEST_TIMEOUT_MILLISECONDS)],
    ['isolation.level', 'read_committed'],
  ];
}

/**
 * The client profile file: `acks=all` (a record is acknowledged once every in-sync replica, at least
 * `min.insync.replicas`, holds it), idempotence (a retried record is written once), and a delivery timeout that
 * covers a failover; consumers read committed transactions only.
 */
export function renderClientProperties(clusterName: string, profile: KafkaClientProfile): string {
  return properties(
    `# Client profile of Kafka cluster ${clusterName} (stability-blueprints): producers get an OK only for records on\n` +
      '# min.insync.replicas brokers, and retries never duplicate a record. Set client.rack to the zone of the client to\n' +
      '# read from a replica in that zone.',
    clientSettings(profile),
  );
}
