import { Testing } from 'cdk8s';
import {
  BlueprintComponent,
  DataClass,
  DiskFlush,
  KafkaCluster,
  KafkaClusterProps,
  Peer,
  PortRole,
  RackSource,
  stableClusterId,
  Tier,
} from '../../../lib';
import { validateManifest } from '../../../lib/checks/schema/strict-schema';
import { findObject, Manifest, testScenario } from '../../support/scenario';

function synthKafka(props: KafkaClusterProps = {}, tier = Tier.CRITICAL): Manifest[] {
  const scenario = testScenario({ tier });
  new KafkaCluster(scenario, 'order-events', props);
  return Testing.synth(scenario);
}

const podSpec = (manifests: Manifest[], set: string) => findObject(manifests, 'StatefulSet', set).spec.template.spec;
const properties = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('KafkaCluster', () => {
  test('defaults: 3 controllers and 3 brokers in the CRITICAL tier', () => {
    expect(synthKafka()).toMatchSnapshot();
  });

  test('the objects: one StatefulSet, headless Service, budget and policy per role, the bootstrap Service, the node reader and the monitoring', () => {
    // WHEN
    const objects = synthKafka().map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);

    // THEN
    expect(objects).toEqual([
      'ConfigMap/order-events-kafka-config',
      'ConfigMap/order-events-kafka-scripts',
      'ConfigMap/order-events-kafka-client',
      'ServiceAccount/order-events-controller-pods',
      'Service/order-events-controller-headless',
      'StatefulSet/order-events-controller',
      'PodDisruptionBudget/order-events-controller-budget',
      'ServiceAccount/order-events-broker-pods',
      'Service/order-events-broker-headless',
      'StatefulSet/order-events-broker',
      'PodDisruptionBudget/order-events-broker-budget',
      'ClusterRole/shop-order-events-kafka-node-reader',
      'ClusterRoleBinding/shop-order-events-kafka-node-reader-binding',
      'Service/order-events-bootstrap',
      'NetworkPolicy/order-events-controller-policy',
      'NetworkPolicy/order-events-broker-policy',
      'PodMonitor/order-events-kafka-monitor',
      'PrometheusRule/order-events-kafka-alerts',
      'ConfigMap/order-events-kafka-dashboard',
    ]);
  });

  test.each<[string, Tier, KafkaClusterProps]>([
    ['CRITICAL system of record', Tier.CRITICAL, {}],
    [
      'CRITICAL, 5 controllers and 6 brokers, racks from the pod label',
      Tier.CRITICAL,
      { controllers: 5, brokers: 6, rackSource: RackSource.POD_LABEL },
    ],
    [
      'STANDARD cache without racks or metrics',
      Tier.STANDARD,
      { dataClass: DataClass.CACHE, rackSource: RackSource.NONE, metrics: false, replicationFactor: 2, minInsyncReplicas: 1 },
    ],
  ])('%s: every object is strictly valid against the Kubernetes schema', (_case, tier, props) => {
    // WHEN
    const violations = synthKafka(props, tier).flatMap((manifest) =>
      validateManifest(manifest).map((violation) => `${manifest.kind}/${manifest.metadata.name} ${violation.path}: ${violation.message}`),
    );

    // THEN
    expect(violations).toEqual([]);
  });

  test('durability: RF 3, min ISR 2 and no unclean election on brokers and controllers, internal topics RF 3 / min ISR 2, no auto-created topics', () => {
    // WHEN
    const config = findObject(synthKafka(), 'ConfigMap', 'order-events-kafka-config').data;
    const broker = properties(config['broker.properties']);
    const controller = properties(config['controller.properties']);

    // THEN
    expect(broker).toEqual(
      expect.objectContaining({
        'process.roles': 'broker',
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'unclean.leader.election.enable': 'false',
        'offsets.topic.replication.factor': '3',
        'transaction.state.log.replication.factor': '3',
        'transaction.state.log.min.isr': '2',
        'auto.create.topics.enable': 'false',
        listeners: 'CLIENT://:9092,REPLICATION://:9091',
        'inter.broker.listener.name': 'REPLICATION',
        'listener.security.protocol.map': 'CLIENT:PLAINTEXT,REPLICATION:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
      }),
    );
    expect(controller).toEqual(
      expect.objectContaining({
        'process.roles': 'controller',
        listeners: 'CONTROLLER://:9093',
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'unclean.leader.election.enable': 'false',
        'broker.session.timeout.ms': '9000',
      }),
    );
  });

  test('the cluster id is the same on every synthesis, differs per cluster, and a given one is kept', () => {
    // WHEN
    const idOf = (manifests: Manifest[]) =>
      podSpec(manifests, 'order-events-broker').containers[0].env.find((variable: any) => variable.name === 'CLUSTER_ID').value;

    // THEN
    expect(idOf(synthKafka())).toBe(idOf(synthKafka()));
    expect(idOf(synthKafka())).toBe(stableClusterId('stability-blueprints', 'shop', 'shop', 'order-events'));
    expect(idOf(synthKafka())).not.toBe(stableClusterId('stability-blueprints', 'shop', 'shop', 'flash-sale-queue'));
    expect(idOf(synthKafka())).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{20}[AEIMQUYcgkosw048]$/);
    expect(idOf(synthKafka({ clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' }))).toBe('MkU3OEVBNTcwNTJENDM2Qg');
  });

  test('disruption budgets allow one pod of each role; controllers are annotated as a majority quorum, brokers are not', () => {
    // WHEN
    const manifests = synthKafka({ controllers: 5 });

    // THEN
    expect(findObject(manifests, 'PodDisruptionBudget', 'order-events-controller-budget').spec.maxUnavailable).toBe(1);
    expect(findObject(manifests, 'PodDisruptionBudget', 'order-events-broker-budget').spec.maxUnavailable).toBe(1);
    expect(findObject(manifests, 'StatefulSet', 'order-events-controller').metadata.annotations).toEqual(
      expect.objectContaining({ 'stability-blueprints.io/consensus': 'majority', 'stability-blueprints.io/quorum': '4' }),
    );
    expect(findObject(manifests, 'StatefulSet', 'order-events-broker').metadata.annotations['stability-blueprints.io/consensus']).toBeUndefined();
  });

  test('brokers: controlled shutdown within the grace period, a 30 s margin between rolled brokers, readiness and startup from broker state', () => {
    // WHEN
    const manifests = synthKafka();
    const set = findObject(manifests, 'StatefulSet', 'order-events-broker');
    const broker = set.spec.template.spec.containers[0];

    // THEN
    expect(set.spec.minReadySeconds).toBe(30);
    expect(set.spec.podManagementPolicy).toBe('Parallel');
    expect(set.spec.template.spec.terminationGracePeriodSeconds).toBe(180);
    expect(broker.readinessProbe.exec.command).toEqual(['bash', '/scripts/probe-kafka.sh', 'broker', 'readiness']);
    expect(broker.startupProbe.exec.command).toEqual(['bash', '/scripts/probe-kafka.sh', 'broker', 'startup']);
    expect(broker.livenessProbe.tcpSocket.port).toBe('kafka-repl');
    expect(broker.ports.map((port: any) => `${port.name}:${port.containerPort}`)).toEqual(['kafka-client:9092', 'kafka-repl:9091', 'metrics:9404']);
  });

  test('rack awareness from the node label: a ClusterRole with get on nodes only, bound to the brokers, the token in the init container only', () => {
    // WHEN
    const manifests = synthKafka();
    const role = findObject(manifests, 'ClusterRole', 'shop-order-events-kafka-node-reader');
    const binding = findObject(manifests, 'ClusterRoleBinding', 'shop-order-events-kafka-node-reader-binding');
    const spec = podSpec(manifests, 'order-events-broker');

    // THEN
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    expect([role.metadata.namespace, binding.metadata.namespace]).toEqual([undefined, undefined]);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'order-events-broker-pods', namespace: 'shop' }]);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes.find((volume: any) => volume.name === 'kubernetes-api').projected.sources[0]).toEqual({
      serviceAccountToken: { path: 'token', expirationSeconds: 600 },
    });
    const brokerPolicy = findObject(manifests, 'NetworkPolicy', 'order-events-broker-policy');
    expect(brokerPolicy.spec.egress).toContainEqual({
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 6443 },
      ],
    });
  });

  test('rack awareness from the pod label: no RBAC, the zone through the downward API; without racks, no zone at all', () => {
    // WHEN
    const fromPod = synthKafka({ rackSource: RackSource.POD_LABEL });
    const none = synthKafka({ rackSource: RackSource.NONE }, Tier.HIGH);

    // THEN
    expect(fromPod.filter((manifest) => manifest.kind.startsWith('ClusterRole'))).toEqual([]);
    const env = podSpec(fromPod, 'order-events-broker').containers[0].env;
    expect(env).toContainEqual({ name: 'POD_ZONE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['topology.kubernetes.io/zone']" } } });
    expect(podSpec(fromPod, 'order-events-broker').initContainers.map((container: any) => container.name)).toEqual(['jmx-exporter']);
    const config = findObject(none, 'ConfigMap', 'order-events-kafka-config').data;
    expect(properties(config['broker.properties'])['replica.selector.class']).toBeUndefined();
  });

  test('the client profile: acks=all, idempotence, a delivery timeout that covers a failover, read-committed consumers', () => {
    // GIVEN
    const scenario = testScenario();
    const events = new KafkaCluster(scenario, 'order-events', { deliveryTimeoutMilliseconds: 90_000 });

    // WHEN
    const env = Object.fromEntries(Object.entries(events.clientEnv('ORDER_EVENTS_')).map(([name, value]) => [name, value.value]));
    const profile = findObject(Testing.synth(scenario), 'ConfigMap', events.clientProfileConfigMapName).data['client.properties'];

    // THEN
    expect(env).toEqual({
      ORDER_EVENTS_BOOTSTRAP_SERVERS: 'order-events-bootstrap.shop.svc.cluster.local:9092',
      ORDER_EVENTS_SECURITY_PROTOCOL: 'PLAINTEXT',
      ORDER_EVENTS_ACKS: 'all',
      ORDER_EVENTS_ENABLE_IDEMPOTENCE: 'true',
      ORDER_EVENTS_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION: '5',
      ORDER_EVENTS_DELIVERY_TIMEOUT_MS: '90000',
      ORDER_EVENTS_REQUEST_TIMEOUT_MS: '30000',
      ORDER_EVENTS_ISOLATION_LEVEL: 'read_committed',
    });
    expect(properties(profile)).toEqual({
      'bootstrap.servers': 'order-events-bootstrap.shop.svc.cluster.local:9092',
      'security.protocol': 'PLAINTEXT',
      acks: 'all',
      'enable.idempotence': 'true',
      'max.in.flight.requests.per.connection': '5',
      'delivery.timeout.ms': '90000',
      'request.timeout.ms': '30000',
      'isolation.level': 'read_committed',
    });
  });

  test('the brokers admit each other on replication, declared clients on the client port; the controllers admit brokers and each other', () => {
    // GIVEN
    const scenario = testScenario();
    const events = new KafkaCluster(scenario, 'order-events');

    // WHEN
    events.allowFrom(Peer.podsLabelled({ 'app.kubernetes.io/name': 'checkout' }));
    const manifests = Testing.synth(scenario);

    // THEN
    const ingress = (name: string) =>
      findObject(manifests, 'NetworkPolicy', name).spec.ingress.map((rule: any) => ({
        from:
          rule.from[0].podSelector?.matchLabels?.['app.kubernetes.io/component'] ??
          rule.from[0].podSelector?.matchLabels?.['app.kubernetes.io/name'] ??
          'namespace',
        ports: rule.ports.map((port: any) => port.port),
      }));
    expect(ingress('order-events-broker-policy')).toEqual([
      { from: 'broker', ports: [9091] },
      { from: 'prometheus', ports: [9404] },
      { from: 'checkout', ports: [9092] },
    ]);
    expect(ingress('order-events-controller-policy')).toEqual([
      { from: 'controller', ports: [9093] },
      { from: 'broker', ports: [9093] },
      { from: 'prometheus', ports: [9404] },
    ]);
  });

  test('the contract: controllers vote, brokers hold the data, acks=all records are on min ISR brokers', () => {
    // GIVEN
    const scenario = testScenario();
    const events = new KafkaCluster(scenario, 'order-events');

    // THEN
    expect(BlueprintComponent.all(scenario)).toEqual([events]);
    const { contract } = events;
    expect(contract.component).toBe('kafka-cluster');
    expect(contract.podSets.map((set) => [set.role, set.workloadName, set.replicas, set.votes, set.holdsData, set.minAvailable])).toEqual([
      ['controller', 'order-events-controller', 3, true, true, 2],
      ['broker', 'order-events-broker', 3, false, true, 2],
    ]);
    expect(contract.podSets[1].ports.map((port) => [port.name, port.port, port.roles])).toEqual([
      ['kafka-client', 9092, [PortRole.CLIENT]],
      ['kafka-repl', 9091, [PortRole.PEER]],
      ['metrics', 9404, [PortRole.METRICS]],
    ]);
    expect(contract.quorum).toEqual(
      expect.objectContaining({ votingRole: 'controller', voters: 3, votersForFailover: 2, dataRole: 'broker', dataPodsForWrites: 2 }),
    );
    expect(contract.durability).toEqual(
      expect.objectContaining({ dataClass: DataClass.SYSTEM_OF_RECORD, acknowledgedCopies: 2, flushedToDisk: DiskFlush.BY_THE_OPERATING_SYSTEM }),
    );
    expect(contract.failoverBudget).toEqual(expect.objectContaining({ detectionSeconds: 9, writesResumeWithinSeconds: 12 }));
  });
});
