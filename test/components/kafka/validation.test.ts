import { Size } from 'cdk8s';
import { BlueprintError, DataClass, KafkaCluster, KafkaClusterProps, RackSource, Tier } from '../../../lib';
import { testScenario } from '../../support/scenario';

function defineKafka(props: KafkaClusterProps, options: { id?: string; tier?: Tier; zones?: number; namespace?: string | null } = {}): KafkaCluster {
  const namespace = options.namespace === null ? undefined : (options.namespace ?? 'shop');
  return new KafkaCluster(
    testScenario({ tier: options.tier ?? Tier.CRITICAL, zones: options.zones ?? 3, namespace }),
    options.id ?? 'order-events',
    props,
  );
}

describe('KafkaCluster validation', () => {
  test.each<[string, KafkaClusterProps, string]>([
    [
      'an even controller count',
      { controllers: 4 },
      'invalid controllers 4: 3 or 5: an odd number of voters, so a majority survives the loss of one (two with 5) and an even split never stalls the quorum',
    ],
    [
      'a single controller',
      { controllers: 1 },
      'invalid controllers 1: 3 or 5: an odd number of voters, so a majority survives the loss of one (two with 5) and an even split never stalls the quorum',
    ],
    ['two brokers', { brokers: 2 }, 'invalid brokers 2: a whole number from 3 to 1000'],
    [
      'min ISR equal to the replication factor',
      { minInsyncReplicas: 3 },
      'invalid minInsyncReplicas 3: below replicationFactor (3): otherwise one broker down makes every acks=all producer fail',
    ],
    [
      'a replication factor above the brokers',
      { replicationFactor: 4, minInsyncReplicas: 2 },
      'invalid replicationFactor 4: at most brokers (3): each copy of a partition lives on another broker',
    ],
    [
      'replication factor 2 for a system of record',
      { replicationFactor: 2, minInsyncReplicas: 1 },
      'invalid replicationFactor 2: at least 3 for a DataClass.SYSTEM_OF_RECORD: with 2, one lost broker leaves a single copy of every acknowledged record',
    ],
    [
      'min ISR 1 for a system of record',
      { minInsyncReplicas: 1 },
      'invalid minInsyncReplicas 1: at least 2 for a DataClass.SYSTEM_OF_RECORD: with 1, a leader acknowledges records no other broker holds, and losing it loses them',
    ],
    [
      'a cluster id that is no base64 of 16 bytes',
      { clusterId: 'not-a-cluster-id' },
      'invalid clusterId "not-a-cluster-id": 22 characters of URL-safe base64 encoding 16 bytes, not starting with "-" and not a reserved id, as `kafka-storage.sh random-uuid` prints',
    ],
    [
      'a cluster id starting with "-"',
      { clusterId: '-L6g3nShT-eMCtK--X86sw' },
      'invalid clusterId "-L6g3nShT-eMCtK--X86sw": 22 characters of URL-safe base64 encoding 16 bytes, not starting with "-" and not a reserved id, as `kafka-storage.sh random-uuid` prints',
    ],
    [
      "the image's default cluster id",
      { clusterId: '5L6g3nShT-eMCtK--X86sw' },
      'invalid clusterId "5L6g3nShT-eMCtK--X86sw": an id of this cluster\'s own: this one is the apache/kafka image\'s fallback, which every cluster without an id shares',
    ],
    [
      'no racks in the CRITICAL tier',
      { rackSource: RackSource.NONE },
      'invalid rackSource "none": RackSource.NODE_LABEL or RackSource.POD_LABEL in the CRITICAL tier: without racks, one zone may hold every copy',
    ],
    [
      'an unknown rack source',
      { rackSource: 'imds' as RackSource },
      'invalid rackSource "imds": one of RackSource.NODE_LABEL, RackSource.POD_LABEL, RackSource.NONE',
    ],
    [
      'a zone label that is no label key',
      { zoneLabel: 'zone label' },
      'invalid zoneLabel "zone label": a Kubernetes label key, e.g. "topology.kubernetes.io/zone"',
    ],
    [
      'a broker heap that leaves no room',
      { brokerMemory: Size.gibibytes(2), brokerHeapSize: Size.mebibytes(1800) },
      'invalid brokerHeapSize "1800Mi": at most 75% of brokerMemory (1536Mi of 2048Mi): the JVM needs room beyond its heap, and Kafka the page cache',
    ],
    [
      'too little controller memory',
      { controllerMemory: Size.mebibytes(512) },
      'invalid controllerMemory "512Mi": a whole number of mebibytes, at least 1024Mi',
    ],
    [
      'a grace period too short for a controlled shutdown',
      { terminationGracePeriodSeconds: 30 },
      'invalid terminationGracePeriodSeconds 30: a whole number of at least 60',
    ],
    [
      'a delivery timeout shorter than a failover',
      { deliveryTimeoutMilliseconds: 10_000 },
      'invalid deliveryTimeoutMilliseconds 10000: at least 24000, twice the 12 s a broker loss stops a partition, so a producer retries through it',
    ],
    ['an unknown data class', { dataClass: 'ledger' as DataClass }, 'invalid dataClass "ledger": one of DataClass.SYSTEM_OF_RECORD, DataClass.CACHE'],
    [
      'an image with spaces',
      { image: 'apache/kafka 4.1' },
      'invalid image "apache/kafka 4.1": an image reference without spaces, e.g. "apache/kafka:4.1.1"',
    ],
  ])('%s is refused with the construct path, the value and what is allowed', (_case, props, message) => {
    expect(() => defineKafka(props)).toThrow(BlueprintError);
    expect(() => defineKafka(props)).toThrow(`shop/order-events: ${message}`);
  });

  test('a CRITICAL cluster needs 3 zones and a broker in each', () => {
    expect(() => defineKafka({ tier: Tier.CRITICAL }, { tier: Tier.HIGH, zones: 2 })).toThrow(
      'shop/order-events: invalid zones 2: at least 3 zones for a CRITICAL Kafka cluster (the scenario\'s "zones"): with 2, losing the zone with 2 controllers stops the quorum',
    );
    expect(() => defineKafka({ brokers: 3 }, { zones: 4 })).toThrow(
      'shop/order-events: invalid brokers 3: at least one broker per zone (4) in the CRITICAL tier, so every zone holds replicas',
    );
    expect(() => defineKafka({ brokers: 4 }, { zones: 4 })).not.toThrow();
    expect(() => defineKafka({}, { tier: Tier.HIGH, zones: 2 })).not.toThrow();
  });

  test('a cache may keep fewer copies, but never min ISR at the replication factor', () => {
    expect(() => defineKafka({ dataClass: DataClass.CACHE, replicationFactor: 2, minInsyncReplicas: 1 })).not.toThrow();
    expect(() => defineKafka({ dataClass: DataClass.CACHE, replicationFactor: 2, minInsyncReplicas: 2 })).toThrow(
      'shop/order-events: invalid minInsyncReplicas 2: below replicationFactor (2): otherwise one broker down makes every acks=all producer fail',
    );
  });

  test('reading the node needs a namespace for the ClusterRoleBinding; the pod label does not', () => {
    expect(() => defineKafka({}, { namespace: null })).toThrow(
      'shop/order-events: invalid rackSource "node-label": RackSource.POD_LABEL or RackSource.NONE when the scenario has no namespace: the ClusterRoleBinding that lets the brokers read their node must name the service account\'s namespace',
    );
    expect(() => defineKafka({ rackSource: RackSource.POD_LABEL }, { namespace: null })).not.toThrow();
  });

  test('an id that would make derived names invalid is refused', () => {
    expect(() => defineKafka({}, { id: 'order-events-of-the-checkout-flow-in-eu-1' })).toThrow(
      'shop/order-events-of-the-checkout-flow-in-eu-1: invalid id "order-events-of-the-checkout-flow-in-eu-1": a DNS label of at most 40 characters (lower-case letters, digits and "-", starting with a letter), so derived names stay valid',
    );
  });

  test('a client env prefix that is no variable name is refused', () => {
    expect(() => defineKafka({}).clientEnv('1_')).toThrow(
      'shop/order-events: invalid clientEnv prefix "1_": letters, digits and "_", not starting with a digit, so the variables are valid environment variable names',
    );
  });
});
